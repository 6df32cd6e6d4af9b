"""The benchmark data set: the demo data plus 10,000 published challenges, 50,000 bids and 5,000
teams, written with bulk inserts (about a minute on SQLite), then the search index is built once."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from marketplace import db
from marketplace.accounts.models import Organisation, OrgStatus, TeamProfile, User
from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.actor import Role
from marketplace.bids.models import Bid
from marketplace.challenges.models import Challenge
from marketplace.clock import utcnow
from marketplace.industries import INDUSTRIES, WEAK_LINKS
from marketplace.search import index as search_index

TOPICS = ["碳化硅功率模块", "固态电池电解质", "钙钛矿光伏组件", "工业机器人减速器", "车规级芯片", "氢燃料电池电堆",
          "工业软件求解器", "高端轴承钢", "激光雷达", "基因测序仪", "柔性显示面板", "量子通信终端", "太赫兹成像",
          "轨道交通制动系统", "生物医药冻干工艺", "纳米涂层", "天然气水合物开采", "区块链存证", "数字孪生工厂",
          "5G 小基站", "OLED 蒸镀", "SiC 外延片", "锂电隔膜", "稀土永磁电机", "航空发动机叶片", "医用影像探测器"]
PROBLEMS = ["热管理", "可靠性", "良率提升", "寿命衰减", "成本控制", "国产化替代", "精度标定", "快速检测", "工艺一致性",
            "封装散热", "能量密度", "噪声抑制", "低温性能", "材料疲劳", "算法加速"]
FILLER = ("企业在量产过程中发现{t}的{p}问题长期依赖进口方案，现有工艺窗口窄、测试周期长，"
          "亟需与高校和科研院所联合攻关，建立从材料、器件到系统验证的完整技术链条，并形成可复制的工程化能力。")


def build(engine: Engine, *, challenges: int = 10_000, bids_per_challenge: int = 5, teams: int = 5_000,
          seed: int = 8) -> dict[str, int]:
    """Add the data set to a database that already holds the demo data."""
    rng = random.Random(seed)
    now = utcnow()
    with db.new_session(engine) as s:
        company_user = s.exec(select(User).where(User.email == "company@jiebang.demo")).scalars().one()
        base_org = db_max(s, Organisation.id)
        universities = [{"kind": "university", "name": f"压测大学{i:03d}", "uscc": f"BENCHU{i:012d}",
                         "district": rng.choice(GUANGZHOU_DISTRICTS), "status": OrgStatus.VERIFIED,
                         "qualifications": [], "industries": [], "description": "", "review_comment": "",
                         "created_at": now} for i in range(250)]
        companies = [{"kind": "enterprise", "name": f"压测企业{i:03d}有限公司", "uscc": f"BENCHC{i:012d}",
                      "district": rng.choice(GUANGZHOU_DISTRICTS), "status": OrgStatus.VERIFIED,
                      "qualifications": [], "industries": [], "description": "", "review_comment": "",
                      "created_at": now} for i in range(250)]
        s.execute(insert(Organisation), universities + companies)
        uni_ids = list(range(base_org + 1, base_org + 251))
        company_ids = [company_user.organisation_id] * 20 + list(range(base_org + 251, base_org + 501))
        base_user = db_max(s, User.id)
        s.execute(insert(User), [{"email": f"bench-team-{i}@jiebang.bench", "display_name": f"压测团队负责人{i}",
                                  "password_hash": company_user.password_hash, "role": Role.TEAM,
                                  "organisation_id": uni_ids[i % len(uni_ids)], "is_active": True,
                                  "created_at": now, "password_changed_at": now} for i in range(teams)])
        base_team = db_max(s, TeamProfile.id)
        s.execute(insert(TeamProfile), [{
            "organisation_id": uni_ids[i % len(uni_ids)], "owner_id": base_user + 1 + i,
            "name": f"{rng.choice(TOPICS)}{rng.choice(PROBLEMS)}团队{i}", "leader": f"负责人{i}",
            "members": [], "fields": [rng.choice(TOPICS), rng.choice(PROBLEMS)], "industries": [rng.choice(INDUSTRIES)],
            "profile": FILLER.format(t=rng.choice(TOPICS), p=rng.choice(PROBLEMS)), "achievements": "",
            "patents": [], "updated_at": now} for i in range(teams)])
        team_rows = [(base_team + 1 + i, uni_ids[i % len(uni_ids)], base_user + 1 + i) for i in range(teams)]
        base_challenge = db_max(s, Challenge.id)
        rows = []
        for i in range(challenges):
            topic, problem = rng.choice(TOPICS), rng.choice(PROBLEMS)
            published = now - timedelta(days=rng.uniform(1, 300), seconds=i)
            rows.append({
                "organisation_id": rng.choice(company_ids), "created_by": company_user.id,
                "title": f"{topic}{problem}关键技术攻关（第{i}号）", "industry": rng.choice(INDUSTRIES),
                "weak_link": rng.choice([None, *WEAK_LINKS]), "background": FILLER.format(t=topic, p=problem) * 3,
                "bottleneck": f"{topic}在{problem}方面与国际先进水平存在差距。" * 3,
                "deliverables": "样机、测试报告与工艺规范",
                "indicators": [{"name": f"{problem}指标", "target": "≥95%", "unit": "", "test_method": "第三方检测"}],
                "trl_target": 6, "scenario": f"应用于{topic}量产线", "period_months": 24,
                "committed_funds_fen": rng.randrange(100, 5000) * 1_000_000,
                "offered_fen": rng.randrange(50, 3000) * 1_000_000,
                "ip_terms": "exclusive", "award_mode": "single", "requirements": "具备相关研究基础",
                "bid_deadline": now + timedelta(days=rng.uniform(2, 120)), "contact_name": "", "contact_phone": "",
                "contact_email": "", "confidential_annex": "", "status": "published", "version": 2,
                "officer_comment": "", "published_at": published, "withdraw_reason": "",
                "created_at": published, "updated_at": published})
        for start in range(0, len(rows), 2000):
            s.execute(insert(Challenge), rows[start:start + 2000])
        bid_rows = []
        for c in range(challenges):
            for team_id, org_id, owner in rng.sample(team_rows, bids_per_challenge):
                digest = hashlib.sha256(f"{c}-{team_id}".encode()).hexdigest()
                bid_rows.append({
                    "challenge_id": base_challenge + 1 + c, "team_id": team_id, "organisation_id": org_id,
                    "created_by": owner, "status": "submitted", "live_slot": 1, "technical_route": "技术路线" * 20,
                    "milestones": [], "price_fen": rng.randrange(50, 3000) * 1_000_000, "budget_company_fen": 0,
                    "budget_own_fen": 0, "budget_subsidy_fen": 0, "members": [], "prior_results": "", "partners": [],
                    "declare_no_double_funding": True, "declare_ownership": True, "declare_conflicts": "",
                    "submitted_at": now, "receipt_hash": digest, "review_reason": "", "created_at": now,
                    "updated_at": now})
        for start in range(0, len(bid_rows), 5000):
            s.execute(insert(Bid), bid_rows[start:start + 5000])
        s.commit()
        documents = search_index.rebuild(s)
    db.analyze(engine)  # planner statistics, as after any bulk import (SQLite and PostgreSQL)
    return {"challenges": challenges, "bids": len(bid_rows), "teams": teams, "documents": documents}


def db_max(session, column) -> int:
    return session.execute(select(func.coalesce(func.max(column), 0))).scalar_one()
