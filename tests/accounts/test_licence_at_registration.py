"""Issue 13 (helper ux3): the business licence is chosen on the registration form itself and stored with the
account in one transaction (checked like later uploads); the officer's verification queue shows it; a bad
file or a refused registration leaves neither account nor file."""

from sqlmodel import select

from marketplace.accounts.models import Organisation, User
from marketplace.actor import Role
from tests import factories as f

PDF = b"%PDF-1.4\n% licence scan at registration\n"


def _body(client, n: int, **kw) -> dict:
    data = {"csrf_token": f.csrf(client), "org_kind": "enterprise", "org_name": f"广州执照测试{n}有限公司",
            "uscc": f.valid_uscc(771000 + n), "district": "天河区", "display_name": "林经理",
            "email": f"lin{n}@licence-test.example", "password": "licence-test-2026", "accept_terms": "on",
            "legal_representative": "林国强"}
    data.update(kw)
    return data


def _stored(client):
    folder = client.app.state.settings.uploads_dir
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def test_the_registration_form_takes_the_licence_and_the_officer_sees_it(client, anon, session):
    page = client.get("/register").text
    assert 'name="licence"' in page and 'enctype="multipart/form-data"' in page
    r = client.post("/register", data=_body(client, 1), files={"licence": ("营业执照.pdf", PDF, "application/pdf")},
                    follow_redirects=True)
    assert r.status_code == 200 and "营业执照已随注册提交" in r.text
    org = session.exec(select(Organisation).where(Organisation.name == "广州执照测试1有限公司")).one()
    assert org.licence_filename == "营业执照.pdf" and org.licence_size == len(PDF)
    officer = f.user(session, role=Role.OFFICER)
    f.login(anon, session, officer)
    queue = anon.get("/officer/organisations").text
    card = queue[queue.index(f'id="org-{org.id}"'):]
    assert "林国强" in card and "营业执照.pdf" in card and f"/organisations/{org.id}/licence" in card
    assert anon.get(f"/organisations/{org.id}/licence").content == PDF


def test_a_bad_licence_refuses_the_registration_and_stores_nothing(client, session):
    before = _stored(client)
    r = client.post("/register", data=_body(client, 2),
                    files={"licence": ("营业执照.pdf", b"MZ exe", "application/pdf")})
    assert r.status_code == 422 and "营业执照 / 法人证书：文件内容与扩展名不符" in r.text
    assert 'value="广州执照测试2有限公司"' in r.text  # the form keeps what was typed
    assert session.exec(select(User).where(User.email == "lin2@licence-test.example")).first() is None
    assert _stored(client) == before


def test_a_refused_registration_leaves_no_file_behind(client, session):
    f.user(session, role=Role.COMPANY, email="taken@licence-test.example")
    before = _stored(client)
    r = client.post("/register", data=_body(client, 3, email="taken@licence-test.example"),
                    files={"licence": ("营业执照.png", b"\x89PNG\r\n\x1a\nimage", "image/png")})
    assert r.status_code == 409 and "该邮箱已注册" in r.text
    assert session.exec(select(Organisation).where(Organisation.name == "广州执照测试3有限公司")).first() is None
    assert _stored(client) == before


def test_without_a_file_the_registration_works_as_before(client, session):
    r = client.post("/register", data=_body(client, 4), follow_redirects=True)
    assert r.status_code == 200 and "上传营业执照或法人证书" in r.text
    org = session.exec(select(Organisation).where(Organisation.name == "广州执照测试4有限公司")).one()
    assert org.licence_storage_key == ""
