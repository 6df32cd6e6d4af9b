"""Credit memory: officers record outcomes and breaches per organisation (audited), see them beside the
organisation's later challenges and bids, with the event linked; nobody else ever sees them."""

from sqlmodel import func, select

from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.credit import service as credit
from marketplace.credit.models import CreditRecord
from tests import factories as f


def _post(client, url, data):
    return client.post(url, data={"csrf_token": f.csrf(client), **data}, follow_redirects=True)


def test_an_officer_records_a_breach_and_sees_it_beside_the_companys_next_challenge(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    earlier = f.challenge(session, company=company, status="closed", deadline_days=-1)
    later = f.challenge(session, company=company, title="后续发布的榜单（信誉测试）")
    session.commit()
    officer = f.user(session, role=Role.OFFICER)
    f.login(client, session, officer)
    url = f"/officer/organisations/{company.organisation_id}/credit"
    page = _post(client, url, {"kind": "late_report", "note": "第二季度进展报告逾期 21 天", "subject_type": "challenge",
                               "subject_id": str(earlier.id)})
    assert page.status_code == 200 and "第二季度进展报告逾期 21 天" in page.text
    assert f'href="/challenges/{earlier.id}"' in page.text  # the underlying event, linked
    audited = session.exec(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "credit.recorded", AuditEvent.subject_id == str(company.organisation_id))).one()
    assert audited == 1
    detail = client.get(f"/challenges/{later.id}").text
    assert "信用记录 1 条（不良 1）" in detail

    assert "信用记录" not in anon.get(f"/challenges/{later.id}").text  # never public
    f.login(anon, session, company)
    assert "信用记录" not in anon.get(f"/challenges/{later.id}").text  # not even to the company itself
    assert anon.get(url, follow_redirects=False).status_code == 403


def test_an_adverse_record_needs_the_facts_and_a_bad_kind_is_refused(client, session):
    org = f.organisation(session)
    session.commit()
    f.login(client, session, f.user(session, role=Role.OFFICER))
    url = f"/officer/organisations/{org.id}/credit"
    cases = (({"kind": "clawback", "note": ""}, "请写明事实与依据"), ({"kind": "nonsense"}, "请选择记录类型"))
    for data, message in cases:
        r = _post(client, url, data)
        assert r.status_code == 422 and message in r.text
    stored = session.exec(select(func.count()).select_from(CreditRecord).where(CreditRecord.organisation_id == org.id))
    assert stored.one() == 0
    assert client.get("/officer/organisations/999999/credit").status_code == 404


def test_memories_are_empty_for_anyone_but_officers(session):
    org = f.organisation(session)
    officer = f.actor(session, f.user(session, role=Role.OFFICER))
    credit.record(session=session, actor=officer, organisation_id=org.id, kind="accepted", note="按期验收")
    team = f.actor(session, f.user(session, role=Role.TEAM))
    assert credit.memories(session=session, actor=team, organisation_ids={org.id}) == {}
    assert credit.memories(session=session, actor=officer, organisation_ids={org.id})[org.id].total == 1
