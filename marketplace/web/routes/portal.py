"""The portal pages of a government service platform: 通知公告, 政策文件, 办事指南, 服务协议, 隐私政策, 适老化.

All public and read-only; the display switch only sets a cookie (no database write).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from marketplace.portal import content
from marketplace.web.forms import FormDep
from marketplace.web.forms import portal as portal_forms
from marketplace.web.redirect_target import same_site_path
from marketplace.web.templating import render

router = APIRouter()

DISPLAY_COOKIE = "jb_display"
DISPLAY_MODES = {"standard", "large"}


@router.get("/notices", include_in_schema=False)
def notices(request: Request):
    return render(request, "portal/notices.html", {"notices": content.notices()})


@router.get("/notices/{slug}", include_in_schema=False)
def notice(request: Request, slug: str):
    return render(request, "portal/notice.html", {"notice": content.notice(slug)})


@router.get("/policies", include_in_schema=False)
def policies(request: Request):
    return render(request, "portal/policies.html", {"policies": content.policies()})


@router.get("/policies/{slug}", include_in_schema=False)
def policy(request: Request, slug: str):
    return render(request, "portal/policy.html", {"doc": content.policy(slug)})


@router.get("/guide", include_in_schema=False)
def guides(request: Request):
    return render(request, "portal/guides.html", {"guides": content.guides()})


@router.get("/guide/{slug}", include_in_schema=False)
def guide(request: Request, slug: str):
    return render(request, "portal/guide.html", {"guide": content.guide(slug), "guides": content.guides()})


@router.get("/terms", include_in_schema=False)
def terms(request: Request):
    return render(request, "portal/terms.html")


@router.get("/privacy", include_in_schema=False)
def privacy(request: Request):
    return render(request, "portal/privacy.html")


@router.post("/display", include_in_schema=False)
def display(form: FormDep):
    """适老化: larger text and higher contrast, remembered in a cookie for a year."""
    mode, next_ = portal_forms.display(form)
    response = RedirectResponse(same_site_path(next_), status_code=303)
    response.set_cookie(DISPLAY_COOKIE, mode if mode in DISPLAY_MODES else "standard",
                        max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/")
    return response
