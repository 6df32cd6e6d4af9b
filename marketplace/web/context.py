"""What every page's template receives: the actor, the CSRF token, navigation, flash messages."""

from __future__ import annotations

import json
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from marketplace.actor import ANONYMOUS, Actor, Role
from marketplace.web.security import flash_cookie

NAV = {
    None: [("/", "首页"), ("/challenges", "榜单大厅"), ("/teams", "科研团队"), ("/notices", "通知公告"),
           ("/results", "揭榜结果"), ("/projects", "项目进展"), ("/announcements", "结果公示"),
           ("/subsidies/publicity", "补助公示"),
           ("/policies", "政策文件"), ("/guide", "办事指南"), ("/open-data", "公开数据")],
    Role.COMPANY: [("/dashboard", "工作台"), ("/challenges", "榜单大厅"), ("/challenges/mine", "我的榜单"),
                   ("/contracts", "任务书"), ("/subsidies", "补助"), ("/inbox", "消息")],
    Role.TEAM: [("/dashboard", "工作台"), ("/challenges", "榜单大厅"), ("/bids/mine", "我的揭榜"),
                ("/teams-mine", "团队画像"), ("/contracts", "任务书"), ("/inbox", "消息")],
    Role.EXPERT: [("/dashboard", "工作台"), ("/review", "评审任务"), ("/contracts", "验收任务"),
                  ("/challenges", "榜单大厅"), ("/inbox", "消息")],
    Role.OFFICER: [("/dashboard", "工作台"), ("/officer/dashboard", "统计看板"), ("/officer/challenges", "榜单审核"),
                   ("/officer/reviews", "专家评审"), ("/officer/experts", "专家库"),
                   ("/officer/organisations", "单位认证"), ("/challenges", "榜单大厅"),
                   ("/teams", "科研团队"), ("/contracts", "任务书"), ("/subsidies", "补助兑现"),
                   ("/officer/audit", "审计日志"),
                   ("/inbox", "消息")],
    Role.ADMIN: [("/dashboard", "工作台"), ("/admin/users", "账号管理"),
                 ("/officer/organisations", "单位认证"), ("/officer/challenges", "榜单审核"),
                 ("/challenges", "榜单大厅"), ("/officer/audit", "审计日志")],
}


def base_context(request: Request) -> dict:
    """Context shared by every page."""
    actor: Actor = getattr(request.state, "actor", None) or ANONYMOUS
    return {
        "request": request,
        "actor": actor,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "nav": NAV.get(actor.role, NAV[None]),
        "flashes": read_flashes(request),
        "htmx_available": request.app.state.htmx_available,
        "site": request.app.state.settings,
        "large_display": request.cookies.get("jb_display") == "large",
    }


def flash(response: Response, message: str, kind: str = "success") -> Response:
    """Queue a one-time message for the next page (a short cookie, read once; `__Host-` + Secure in prod)."""
    value = quote(json.dumps([[kind, message]], ensure_ascii=False))
    name, secure = flash_cookie()
    response.set_cookie(name, value, max_age=60, httponly=True, samesite="lax", path="/", secure=secure)
    return response


def read_flashes(request: Request) -> list[tuple[str, str]]:
    raw = request.cookies.get(flash_cookie()[0])
    if not raw:
        return []
    request.state.clear_flash = True
    try:
        items = json.loads(unquote(raw))
        return [(str(k), str(m)[:300]) for k, m in items][:5]
    except (ValueError, TypeError):
        return []
