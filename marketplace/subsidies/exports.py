"""Spreadsheets of the subsidy ledger (through marketplace.xlsx): the ledger, the 公示 list, and the
calculation sheet of one project (inputs, every trace step, the clause, the result)."""

from __future__ import annotations

from sqlmodel import Session, select

from marketplace import xlsx
from marketplace.subsidies import display, queries
from marketplace.subsidies.models import ENTRY_LABELS, STATUS_LABELS, Subsidy
from marketplace.xlsx import Column

LEDGER_COLUMNS = [Column("分录号", 8, "int"), Column("补助编号", 9, "int"), Column("项目", 36),
                  Column("受益单位", 28), Column("类别", 10), Column("科目", 12), Column("金额", 18, "yuan"),
                  Column("期次", 6), Column("冲销分录", 8), Column("幂等键", 24), Column("摘要", 36, "wrap"),
                  Column("记账时间", 18, "time")]
PUBLICITY_COLUMNS = [Column("编号", 8, "int"), Column("项目", 40), Column("受益单位", 30), Column("政策", 36),
                     Column("年度", 8, "int"), Column("核定补助", 18, "yuan"), Column("状态", 14)]
ACCOUNTS = {"entitlement": "核定", "paid": "已拨付", "receivable": "应收退款"}


def ledger_book(session: Session) -> bytes:
    entries = queries.ledger(session)
    subsidies = {s.id: s for s in session.exec(select(Subsidy)).all()}
    names = queries.org_names(session, {s.beneficiary_org_id for s in subsidies.values()})
    rows = [[e.id, e.subsidy_id, subsidies[e.subsidy_id].title, names.get(e.beneficiary_org_id, ""),
             ENTRY_LABELS.get(e.kind, e.kind), ACCOUNTS.get(e.account, e.account), e.amount_fen,
             "" if e.installment is None else str(e.installment), "" if e.reverses_id is None else str(e.reverses_id),
             e.idempotency_key or "", e.memo, e.created_at] for e in entries]
    book = xlsx.Book()
    book.sheet("补助台账", LEDGER_COLUMNS, preamble=["揭榜挂帅补助台账（只增不改，更正以冲销分录记载）"], rows=rows)
    return book.bytes()


def publicity_book(session: Session) -> bytes:
    rows = [[r["id"], r["title"], r["beneficiary"], r["policy"], r["year"], r["awarded_fen"],
             r["status_label"]] for r in queries.publicity(session=session)]
    book = xlsx.Book()
    book.sheet("补助公示", PUBLICITY_COLUMNS, preamble=["揭榜挂帅项目补助公示（拨付前公示）"], rows=rows)
    return book.bytes()


def calculation_book(session: Session, subsidy: Subsidy) -> bytes:
    """One project: the inputs, each step of the engine's trace, the explanation and installments —
    in words (display.py), as on the printable page."""
    book = xlsx.Book()
    names = queries.org_names(session, {subsidy.beneficiary_org_id})
    inputs = [[r["label"], r["text"]] for r in display.inputs(subsidy.case, names.get(subsidy.beneficiary_org_id, ""))]
    book.sheet("测算输入", [Column("项目", 30), Column("值", 80, "wrap")], preamble=[
        f"补助 #{subsidy.id} {subsidy.title}", f"政策：{queries.policy_title(subsidy.policy_code)}；状态 "
        f"{STATUS_LABELS.get(subsidy.status, '')}"], rows=inputs)
    steps = [[i, line["label"], line["text"]] for i, line in enumerate(display.trace_lines(subsidy.result), start=1)]
    book.sheet("计算过程", [Column("序号", 6, "int"), Column("步骤", 18), Column("说明", 100, "wrap")],
               rows=steps)
    stages = [[s["installment"], display.trigger(s["trigger"]), s["amount_fen"],
               "已拨付" if s["status"] == "paid" else "待拨付"] for s in queries.installments(session, subsidy)]
    book.sheet("结果与分期", [Column("期次", 6, "int"), Column("触发条件", 18), Column("金额", 18, "yuan"),
                          Column("状态", 10)],
               preamble=[display.plain(subsidy.explanation, subsidy.policy_code)], rows=stages)
    return book.bytes()




POOL_COLUMNS = [Column("资金池", 16), Column("政策", 36), Column("年度", 8, "int"), Column("预算", 18, "yuan"),
                Column("已核定待拨付", 18, "yuan"), Column("已拨付", 18, "yuan"), Column("剩余", 18, "yuan"),
                Column("补助项数", 10, "int")]


def pools_book(session: Session) -> bytes:
    """The pool budget table of /subsidies/pools (amounts in 元; an open budget is left empty)."""
    rows = [[r["pool"] or "未设预算", r["policy"], r["year"], r["budget_fen"], r["committed_fen"], r["paid_fen"],
             r["remaining_fen"], r["subsidies"]] for r in queries.pool_budgets(session=session)]
    book = xlsx.Book()
    book.sheet("资金池预算", POOL_COLUMNS, preamble=["补助资金池预算执行情况（剩余 = 预算 − 已核定待拨付 − 已拨付）"],
               rows=rows)
    return book.bytes()
