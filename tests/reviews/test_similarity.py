"""查重: a planted near-copy of an earlier bid is flagged with its passages highlighted side by side; an
unrelated bid is not; user text is escaped; only officers see it, and only bids past their deadline."""

from datetime import timedelta

from marketplace.actor import Role
from marketplace.clock import utcnow
from marketplace.reviews import similarity
from tests import factories as f
from tests.reviews import scenario

ORIGINAL = ("以团队已建立的封闭式半自动CAR-T工艺为基础，与国产设备企业合作，将磁珠分选、激活、慢病毒转导、气袋式扩增、"
            "洗涤浓缩与制剂集成为一体化封闭系统，采用一次性无菌管路套件。"
            "工艺上优化T细胞激活时机与转导感染复数，引入IL-7/IL-15细胞因子组合提高记忆型T细胞比例；"
            "通过在线细胞计数与代谢物监测实现自动补液和收获判断，缩短制备周期至7天。")
# The copy changes a few words, adds a sentence and is written in Traditional characters in part.
COPY = ("以團隊已建立的封閉式半自動CAR-T工藝為基礎，與國產設備企業合作，將磁珠分選、激活、慢病毒轉導、氣袋式擴增、"
        "洗滌濃縮與製劑集成為一體化封閉系統，采用一次性无菌管路套件。"
        "工艺上优化T细胞激活时机与转导感染复数，引入IL-7/IL-15细胞因子组合提高记忆型T细胞比例；"
        "此外我们还将开展<script>alert(1)</script>患者样本验证。")
UNRELATED = ("采用氮化硅AMB基板与纳米银压力烧结工艺，开发铜夹片互连和双面冷却塑封结构；"
             "基于电热力多物理场仿真优化芯片布局，杂散电感控制在7 nH以内，按AQG 324开展功率循环试验。")


def _world(session, copy_text=COPY):
    """An earlier bid on a closed challenge, then a challenge past its deadline with a copy and an
    unrelated bid."""
    earlier_challenge = f.challenge(session, status="awarded", deadline_days=-60, title="早先的CAR-T榜单")
    original = f.bid(session, challenge=earlier_challenge, status="qualified", technical_route=ORIGINAL)
    original.submitted_at = utcnow() - timedelta(days=70)
    scene = scenario.build(session, bids=1, experts=1)
    copy = f.bid(session, challenge=scene.challenge, status="submitted", technical_route=copy_text)
    other = f.bid(session, challenge=scene.challenge, status="submitted", technical_route=UNRELATED)
    session.commit()
    return scene, original, copy, other


def test_compare_finds_the_copied_passages_and_marks_the_shared_characters():
    overlap = similarity.compare(COPY, ORIGINAL)
    assert overlap.score >= similarity.THRESHOLD and overlap.copied_chars >= similarity.MIN_COPIED_CHARS
    assert len(overlap.pairs) == 2                                  # the two copied sentences, not the new one
    marked = "".join(t for t, hit in overlap.pairs[0].left if hit)
    assert "封閉式半自動" in marked                                  # Traditional text matched after folding
    assert similarity.compare(UNRELATED, ORIGINAL).score < similarity.THRESHOLD


def test_the_officer_sees_the_near_copy_flagged_side_by_side_and_the_unrelated_bid_not(client, session):
    scene, original, copy, other = _world(session)
    f.login(client, session, scene.officer)
    formal = client.get(f"/officer/challenges/{scene.challenge.id}/review").text
    assert f"/officer/challenges/{scene.challenge.id}/similarity" in formal  # reached from the formal review
    page = client.get(f"/officer/challenges/{scene.challenge.id}/similarity")
    assert page.status_code == 200
    assert f'id="flag-{copy.id}-{original.id}"' in page.text
    assert f'id="flag-{other.id}-' not in page.text
    assert "<mark>" in page.text and "不自动改变" in page.text
    api = client.get(f"/api/v1/challenges/{scene.challenge.id}/similarity",
                     headers=scenario.api_headers(session, scene.officer)).json()
    assert [(fl["bid_id"], fl["other_bid_id"]) for fl in api] == [(copy.id, original.id)]
    assert any(s["overlapping"] for p in api[0]["passages"] for s in p["bid_passage"])


def test_user_text_in_a_highlight_is_escaped(client, session):
    planted = COPY.replace("磁珠分選、激活", "磁珠分選<script>alert(1)</script>、激活")
    scene, *_ = _world(session, copy_text=planted)
    f.login(client, session, scene.officer)
    page = client.get(f"/officer/challenges/{scene.challenge.id}/similarity").text
    assert "<mark>" in page and "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_company_team_and_expert_are_refused_and_sealed_bids_are_never_compared(client, session):
    scene, original, copy, _ = _world(session)
    url = f"/officer/challenges/{scene.challenge.id}/similarity"
    api = f"/api/v1/challenges/{scene.challenge.id}/similarity"
    for user in (scene.company, scene.expert_users[0], scene.outsider, f.user(session, role=Role.TEAM)):
        f.login(client, session, user)
        assert client.get(url).status_code in (403, 404)
        assert client.get(api, headers=scenario.api_headers(session, user)).status_code in (403, 404)
    # A challenge still open: its bids are sealed, so there is nothing to show, even to an officer …
    live = f.challenge(session, status="published", deadline_days=5)
    sealed = f.bid(session, challenge=live, status="submitted", technical_route=ORIGINAL)
    sealed.submitted_at = utcnow() - timedelta(days=100)  # earlier than the copy: only the seal keeps it out
    session.commit()
    officer = scenario.api_headers(session, scene.officer)
    assert client.get(f"/api/v1/challenges/{live.id}/similarity", headers=officer).status_code == 404
    # … and a sealed bid is never the "earlier" text another bid is compared with.
    flags = client.get(api, headers=officer).json()
    assert sealed.id not in {fl["other_bid_id"] for fl in flags}


def test_a_shared_one_line_formula_is_not_a_copy(client, session):
    line = "分阶段攻关：工艺验证→样机→可靠性考核。"
    scene, original, copy, _ = _world(session, copy_text=line)
    original.technical_route = line
    session.add(original)
    session.commit()
    assert similarity.compare(line, line).score == 1.0
    flags = similarity.check(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id)
    assert copy.id not in {fl.bid_id for fl in flags}
