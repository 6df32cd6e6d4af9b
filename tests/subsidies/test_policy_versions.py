"""Successor policy versions inside the platform: an officer drafts (document, verbatim clause, period,
changed parameters citing the clause), a different officer approves, each step audited; approved
versions are merged into the policies the engine reads, dated from their effective date; the stored
policy version names the file and the DB versions, so `recompute` agrees; bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from marketplace import db
from marketplace.accounts.models import Role
from marketplace.audit.models import AuditEvent
from marketplace.errors import Conflict, Forbidden, RuleViolation
from marketplace.subsidies import bureau, service
from marketplace.subsidies import versions as policy_versions
from marketplace.subsidies.models import PolicyVersion, PolicyVersionStatus, Subsidy
from marketplace.subsidies.schemas import PolicyVersionIn
from tests import factories as f
from tests.contracts.test_concurrency import race  # the one 50-thread race helper
from tests.subsidies_ledger.conftest import (  # noqa: F401
    as_api,
    contract,
    live_engine,  # noqa: F401
    people,
    source,
)

N = 50
DEMO_TITLE = "测试数据：假设的延续政策"


def draft(**change) -> PolicyVersionIn:
    data = {"policy_code": "JB-COMPLETION", "document": "测试〔2026〕1号", "document_title": DEMO_TITLE,
            "clause": "第三条",
            "clause_text": "对成功揭榜并完成合同的项目，按企业投入资金的25%给予补助，单项最高300万元。",
            "effective_from": date(2026, 1, 1), "effective_to": date(2027, 12, 31), "ratio": "0.25",
            "cap_per_project": "3000000.00"}
    return PolicyVersionIn(**(data | change))


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def audits(session, action: str) -> int:
    return count(session, AuditEvent, AuditEvent.action == action)


def approved_version(session, who, **change) -> PolicyVersion:
    version = bureau.draft_version(session=session, actor=f.actor(session, who.maker), data=draft(**change))
    return bureau.approve_version(session=session, actor=f.actor(session, who.checker), version_id=version.id)


# --- merging (pure) -------------------------------------------------------------------------------

def _case(on: str, base: str = "1000000.00") -> dict:
    return {"cases": [{"id": "C1", "policy": "JB-COMPLETION", "beneficiary": "B1", "base": base, "date": on,
                       "verdict": "PASSED"}]}


def _run(policy, on: str, base: str = "1000000.00") -> dict:
    from marketplace.subsidies.engine.simulate import run_cases

    return run_cases(_case(on, base), {"JB-COMPLETION": policy})[0][0]


def test_a_merged_version_holds_from_its_date_until_the_day_after_its_end():
    shipped = service.policies()[0]["JB-COMPLETION"]
    version = PolicyVersion(id=7, **draft().model_dump(exclude={"ratio", "cap_per_project", "cap_per_year"}),
                            parameters={"ratio": "0.25", "cap_per_project": "3000000.00"})
    merged = policy_versions.merge(shipped, [version])
    assert _run(shipped, "2026-06-01")["reasons"] == ["POLICY_NOT_IN_EFFECT"]  # the file alone ends 2025
    assert _run(merged, "2025-12-31")["entitlement"] == "200000.00"           # the file's 20%
    assert _run(merged, "2026-01-01")["entitlement"] == "250000.00"           # the version's 25%
    assert _run(merged, "2027-12-31", "20000000.00")["entitlement"] == "3000000.00"  # its cap
    late = _run(merged, "2028-01-01")
    assert late["entitlement"] == "0.00" and late["reasons"] == ["POLICY_NOT_IN_EFFECT"]
    explained = _run(merged, "2026-03-01")["explanation"]
    assert f"《{DEMO_TITLE}》（测试〔2026〕1号）第三条" in explained
    assert "2022—2025" not in explained
    assert "2022—2025" in _run(merged, "2025-03-01")["explanation"]  # the file's document before


def test_a_version_inside_the_files_period_changes_only_its_own_dates():
    shipped = service.policies()[0]["JB-COMPLETION"]
    version = PolicyVersion(id=8, **draft(effective_from=date(2025, 3, 1), effective_to=date(2025, 5, 31)).model_dump(
        exclude={"ratio", "cap_per_project", "cap_per_year"}), parameters={"ratio": "0.30"})
    merged = policy_versions.merge(shipped, [version])
    assert _run(merged, "2025-02-28")["entitlement"] == "200000.00"
    assert _run(merged, "2025-03-01")["entitlement"] == "300000.00"
    assert _run(merged, "2025-06-01")["entitlement"] == "200000.00"  # the earlier value comes back
    assert _run(merged, "2026-01-01")["reasons"] == ["POLICY_NOT_IN_EFFECT"]


# --- maker-checker --------------------------------------------------------------------------------

def test_the_maker_cannot_approve_a_different_officer_can_and_each_step_is_audited(session):
    who = people(session)
    version = bureau.draft_version(session=session, actor=f.actor(session, who.maker), data=draft())
    assert version.status == PolicyVersionStatus.DRAFT and audits(session, "subsidy_policy.draft") == 1
    assert "PV" not in service.policies(session=session)[1]["JB-COMPLETION"]  # a draft is not in force

    with pytest.raises(Forbidden, match="另一名工作人员"):
        bureau.approve_version(session=session, actor=f.actor(session, who.maker), version_id=version.id)
    session.refresh(version)
    assert version.status == PolicyVersionStatus.DRAFT and audits(session, "subsidy_policy.approve") == 0

    company = f.user(session, role=Role.COMPANY)
    with pytest.raises(Forbidden):
        bureau.approve_version(session=session, actor=f.actor(session, company), version_id=version.id)

    bureau.approve_version(session=session, actor=f.actor(session, who.checker), version_id=version.id)
    session.refresh(version)
    assert version.status == PolicyVersionStatus.APPROVED and version.approved_by == who.checker.id
    assert audits(session, "subsidy_policy.approve") == 1
    with pytest.raises(Conflict):
        bureau.approve_version(session=session, actor=f.actor(session, who.checker), version_id=version.id)
    assert service.policies(session=session)[1]["JB-COMPLETION"].endswith(f"+PV{version.id}")


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"ratio": "1.5"}, "ratio", "比例"),
    ({"ratio": "0"}, "ratio", "大于 0"),
    ({"cap_per_project": "-100.00"}, "cap_per_project", "负数"),
    ({"cap_per_project": "12.345"}, "cap_per_project", "两位小数"),
    ({"effective_from": date(2027, 1, 1), "effective_to": date(2026, 1, 1)}, "effective_to", "早于"),
    ({"ratio": None, "cap_per_project": None}, "parameters", "至少填写一项"),
    ({"policy_code": "NO-SUCH"}, "policy_code", "没有这项政策"),
    ({"policy_code": "SME-PROV"}, "ratio", "不按比例"),
])
def test_bad_drafts_are_refused_in_chinese_and_write_nothing(session, change, field, words):
    who = people(session)
    before = count(session, PolicyVersion), audits(session, "subsidy_policy.draft")
    with pytest.raises(RuleViolation) as refused:
        bureau.draft_version(session=session, actor=f.actor(session, who.maker), data=draft(**change))
    assert words in refused.value.fields[field]
    assert (count(session, PolicyVersion), audits(session, "subsidy_policy.draft")) == before


def test_a_version_overlapping_an_approved_one_is_refused_at_draft_and_at_approval(session):
    who = people(session)
    approved_version(session, who)
    with pytest.raises(RuleViolation, match="重叠"):
        bureau.draft_version(session=session, actor=f.actor(session, who.maker),
                             data=draft(effective_from=date(2027, 6, 1), effective_to=date(2028, 6, 30)))
    # Two drafts that overlap each other: the first approval wins, the second is refused.
    a = bureau.draft_version(session=session, actor=f.actor(session, who.maker),
                             data=draft(effective_from=date(2028, 1, 1), effective_to=date(2028, 12, 31)))
    b = bureau.draft_version(session=session, actor=f.actor(session, who.maker),
                             data=draft(effective_from=date(2028, 6, 1), effective_to=date(2029, 12, 31)))
    bureau.approve_version(session=session, actor=f.actor(session, who.checker), version_id=a.id)
    with pytest.raises(RuleViolation, match="重叠"):
        bureau.approve_version(session=session, actor=f.actor(session, who.checker), version_id=b.id)
    session.refresh(b)
    assert b.status == PolicyVersionStatus.DRAFT


# --- the ledger uses it ---------------------------------------------------------------------------

def test_a_contract_accepted_under_the_successor_computes_and_recompute_agrees(session, source):  # noqa: F811
    who = people(session)
    version = approved_version(session, who)
    source.add(contract(company_org_id=who.org_id, invested_fen=100_000_000, ended_on=date(2026, 11, 20)))
    sid = service.compute_all(session=session).computed[0]
    subsidy = session.get(Subsidy, sid)
    assert subsidy.entitlement_fen == 25_000_000  # 25% of 100万
    assert subsidy.policy_version.endswith(f"+PV{version.id}")
    assert DEMO_TITLE in subsidy.explanation
    assert service.recompute(session=session, subsidy_id=sid).agrees

    # A later version (another period) does not change what the stored one recomputes to.
    later = approved_version(session, who, effective_from=date(2028, 1, 1), effective_to=date(2028, 12, 31),
                             ratio="0.10")
    again = service.recompute(session=session, subsidy_id=sid)
    assert again.agrees and again.policy_version_now.endswith(f"+PV{version.id}.{later.id}")


def test_a_subsidy_computed_from_the_file_alone_still_recomputes_after_a_version(session, source):  # noqa: F811
    who = people(session)
    source.add(contract(company_org_id=who.org_id, invested_fen=100_000_000, ended_on=date(2025, 6, 30)))
    sid = service.compute_all(session=session).computed[0]
    assert "+PV" not in session.get(Subsidy, sid).policy_version
    approved_version(session, who, effective_from=date(2025, 1, 1), effective_to=date(2025, 12, 31),
                     ratio="0.40")
    assert service.recompute(session=session, subsidy_id=sid).agrees



def test_simulate_with_approved_versions_prints_the_stored_result(session, source, monkeypatch, tmp_path):  # noqa: F811
    """`jiebang subsidy simulate --approved-versions` reads the platform's approved versions: on the stored
    case of a 2026 acceptance it prints the stored result; without the flag the files alone compute 0."""
    import contextlib
    import json

    from typer.testing import CliRunner

    from marketplace.cli.subsidy import subsidy_app

    who = people(session)
    approved_version(session, who)
    source.add(contract(company_org_id=who.org_id, invested_fen=100_000_000, ended_on=date(2026, 11, 20)))
    subsidy = session.get(Subsidy, service.compute_all(session=session).computed[0])
    case = tmp_path / "case.json"
    case.write_text(json.dumps(subsidy.case, ensure_ascii=False), encoding="utf-8")

    @contextlib.contextmanager
    def this_session(*args, **kwargs):  # the CLI reads the database this test wrote (not committed)
        yield session

    monkeypatch.setattr(db, "new_session", this_session)
    runner = CliRunner()
    merged = runner.invoke(subsidy_app, ["simulate", "--cases", str(case), "--approved-versions"])
    assert merged.exit_code == 0, merged.output
    assert json.loads(merged.stdout)[0] == subsidy.result and subsidy.entitlement_fen == 25_000_000
    files_only = runner.invoke(subsidy_app, ["simulate", "--cases", str(case)])
    assert service._fen(json.loads(files_only.stdout)[0]["entitlement"]) == 0

# --- API and pages --------------------------------------------------------------------------------

def _body(**change) -> dict:
    return draft(**change).model_dump(mode="json")


def test_api_lists_drafts_and_approves_with_four_xx_on_bad_input(client, session):
    who = people(session)
    as_api(client, session, who.maker)
    r = client.post("/api/v1/subsidy-policies/versions", json=_body(ratio="1.2"))
    assert r.status_code == 422 and "比例" in r.text
    r = client.post("/api/v1/subsidy-policies/versions", json=_body(effective_to="2025-01-01"))
    assert r.status_code == 422 and "早于" in r.text
    assert count(session, PolicyVersion) == 0
    r = client.post("/api/v1/subsidy-policies/versions", json=_body())
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    assert client.post(f"/api/v1/subsidy-policies/versions/{vid}/approve").status_code == 403
    as_api(client, session, who.checker)
    r = client.post(f"/api/v1/subsidy-policies/versions/{vid}/approve")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert client.post(f"/api/v1/subsidy-policies/versions/{vid}/approve").status_code == 409
    listed = {p["code"]: p for p in client.get("/api/v1/subsidy-policies").json()}
    jb = listed["JB-COMPLETION"]
    assert jb["version"].endswith(f"+PV{vid}") and jb["versions"][0]["status"] == "approved"
    assert [v["valid_from"] for v in jb["parameters"]["ratio"]] == ["2022-07-29", "2026-01-01", "2028-01-01"]
    assert [v["value"] for v in jb["parameters"]["ratio"]] == ["0.20", "0.25", None]


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": f.csrf(client), **data}, follow_redirects=True)


def test_the_policies_page_shows_clauses_history_and_the_draft_and_approve_forms(client, session):
    who = people(session)
    f.login(client, session, who.maker)
    page = client.get("/subsidies/policies")
    assert page.status_code == 200 and "根據企業投入資金情況按一定比例給予補助" in page.text
    assert "停止执行" in page.text and 'action="/subsidies/policies"' in page.text
    bad = _post(client, "/subsidies/policies", **_body(ratio="2"))
    assert bad.status_code == 422 and "比例必须是 0 到 1 之间" in bad.text and count(session, PolicyVersion) == 0
    reversed_dates = _post(client, "/subsidies/policies", **_body(effective_to="2025-06-30"))
    assert reversed_dates.status_code == 422 and "失效日期早于生效日期" in reversed_dates.text
    assert count(session, PolicyVersion) == 0
    saved = _post(client, "/subsidies/policies", **_body())
    assert saved.status_code == 200 and "须由另一名工作人员批准" in saved.text
    vid = session.exec(select(PolicyVersion.id)).one()
    assert f"/subsidies/policies/versions/{vid}/approve" not in saved.text  # not for the maker
    refused = _post(client, f"/subsidies/policies/versions/{vid}/approve")
    assert "另一名工作人员" in refused.text and session.get(PolicyVersion, vid).status == "draft"
    f.login(client, session, who.checker)
    page = client.get("/subsidies/policies")
    assert f"/subsidies/policies/versions/{vid}/approve" in page.text
    done = _post(client, f"/subsidies/policies/versions/{vid}/approve")
    assert "已批准" in done.text and session.get(PolicyVersion, vid).status == "approved"
    assert DEMO_TITLE in done.text and "0.25" in done.text


def test_a_non_officer_cannot_draft(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    assert client.get("/subsidies/policies").status_code == 200  # reading the policies is fine
    assert _post(client, "/subsidies/policies", **_body()).status_code == 403
    assert count(session, PolicyVersion) == 0


# --- 50 approvals at once -------------------------------------------------------------------------

def test_fifty_officers_approving_one_draft_at_once_approve_it_once(live_engine):  # noqa: F811
    with db.new_session(live_engine) as s:
        who = people(s)
        version = bureau.draft_version(session=s, actor=f.actor(s, who.maker), data=draft())
        approvers = [f.actor(s, f.user(s, role=Role.OFFICER)) for _ in range(N)]
        s.commit()
        vid = version.id
    outcomes = race(live_engine, lambda s, i: bureau.approve_version(session=s, actor=approvers[i], version_id=vid))
    assert sorted(outcomes) == ["conflict"] * (N - 1) + ["ok"]  # nothing else (no 500-like error)
    with db.new_session(live_engine) as s:
        assert s.get(PolicyVersion, vid).status == "approved"
        assert audits(s, "subsidy_policy.approve") == 1
