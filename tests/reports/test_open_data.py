"""Open data: documented schema, only public records, safe CSV, paging errors in Chinese, nothing sealed."""

import csv
import io
import uuid

import pytest

from marketplace.actor import Role
from marketplace.reports import opendata
from tests import factories as f

TYPES = {"string": str, "integer": int, "decimal": str, "date": str, "datetime": str}


def _all_items(client) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(f"/api/v1/open-data/projects?page={page}&page_size=100").json()
        items += body["items"]
        if page * 100 >= body["total"]:
            return items
        page += 1


@pytest.fixture
def records(session):
    org = f.organisation(session, district="天河区")
    company = f.user(session, role=Role.COMPANY, org=org)
    shown = f.challenge(session, company=company, status="published", title="=HYPERLINK(\"http://x\")公开榜单",
                        offered_fen=123_456_789, committed_funds_fen=200_000_000)
    hidden = [f.challenge(session, company=company, status=s, published_at=None)
              for s in ("draft", "submitted", "returned", "withdrawn")]
    canary = f"CANARY-{uuid.uuid4().hex}"
    f.bid(session, challenge=shown, technical_route=canary)
    f.bid(session, challenge=shown, status="draft")
    return {"shown": shown, "hidden": hidden, "canary": canary, "uscc": org.uscc}


def test_published_challenges_are_records_with_the_documented_schema(client, records):
    items = _all_items(client)
    ours = [i for i in items if i["id"] == f"jiebang-gz-{records['shown'].id}"]
    assert len(ours) == 1
    item = ours[0]
    assert list(item) == list(opendata.SCHEMA)
    for name, (kind, _) in opendata.SCHEMA.items():
        value = item[name]
        if value is None:
            assert kind.endswith("|null"), name
        else:
            assert isinstance(value, TYPES[kind.split("|")[0]]), name
    assert item["offered_amount"] == "1234567.89" and item["committed_funds_amount"] == "2000000.00"
    assert item["currency"] == "CNY" and item["buyer_district"] == "天河区"
    assert item["buyer_uscc"] == records["uscc"]
    assert item["number_of_bids"] == 1  # the draft is not a bid


def test_unpublished_challenges_never_appear(client, records):
    ids = {i["id"] for i in _all_items(client)}
    for c in records["hidden"]:
        assert f"jiebang-gz-{c.id}" not in ids


def test_no_sealed_bid_content_reaches_json_or_csv(client, records):
    assert records["canary"] not in client.get("/api/v1/open-data/projects?page_size=100").text
    assert records["canary"] not in client.get("/open-data/projects.csv").text


def test_the_csv_has_the_schema_columns_a_bom_and_no_live_formulas(client, records):
    response = client.get("/open-data/projects.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    assert response.text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0] == list(opendata.SCHEMA)
    titles = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://x\")公开榜单" in titles
    assert not any(t.startswith(("=", "+", "-", "@")) for t in titles)


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=0", "page_size=1000", "page=-1",
                                   "page=%EF%BC%91", "page=99999999999999999999"])
def test_bad_paging_is_a_structured_422(client, query):
    response = client.get(f"/api/v1/open-data/projects?{query}")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] and error["code"]


def test_a_page_beyond_the_end_is_empty_not_an_error(client, records):
    body = client.get("/api/v1/open-data/projects?page=100000&page_size=100").json()
    assert body["items"] == [] and body["total"] >= 1
    assert body["licence"] and body["publisher"] == "广州市科学技术局"


def test_the_open_data_page_documents_every_field_without_login(client):
    page = client.get("/open-data")
    assert page.status_code == 200
    for name in opendata.SCHEMA:
        assert f"<code>{name}</code>" in page.text
    assert "CC BY 4.0" in page.text and 'href="/open-data/projects.csv"' in page.text


