"""Demo challenges from seeds/demo/challenges.yaml, placed in time relative to the load."""

from __future__ import annotations

from datetime import UTC, timedelta
from pathlib import Path

from sqlmodel import Session, select

from marketplace.accounts.models import Organisation, User
from marketplace.actor import Role
from marketplace.challenges import versions
from marketplace.challenges.models import Challenge
from marketplace.challenges.models import ChallengeStatus as S
from marketplace.clock import to_shanghai, utcnow
from marketplace.demo.seeds import read
from marketplace.money import fen_from_yuan

FIELDS = ("title", "industry", "weak_link", "background", "bottleneck", "indicators", "deliverables",
          "trl_target", "scenario", "period_months", "ip_terms", "award_mode", "requirements",
          "confidential_annex")


def _five_pm(moment):
    """17:00 Beijing time on the same day: deadlines as a bureau would set them."""
    local = to_shanghai(moment).replace(hour=17, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


def load_challenges(*, session: Session, seeds_dir: Path, orgs: dict[str, Organisation],
                    users: dict[str, User], report) -> None:
    """Create each seeded challenge once (by key), in its seeded state; no commit."""
    now = utcnow().replace(second=0, microsecond=0)
    handed_in: list[tuple[Challenge, int]] = []
    for row in read("challenges", seeds_dir):
        if session.exec(select(Challenge.id).where(Challenge.key == row["key"])).first():
            continue
        org = orgs[row["company"]]
        author = next(u for u in users.values() if u.organisation_id == org.id and u.role == Role.COMPANY)
        state = row["state"]
        published = now - timedelta(days=row.get("published_days_ago", 10))
        deadline = _five_pm(now + timedelta(days=row.get("deadline_in_days", 30)))
        contact = row.get("contact") or {}
        challenge = Challenge(
            key=row["key"], organisation_id=org.id, created_by=author.id, status=state,
            **{k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k in FIELDS},
            committed_funds_fen=fen_from_yuan(row["committed_funds_yuan"]),
            offered_fen=fen_from_yuan(row["offered_yuan"]), bid_deadline=deadline,
            contact_name=contact.get("name", ""), contact_phone=str(contact.get("phone", "")),
            contact_email=contact.get("email", ""), officer_comment=(row.get("officer_comment") or "").strip(),
            withdraw_reason=(row.get("withdraw_reason") or "").strip()[:500],
            published_at=published if state in (S.PUBLISHED, S.CLOSED, S.UNFILLED, S.WITHDRAWN) else None,
            closed_at=deadline if state in (S.CLOSED, S.UNFILLED) else None,
            publish_at=now + timedelta(days=row.get("publish_in_days", 3)) if state == S.SCHEDULED else None,
            created_at=published - timedelta(days=5), updated_at=now,
        )
        challenge.indicators = [{k: str(v) for k, v in i.items()} for i in challenge.indicators]
        session.add(challenge)
        if state != S.DRAFT:
            handed_in.append((challenge, author.id))
        report.count("challenges")
    session.flush()
    for challenge, author_id in handed_in:  # the version the bureau reviewed: a resubmission shows its diff
        versions.snapshot(session=session, challenge=challenge, user_id=author_id)
    session.flush()
