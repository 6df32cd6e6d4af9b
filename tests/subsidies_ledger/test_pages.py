"""Pages (no JavaScript): officer list and detail with trace and clause, maker-checker forms,
disbursement per installment, the beneficiary's view, public 公示, and the .xlsx exports."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlmodel import select

from marketplace.subsidies import service
from marketplace.subsidies.models import LedgerEntry, Subsidy
from tests import factories as f
from tests.subsidies_ledger.conftest import contract


def _computed(session, source, who, **kw) -> Subsidy:
    source.add(contract(company_org_id=who.org_id, **kw))
    return session.get(Subsidy, service.compute_all(session=session).computed[-1])


def _post(client, url: str, **data):
    return client.post(url, data={"csrf_token": f.csrf(client), **data}, follow_redirects=True)


def test_officers_walk_a_subsidy_through_check_approval_and_payment(client, session, source, who):
    s = _computed(session, source, who, policy_id="JB-STAGED")
    f.login(client, session, who.maker)
    page = client.get("/subsidies?status=computed")
    assert page.status_code == 200 and f"/subsidies/{s.id}" in page.text
    detail = client.get(f"/subsidies/{s.id}")
    assert "根據企業投入資金情況按一定比例給予補助" in detail.text  # the clause, verbatim
    assert "1,600,000.00" in detail.text and "计算过程" in detail.text
    _post(client, f"/subsidies/{s.id}/decide", action="check")
    assert session.get(Subsidy, s.id).status == "checked"
    refused = _post(client, f"/subsidies/{s.id}/decide", action="approve")
    assert "另一名工作人员" in refused.text and session.get(Subsidy, s.id).status == "checked"
    f.login(client, session, who.checker)
    _post(client, f"/subsidies/{s.id}/decide", action="approve")
    assert session.get(Subsidy, s.id).status == "approved"
    token = "form-token-1"
    first = _post(client, f"/subsidies/{s.id}/disburse", installment="1", form_token=token)
    assert "已拨付" in first.text
    again = _post(client, f"/subsidies/{s.id}/disburse", installment="1", form_token=token)  # double submit
    assert "未重复拨付" in again.text
    payments = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == s.id,
                                                      LedgerEntry.kind == "payment")).all()
    assert len(payments) == 1 and session.get(Subsidy, s.id).disbursed_fen == 80_000_000


def test_override_without_a_reason_is_refused_in_chinese(client, session, source, who):
    s = _computed(session, source, who)
    f.login(client, session, who.maker)
    _post(client, f"/subsidies/{s.id}/decide", action="check")
    page = _post(client, f"/subsidies/{s.id}/decide", action="override_approve", reason="")
    assert "理由" in page.text and session.get(Subsidy, s.id).status == "checked"
    _post(client, f"/subsidies/{s.id}/decide", action="override_approve", reason="复核人出差，经处长同意")
    assert session.get(Subsidy, s.id).status == "approved"


def test_the_beneficiary_sees_its_own_subsidy_only(client, session, source, who):
    s = _computed(session, source, who)
    f.login(client, session, who.company)
    assert f"/subsidies/{s.id}" in client.get("/subsidies").text
    page = client.get(f"/subsidies/{s.id}")
    assert page.status_code == 200 and "复核通过" not in page.text
    assert _post(client, f"/subsidies/{s.id}/decide", action="check").status_code == 200
    assert session.get(Subsidy, s.id).status == "computed"
    stranger = f.user(session, role="company")
    session.commit()
    f.login(client, session, stranger)
    assert client.get(f"/subsidies/{s.id}").status_code == 404


def test_publicity_page_and_exports_match_the_ledger(client, session, source, who):
    s = _computed(session, source, who)
    service.check(session=session, actor=f.actor(session, who.maker), subsidy_id=s.id)
    service.approve(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id)
    service.disburse(session=session, actor=f.actor(session, who.checker), subsidy_id=s.id, installment=1, key="x1")
    public = client.get("/subsidies/publicity")
    assert public.status_code == 200 and s.title in public.text and "1,600,000.00" in public.text
    book = load_workbook(io.BytesIO(client.get("/subsidies/publicity.xlsx").content))
    assert any(row[1] == s.title for row in book.active.iter_rows(values_only=True))
    assert client.get("/subsidies/ledger.xlsx", follow_redirects=False).status_code in (401, 303)  # not public
    f.login(client, session, who.maker)
    ledger = load_workbook(io.BytesIO(client.get("/subsidies/ledger.xlsx").content)).active
    rows = [r for r in ledger.iter_rows(min_row=3, values_only=True) if r[1] == s.id]
    entries = session.exec(select(LedgerEntry).where(LedgerEntry.subsidy_id == s.id).order_by(LedgerEntry.id)).all()
    assert [(r[0], float(r[6])) for r in rows] == [(e.id, e.amount_fen / 100) for e in entries]
    sheet = load_workbook(io.BytesIO(client.get(f"/subsidies/{s.id}/calculation.xlsx").content))
    assert sheet.sheetnames == ["测算输入", "计算过程", "结果与分期"]
    f.login(client, session, who.company)
    assert client.get("/subsidies/ledger.xlsx").status_code == 403