@pytest.fixture
def awarded_records(session):
    """Two announced challenges: A finalised with a signed contract whose parties agreed to publish it and a
    subsidy on the 公示 list (part paid); B in its 公示 window with a signed contract not published."""
    from datetime import date

    from marketplace.awards.models import Announcement, AnnouncementItem, AwardDecision
    from marketplace.contracts.models import Contract, ProgressConsent
    from marketplace.subsidies.models import Subsidy

    officer = f.user(session, role=Role.OFFICER)
    company = f.user(session, role=Role.COMPANY)
    batch = Announcement(title="第一批", period_days=5, published_on=date(2026, 11, 2), ends_on=date(2026, 11, 6),
                         published_by=officer.id)
    session.add(batch)
    session.flush()
    out = {}
    for key, status, item_status in (("a", "awarded", "awarded"), ("b", "announced", "open")):
        c = f.challenge(session, company=company, status=status, deadline_days=-60)
        team_org = f.organisation(session, kind="university")
        sealed = f"SEALED-{uuid.uuid4().hex}"
        won = f.bid(session, challenge=c, team_profile=f.team(session, owner=f.user(session, role=Role.TEAM,
                                                                                  org=team_org)),
                    status="qualified", price_fen=345_678_901, technical_route=sealed)
        f.bid(session, challenge=c, status="qualified", price_fen=1_111_111_111)  # a losing bid: never shown
        d = AwardDecision(challenge_id=c.id, winning_bid_ids=[won.id], decided_by=officer.id)
        session.add(d)
        session.flush()
        session.add(AnnouncementItem(announcement_id=batch.id, challenge_id=c.id, decision_id=d.id,
                                     status=item_status))
        k = Contract(challenge_id=c.id, bid_id=won.id, title=c.title, company_org_id=c.organisation_id,
                     team_org_id=team_org.id, amount_fen=999_999_999, committed_fen=1, start_on=date(2026, 11, 10),
                     end_on=date(2027, 11, 10), status="signed", signed_on=date(2026, 11, 10), created_by=officer.id)
        session.add(k)
        session.flush()
        out[key] = (c, team_org, sealed)
        if key == "a":
            session.add_all([ProgressConsent(contract_id=k.id, party=p, agreed_by=officer.id)
                             for p in ("company", "team")])
            session.add(Subsidy(contract_id=k.id, challenge_id=c.id, title=c.title,
                                beneficiary_org_id=c.organisation_id, team_org_id=team_org.id,
                                policy_code="P", policy_version="P@x", year=2026, case={},
                                result={}, entitlement_fen=50_000_000, awarded_fen=50_000_000,
                                disbursed_fen=20_000_000, status="approved"))
    session.commit()
    return out


def test_awards_contracts_and_subsidies_paid_are_in_the_records(client, awarded_records):
    items = {i["id"]: i for i in _all_items(client)}
    (a, a_org, a_sealed), (b, b_org, b_sealed) = awarded_records["a"], awarded_records["b"]
    ra, rb = items[f"jiebang-gz-{a.id}"], items[f"jiebang-gz-{b.id}"]
    assert list(ra) == list(opendata.SCHEMA)
    assert (ra["award_winner_names"], ra["award_winner_usccs"]) == (a_org.name, a_org.uscc)
    assert (ra["award_amount"], ra["currency"], ra["award_date"], ra["award_status"]) == \
        ("3456789.01", "CNY", "2026-11-02", "已确定揭榜方")
    assert ra["contract_status"] == "执行中" and ra["subsidy_paid_amount"] == "200000.00"
    assert (rb["award_status"], rb["award_winner_usccs"]) == ("公示中", b_org.uscc)
    assert rb["contract_status"] == "已签订任务书" and rb["subsidy_paid_amount"] is None
    for name, (kind, _) in opendata.SCHEMA.items():  # the schema validated on the award records too
        for record in (ra, rb):
            assert record[name] is None and kind.endswith("|null") or \
                isinstance(record[name], TYPES[kind.split("|")[0]]), name
    body = client.get("/api/v1/open-data/projects?page_size=100").text + client.get("/open-data/projects.csv").text
    for secret in (a_sealed, b_sealed, "11111111.11", "9999999.99"):  # sealed text, the losing price, amounts
        assert secret not in body
    csv_rows = {r[0]: r for r in csv.reader(io.StringIO(client.get("/open-data/projects.csv").text.lstrip("\ufeff")))}
    assert csv_rows[f"jiebang-gz-{a.id}"][list(opendata.SCHEMA).index("award_winner_usccs")] == a_org.uscc
