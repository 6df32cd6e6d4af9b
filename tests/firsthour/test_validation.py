"""Validation that matches the domain (issue 13.4): each case a clear Chinese message on the form
and a 422 with the field in the API; nothing is written."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import func, select

from marketplace.accounts.models import OrgKind, Role
from marketplace.auth import service as auth
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge, ChallengeStatus
from marketplace.clock import to_shanghai
from tests import factories as f
from tests.bids import helpers as h


def bearer(session, user) -> dict:  # noqa: ANN001
    token = auth._open_session(session=session, user=user, kind="api")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def form_fields(data: dict) -> dict:
    fields = {k: v for k, v in data.items() if k != "indicators"}
    for n, row in enumerate(data["indicators"]):
        for key, value in row.items():
            fields[f"indicators-{n}-{key}"] = value
    return fields


def _count(session, model) -> int:  # noqa: ANN001
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_deadline_in_year_9999_and_a_bad_phone_are_refused_on_the_form_and_in_the_api(client, anon, session):
    company = f.user(session, role=Role.COMPANY)
    before = _count(session, Challenge)
    cases = [({"bid_deadline": "9999-12-31T18:00"}, "bid_deadline", "不能晚于两年之后"),
             ({"contact_phone": "abc123"}, "contact_phone", "联系电话格式不正确")]
    f.login(client, session, company)
    for change, field, words in cases:
        data = f.challenge_data(**change)
        page = client.post("/challenges", data={"csrf_token": f.csrf(client), **form_fields(data)})
        assert page.status_code == 422 and words in page.text, field
        assert 'value="' + str(change[field]) + '"' in page.text  # what was typed stays in the form
        api = anon.post("/api/v1/challenges", json=data, headers=bearer(session, company))
        assert api.status_code == 422, field
        assert words in str(api.json()), field
    assert _count(session, Challenge) == before
    ok = f.challenge_data(contact_phone="020-83124567")
    assert anon.post("/api/v1/challenges", json=ok, headers=bearer(session, company)).status_code == 201


def test_a_publish_time_in_the_past_is_refused_not_published_at_once(client, session):
    officer = f.user(session, role=Role.OFFICER)
    c = f.challenge(session, status=ChallengeStatus.SUBMITTED, published_at=None)
    session.commit()
    past = to_shanghai(datetime(2020, 1, 1, 9, 0)).replace(tzinfo=None).isoformat()
    r = client.post(f"/api/v1/challenges/{c.id}/publish", json={"publish_at": past}, headers=bearer(session, officer))
    assert r.status_code == 422 and "定时发布时间已经过去" in str(r.json())
    session.refresh(c)
    assert c.status == ChallengeStatus.SUBMITTED


def test_an_officers_blank_return_reason_is_refused(client, session):
    officer = f.user(session, role=Role.OFFICER)
    c = f.challenge(session, status=ChallengeStatus.SUBMITTED, published_at=None)
    session.commit()
    r = client.post(f"/api/v1/challenges/{c.id}/return", json={"comment": "   "}, headers=bearer(session, officer))
    assert r.status_code == 422 and "此项必填" in str(r.json())
    session.refresh(c)
    assert c.status == ChallengeStatus.SUBMITTED


def test_a_budget_beyond_the_price_or_the_plans_ratio_and_the_bureau_as_partner_are_refused(client, session):
    w = h.cast(session)
    bureau = f.organisation(session, kind=OrgKind.BUREAU, name="广州市科学技术局")
    session.commit()
    headers = bearer(session, w.team)
    url = f"/api/v1/challenges/{w.challenge.id}/bids"
    before = _count(session, Bid)
    cases = [
        ({"price_yuan": "500000", "budget_company_yuan": "9000000", "budget_subsidy_yuan": "8000000"},
         "budget_company_yuan", "超过了揭榜报价"),
        ({"price_yuan": "800000", "budget_company_yuan": "800000", "budget_subsidy_yuan": "160000.01"},
         "budget_subsidy_yuan", "预期补助不能超过企业出资的 20%"),
        ({"partners": [{"organisation_id": bureau.id, "share_percent": 10, "role": "牵头"}]},
         "partners.0.organisation_id", "科技主管部门，不能作为联合体合作单位"),
    ]
    for change, field, words in cases:
        r = client.post(url, json=h.payload(w.profile.id, **change), headers=headers)
        assert r.status_code == 422, (field, r.text)
        assert words in r.text and field in r.text, field
    assert _count(session, Bid) == before
    fine = client.post(url, json=h.payload(w.profile.id), headers=headers)  # 800,000 / 160,000: exactly 20 %
    assert fine.status_code == 201, fine.text


def test_full_width_digits_in_an_amount_are_refused_not_converted(client, session):
    w = h.cast(session)
    r = client.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id, price_yuan="８００００"),
                    headers=bearer(session, w.team))
    assert r.status_code == 422 and "price_yuan" in r.text
