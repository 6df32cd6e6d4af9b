"""A review scenario built from rows: a closed challenge, qualified bids, an expert pool with conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from marketplace.accounts.models import ExpertProfile, User
from marketplace.actor import Actor, Role
from marketplace.auth import service as auth
from marketplace.reviews import service
from tests import factories as f

FIELDS = ["功率半导体", "碳化硅器件", "车规级封装"]


@dataclass
class Scene:
    officer: User
    company: User
    challenge: object
    bids: list  # qualified
    disqualified: object
    teams: list[User]          # the bidders' team accounts, one per qualified bid
    experts: list[ExpertProfile]
    expert_users: list[User]
    conflicted: ExpertProfile  # works at the first bidder's organisation (automatic conflict)
    outsider: User             # a team account of an organisation that did not bid
    extra: dict = field(default_factory=dict)

    def actor(self, session: Session, user: User) -> Actor:
        return f.actor(session, user)


def expert(session: Session, *, org=None, name: str | None = None) -> tuple[ExpertProfile, User]:
    kw = {"display_name": name} if name else {}
    u = f.user(session, role=Role.EXPERT, org=org, **kw)
    e = ExpertProfile(user_id=u.id, title="教授", fields=FIELDS, bio="碳化硅 功率器件 车规级 封装 可靠性 研究")
    session.add(e)
    session.flush()
    return e, u


def build(session: Session, *, bids: int = 2, experts: int = 4, status: str = "closed",
          award_mode: str = "single") -> Scene:
    officer = f.user(session, role=Role.OFFICER)
    company = f.user(session, role=Role.COMPANY)
    challenge = f.challenge(session, company=company, status=status, deadline_days=-1, award_mode=award_mode,
                            title="车规级碳化硅功率模块封装", bottleneck="碳化硅 功率模块 车规级 封装 可靠性 不足")
    qualified, teams = [], []
    for _ in range(bids):
        t = f.team(session)
        qualified.append(f.bid(session, challenge=challenge, team_profile=t, status="qualified",
                               technical_route="采用银烧结 碳化硅 功率模块 封装 工艺"))
        teams.append(session.get(User, t.owner_id))
    disq = f.bid(session, challenge=challenge, status="disqualified")
    pool = [expert(session) for _ in range(experts)]
    from marketplace.accounts.models import Organisation

    conflicted, _ = expert(session, org=session.get(Organisation, qualified[0].organisation_id))
    outsider = f.user(session, role=Role.TEAM)
    session.commit()
    return Scene(officer, company, challenge, qualified, disq, teams, [e for e, _ in pool], [u for _, u in pool],
                 conflicted, outsider)


def start(session: Session, scene: Scene, *, reviewers: int = 2, load: int = 5) -> None:
    service.start_review(session=session, actor=f.actor(session, scene.officer), challenge_id=scene.challenge.id,
                         spec=service.PanelSpec(reviewers_per_bid=reviewers, max_load=load))


def assign_and_score(session: Session, scene: Scene, *, totals: dict | None = None) -> None:
    """Auto-assign, every assigned expert declares no conflict and scores (8s, or per-bid points)."""
    from sqlmodel import select

    from marketplace.reviews.models import ReviewAssignment

    officer = f.actor(session, scene.officer)
    service.auto_assign(session=session, actor=officer, challenge_id=scene.challenge.id)
    users = {e.id: session.get(User, e.user_id) for e in [*scene.experts, scene.conflicted]}
    for a in session.exec(select(ReviewAssignment)).all():
        if a.bid_id not in {b.id for b in scene.bids}:
            continue
        actor = f.actor(session, users[a.expert_id])
        service.declare(session=session, actor=actor, bid_id=a.bid_id, has_conflict=False)
        points = (totals or {}).get(a.bid_id, 8)
        service.submit_score(session=session, actor=actor, bid_id=a.bid_id, scores=score_sheet(points),
                             comments=comment_sheet("意见"))


def score_sheet(points: int) -> dict[str, int]:
    from marketplace.reviews.scoring import DEFAULT_SCORECARD

    return {c.name: points for c in DEFAULT_SCORECARD.criteria}


def comment_sheet(text: str) -> dict[str, str]:
    from marketplace.reviews.scoring import DEFAULT_SCORECARD

    return {c.name: text for c in DEFAULT_SCORECARD.criteria}


def api_headers(session: Session, user: User) -> dict:
    token = auth._open_session(session=session, user=user, kind="api")  # noqa: SLF001
    session.commit()
    return {"Authorization": f"Bearer {token}"}
