"""The contract pages and API as a new user would use them: sign, pay, confirm, check, accept."""

import re

from sqlmodel import func, select

from marketplace.contracts.models import Contract, ContractFile, Payment
from tests import factories as f
from tests.contracts import helpers as h
from tests.reviews.scenario import api_headers


def post(client, url, data=None, **kw):
    return client.post(url, data={"csrf_token": f.csrf(client), **(data or {})}, follow_redirects=True, **kw)


def multipart(boundary: str, fields: dict, file: tuple[str, bytes]) -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file[0]}"\r\n'
                 f'Content-Type: application/pdf\r\n\r\n'.encode() + file[1] + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def as_(client, session, user):
    client.cookies.clear()
    return f.login(client, session, user)


def test_from_the_award_the_parties_sign_in_the_browser(client, session):
    s = h.awarded(session)
    as_(client, session, s.officer)
    form = client.get(f"/challenges/{s.challenge.id}/contract/new")
    assert form.status_code == 200 and "发起三方任务书" in form.text
    bad = post(client, f"/challenges/{s.challenge.id}/contract", {"payment_shares": "50,40"})
    assert bad.status_code == 422 and "合计为 100%" in bad.text and 'value="50,40"' in bad.text
    r = post(client, f"/challenges/{s.challenge.id}/contract", {"payment_shares": "40,60", "terms": "知识产权归企业"})
    assert r.status_code == 200 and "任务书已生成" in r.text
    contract_id = session.exec(select(Contract.id)).one()
    for user in (s.company, s.team, s.partner, s.officer):
        as_(client, session, user)
        assert f"/contracts/{contract_id}" in client.get("/contracts").text
        page = post(client, f"/contracts/{contract_id}/sign")
        assert page.status_code == 200 and "已签署" in page.text
        if user is not s.officer:  # still signing: this party's button is gone, the others' are not
            assert 'id="sign"' not in page.text and "本方已签署当前版本" in page.text
    assert "执行中" in client.get(f"/contracts/{contract_id}").text
    printable = client.get(f"/contracts/{contract_id}/print")
    assert "广州市揭榜挂帅项目任务书" in printable.text and "@media print" in printable.text
    assert "知识产权归企业" in printable.text and "可靠性验证" in printable.text
    twice = client.post(f"/contracts/{contract_id}/sign", data={"csrf_token": f.csrf(client)})
    assert twice.status_code == 409


