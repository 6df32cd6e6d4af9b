"""Demo data of the review stage: the experts' past employers and collaborators (experts.yaml), and
challenges in every review state (reviews.yaml), driven through the real services.

The challenges and their qualified bids are written directly in `closed` (like the other demo loaders);
from there the officer's, experts' and company's commands run exactly as the pages call them, so the
panels, declarations, sheets, decisions, 公示 and objections are what a user would have produced.
Idempotent: a challenge whose key exists is skipped, and so are experts who already have history rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import yaml
from sqlmodel import Session, select

from marketplace.accounts.models import ExpertProfile, Organisation, Role, TeamProfile, User
from marketplace.auth import service as auth
from marketplace.awards import service as awards
from marketplace.bids.models import Bid, BidStatus
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import utcnow
from marketplace.money import fen_from_yuan
from marketplace.reviews import service
from marketplace.reviews.models import ExpertAffiliation, ExpertCollaborator
from marketplace.reviews.scoring import DEFAULT_SCORECARD

OFFICER = "officer@jiebang.demo"


def _day(value: object) -> date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def load_expert_history(*, session: Session, seeds_dir: Path, orgs: dict[str, Organisation],
                        users: dict[str, User], report) -> None:  # noqa: ANN001
    """Past employers and collaborators from experts.yaml (the facts the conflict rule reads)."""
    from marketplace.demo import read

    for row in read("experts", seeds_dir):
        if not (row.get("affiliations") or row.get("collaborators")) or row["user"] not in users:
            continue
        expert = session.exec(select(ExpertProfile).where(ExpertProfile.user_id == users[row["user"]].id)).first()
        if expert is None or session.exec(select(ExpertAffiliation.id).where(
                ExpertAffiliation.expert_id == expert.id)).first() or session.exec(
                select(ExpertCollaborator.id).where(ExpertCollaborator.expert_id == expert.id)).first():
            continue
        for a in row.get("affiliations") or []:
            org = orgs[a["org"]]
            session.add(ExpertAffiliation(expert_id=expert.id, organisation_name=org.name, uscc=org.uscc,
                                          start_on=_day(a.get("from")), end_on=_day(a.get("to"))))
            report.count("expert_affiliations")
        for c in row.get("collaborators") or []:
            session.add(ExpertCollaborator(expert_id=expert.id, person=str(c["name"]),
                                           organisation_name=str(c.get("org", "")), year=int(c["year"])))
            report.count("expert_collaborators")
    session.flush()


def _challenge(session: Session, row: dict, orgs: dict[str, Organisation], users: dict[str, User]) -> Challenge:
    from marketplace.demo.challenges import FIELDS, _five_pm

    now = utcnow().replace(second=0, microsecond=0)
    org = orgs[row["company"]]
    author = next(u for u in users.values() if u.organisation_id == org.id and u.role == Role.COMPANY)
    published = now - timedelta(days=row.get("published_days_ago", 60))
    deadline = _five_pm(now + timedelta(days=row.get("deadline_in_days", -20)))
    contact = row.get("contact") or {}
    challenge = Challenge(
        key=row["key"], organisation_id=org.id, created_by=author.id, status=S.CLOSED,
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k in FIELDS},
        committed_funds_fen=fen_from_yuan(row["committed_funds_yuan"]),
        offered_fen=fen_from_yuan(row["offered_yuan"]),
        bid_deadline=deadline, contact_name=contact.get("name", ""), contact_phone=str(contact.get("phone", "")),
        contact_email=contact.get("email", ""), published_at=published, closed_at=deadline,
        created_at=published - timedelta(days=5), updated_at=now)
    challenge.indicators = [{k: str(v) for k, v in i.items()} for i in challenge.indicators]
    session.add(challenge)
    session.flush()
    return challenge


def _bids(session: Session, challenge: Challenge, rows: list[dict], orgs: dict[str, Organisation],
          officer: User) -> dict[str, Bid]:
    from marketplace.bids.service import receipt_hash
    from marketplace.demo.bids import _content

    found: dict[str, Bid] = {}
    for n, row in enumerate(rows):
        team = session.exec(select(TeamProfile).where(TeamProfile.key == row["team"])).one()
        at = challenge.published_at + timedelta(days=3, hours=5 * n, minutes=13 * n)
        bid = Bid(challenge_id=challenge.id, team_id=team.id, organisation_id=team.organisation_id,
                  created_by=team.owner_id, status=BidStatus.QUALIFIED, **_content(row, orgs),
                  created_at=at - timedelta(hours=8), submitted_at=at, updated_at=at, reviewed_by=officer.id,
                  reviewed_at=challenge.closed_at + timedelta(days=2))  # submitted, then passed formal review
        bid.receipt_hash = receipt_hash(SimpleNamespace(**bid.model_dump()))
        session.add(bid)
        session.flush()
        found[row["team"]] = bid
    return found


def _sheet(points: list[int], comment: str) -> tuple[dict[str, int], dict[str, str]]:
    names = [c.name for c in DEFAULT_SCORECARD.criteria]
    return (dict(zip(names, points, strict=True)),
            {n: comment for n, p in zip(names, points, strict=True) if p < 6})


def load_reviews(*, session: Session, seeds_dir: Path, orgs: dict[str, Organisation], users: dict[str, User],
                 report) -> None:  # noqa: ANN001
    """Challenges in each review state from reviews.yaml, through the review and award services."""
    load_expert_history(session=session, seeds_dir=seeds_dir, orgs=orgs, users=users, report=report)
    path = seeds_dir / "demo" / "reviews.yaml"
    if not path.exists() or OFFICER not in users:
        return
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    officer_user = users[OFFICER]
    fresh: list[str] = []
    for row in data.get("challenges", []):
        if session.exec(select(Challenge.id).where(Challenge.key == row["key"])).first():
            continue
        challenge = _challenge(session, row, orgs, users)
        _bids(session, challenge, [b for b in data.get("bids", []) if b["challenge"] == row["key"]], orgs,
              officer_user)
        fresh.append(row["key"])
        report.count("challenges")
    session.flush()

    def actor(email: str):  # noqa: ANN202
        return auth.actor_for(session=session, user=users[email])

    experts = {u.email: e.id for e, u in session.exec(select(ExpertProfile, User).join(
        User, User.id == ExpertProfile.user_id)).all()}
    for plan in data.get("reviews", []):
        if plan["challenge"] not in fresh:
            continue
        challenge = session.exec(select(Challenge).where(Challenge.key == plan["challenge"])).one()
        _run(session, plan, challenge, _bids_by_team(session, challenge), actor(OFFICER), actor, experts, users, report)


def _bids_by_team(session: Session, challenge: Challenge) -> dict[str, Bid]:
    rows = session.exec(select(Bid, TeamProfile).join(TeamProfile, TeamProfile.id == Bid.team_id)
                        .where(Bid.challenge_id == challenge.id)).all()
    return {t.key: b for b, t in rows}


def _run(session: Session, plan: dict, challenge: Challenge, bids: dict[str, Bid], officer,  # noqa: ANN001
         actor, experts: dict[str, int], users: dict[str, User], report) -> None:  # noqa: ANN001
    now = utcnow()
    due = now + timedelta(days=plan.get("due_in_days", 10))
    service.start_review(session=session, actor=officer, challenge_id=challenge.id,
                         spec=service.PanelSpec(reviewers_per_bid=plan.get("reviewers_per_bid", 2),
                                                max_load=plan.get("max_load", 5), blind=plan.get("blind", False),
                                                due_at=due.replace(hour=9, minute=0, second=0, microsecond=0)))
    for team, panel in plan["panel"].items():
        for seat in panel:
            service.assign(session=session, actor=officer, challenge_id=challenge.id, bid_id=bids[team].id,
                           expert_id=experts[seat["expert"]])
    for team, panel in plan["panel"].items():
        for seat in panel:
            if seat.get("pending"):
                continue
            expert = actor(seat["expert"])
            conflicted = seat.get("declare") == "conflict"
            service.declare(session=session, actor=expert, bid_id=bids[team].id, has_conflict=conflicted,
                            statement=seat.get("statement", ""))
            if conflicted:
                continue
            scores, comments = _sheet(seat["scores"], seat["comment"])
            service.submit_score(session=session, actor=expert, bid_id=bids[team].id, scores=scores,
                                 comments=comments, overall_comment=seat["comment"])
            report.count("review_sheets")
    company = next(u for u in users.values()
                   if u.organisation_id == challenge.organisation_id and u.role == Role.COMPANY)
    if opinion := plan.get("opinion"):
        awards.give_opinion(session=session, actor=actor(company.email), challenge_id=challenge.id,
                            preferred_bid_ids=[bids[t].id for t in opinion.get("preferred", [])],
                            opinion=opinion["text"])
    if reason := plan.get("no_award_reason"):
        awards.declare_no_award(session=session, actor=officer, challenge_id=challenge.id, reason=reason)
        return
    if decision := plan.get("decision"):
        awards.decide(session=session, actor=officer, challenge_id=challenge.id,
                      winning_bid_ids=[bids[t].id for t in decision["winners"]], reason=decision.get("reason", ""))
    if "published_days_ago" not in plan:
        return
    published = now - timedelta(days=plan["published_days_ago"])
    awards.publish(session=session, actor=officer, challenge_ids=[challenge.id],
                   period_days=plan.get("period_days", 5), now=published,
                   title=f"揭榜挂帅项目评审结果公示（{challenge.title}）")
    for o in plan.get("objections", []):
        row = awards.lodge_objection(session=session, actor=actor(o["by"]), challenge_id=challenge.id,
                                     reasons=o["reasons"], now=min(published + timedelta(hours=20), now))
        if o.get("answer"):
            outcome = o.get("outcome", "dismissed")
            awards.answer_objection(session=session, actor=officer, objection_id=row.id,
                                    upheld=outcome != "dismissed", answer=o["answer"],
                                    reopens="" if outcome == "dismissed" else outcome)
    if plan["target"] == S.AWARDED:
        awards.finalise_due(session=session, now=now)
