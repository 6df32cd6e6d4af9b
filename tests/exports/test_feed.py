"""The public Atom feed of newly published challenges."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from marketplace.challenges.models import ChallengeStatus
from tests import factories as f

NS = {"a": "http://www.w3.org/2005/Atom"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def entries(response) -> dict[str, ET.Element]:
    root = ET.fromstring(response.content)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    return {e.findtext("a:id", namespaces=NS): e for e in root.findall("a:entry", NS)}


def test_the_feed_is_atom_xml_with_published_challenges_only(anon, session):
    live = f.challenge(session, title="高镍正极材料量产一致性攻关")
    draft = f.challenge(session, status=ChallengeStatus.DRAFT, title="尚未提交的草稿榜单")
    submitted = f.challenge(session, status=ChallengeStatus.SUBMITTED, title="待审核榜单")
    response = anon.get("/challenges/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    found = entries(response)
    assert f"http://testserver/challenges/{live.id}" in found
    assert not any(key.endswith(f"/challenges/{c.id}") for c in (draft, submitted) for key in found)
    assert "尚未提交的草稿榜单" not in response.text and "待审核榜单" not in response.text


def test_an_entry_has_title_link_times_and_a_summary_in_wanyuan_and_shanghai_time(anon, session):
    deadline = datetime(2031, 3, 31, 16, 0, tzinfo=UTC)  # 2031-04-01 00:00 in Shanghai
    c = f.challenge(session, title="工业软件国产化替代", industry="新一代信息技术",
                           offered_fen=1_234_500_000, bid_deadline=deadline,
                           published_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    entry = entries(anon.get("/challenges/feed.atom"))[f"http://testserver/challenges/{c.id}"]
    assert entry.findtext("a:title", namespaces=NS) == "工业软件国产化替代"
    assert entry.find("a:link", NS).get("href") == f"http://testserver/challenges/{c.id}"
    assert entry.findtext("a:published", namespaces=NS) == "2030-01-02T03:04:05Z"
    assert RFC3339.match(entry.findtext("a:updated", namespaces=NS))
    summary = entry.findtext("a:summary", namespaces=NS)
    assert "新一代信息技术" in summary and "1,234.50 万元" in summary and "2031-04-01 00:00" in summary


def test_markup_in_a_title_is_escaped_and_no_bid_content_leaks(anon, session):
    c = f.challenge(session, title="<script>alert('x')</script> & 攻关")
    f.bid(session, challenge=c, technical_route="秘密技术路线")
    response = anon.get("/challenges/feed.atom")
    assert "<script>" not in response.text and "&lt;script&gt;" in response.text
    entry = entries(response)[f"http://testserver/challenges/{c.id}"]
    assert entry.findtext("a:title", namespaces=NS) == "<script>alert('x')</script> & 攻关"
    assert "秘密技术路线" not in response.text


def test_control_characters_cannot_break_the_xml(anon, session):
    f.challenge(session, title="坏\x0b字符\x01标题")
    response = anon.get("/challenges/feed.atom")
    ET.fromstring(response.content)
    assert "坏字符标题" in response.text


def test_an_empty_feed_is_still_valid(anon):
    root = ET.fromstring(anon.get("/challenges/feed.atom").content)
    assert RFC3339.match(root.findtext("a:updated", namespaces=NS))
    assert root.find("a:link[@rel='self']", NS).get("href") == "http://testserver/challenges/feed.atom"
