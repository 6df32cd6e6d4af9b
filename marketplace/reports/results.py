"""Public results (`/results`): the award announcements (公示) standing now — challenges with their winners
and amounts, the window of each 公示 — and their Atom feed. Only what the announcement itself made public:
winner names and the awarded total; never a score, a ranking or a losing bid."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from marketplace.awards import queries as award_queries
from marketplace.money import format_wanyuan
from marketplace.reports.exports import ATOM_MEDIA_TYPE, ATOM_NS, XML_LANG, _sub, rfc3339

__all__ = ["ATOM_MEDIA_TYPE", "PAGE_SIZE", "ResultsPage", "atom_feed", "page_of"]

PAGE_SIZE = 20
STATUS_LABELS = {"open": "公示中", "awarded": "已确定揭榜方"}


@dataclass
class ResultsPage:
    items: list[award_queries.PublicResult]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def page_of(session: Session, page: int) -> ResultsPage:
    """One page of the standing results, newest announcement first (a page beyond the end is empty)."""
    everything = award_queries.announcements(session=session)  # small: one row per awarded challenge
    start = (page - 1) * PAGE_SIZE
    return ResultsPage(items=everything[start:start + PAGE_SIZE], total=len(everything), page=page)


def _published(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def atom_feed(results: list[award_queries.PublicResult], *, base_url: str, now: datetime) -> bytes:
    """Atom 1.0 of the award results (ElementTree escapes every text)."""
    base_url = base_url.rstrip("/")
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: "zh-CN"})
    _sub(feed, "id", f"{base_url}/results/feed.atom")
    _sub(feed, "title", "广州市揭榜挂帅平台 · 揭榜结果公示")
    _sub(feed, "updated", rfc3339(max((_published(r.published_on) for r in results), default=now)))
    _sub(feed, "link", href=f"{base_url}/results/feed.atom", rel="self", type=ATOM_MEDIA_TYPE)
    _sub(feed, "link", href=f"{base_url}/results", rel="alternate", type="text/html")
    _sub(_sub(feed, "author"), "name", "广州市科学技术局")
    for r in results:
        url = f"{base_url}/results#result-{r.announcement_id}-{r.challenge_id}"
        entry = _sub(feed, "entry")
        _sub(entry, "id", f"{base_url}/results/{r.announcement_id}/{r.challenge_id}")
        _sub(entry, "title", f"{r.challenge_title}：{'、'.join(r.winning_organisations)}", type="text")
        _sub(entry, "link", href=url, rel="alternate", type="text/html")
        _sub(entry, "link", href=f"{base_url}/challenges/{r.challenge_id}", rel="related", type="text/html")
        _sub(entry, "published", rfc3339(_published(r.published_on)))
        _sub(entry, "updated", rfc3339(_published(r.published_on)))
        winners, state = "、".join(r.winning_organisations), STATUS_LABELS.get(r.status, r.status)
        window = f"{r.published_on} 至 {r.ends_on}{'，暂定' if r.provisional else ''}"
        summary = (f"揭榜方：{winners}；揭榜金额 {format_wanyuan(r.offered_fen)}，"
                   f"中选报价合计 {format_wanyuan(r.winning_price_fen)}；{state}（公示期 {window}）")
        _sub(entry, "summary", summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
