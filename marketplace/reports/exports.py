"""Exports of public or officer data: the challenge list workbook (.xlsx) and the Atom feed.

Building is pure (rows in, bytes out); the two loaders read the database with the actor's rights.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from marketplace import money, xlsx
from marketplace.accounts.models import Organisation
from marketplace.actor import Actor
from marketplace.bids import queries as bid_queries
from marketplace.challenges import queries
from marketplace.challenges.models import STATUS_LABELS, Challenge
from marketplace.clock import as_utc, to_shanghai
from marketplace.errors import Forbidden

XLSX_MEDIA_TYPE = xlsx.MEDIA_TYPE
ATOM_MEDIA_TYPE = "application/atom+xml"
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class ChallengeRow:
    """One line of the officers' challenge list; money in fen, times aware UTC."""

    id: int
    title: str
    company: str
    district: str
    industry: str
    weak_link: str
    status_label: str
    committed_fen: int
    offered_fen: int
    bid_deadline: datetime
    published_at: datetime | None
    bids: int


C = xlsx.Column
COLUMNS = [
    C("编号", 8, "int"), C("榜单名称", 40), C("发榜企业", 28), C("所在区", 10), C("产业领域", 18),
    C("薄弱环节", 12), C("状态", 12), C("企业承诺投入（元）", 20, "yuan"), C("揭榜金额（元）", 20, "yuan"),
    C("揭榜截止（北京时间）", 18, "time"), C("发布时间（北京时间）", 18, "time"), C("揭榜方案数", 12, "int"),
]
clean_text = xlsx.clean_text  # also what the Atom feed strips


def challenge_rows(*, session: Session, actor: Actor) -> list[ChallengeRow]:
    """Every challenge with its company and bid count, for officers only (never bid content)."""
    if not actor.is_officer:
        raise Forbidden("只有科技局工作人员可以导出榜单")
    challenges = queries.all_for_officer(session=session)
    orgs = _organisations(session, {c.organisation_id for c in challenges})
    counts = bid_queries.submitted_counts(session=session, challenge_ids=[c.id for c in challenges])
    return [_row(c, orgs.get(c.organisation_id), counts.get(c.id, 0)) for c in challenges]


def _organisations(session: Session, ids: set[int]) -> dict[int, Organisation]:
    rows = session.exec(select(Organisation).where(col(Organisation.id).in_(ids or {-1}))).all()
    return {o.id: o for o in rows}


def _row(c: Challenge, org: Organisation | None, bids: int) -> ChallengeRow:
    return ChallengeRow(
        id=c.id, title=c.title, company=org.name if org else "", district=org.district if org else "",
        industry=c.industry, weak_link=c.weak_link or "", status_label=STATUS_LABELS.get(c.status, c.status),
        committed_fen=c.committed_funds_fen, offered_fen=c.offered_fen, bid_deadline=c.bid_deadline,
        published_at=c.published_at, bids=bids)


def _values(row: ChallengeRow) -> tuple:
    return (row.id, row.title, row.company, row.district, row.industry, row.weak_link, row.status_label,
            row.committed_fen, row.offered_fen, row.bid_deadline, row.published_at, row.bids)


def challenges_workbook(rows: Iterable[ChallengeRow]) -> bytes:
    """The challenge list as an .xlsx file: Chinese header (frozen), one row per challenge."""
    book = xlsx.Book()
    book.sheet("榜单清单", COLUMNS, rows=(_values(row) for row in rows))
    return book.bytes()


def export_filename(prefix: str, now: datetime, suffix: str) -> str:
    """'榜单清单_20261128.xlsx' (the date in Shanghai)."""
    return f"{prefix}_{to_shanghai(now):%Y%m%d}{suffix}"


# --- Atom feed --------------------------------------------------------------------------------


