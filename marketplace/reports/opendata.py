"""Open data (公开数据): published challenges and their public outcome, in the spirit of the Open Contracting
Data Standard — stable ids, ISO dates, amounts in 元 with a currency, parties named by 统一社会信用代码.

Only what the platform already publishes: the hall's fields and bid counts; the award as its 公示 made it public
(winners by name and USCC, the winning price in 元, the 公示 date); a contract's public status (its coarse status
or acceptance verdict only where the company and the lead team agreed to publish its progress, else only that it
was signed); and the subsidy paid of subsidies on the public 公示 list. Fields without a fact are null.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, col, func, select

from marketplace.awards import queries as award_queries
from marketplace.awards.models import Announcement, AnnouncementItem, ItemStatus
from marketplace.bids import stats as bid_stats
from marketplace.challenges import stats as challenge_stats
from marketplace.challenges.models import STATUS_LABELS
from marketplace.clock import as_utc, to_shanghai
from marketplace.contracts import progress
from marketplace.contracts.models import Contract, ProgressConsent
from marketplace.errors import RuleViolation
from marketplace.money import FEN_PER_YUAN
from marketplace.subsidies import queries as subsidy_queries
from marketplace.subsidies.models import Disbursement, Subsidy
from marketplace.xlsx import safe_text

LICENCE = "CC BY 4.0（署名 4.0 国际）"
PUBLISHER = "广州市科学技术局"
ID_PREFIX = "jiebang-gz-"
MAX_PAGE_SIZE = 100

# The documented schema: field → (type, meaning). The CSV has the same columns in this order.
SCHEMA: dict[str, tuple[str, str]] = {
    "id": ("string", "稳定编号（jiebang-gz-榜单号），不随状态变化"),
    "title": ("string", "榜单名称"),
    "industry": ("string", "产业领域"),
    "weak_link": ("string|null", "薄弱环节：基础材料 / 核心零部件 / 重大装备 / 工业软件"),
    "status": ("string", "状态代码：published / closed / unfilled / withdrawn / in_review / decided / announced / "
                         "awarded / no_award"),
    "status_label": ("string", "状态（中文）"),
    "buyer_name": ("string", "发榜企业名称"),
    "buyer_uscc": ("string", "发榜企业统一社会信用代码"),
    "buyer_district": ("string", "发榜企业所在区"),
    "published_date": ("date", "发布日期（北京时间，ISO 8601）"),
    "bid_deadline": ("datetime", "揭榜截止时间（北京时间，ISO 8601）"),
    "closed_date": ("date|null", "截止 / 流榜 / 撤榜日期"),
    "offered_amount": ("decimal", "揭榜金额（元，两位小数）"),
    "committed_funds_amount": ("decimal", "企业承诺投入资金（元，两位小数）"),
    "currency": ("string", "币种，固定为 CNY"),
    "award_mode": ("string", "揭榜方式：single 择优单一揭榜 / parallel 赛马"),
    "number_of_bids": ("integer", "收到的揭榜方案数（不含草稿与撤回）"),
    "award_winner_names": ("string|null", "揭榜单位名称（结果公示后公布，多个以“；”分隔；未公示为空）"),
    "award_winner_usccs": ("string|null", "揭榜单位统一社会信用代码（与名称顺序一致，以“；”分隔）"),
    "award_amount": ("decimal|null", "中选报价合计（元，两位小数，币种见 currency）"),
    "award_date": ("date|null", "结果公示日期"),
    "award_status": ("string|null", "结果状态：公示中 / 已确定揭榜方"),
    "contract_status": ("string|null", "合同公开状态：双方同意公开进展的，为执行中 / 验收中 / 验收通过 / 整改后通过 / "
                                       "验收不通过 / 已终止；否则为“已签订任务书”；未签订为空"),
    "subsidy_paid_amount": ("decimal|null", "已拨付补助（元，两位小数；补助公示名单内的补助；无则为空）"),
}


@dataclass
class OpenDataPage:
    items: list[dict]
    page: int
    page_size: int
    total: int
    updated_at: str | None


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / FEN_PER_YUAN:.2f}"


def _date(value: datetime | None) -> str | None:
    return to_shanghai(value).date().isoformat() if value else None


def _award(award: award_queries.PublicAward | None) -> dict:
    if award is None:
        return dict.fromkeys(("award_winner_names", "award_winner_usccs", "award_amount", "award_date",
                              "award_status"))
    return {"award_winner_names": "；".join(n for n, _ in award.winners),
            "award_winner_usccs": "；".join(u for _, u in award.winners), "award_amount": _yuan(award.amount_fen),
            "award_date": award.published_on.isoformat(), "award_status": "已确定揭榜方" if award.final else "公示中"}


def parse_paging(page: str | int = 1, page_size: str | int = 50) -> tuple[int, int]:
    """Page ≥ 1 and 1 ≤ page_size ≤ 100; anything else is a Chinese 422, never a 500."""
    raw = (str(page).strip(), str(page_size).strip())
    if not all(v.isascii() and v.lstrip("-").isdigit() and len(v) <= 9 for v in raw):
        raise RuleViolation("页码和每页条数必须是整数", fields={"page": "应为整数", "page_size": "应为整数"})
    p, size = int(raw[0]), int(raw[1])
    errors = {}
    if not 1 <= p <= 1_000_000:
        errors["page"] = "页码应从 1 开始"
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors["page_size"] = f"每页条数应在 1–{MAX_PAGE_SIZE} 之间"
    if errors:
        raise RuleViolation("分页参数有误", fields=errors)
    return p, size


def projects(session: Session, *, page: int, page_size: int, dated: bool = True) -> OpenDataPage:
    """One page of records, and (`dated`) when the data last changed, Beijing time."""
    rows, total = challenge_stats.public_records(session, offset=(page - 1) * page_size, limit=page_size)
    ids = [r[0] for r in rows]
    counts = bid_stats.counted_per_challenge(session, ids)
    awards = award_queries.public_awards(session=session, challenge_ids=ids)
    contracts = progress.public_statuses(session, ids)
    paid = subsidy_queries.paid_by_challenge(session, ids)
    items = []
    for (cid, title, industry, weak_link, status, published_at, deadline, closed_at, committed, offered,
         award_mode, buyer, uscc, district) in rows:
        items.append({
            "id": f"{ID_PREFIX}{cid}", "title": title, "industry": industry, "weak_link": weak_link,
            "status": status, "status_label": STATUS_LABELS.get(status, status),
            "buyer_name": buyer, "buyer_uscc": uscc, "buyer_district": district,
            "published_date": _date(published_at),
            "bid_deadline": to_shanghai(deadline).isoformat(timespec="minutes"),
            "closed_date": _date(closed_at), "offered_amount": _yuan(offered),
            "committed_funds_amount": _yuan(committed), "currency": "CNY", "award_mode": award_mode,
            "number_of_bids": counts.get(cid, 0), **_award(awards.get(cid)),
            "contract_status": contracts.get(cid), "subsidy_paid_amount": _yuan(paid[cid]) if cid in paid else None,
        })
    changed = last_change(session) if dated else None
    return OpenDataPage(items=items, page=page, page_size=page_size, total=total,
                        updated_at=to_shanghai(changed).isoformat(timespec="seconds") if changed else None)


def last_change(session: Session) -> datetime | None:
    """When anything the records show last changed (the update date, 更新日期): a published challenge, an award
    (a 公示 published or finalised), a signed contract's public status (its status, or both sides' consent to
    publish it) or a subsidy paid on the 公示 list. Four indexed MAX lookups; the latest wins."""
    award = select(func.max(func.coalesce(AnnouncementItem.finalised_at, Announcement.published_at))) \
        .join(Announcement, col(Announcement.id) == col(AnnouncementItem.announcement_id)) \
        .where(col(AnnouncementItem.status).in_([ItemStatus.OPEN, ItemStatus.AWARDED]))
    contract = select(func.max(Contract.updated_at)).where(col(Contract.signed_on).is_not(None))
    consent = select(func.max(ProgressConsent.agreed_at))
    paid = select(func.max(Disbursement.paid_at)).join(Subsidy, col(Subsidy.id) == col(Disbursement.subsidy_id)) \
        .where(col(Subsidy.status).in_(subsidy_queries.PUBLIC_STATES))
    times = [challenge_stats.last_change(session), *(session.exec(q).one() for q in (award, contract, consent, paid))]
    return max((as_utc(t) for t in times if t is not None), default=None)


def projects_csv(session: Session) -> str:
    """Every record as CSV (UTF-8 with BOM so that Excel reads the Chinese), columns in SCHEMA order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SCHEMA.keys())
    page = 1
    while True:
        chunk = projects(session, page=page, page_size=MAX_PAGE_SIZE, dated=False)
        for item in chunk.items:
            writer.writerow([safe_text(item[k]) for k in SCHEMA])  # never a live formula
        if page * MAX_PAGE_SIZE >= chunk.total:
            break
        page += 1
    return "\ufeff" + out.getvalue()
