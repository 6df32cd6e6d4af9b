"""/officer/challenges lists every challenge a page at a time (it rendered all 10,000 rows at once)."""

import re

from sqlmodel import func, select

from marketplace.accounts.models import Role
from marketplace.challenges.models import Challenge
from marketplace.challenges.queries import PAGE_SIZE
from tests import factories as f


def _ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr><td>(\d+)</td>', page)]


def test_officer_list_is_paged_filtered_and_keeps_the_queues(client, session):
    company = f.user(session, role=Role.COMPANY)
    made = [f.challenge(session, company=company, status="unfilled", title=f"分页测试榜单{i}")
            for i in range(PAGE_SIZE + 3)]
    waiting = f.challenge(session, company=company, status="submitted", title="待审核的分页测试榜单")
    session.commit()
    f.login(client, session, f.user(session, role=Role.OFFICER))

    total = session.exec(select(func.count()).select_from(Challenge).where(Challenge.status == "unfilled")).one()
    first = client.get("/officer/challenges?status=unfilled")
    assert first.status_code == 200
    assert f"共 {total} 项" in first.text
    assert len(_ids(first.text)) == PAGE_SIZE  # one page, not every row
    assert waiting.title in first.text  # the queue of submitted challenges is still complete
    seen = []
    for page in range(1, -(-total // PAGE_SIZE) + 1):
        seen += _ids(client.get(f"/officer/challenges?status=unfilled&page={page}").text)
    assert len(seen) == len(set(seen)) == total  # every page together: each challenge once
    assert {c.id for c in made} <= set(seen)
    assert waiting.id not in seen  # the status filter holds

    beyond = client.get("/officer/challenges?status=unfilled&page=999")
    last = -(-total // PAGE_SIZE)
    assert beyond.status_code == 200 and f"没有第 999 页，共 {last} 页，已显示第 {last} 页" in beyond.text
    assert _ids(beyond.text) == _ids(client.get(f"/officer/challenges?status=unfilled&page={last}").text)
    odd = client.get("/officer/challenges?status=nonsense&industry=nope&page=-3")
    assert odd.status_code == 200


def test_officer_list_is_for_officers_only(client, session):
    f.login(client, session, f.user(session, role=Role.COMPANY))
    assert client.get("/officer/challenges").status_code in (403, 404)