def rfc3339(value: datetime) -> str:
    """'2026-11-28T02:00:00Z'."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def feed_summary(challenge: Challenge) -> str:
    """Industry, amount in 万元 and the deadline in Shanghai time (nothing confidential)."""
    deadline = to_shanghai(challenge.bid_deadline).strftime("%Y-%m-%d %H:%M")
    parts = [f"产业领域：{challenge.industry}"]
    if challenge.weak_link:
        parts.append(f"薄弱环节：{challenge.weak_link}")
    parts += [f"揭榜金额：{money.format_wanyuan(challenge.offered_fen)}",
              f"揭榜截止：{deadline}（北京时间）",
              f"状态：{STATUS_LABELS.get(challenge.status, challenge.status)}"]
    return "；".join(parts)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = clean_text(text)
    return element


def _updated(challenge: Challenge) -> datetime:
    return max(as_utc(challenge.published_at or challenge.created_at), as_utc(challenge.updated_at))


def _entry(feed: ET.Element, challenge: Challenge, base_url: str) -> None:
    url = f"{base_url}/challenges/{challenge.id}"
    entry = _sub(feed, "entry")
    _sub(entry, "id", url)
    _sub(entry, "title", challenge.title, type="text")
    _sub(entry, "link", href=url, rel="alternate", type="text/html")
    _sub(entry, "published", rfc3339(challenge.published_at or challenge.created_at))
    _sub(entry, "updated", rfc3339(_updated(challenge)))
    _sub(entry, "summary", feed_summary(challenge), type="text")
    _sub(entry, "category", term=clean_text(challenge.industry))


def atom_feed(challenges: list[Challenge], *, base_url: str, now: datetime,
              title: str = "广州市揭榜挂帅平台 · 揭榜中的榜单") -> bytes:
    """An Atom 1.0 document of published challenges (ElementTree does the escaping)."""
    base_url = base_url.rstrip("/")
    # Unprefixed tags under a default xmlns: what every feed reader expects to see.
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: "zh-CN"})
    _sub(feed, "id", f"{base_url}/challenges/feed.atom")
    _sub(feed, "title", title)
    _sub(feed, "subtitle", "产业界出题、科技界答题：最新公开发布的技术攻关榜单")
    _sub(feed, "updated", rfc3339(max((_updated(c) for c in challenges), default=now)))
    _sub(feed, "link", href=f"{base_url}/challenges/feed.atom", rel="self", type=ATOM_MEDIA_TYPE)
    _sub(feed, "link", href=f"{base_url}/challenges", rel="alternate", type="text/html")
    _sub(_sub(feed, "author"), "name", "广州市科学技术局")
    for challenge in challenges:
        _entry(feed, challenge, base_url)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True, )


def feed_challenges(*, session: Session, params: Mapping[str, str | None] | None = None,
                    now: datetime) -> list[Challenge]:
    """The newest open challenges for the feed, with the hall's query and filters (the hall's own
    search_public: drafts, submissions, withdrawn and unfilled challenges never appear unasked)."""
    flt = queries.feed_filter(params or {})
    return queries.search_public(session=session, flt=flt, now=now).items


def feed_title(params: Mapping[str, str | None] | None = None) -> str:
    """'新发布榜单', or what the feed was narrowed to."""
    flt = queries.feed_filter(params or {})
    narrowed = [f"“{flt.q}”" if flt.q else "", flt.industry, flt.weak_link, flt.district]
    label = "、".join(p for p in narrowed if p)
    return f"广州市揭榜挂帅平台 · {label + ' · ' if label else ''}揭榜中的榜单"


def challenges_xlsx(*, session: Session, actor: Actor, now: datetime) -> tuple[bytes, str, str]:
    """The officers' challenge list workbook: (bytes, file name, ASCII fallback name)."""
    name, fallback = (export_filename(prefix, now, ".xlsx") for prefix in ("榜单清单", "challenges"))
    return challenges_workbook(challenge_rows(session=session, actor=actor)), name, fallback
