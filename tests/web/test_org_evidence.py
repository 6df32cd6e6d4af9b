"""The officer sees the evidence of an organisation before verifying it: legal representative and licence file."""

from marketplace.accounts.models import Organisation
from marketplace.actor import Role
from tests import factories as f

PDF = b"%PDF-1.4\n% licence scan\n"


def test_the_organisation_uploads_its_licence_and_the_officer_sees_and_downloads_it(client, anon, session):
    company = f.user(session, role=Role.COMPANY, verified=False)
    org = session.get(Organisation, company.organisation_id)
    f.login(client, session, company)
    assert "未上传" in client.get("/organisation/evidence").text
    r = client.post("/organisation/evidence", data={"csrf_token": f.csrf(client), "legal_representative": "张伟"},
                    files={"file": ("营业执照.pdf", PDF, "application/pdf")}, follow_redirects=True)
    assert r.status_code == 200 and "认证材料已提交" in r.text, r.text[-3000:]
    session.refresh(org)
    assert org.legal_representative == "张伟" and org.licence_filename == "营业执照.pdf"

    officer = f.user(session, role=Role.OFFICER)
    f.login(anon, session, officer)
    queue = anon.get("/officer/organisations").text
    card = queue[queue.index(f'id="org-{org.id}"'):]
    assert "法定代表人" in card and "张伟" in card and f"/organisations/{org.id}/licence" in card
    download = anon.get(f"/organisations/{org.id}/licence")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]
    stranger = f.user(session, role=Role.COMPANY)
    f.login(anon, session, stranger)
    assert anon.get(f"/organisations/{org.id}/licence").status_code == 404


def test_bad_files_and_a_missing_name_are_refused_and_nothing_is_stored(client, session):
    company = f.user(session, role=Role.COMPANY, verified=False)
    org = session.get(Organisation, company.organisation_id)
    f.login(client, session, company)
    r = client.post("/organisation/evidence", data={"csrf_token": f.csrf(client), "legal_representative": "张伟"},
                    files={"file": ("营业执照.pdf", b"MZ not a pdf", "application/pdf")})
    assert r.status_code == 422 and "文件内容与扩展名不符" in r.text
    r = client.post("/organisation/evidence", data={"csrf_token": f.csrf(client), "legal_representative": "  "},
                    files={"file": ("营业执照.png", b"\x89PNG\r\n\x1a\nxx", "image/png")})
    assert r.status_code == 422 and "法定代表人" in r.text
    session.refresh(org)
    assert org.licence_storage_key == "" and org.legal_representative == ""


def test_a_verified_organisation_cannot_swap_its_evidence(client, session):
    company = f.user(session, role=Role.COMPANY)  # verified
    f.login(client, session, company)
    r = client.post("/organisation/evidence", data={"csrf_token": f.csrf(client), "legal_representative": "李四"},
                    files={"file": ("营业执照.pdf", PDF, "application/pdf")})
    assert r.status_code == 409


def test_the_legal_representative_is_given_at_registration(client, session):
    from sqlmodel import select

    body = {"org_kind": "enterprise", "org_name": "广州法人测试有限公司", "uscc": f.valid_uscc(991234),
            "district": "天河区", "display_name": "周经理", "email": "zhou@rep-test.example",
            "password": "rep-test-2026", "accept_terms": True, "legal_representative": "周建国"}
    assert client.post("/api/v1/register", json=body).status_code == 201
    org = session.exec(select(Organisation).where(Organisation.name == "广州法人测试有限公司")).one()
    assert org.legal_representative == "周建国"
