"""The 公示 machines: an announced item (finalised by the clock or reopened by an upheld objection)
and an objection (answered once: upheld or dismissed)."""

from __future__ import annotations

from marketplace.actor import Role
from marketplace.awards.models import OBJECTION_LABELS, AnnouncementItem, ItemStatus, Objection, ObjectionStatus
from marketplace.states import Machine, machine

BUREAU, SYSTEM = (Role.OFFICER, Role.ADMIN), "system"

ITEM_LABELS = {ItemStatus.OPEN: "公示中", ItemStatus.AWARDED: "公示期满", ItemStatus.REOPENED: "异议成立，已退回"}

ITEM_TRANSITIONS = machine([
    # sources, action, target, roles, button label
    (ItemStatus.OPEN, "finalise", ItemStatus.AWARDED, (SYSTEM,), "公示期满"),
    (ItemStatus.OPEN, "reopen", ItemStatus.REOPENED, BUREAU, "异议成立，退回"),
])

OBJECTION_TRANSITIONS = machine([
    (ObjectionStatus.PENDING, "uphold", ObjectionStatus.UPHELD, BUREAU, "异议成立"),
    (ObjectionStatus.PENDING, "dismiss", ObjectionStatus.DISMISSED, BUREAU, "异议不成立"),
])

TRANSITIONS = {"announcement_item": ITEM_TRANSITIONS, "objection": OBJECTION_TRANSITIONS}

ITEM = Machine("announcement_item", AnnouncementItem, ITEM_TRANSITIONS, ITEM_LABELS,
               conflict="该公示已结束，不能再改变结果")
OBJECTION = Machine("objection", Objection, OBJECTION_TRANSITIONS, OBJECTION_LABELS, conflict="该异议已答复")
