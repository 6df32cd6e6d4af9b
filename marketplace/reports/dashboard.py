"""The bureau dashboard (`/officer/dashboard`): panels of (table, chart) built from domain aggregates.

A panel is one table; its chart is drawn from the same rows, so a chart can never show a number its table does not.
Money is carried as fen and shown in 万元 as exact decimal strings (never floats). Stages that later workflows own
(expert review, award, contracts, subsidies) say so instead of showing zeros that look like facts.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sqlmodel import Session

from marketplace import xlsx
from marketplace.actor import Actor
from marketplace.audit.queries import content_version
from marketplace.bids import stats as bid_stats
from marketplace.challenges import stats as challenge_stats
from marketplace.challenges.stats import StatsFilter
from marketplace.clock import to_shanghai, utcnow
from marketplace.contracts import queries as contract_stats
from marketplace.errors import Forbidden
from marketplace.money import FEN_PER_WANYUAN
from marketplace.reports.schemas import DashboardFilterOut, DashboardOut, HeadlineOut, PanelOut
from marketplace.reviews import queries as review_stats
from marketplace.subsidies import queries as subsidy_stats

# One colour per challenge state, the same on every chart (ECharts reads it from the panel).
STATE_COLOURS = {
    "submitted": "#a15c00", "returned": "#c62828", "scheduled": "#8d6e63", "published": "#1b7f3b",
    "closed": "#1f4e8c", "unfilled": "#757575", "withdrawn": "#4e342e",
    "in_review": "#5e35b1", "decided": "#00838f", "announced": "#ef6c00", "awarded": "#2e7d32",
    "no_award": "#616161",
}
SERIES_COLOURS = ("#b71c1c", "#1f4e8c", "#1b7f3b", "#a15c00")
UPCOMING_DAYS = 30


@dataclass
class Panel:
    key: str
    title: str
    chart: str  # bar | stacked | pie | line | funnel | none
    columns: list[str]
    rows: list[list]
    unit: str = ""
    colours: list[str] = field(default_factory=list)
    note: str = ""

    def chart_data(self) -> dict:
        """What charts.js draws: categories (first column) and one series per other column, from the rows."""
        return {"type": self.chart, "unit": self.unit, "categories": [r[0] for r in self.rows],
                "series": [{"name": name, "data": [r[i + 1] for r in self.rows]}
                           for i, name in enumerate(self.columns[1:])],
                "colours": self.colours or list(SERIES_COLOURS)}


@dataclass
class Dashboard:
    filter: StatsFilter
    headline: list[tuple[str, str]]
    panels: list[Panel]


def can_view(actor: Actor) -> tuple[bool, str]:
    return (True, "") if actor.is_officer else (False, "只有科技局工作人员可以查看统计看板")


def wanyuan(fen: int) -> str:
    """Exact 万元 with two decimals, as a string (a chart label, never arithmetic)."""
    return f"{(Decimal(fen) / FEN_PER_WANYUAN).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def percent(part: int, whole: int) -> str:
    """An exact one-decimal percentage as a string ("—" when there is nothing to divide by)."""
    if not whole:
        return "—"
    return f"{(Decimal(part * 100) / whole).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def rate_or_zero(part: int, whole: int) -> str:
    """A percentage for a chart cell (charts need a number: 0.0 when nothing ended yet, the note says so)."""
    return percent(part, whole) if whole else "0.0"


def leverage(company_fen: int, subsidy_fen: int) -> str:
    """Company funds checked per 1 元 of subsidy entitled (杠杆率), two decimals, "—" without subsidy."""
    if not subsidy_fen:
        return "—"
    return f"{(Decimal(company_fen) / subsidy_fen).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def later_panels(session: Session, flt: StatsFilter, *, today) -> tuple[list[tuple[str, str]], list[Panel]]:  # noqa: ANN001
    """Headline figures and panels of the award, contract, subsidy and review stages (each domain's aggregates)."""
    money = contract_stats.funds(session, flt)
    grants = subsidy_stats.funds(session, flt)
    ratio = leverage(money["checked_fen"], grants["entitled_fen"])
    ex = contract_stats.execution(session, flt, today=today, horizon_days=UPCOMING_DAYS)
    out = contract_stats.outcomes(session, flt)
    pools = subsidy_stats.pool_use(session, flt)
    progress = review_stats.panel_progress(session, flt)
    headline = [("企业投入已核验", f"{wanyuan(money['checked_fen'])} 万元"),
                ("补助核定", f"{wanyuan(grants['entitled_fen'])} 万元"),
                ("补助已拨付", f"{wanyuan(grants['paid_fen'])} 万元"),
                ("杠杆率（企业投入÷补助）", ratio)]
    panels = [
        Panel("funds_leverage", "企业投入与财政补助", "bar", ["类别", "金额（万元）"],
              [["合同约定企业投入", wanyuan(money["committed_fen"])], ["企业投入已核验", wanyuan(money["checked_fen"])],
               ["补助核定", wanyuan(grants["entitled_fen"])], ["补助已拨付", wanyuan(grants["paid_fen"])]],
              unit="万元", note=f"杠杆率 {ratio}：每 1 元核定补助对应经核验的企业投入（元）"),
        Panel("pools", "补助资金池使用", "stacked", ["资金池（年度）", "预算（万元）", "已核定（万元）"],
              [[f"{name}（{year}）", wanyuan(budget), wanyuan(used)] for name, year, budget, used in pools],
              unit="万元", note="使用率：" + ("；".join(f"{name}（{year}）{percent(used, budget)}%"
                                               for name, year, budget, used in pools) or "暂无资金池")),
        Panel("contracts", "合同执行", "bar", ["事项", "数量"],
              [["逾期未交里程碑", ex["overdue_milestones"]],
               [f"{UPCOMING_DAYS} 天内到期待验收合同", ex["upcoming_acceptances"]]],
              unit="项"),
        Panel("outcomes", "合同结果", "pie", ["结果", "合同数"],
              [["验收通过", out["passed"]], ["整改后通过", out["passed_after_rectification"]],
               ["验收不通过", out["failed"]], ["已终止", out["terminated"]]], unit="项",
              note=f"已结束合同 {out['ended']} 项"),
        Panel("rates", "失败率与整改率", "bar", ["指标", "比率（%）"],
              [["失败率（不通过或终止÷已结束）", rate_or_zero(out["failed"] + out["terminated"], out["ended"])],
               ["整改率（验收整改÷有验收结论）", rate_or_zero(out["rectified"], out["concluded"])]], unit="%",
              note=f"已结束合同 {out['ended']} 项，有验收结论的合同 {out['concluded']} 项（无则记为 0）"),
        Panel("review_progress", "在审榜单评审进度", "stacked", ["榜单", "已提交评分表", "应提交评分表"],
              [[f"#{cid} {title[:14]}", n, due] for cid, title, n, due in progress], unit="份",
              note="只统计评分表份数，不显示分数"),
        Panel("expert_load", "专家评审负荷（在审任务）", "bar", ["在审任务数", "专家人数", "未交评分表"],
              [list(r) for r in review_stats.expert_load(session, flt)], unit="人"),
    ]
    return headline, panels


# (database, filter, today) → (audit head, monotonic expiry, dashboard). The panels are the same for every officer
# and cost ten aggregates over all challenges and bids (≈200 ms at 10k challenges): kept while nothing
# has been recorded since (any worker's change moves the audit head) and for at most `cache_seconds`,
# because opened-bid counts also follow the clock.
_CACHE: dict[tuple, tuple[int, float, Dashboard]] = {}
_CACHE_LOCK = threading.Lock()
_BUILDING: dict[tuple, threading.Lock] = {}
_CACHE_MAX = 256


def build(*, session: Session, actor: Actor, flt: StatsFilter, today=None,  # noqa: ANN001
          cache_seconds: float = 0.0) -> Dashboard:
    """The dashboard for an officer; with `cache_seconds` > 0 a copy built at the same audit head is reused."""
    allowed, reason = can_view(actor)
    if not allowed:
        raise Forbidden(reason)
    today = today or to_shanghai(utcnow()).date()
    if cache_seconds <= 0:
        return _build(session, flt, today)
    key = (repr(session.get_bind().engine.url), flt, today)
    version = content_version(session)
    if (board := _cached(key, version)) is not None:
        return board
    with _CACHE_LOCK:
        building = _BUILDING.setdefault(key, threading.Lock())
    # One build per change: officers arriving meanwhile wait for it instead of each running the
    # aggregates at once (32 simultaneous builds took seconds each on two cores).
    with building:
        if (board := _cached(key, version)) is not None:
            return board
        board = _build(session, flt, today)
        with _CACHE_LOCK:
            if len(_CACHE) >= _CACHE_MAX:
                _CACHE.clear()
            _CACHE[key] = (version, time.monotonic() + cache_seconds, board)
    return board


def _cached(key: tuple, version: int) -> Dashboard | None:
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    return hit[2] if hit is not None and hit[0] == version and time.monotonic() < hit[1] else None


def _build(session: Session, flt: StatsFilter, today) -> Dashboard:  # noqa: ANN001
    overview = challenge_stats.overview(session, flt)
    statuses, funds = overview["by_status"], overview["funds"]
    companies = challenge_stats.by_company(session, flt)
    part, spread = bid_stats.participation_and_spread(session, flt)
    share = f"{Decimal(part['consortium_bids'] * 100) / part['opened_bids']:.1f}%" if part["opened_bids"] else "—"
    hk_share = f"{Decimal(part['hk_macao_bids'] * 100) / part['bids']:.1f}%" if part["bids"] else "—"
    per_challenge = f"{Decimal(part['bids']) / part['published']:.2f}" if part["published"] else "—"
    contracted = contract_stats.pipeline_counts(session, flt)
    pipeline_rows = [list(r) for r in overview["pipeline"]] + [
        ["已签订任务书", contracted["contracted"]], ["已通过验收", contracted["accepted"]],
        ["已拨付补助", subsidy_stats.paid_challenges(session, flt)]]
    later_headline, later = later_panels(session, flt, today=today)
    headline = [
        ("已提交榜单", str(sum(n for _, _, n in statuses))),
        ("已发布榜单", str(funds["published"])),
        ("企业承诺投入", f"{wanyuan(funds['committed_fen'])} 万元"),
        ("揭榜金额合计", f"{wanyuan(funds['offered_fen'])} 万元"),
        ("收到揭榜方案", str(part["bids"])),
        ("平均每榜方案数", per_challenge),
    ]
    panels = [
        Panel("pipeline", "榜单进度（漏斗）", "funnel", ["阶段", "榜单数"],
              pipeline_rows, unit="项"),
        Panel("status", "各状态榜单数", "bar", ["状态", "榜单数"], [[label, n] for _, label, n in statuses],
              unit="项", colours=[STATE_COLOURS[s] for s, _, _ in statuses]),
        Panel("industry", "按产业领域", "stacked", ["产业领域", "已提交", "已发布"],
              [list(r) for r in challenge_stats.by_dimension(session, flt, "industry")], unit="项"),
        Panel("weak_link", "按薄弱环节", "stacked", ["薄弱环节", "已提交", "已发布"],
              [list(r) for r in challenge_stats.by_dimension(session, flt, "weak_link")], unit="项"),
        Panel("district", "按发榜企业所在区", "stacked", ["所在区", "已提交", "已发布"],
              [list(r) for r in companies["district"]], unit="项"),
        Panel("chain", "链主企业与其他企业", "pie", ["企业类型", "已提交"],
              [[label, n] for label, n, _ in companies["chain"]], unit="项"),
        Panel("monthly", "按月新增榜单", "line", ["月份", "已提交", "已发布"],
              [list(r) for r in challenge_stats.monthly(session, flt)], unit="项"),
        Panel("funds", "企业投入与揭榜金额", "bar", ["类别", "金额（万元）"],
              [["企业承诺投入", wanyuan(funds["committed_fen"])], ["揭榜金额", wanyuan(funds["offered_fen"])]],
              unit="万元", note="发榜时企业承诺的投入与揭榜金额（已发布榜单）"),
        Panel("bids_per_challenge", "已发布榜单收到的方案数", "bar", ["方案数", "榜单数"],
              [list(r) for r in spread], unit="项"),
        Panel("hk_macao", "港澳团队参与", "pie", ["团队注册地", "方案数"],
              [["香港、澳门", part["hk_macao_bids"]], ["内地", part["bids"] - part["hk_macao_bids"]]],
              unit="份", note=f"港澳团队方案占比 {hk_share}（按揭榜单位经认证的注册地）"),
        Panel("consortium", "创新联合体方案（已开标）", "pie", ["方案类型", "份数"],
              [["创新联合体", part["consortium_bids"]], ["单一团队", part["opened_bids"] - part["consortium_bids"]]],
              unit="份", note=f"联合体占比 {share}；截止前方案密封，联合体情况不计入"),
        *later,
    ]
    return Dashboard(filter=flt, headline=headline + later_headline, panels=panels)


def describe(flt: StatsFilter) -> str:
    """The filter in words (the workbook's and the report's preamble)."""
    when = f"{flt.year} 年" + (f" {flt.month} 月" if flt.month else "") if flt.year else "全部年份"
    if flt.start is not None:
        when = f"{flt.start.isoformat()} 至 {flt.end.isoformat()}"
    parts = [when,
             flt.industry or "全部产业领域", flt.district or "全部区"]
    return "筛选：" + " · ".join(parts)


def as_out(board: Dashboard) -> DashboardOut:
    """The dashboard for the JSON API: every panel's table, cell for cell as the page prints it."""
    flt = board.filter
    return DashboardOut(
        filter=DashboardFilterOut(year=flt.year, industry=flt.industry, district=flt.district, start=flt.start,
                                  end=flt.end, described=describe(flt)),
        headline=[HeadlineOut(label=label, value=value) for label, value in board.headline],
        panels=[PanelOut(key=p.key, title=p.title, chart=p.chart, unit=p.unit, columns=p.columns, rows=p.rows,
                         note=p.note) for p in board.panels])


def workbook(board: Dashboard) -> bytes:
    """The dashboard's tables as .xlsx (through the one spreadsheet module): an overview sheet with the
    headline figures, then one sheet per panel with exactly the rows its table and chart show."""
    book = xlsx.Book()
    book.sheet("概览", [xlsx.Column("指标", 24), xlsx.Column("数值", 24)],
               preamble=["广州市揭榜挂帅统计看板", describe(board.filter)], rows=board.headline)
    for panel in board.panels:
        kind = "decimal" if panel.unit in ("万元", "%") else "int"
        columns = [xlsx.Column(panel.columns[0], 24)] + [xlsx.Column(c, 16, kind) for c in panel.columns[1:]]
        title = panel.title + (f"（单位：{panel.unit}）" if panel.unit else "")
        preamble = [title, *([panel.note] if panel.note else [])]
        book.sheet(panel.title[:31], columns, preamble=preamble, rows=panel.rows)
    return book.bytes()
