"""Open data (公开数据): published challenges and their public outcome, in the spirit of the Open Contracting
Data Standard — stable ids, ISO dates, amounts in 元 with a currency, parties named by 统一社会信用代码.

Only what the platform already publishes: the hall's fields and bid counts. Awards, contracts' public status and
subsidies paid join the record as those workflows land (their fields are present and null until then, so the
schema does not change under its users).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session

from marketplace.bids import stats as bid_stats
from marketplace.challenges import stats as challenge_stats
from marketplace.challenges.models import STATUS_LABELS
from marketplace.clock import to_shanghai
from marketplace.errors import RuleViolation
from marketplace.money import FEN_PER_YUAN
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
    "status": ("string", "状态代码：published / closed / unfilled / withdrawn"),
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
    "award_winner_names": ("string|null", "揭榜单位（评审立项后公布；该模块上线前为空）"),
    "contract_status": ("string|null", "合同执行状态（合同模块上线前为空）"),
    "subsidy_paid_amount": ("decimal|null", "已拨付补助（元；补助模块上线前为空）"),
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


def projects(session: Session, *, page: int, page_size: int) -> OpenDataPage:
    rows, total = challenge_stats.public_records(session, offset=(page - 1) * page_size, limit=page_size)
    counts = bid_stats.counted_per_challenge(session, [r[0] for r in rows])
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
            "number_of_bids": counts.get(cid, 0),
            "award_winner_names": None, "contract_status": None, "subsidy_paid_amount": None,
        })
    changed = challenge_stats.last_change(session)
    return OpenDataPage(items=items, page=page, page_size=page_size, total=total,
                        updated_at=to_shanghai(changed).isoformat(timespec="seconds") if changed else None)


def projects_csv(session: Session) -> str:
    """Every record as CSV (UTF-8 with BOM so that Excel reads the Chinese), columns in SCHEMA order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SCHEMA.keys())
    page = 1
    while True:
        chunk = projects(session, page=page, page_size=MAX_PAGE_SIZE)
        for item in chunk.items:
            writer.writerow([safe_text(item[k]) for k in SCHEMA])  # never a live formula
        if page * MAX_PAGE_SIZE >= chunk.total:
            break
        page += 1
    return "\ufeff" + out.getvalue()
