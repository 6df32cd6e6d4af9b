"""One listing query for the hall and the API (issue 9.6): the same clamping, no query per row."""

from sqlalchemy import event

from marketplace.challenges import queries
from tests import factories as f


def test_the_api_reads_odd_filters_as_the_hall_does(client, session):
    odd = {"page": "0", "min_wan": "-5", "max_wan": "99999999", "status": "draft", "industry": "不存在",
           "sort": "bogus", "deadline_days": "x"}
    flt = queries.ChallengeFilter.from_params(odd)
    assert (flt.page, flt.min_wan, flt.max_wan, flt.status, flt.industry, flt.sort, flt.deadline_days) == (
        1, 0, 1_000_000, queries.NO_MATCH, "", "newest", None)  # a forbidden status never widens the list
    r = client.get("/api/v1/challenges", params=odd)
    assert r.status_code == 200 and r.json()["page"] == 1
    assert client.get("/challenges", params=odd).status_code == 200


def test_the_api_list_costs_the_same_queries_for_one_row_or_ten(client, session, engine):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def queries_for_list() -> int:
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/api/v1/challenges").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    f.challenge(session)
    one = queries_for_list()
    for _ in range(9):
        f.challenge(session)
    assert queries_for_list() == one
