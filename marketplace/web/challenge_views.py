"""Context builders for the challenge pages (reading only; the routes stay short)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from marketplace.accounts.validators import GUANGZHOU_DISTRICTS
from marketplace.actor import Actor
from marketplace.audit import queries as audit_queries
from marketplace.bids import permissions as bid_permissions
from marketplace.bids import queries as bid_queries
from marketplace.challenges import invitations, permissions, queries, service, states, versions
from marketplace.challenges.models import (
    AWARD_MODE_LABELS,
    IP_LABELS,
    STATUS_LABELS,
    Challenge,
)
from marketplace.clock import to_shanghai, utcnow
from marketplace.credit import service as credit
from marketplace.industries import INDUSTRIES, WEAK_LINKS
from marketplace.money import format_yuan, yuan_decimal
from marketplace.search import recommend

INDICATOR_ROWS = 5
NEW_DEFAULTS = {"trl_target": 6, "period_months": 24, "ip_terms": "exclusive", "award_mode": "single"}
PUBLIC_STATUS_OPTIONS = [(s.value, STATUS_LABELS[s]) for s in queries.FILTER_STATUSES]


def list_context(session, flt: queries.ChallengeFilter, *, sort_chosen: bool = True) -> dict:  # noqa: ANN001
    page = queries.search_public(session=session, flt=flt, now=utcnow())
    params = {k: v for k, v in vars(flt).items()
              if k not in ("ids", "page", "page_size", "any_state") and v not in ("", None)}
    if not sort_chosen:
        params.pop("sort", None)
    return {
        "sort_chosen": sort_chosen, "page_notice": page.notice, "example_query": "碳化硅 功率器件",
        "challenges": page.items, "total": page.total, "flt": flt, "counts": page.counts, "pages": page.pages,
        "query_base": urlencode(params), "sort_labels": queries.SORT_LABELS,
        "industries": INDUSTRIES, "weak_links": WEAK_LINKS, "districts": GUANGZHOU_DISTRICTS,
        "status_options": PUBLIC_STATUS_OPTIONS, "status_labels": STATUS_LABELS, "now": utcnow(),
        "org_names": page.org_names,
    }


def officer_list_context(session, actor: Actor, params) -> dict:  # noqa: ANN001
    """/officer/challenges: the three queues and one page of every challenge (filters, sort, page)."""
    flt = queries.ChallengeFilter.from_params({k: v for k, v in params.items() if k != "q"}, any_state=True)
    page = queries.search_public(session=session, flt=flt, now=utcnow())
    now = utcnow()
    query = {k: v for k, v in vars(flt).items() if k not in ("ids", "page", "any_state", "q") and v not in ("", None)}
    return {
        "queues": queries.officer_queues(session=session), "challenges": page.items, "total": page.total,
        "counts": page.counts, "page_notice": page.notice,
        "flt": flt, "pages": page.pages, "query_base": urlencode(query),
        "reviewable": {c.id for c in page.items if c.status in ("published", "closed")
                       and bid_permissions.can_review(actor, c, now)[0]},
        "industries": INDUSTRIES, "status_options": [(k.value, v) for k, v in STATUS_LABELS.items()],
        "sort_labels": {k: v for k, v in queries.SORT_LABELS.items() if k != "relevance"},
    }


def detail_context(session, actor: Actor, challenge: Challenge) -> dict:
    """Everything the detail page shows to this actor."""
    now = utcnow()
    accepted = queries.has_accepted_terms(session=session, actor=actor, challenge_id=challenge.id)
    annex_ok = permissions.can_read_annex(actor, challenge, accepted=accepted)[0]
    bid_count = bid_queries.submitted_count(session=session, challenge_id=challenge.id)
    # Submitted bids only: a draft is its team's business and the company must not learn of it.
    allowed = permissions.visible_actions(actor, challenge, now=now, has_bids=bid_count > 0)
    status = permissions.effective_status(challenge, now)
    actions = [(a, t) for a, t in states.available(state=status, role=actor.role) if a in allowed]
    ctx = {
        "challenge": challenge, "status": status, "org": queries.organisation_of(session=session, challenge=challenge),
        "status_labels": STATUS_LABELS, "ip_labels": IP_LABELS, "award_labels": AWARD_MODE_LABELS,
        "actions": actions, "is_owner": permissions.is_owner(actor, challenge), "now": now,
        "bidding_open": permissions.bidding_open(challenge, now),
        "deadline_passed": permissions.deadline_passed(challenge, now),
        "bid_count": bid_count,
        "clarifications": queries.clarifications(session=session, challenge=challenge, actor=actor),
        "attachments": queries.attachments(session=session, challenge_id=challenge.id,
                                           include_confidential=annex_ok),
        "annex_ok": annex_ok, "accepted": accepted,
        "can_accept": permissions.can_accept_terms(actor, challenge)[0] and not accepted,
        "can_ask": permissions.can_ask(actor, challenge, now)[0],
        "recommendations": [], "visible_bids": [], "my_bid": None,
    }
    ctx["pending_change"] = _pending_change(challenge) if (ctx["is_owner"] or actor.is_officer) else []
    if actor.is_officer:  # the posting company's credit memory (officers only, never the public)
        ctx["credit"] = credit.memories(session=session, actor=actor, organisation_ids={challenge.organisation_id})
    if ctx["is_owner"] or actor.is_officer:
        ctx["trail"] = audit_queries.trail(session=session, subject_type="challenge", subject_id=challenge.id)
        ctx["action_labels"] = audit_queries.ACTION_LABELS
        ctx["version_diff"] = versions.changes(session=session, challenge_id=challenge.id)
    ctx["can_upload"] = permissions.can_upload(actor, challenge)[0]
    if permissions.can_see_recommendations(actor, challenge)[0]:
        recs = recommend.teams_for_challenge(session=session, challenge=challenge, k=8)
        ctx["recommendations"] = recs
        ctx["rec_orgs"] = recommend.organisation_names(session, {r.item.organisation_id for r in recs})
        ctx["invited"] = invitations.invitations(session=session, challenge_id=challenge.id)
    ctx.update(_bid_context(session, actor, challenge, now))
    return ctx


def _shown(name: str, value: object) -> str:
    if value is None or value == "":
        return "—"
    if name.endswith("_fen"):
        return format_yuan(int(value))
    if name == "bid_deadline":
        return to_shanghai(datetime.fromisoformat(str(value)) if isinstance(value, str) else value
                           ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list):
        return f"{len(value)} 项"
    text = str(value)
    return text if len(text) <= 60 else text[:60] + "…"


def _pending_change(challenge: Challenge) -> list[tuple[str, str, str]]:
    """(field, now, asked for) of a pending change, for the company and the bureau."""
    change = challenge.pending_change or {}
    return [(service.CHANGE_LABELS.get(k, k), _shown(k, getattr(challenge, k, None)), _shown(k, v))
            for k, v in sorted(change.items())]


def _bid_context(session, actor: Actor, challenge: Challenge, now) -> dict:
    """The sealed-bid block: only what the bid queries let this actor see, and the bid predicates'
    answers for its buttons (the template derives nothing)."""
    my_bid = bid_queries.live_bid_of(session=session, actor=actor, challenge=challenge)
    return {
        "visible_bids": bid_queries.visible_on_challenge(session=session, actor=actor, challenge=challenge,
                                                         now=now),
        "my_bid": my_bid,
        "my_bid_actions": bid_permissions.bid_actions(actor, my_bid, challenge, now) if my_bid else set(),
        "my_bid_sealed": bool(my_bid) and bid_permissions.is_sealed(my_bid, challenge, now),
        "can_bid": bid_permissions.can_bid(actor, challenge, now)[0],
        "bids_opened": bid_permissions.may_open(actor, challenge, now),
    }


def challenge_form_context(values: dict | None = None, errors: dict | None = None, error: str = "",
                           challenge: Challenge | None = None, blanks: int | None = None) -> dict:
    values = values if values is not None else dict(NEW_DEFAULTS)
    indicators = list(values.get("indicators") or [])
    if blanks is None:  # a new form shows five rows; then the form's own count of empty rows
        blanks = max(1, INDICATOR_ROWS - len(indicators))
    indicators += [{}] * blanks
    return {"values": values, "blank": {"indicators": blanks}, "errors": errors or {}, "error": error,
            "challenge": challenge,
            "indicators": indicators, "industries": INDUSTRIES, "weak_links": WEAK_LINKS,
            "ip_labels": IP_LABELS, "award_labels": AWARD_MODE_LABELS, "status_labels": STATUS_LABELS}


def values_from_challenge(c: Challenge) -> dict:
    """A challenge as form values (money back in 元, the deadline in Shanghai time)."""
    values = c.model_dump()
    values["committed_funds_yuan"] = f"{yuan_decimal(c.committed_funds_fen):f}"
    values["offered_yuan"] = f"{yuan_decimal(c.offered_fen):f}"
    values["bid_deadline"] = to_shanghai(c.bid_deadline).strftime("%Y-%m-%dT%H:%M")
    return values
