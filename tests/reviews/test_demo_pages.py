"""After loading the demo, every review page shows real content to the demo account that uses it."""

import pytest
from sqlmodel import select

from marketplace import demo
from marketplace.accounts.models import User
from marketplace.challenges.models import Challenge
from tests import factories as f


@pytest.fixture
def loaded(session):
    demo.load(session=session)
    return {c.key: c for c in session.exec(select(Challenge)).all()}


def as_user(client, session, email):
    return f.login(client, session, session.exec(select(User).where(User.email == email)).one())


def test_the_demo_fills_every_review_page(client, session, loaded):
    states = {k: loaded[k].status for k in ("vocs-rco", "sic-traction", "lentivirus-scale", "battery-warning",
                                             "microled-color", "chain-privacy")}
    assert states == {"vocs-rco": "in_review", "sic-traction": "in_review", "lentivirus-scale": "decided",
                      "battery-warning": "announced", "microled-color": "awarded", "chain-privacy": "no_award"}
    ids = {k: c.id for k, c in loaded.items()}

    as_user(client, session, "officer@jiebang.demo")
    for status in ("in_review", "decided", "announced", "awarded", "no_award"):
        page = client.get(f"/officer/reviews?status={status}")
        assert page.status_code == 200 and 'id="review-list"' in page.text, status
    for key in states:
        for page in ("panel", "decision"):
            r = client.get(f"/officer/challenges/{ids[key]}/{page}")
            assert r.status_code == 200 and loaded[key].title in r.text, (key, page, r.status_code)
    assert "已宣布无中选方案" in client.get(f"/officer/challenges/{ids['chain-privacy']}/decision").text
    panel = client.get(f"/officer/challenges/{ids['sic-traction']}/panel")
    assert panel.status_code == 200
    assert "申报冲突" in panel.text and "豁免" in panel.text          # 黎国强's declared conflict awaits a waiver
    assert "专家现任职于揭榜牵头单位" in panel.text                     # automatic conflicts from the data
    assert "揭榜负责人是专家申报的合作者（2023 年）" in panel.text       # a collaborator from experts.yaml
    lenti = client.get(f"/officer/challenges/{ids['lentivirus-scale']}/panel")
    assert "专家曾任职于揭榜牵头单位（2024-08-31 离职" in lenti.text      # a past employer from experts.yaml
    decision = client.get(f"/officer/challenges/{ids['vocs-rco']}/decision")
    assert 'id="decide"' in decision.text and "华南理工团队已有同类工程案例" in decision.text
    assert "82.25" in decision.text  # scut-env: (82.50 + 82.00) / 2
    assert loaded["lentivirus-scale"].title in client.get("/officer/announcements/new").text
    objections = client.get("/objections").text
    assert "请说明未按排名确定的依据" in objections and 'name="outcome"' in objections
    pool = client.get("/officer/experts?q=功率半導體")  # Traditional script finds 功率半导体
    assert pool.status_code == 200 and "冯振国" in pool.text and "汤志坚" not in pool.text

    public = client.get("/announcements").text
    assert loaded["battery-warning"].title in public and loaded["microled-color"].title in public
    assert "公示期满，已确定" in public

    as_user(client, session, "expert@jiebang.demo")
    mine = client.get("/review").text
    assert loaded["sic-traction"].title in mine and "待申报" in mine

    as_user(client, session, "lingnan-rail@jiebang.demo")
    assert client.get(f"/challenges/{ids['sic-traction']}/shortlist").status_code == 200
    as_user(client, session, "lvyuan-env@jiebang.demo")
    short = client.get(f"/challenges/{ids['vocs-rco']}/shortlist").text
    assert "第 1 名" in short and "已提交的意见" in short

    as_user(client, session, "scut-oled@jiebang.demo")
    fb = client.get(f"/challenges/{ids['microled-color']}/feedback").text
    assert "本单位方案未中选" in fb and "第 2 名" in fb and "像素尺寸" in fb
    as_user(client, session, "scut-battery@jiebang.demo")
    result = client.get(f"/announcements/{ids['battery-warning']}").text
    assert "提出异议" in result and "待答复" in result