def test_an_outsider_gets_404_for_the_contract_and_its_files(client, session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    as_(client, session, s.outsider)
    assert client.get(f"/contracts/{c.id}").status_code == 404
    assert client.get(f"/contracts/{c.id}/print").status_code == 404
    assert f"/contracts/{c.id}" not in client.get("/contracts").text


def test_payments_in_the_browser_bad_input_keeps_the_form_and_writes_nothing(client, session):
    s = h.awarded(session)
    c = h.signed(session, s)
    as_(client, session, s.company)
    url = f"/contracts/{c.id}/payments"
    pdf = {"file": ("回单.pdf", b"%PDF-1.7 receipt", "application/pdf")}
    too_much = post(client, url, {"amount_yuan": "4000001", "paid_on": str(c.signed_on), "note": "首付款"}, files=pdf)
    assert too_much.status_code == 422 and "累计付款不能超过任务书金额" in too_much.text
    assert 'value="4000001"' in too_much.text and 'value="首付款"' in too_much.text
    exe = post(client, url, {"amount_yuan": "100", "paid_on": str(c.signed_on)},
               files={"file": ("回单.exe", b"MZ", "application/octet-stream")})
    assert exe.status_code == 422 and "付款凭证仅支持 PDF、JPG、PNG 文件" in exe.text
    assert session.exec(select(func.count()).select_from(Payment)).one() == 0
    assert session.exec(select(func.count()).select_from(ContractFile)).one() == 0
    ok = post(client, url, {"amount_yuan": "1000000", "paid_on": str(c.signed_on)},
              files={"file": ("回单.png", b"\x89PNG\r\n\x1a\nrest", "image/png")})
    assert "付款已登记" in ok.text
    voucher = re.search(r'href="(/contract-files/\d+)"', ok.text).group(1)
    assert client.get(voucher).content.startswith(b"\x89PNG")
    payment_id = session.exec(select(Payment.id)).one()
    as_(client, session, s.team)
    assert "已确认到账" in post(client, f"/payments/{payment_id}/confirm", {"decision": "received"}).text
    as_(client, session, s.officer)
    page = post(client, f"/payments/{payment_id}/check", {"decision": "approve"})
    assert "计入企业投入资金" in page.text
    assert re.search(r'id="checked-funds">¥?1,000,000', page.text) or "1,000,000" in page.text


def test_the_api_refuses_bad_payments_with_structured_4xx_and_replays_a_key(client, session):
    s = h.awarded(session)
    c = h.signed(session, s)
    headers = api_headers(session, s.company)
    url = f"/api/v1/contracts/{c.id}/payments"
    pdf = {"file": ("回单.pdf", b"%PDF-1.7", "application/pdf")}
    early = client.post(url, data={"amount_yuan": "10", "paid_on": "2000-01-01"}, files=pdf, headers=headers)
    assert early.status_code == 422 and "paid_on" in early.json()["error"]["fields"]
    wrong = client.post(url, data={"amount_yuan": "10", "paid_on": str(c.signed_on)},
                        files={"file": ("a.docx", b"PK\x03\x04", "application/octet-stream")}, headers=headers)
    assert wrong.status_code == 422 and "file" in wrong.json()["error"]["fields"]
    keyed = headers | {"Idempotency-Key": "pay-1", "Content-Type": "multipart/form-data; boundary=retry"}
    body = multipart("retry", {"amount_yuan": "10", "paid_on": str(c.signed_on)}, ("回单.pdf", b"%PDF-1.7"))
    first = client.post(url, content=body, headers=keyed)  # a retry sends the very same bytes
    again = client.post(url, content=body, headers=keyed)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert session.exec(select(func.count()).select_from(Payment)).one() == 1
    detail = client.get(f"/api/v1/contracts/{c.id}", headers=headers).json()
    assert detail["recorded_fen"] == 1000 and [p["signed"] for p in detail["parties"]] == [True] * 4


def test_the_api_walks_an_acceptance_and_refuses_a_missing_indicator(client, session, tmp_path):
    s = h.awarded(session)
    c = h.signed(session, s)
    h.milestones_done(session, s, c, tmp_path)
    team = api_headers(session, s.team)
    url = f"/api/v1/contracts/{c.id}/acceptances"
    missing = client.post(url, json={"measurements": {"结壳热阻": {"measured": "0.07"}}}, headers=team)
    assert missing.status_code == 422 and "功率循环寿命" in missing.json()["error"]["message"]
    full = {"measurements": {"结壳热阻": {"measured": "0.07"}, "功率循环寿命": {"measured": "60000"}}}
    assert client.post(url, json=full, headers=team).status_code == 201
    e, eu = h.expert(session)
    officer = api_headers(session, s.officer)
    assert client.post(f"/api/v1/contracts/{c.id}/panel", json={"expert_id": e.id}, headers=officer).status_code == 201
    yes = {"results": {"结壳热阻": True, "功率循环寿命": True}}
    for who in (eu, s.company):
        voted = client.post(f"/api/v1/contracts/{c.id}/votes", json=yes, headers=api_headers(session, who))
        assert voted.status_code == 201
    done = client.post(f"/api/v1/contracts/{c.id}/conclusion", json={}, headers=officer)
    assert done.status_code == 200 and done.json()["verdict"] == "passed"
    as_(client, session, eu)
    assert f"/contracts/{c.id}" in client.get("/contracts").text  # the panel's expert sees it


def test_awarded_challenges_awaiting_a_contract_are_listed_for_the_company_and_officers(client, session):
    s = h.awarded(session)
    link = f"/challenges/{s.challenge.id}/contract/new"
    for user, shown in ((s.officer, True), (s.company, True), (s.team, False)):
        as_(client, session, user)
        assert (link in client.get("/contracts").text) is shown
    h.contract(session, s)
    as_(client, session, s.officer)
    assert link not in client.get("/contracts").text


def test_milestone_reports_midterm_and_amendments_through_the_pages(client, session):
    from marketplace.contracts.models import Milestone

    s = h.awarded(session)
    c = h.signed(session, s)
    m = session.exec(select(Milestone).where(Milestone.contract_id == c.id, Milestone.seq == 1)).one()
    as_(client, session, s.team)
    bad = post(client, f"/milestones/{m.id}/report", {"summary": "样品已完成"},
               files={"file": ("报告.html", b"<script>", "text/html")})
    assert bad.status_code == 422 and "证明材料仅支持" in bad.text and "样品已完成" in bad.text
    ok = post(client, f"/milestones/{m.id}/report", {"summary": "样品已完成"},
              files={"file": ("报告.pdf", b"%PDF-1.7", "application/pdf")})
    assert "里程碑报告已提交" in ok.text and "报告.pdf" in ok.text
    as_(client, session, s.company)
    no_note = post(client, f"/milestones/{m.id}/decision", {"decision": "return"})
    assert no_note.status_code == 422 and "退回时必须说明理由" in no_note.text
    assert "已退回里程碑报告" in post(client, f"/milestones/{m.id}/decision",
                                   {"decision": "return", "note": "缺检测报告"}).text
    amended = post(client, f"/contracts/{c.id}/amendments", {"amount_yuan": "4100000", "reason": "增加试验"})
    assert "变更已提出" in amended.text and "变更待签署" in amended.text
    as_(client, session, s.officer)
    for who in (s.company, s.team, s.partner, s.officer):
        as_(client, session, who)
        post(client, f"/contracts/{c.id}/sign")
    assert session.get(Contract, c.id).amount_fen == 410_000_000
    missing_date = post(client, f"/contracts/{c.id}/midterm", {"decision": "rectify", "note": "进度滞后"})
    assert missing_date.status_code == 422 and "整改期限" in missing_date.text
    done = post(client, f"/contracts/{c.id}/midterm", {"decision": "terminate", "note": "无法继续"})
    assert "已终止" in done.text
