"""The audit log as sentences: gathers the names, state labels and field labels `audit.labels` fills in."""

from __future__ import annotations

from sqlmodel import Session

from marketplace.accounts import queries as account_queries
from marketplace.accounts import states as account_states
from marketplace.accounts.models import ROLE_LABELS
from marketplace.audit import labels
from marketplace.audit.models import AuditEvent
from marketplace.awards import states as award_states
from marketplace.bids import states as bid_states
from marketplace.challenges import queries as challenge_queries
from marketplace.challenges import states as challenge_states
from marketplace.challenges.service import CHANGE_LABELS
from marketplace.contracts import states as contract_states
from marketplace.states import Machine
from marketplace.subsidies import states as subsidy_states


def _machines() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {"role": {str(k): v for k, v in ROLE_LABELS.items()}}
    for module in (account_states, award_states, bid_states, challenge_states, contract_states, subsidy_states):
        for value in vars(module).values():
            if isinstance(value, Machine):
                found[value.name] = {str(k): v for k, v in value.labels.items()}
    return found


STATE_LABELS = _machines()
FIELD_LABELS = CHANGE_LABELS


def sentences(session: Session, events: list[AuditEvent]) -> list[str]:
    """One sentence per event, in order; the subjects' names are read in a few batched queries."""
    ids: dict[str, set[int]] = {}
    for e in events:
        if e.subject_id.isdigit():
            ids.setdefault(e.subject_type, set()).add(int(e.subject_id))
    names = account_queries.names_by_id(session=session, organisation_ids=ids.get("organisation", set()),
                                        user_ids=ids.get("user", set()) | {e.actor_id for e in events if e.actor_id},
                                        team_ids=ids.get("team", set()))
    actors = {e.actor_id: names[("user", str(e.actor_id))] for e in events if ("user", str(e.actor_id)) in names}
    for cid, title in challenge_queries.titles_by_id(session=session, ids=ids.get("challenge", set())).items():
        names[("challenge", str(cid))] = title
    return [labels.sentence(e, names=names, states=STATE_LABELS, fields=FIELD_LABELS, actors=actors)
            for e in events]
