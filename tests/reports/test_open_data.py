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
