"""Every audit action the code writes has a Chinese name and sentence (marketplace/audit/labels.py)."""

import importlib
import pathlib
import re

from marketplace.actor import SYSTEM, Role
from marketplace.audit import labels
from marketplace.audit import service as audit
from marketplace.states import Machine
from tests import factories as f

ROOT = pathlib.Path(__file__).resolve().parents[2] / "marketplace"
STATE_MODULES = ["marketplace.accounts.states", "marketplace.awards.states", "marketplace.bids.states",
                 "marketplace.challenges.states", "marketplace.contracts.states", "marketplace.subsidies.states"]


def written_actions() -> set[str]:
    """Dotted action literals on lines that write audit events, plus every state machine's actions."""
    found = set()
    for path in ROOT.rglob("*.py"):
        if path.name == "labels.py":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if "action" in line or "_record(" in line:
                found.update(re.findall(r'"([a-z_]+\.[a-z_]+)"', line))
    for name in STATE_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if isinstance(value, Machine):
                found.update(f"{value.name}.{action}" for (_, action) in value.table)
    return found


def test_every_written_action_has_a_label_and_a_sentence():
    actions = written_actions()
    assert {"challenge.publish", "bid.submit", "user.created", "review.scored"} <= actions  # the scan works
    missing = sorted(a for a in actions if a not in labels.ACTIONS)
    assert missing == [], f"audit actions without a Chinese label: {missing}"
    for action, (name, template) in labels.ACTIONS.items():
        assert name and "{" in template and not re.search(r"[A-Za-z]{3,}", name), action


def test_a_publication_reads_as_a_sentence(session):
    officer = f.user(session, role=Role.OFFICER, display_name="张三")
    c = f.challenge(session, status="submitted", title="碳化硅模块封装")
    from marketplace.challenges import service
    from marketplace.challenges.schemas import PublishIn

    service.publish(session=session, actor=f.actor(session, officer), challenge_id=c.id, data=PublishIn())
    from marketplace.audit.queries import recent
    from marketplace.web import audit_view

    rows, _ = recent(session=session, action="challenge.publish")
    assert audit_view.sentences(session, rows[:1]) == ["张三 将榜单“碳化硅模块封装”从待审核改为揭榜中"]


def test_an_unknown_action_still_renders():
    event = audit.AuditEvent(seq=1, actor_label="", action="x.y", subject_type="thing", subject_id="1",
                             summary={}, prev_hash="", hash="")
    assert "x.y" in labels.sentence(event) and labels.name("x.y") == "x.y"
    assert SYSTEM  # the system actor writes unlabeled test events elsewhere; they render, not crash
