"""Pages: the inbox (站内消息) and the per-kind notification switches."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from jinja2 import pass_context
from starlette.responses import Response

from marketplace import db
from marketplace.actor import Actor
from marketplace.errors import RuleViolation
from marketplace.notifications import service as notifications
from marketplace.notifications.models import KIND_LABELS
from marketplace.web import htmx
from marketplace.web.context import flash
from marketplace.web.deps import CurrentActor, SessionDep, request_session
from marketplace.web.forms import FormDep
from marketplace.web.forms.notifications import switches
from marketplace.web.templating import render, templates

router = APIRouter(include_in_schema=False)
public_router = APIRouter(include_in_schema=False)
log = logging.getLogger("jiebang.web")


def nav_unread(request: Request, actor: Actor) -> int:
    """The unread count for the navigation bar (0 for visitors, and if the count cannot be read).

    Read through the page's own session: no second connection per page. Only a page rendered after
    that session has closed (an error page) reads the count in a short session of its own.
    """
    if actor.is_anonymous:
        return 0
    try:
        if (session := request_session(request)) is not None:
            return notifications.unread_count(session=session, actor=actor)
        with db.new_session(request.app.state.engine, write=False) as own:
            return notifications.unread_count(session=own, actor=actor)
    except Exception:  # the badge must never break a page
        log.exception("unread count failed")
        return 0


@pass_context
def _nav_unread_global(ctx) -> int:
    """`{{ nav_unread() }}` in base.html: the page's own count if it has one, else a quick query."""
    if "unread" in ctx:
        return ctx["unread"]
    return nav_unread(ctx["request"], ctx["actor"])


# Lazy: only pages whose template calls nav_unread() pay for the query.
templates.env.globals["nav_unread"] = _nav_unread_global


def _inbox_ctx(session, actor: Actor) -> dict:
    return {"items": notifications.inbox(session=session, actor=actor),
            "unread": notifications.unread_count(session=session, actor=actor),
            "kind_labels": KIND_LABELS}


def _after_marking(request: Request, session, actor: Actor, message: str) -> Response:
    """HTMX: the refreshed list with an event; plain form: back to the inbox."""
    if htmx.wants_fragment(request):
        ctx = _inbox_ctx(session, actor)
        response = render(request, "inbox/list.html", ctx, block="list")
        return htmx.trigger(response, inboxChanged={"unread": ctx["unread"]})
    return flash(htmx.redirect(request, "/inbox"), message)


@router.get("/inbox")
def inbox_page(request: Request, session: SessionDep, actor: CurrentActor):
    """The actor's notifications, newest first, unread marked."""
    return render(request, "inbox/list.html", _inbox_ctx(session, actor), block="list")


@router.post("/inbox/read-all")
def read_all(request: Request, session: SessionDep, actor: CurrentActor):
    """Mark all of the actor's notifications read."""
    notifications.mark_read(session=session, actor=actor)
    return _after_marking(request, session, actor, "已全部标为已读")


@router.post("/inbox/{notification_id}/read")
def read_one(request: Request, notification_id: int, session: SessionDep, actor: CurrentActor):
    """Mark one of the actor's notifications read (404 for anyone else's)."""
    notifications.mark_read(session=session, actor=actor, notification_id=notification_id)
    return _after_marking(request, session, actor, "已标为已读")


@router.get("/inbox/preferences")
def preferences_page(request: Request, session: SessionDep, actor: CurrentActor):
    """Every kind with two switches: 站内消息 and 邮件."""
    ctx = {"prefs": notifications.preferences(session=session, actor=actor)}
    return render(request, "inbox/preferences.html", ctx, block="form")


@router.post("/inbox/preferences")
def preferences_save(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep):
    """Save the switches."""
    try:
        notifications.set_preferences(session=session, actor=actor, switches=switches(form))
    except RuleViolation as exc:
        ctx = {"prefs": notifications.preferences(session=session, actor=actor), "error": exc.message}
        return render(request, "inbox/preferences.html", ctx, block="form", status_code=422)
    if htmx.wants_fragment(request):
        ctx = {"prefs": notifications.preferences(session=session, actor=actor), "saved": True}
        return render(request, "inbox/preferences.html", ctx, block="form")
    return flash(htmx.redirect(request, "/inbox/preferences"), "消息设置已保存")
