"""Every money field of every form and API schema takes only plain amounts; garbled input is refused.

Exponents ('1e30' used to raise decimal.InvalidOperation → 500), full-width and Arabic-Indic digits,
underscores, zero or minus zero where an amount must be positive, invalid UTF-8 in a form body and
bidi controls in file names: each gets a Chinese message and nothing is stored.
"""

import pytest
from sqlmodel import func, select

from marketplace.actor import Role
from marketplace.auth import service as auth
from marketplace.bids.models import Bid
from marketplace.challenges.models import Attachment, Challenge
from tests import factories as f
from tests.bids import helpers as h
from tests.challenges.test_pages import form_fields

BAD = ["1e30", "1E+26", "1e-2", "１２３", "٣٤٥", "1_000", "-0", "-5", "12.345", "NaN", "Infinity", "1,00,000",
       "10000000001"]
POSITIVE_BAD = [*BAD, "0", "0.00"]
CHALLENGE_MONEY = ["committed_funds_yuan", "offered_yuan"]
BID_MONEY = ["price_yuan", "budget_company_yuan", "budget_own_yuan", "budget_subsidy_yuan"]
POSITIVE = {"committed_funds_yuan", "offered_yuan", "price_yuan"}


def cases(fields):
    return [(field, value) for field in fields for value in (POSITIVE_BAD if field in POSITIVE else BAD)]


def bearer(session, user) -> dict:
    token = auth._open_session(session=session, user=user, kind="api")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def count(session, model, *where) -> int:
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


@pytest.mark.parametrize(("field", "value"), cases(CHALLENGE_MONEY))
def test_challenge_money_fields_refuse_odd_amounts_on_the_page_and_the_api(client, anon, session, field, value):
    company = f.user(session, role=Role.COMPANY)
    mine = Challenge.organisation_id == company.organisation_id
    f.login(client, session, company)
    data = f.challenge_data(**{field: value})
    page = client.post("/challenges", data={"csrf_token": f.csrf(client), **form_fields(data), "action": "submit"})
    assert page.status_code == 422, page.text[:300]
    assert 'class="field-error"' in page.text or "金额" in page.text
    api = anon.post("/api/v1/challenges", json=data, headers=bearer(session, company))
    assert api.status_code == 422
    message = api.json()["error"]["fields"][field]
    assert has_chinese(message), message
    assert count(session, Challenge, mine) == 0

    existing = f.challenge(session, company=company, status="draft")
    session.commit()
    put = anon.put(f"/api/v1/challenges/{existing.id}", json=data, headers=bearer(session, company))
    assert put.status_code == 422 and has_chinese(put.json()["error"]["fields"][field])
    session.refresh(existing)
    assert (existing.committed_funds_fen, existing.offered_fen) == (800_000_000, 500_000_000)


@pytest.mark.parametrize(("field", "value"), cases(BID_MONEY))
def test_bid_money_fields_refuse_odd_amounts_on_the_page_and_the_api(client, anon, session, field, value):
    from tests.bids.test_bid_pages import form

    w = h.cast(session)
    session.commit()
    f.login(client, session, w.team)
    page = client.post(f"/challenges/{w.challenge.id}/bid",
                       data=form(f.csrf(client), w.profile.id, action="submit", **{field: value}))
    assert page.status_code == 422, page.text[:300]
    api = anon.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id, **{field: value}),
                      headers=bearer(session, w.team))
    assert api.status_code == 422
    assert has_chinese(api.json()["error"]["fields"][field])
    assert count(session, Bid, Bid.team_id == w.profile.id) == 0

    draft = anon.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id),
                        headers=bearer(session, w.team))
    assert draft.status_code == 201, draft.text
    put = anon.put(f"/api/v1/bids/{draft.json()['id']}", json=h.payload(w.profile.id, **{field: value}),
                     headers=bearer(session, w.team))
    assert put.status_code == 422 and has_chinese(put.json()["error"]["fields"][field])
    assert anon.get(f"/api/v1/bids/{draft.json()['id']}", headers=bearer(session, w.team)).json()[
        "price_fen"] == 80_000_000


def test_a_bid_price_of_zero_is_refused_but_a_zero_budget_part_is_fine(client, session):
    w = h.cast(session)
    session.commit()
    headers = bearer(session, w.team)
    zero = client.post(f"/api/v1/challenges/{w.challenge.id}/bids", json=h.payload(w.profile.id, price_yuan="0"),
                       headers=headers)
    assert zero.status_code == 422 and zero.json()["error"]["fields"]["price_yuan"] == "金额必须大于零"
    ok = client.post(f"/api/v1/challenges/{w.challenge.id}/bids",
                     json=h.payload(w.profile.id, budget_subsidy_yuan="0"), headers=headers)
    assert ok.status_code == 201


def test_invalid_utf8_in_a_form_body_is_refused_and_nothing_is_stored(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    token = f.csrf(client).encode()
    body = b"csrf_token=" + token + b"&title=%FF%FE%E6%B5&action=draft"
    r = client.post("/challenges", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "UTF-8" in r.text and "未保存" in r.text
    raw = b"csrf_token=" + token + b"&title=\xff\xfe&action=draft"
    r = client.post("/challenges", content=raw, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    assert count(session, Challenge, Challenge.organisation_id == company.organisation_id) == 0


def test_valid_utf8_forms_still_work(client, session):
    company = f.user(session, role=Role.COMPANY)
    f.login(client, session, company)
    r = client.post("/challenges", data={"csrf_token": f.csrf(client), **form_fields(f.challenge_data()),
                                         "action": "draft"}, follow_redirects=False)
    assert r.status_code == 303


@pytest.mark.parametrize("name", ["报告\u202efdp.exe.pdf", "a\u202bb.pdf", "x\u2066y.pdf", "z\u200fw.pdf",
                                  "bom\ufeff.pdf", "c1\x85.pdf", "lre\u202a.pdf", "alm\u061c.pdf"])
def test_file_names_with_bidi_or_control_characters_are_refused(client, session, name):
    company = f.user(session, role=Role.COMPANY)
    c = f.challenge(session, company=company, status="published")
    session.commit()
    f.login(client, session, company)
    r = client.post(f"/challenges/{c.id}/attachments", data={"csrf_token": f.csrf(client)},
                    files={"file": (name, b"%PDF-1.7 test", "application/pdf")}, follow_redirects=True)
    assert "不可见的方向控制字符" in r.text or "文件名" in r.text
    assert count(session, Attachment, Attachment.challenge_id == c.id) == 0


@pytest.mark.parametrize("name", ["line\nbreak.pdf", "tab\there.pdf", "nul\x00.pdf", "rlo\u202e.pdf"])
def test_the_upload_check_itself_refuses_hidden_characters(name):
    from marketplace.challenges.files import Upload, check_upload
    from marketplace.errors import RuleViolation

    with pytest.raises(RuleViolation):
        check_upload(Upload(filename=name, data=b"%PDF-1.7"), max_bytes=1000)
