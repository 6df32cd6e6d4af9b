"""The composition root: the FastAPI app with the pages (marketplace.web) and the JSON API (marketplace.api)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import anyio
from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import Engine

from marketplace import db
from marketplace.actor import Role
from marketplace.api import accounts as api_accounts
from marketplace.api import auth as api_auth
from marketplace.api import awards as api_awards
from marketplace.api import bids as api_bids
from marketplace.api import challenges as api_challenges
from marketplace.api import contracts as api_contracts
from marketplace.api import dashboard as api_dashboard
from marketplace.api import exports as api_exports
from marketplace.api import notifications as api_notifications
from marketplace.api import open_data as api_open_data
from marketplace.api import password as api_password
from marketplace.api import reviews as api_reviews
from marketplace.api import subsidies as api_subsidies
from marketplace.config import NODE_MODULES_DIR, STATIC_DIR, Settings, get_settings
from marketplace.errors import NotFound
from marketplace.scheduler import Scheduler
from marketplace.web import errors
from marketplace.web.concurrency import RequestLimit, size_thread_pool
from marketplace.web.deps import OptionalActor, current_actor, refuse_anonymous_uploads
from marketplace.web.forms import form_encoding
from marketplace.web.limits import BodySizeLimit
from marketplace.web.pagecache import PublicPageCache
from marketplace.web.routes import (
    account,
    admin,
    auth,
    bids,
    bureau,
    challenges,
    contracts,
    dashboard,
    exports,
    inbox,
    officer,
    opendata,
    password,
    portal,
    public,
    subsidies,
    teams,
)
from marketplace.web.routes import awards as award_pages
from marketplace.web.routes import reviews as review_pages
from marketplace.web.security import SecurityMiddleware, csrf_protect, ids_in_range

HTMX_JS = NODE_MODULES_DIR / "htmx.org" / "dist" / "htmx.min.js"
ECHARTS_JS = NODE_MODULES_DIR / "echarts" / "dist" / "echarts.min.js"  # the dashboards' charts (npm package)
SWAGGER_DIR = NODE_MODULES_DIR / "swagger-ui-dist"  # served locally: bureau intranets often have no CDN
log = logging.getLogger("jiebang")


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """Build the application for one settings object and database engine."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        size_thread_pool(settings.worker_threads)
        ticker = None
        if settings.scheduler_enabled:  # one per worker; the lease lets one of them run ticks
            ticker = Scheduler(app.state.engine, interval=settings.scheduler_interval_seconds,
                               checkpoint_every=timedelta(minutes=settings.audit_checkpoint_minutes),
                               checkpoint_path=settings.audit_checkpoint_path_for(app.state.engine.url))
            ticker.start()
        app.state.scheduler = ticker
        try:
            yield
        finally:
            if ticker is not None:
                await anyio.to_thread.run_sync(ticker.stop)

    app = FastAPI(
        title="jiebang 揭榜挂帅平台 API",
        version="1.0",
        docs_url=None, redoc_url=None, openapi_url=None,
        dependencies=[Depends(ids_in_range), Depends(refuse_anonymous_uploads), Depends(form_encoding),
                      Depends(csrf_protect)],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine or db.get_engine()
    app.state.htmx_available = HTMX_JS.exists()
    app.state.echarts_available = ECHARTS_JS.exists()
    if not app.state.htmx_available:
        log.warning("htmx is not installed (npm missing?): pages work without HTMX")
    # Inside SecurityMiddleware (headers on the 413 too) and next to the app, so that the 413 raised
    # while reading reaches FastAPI as itself rather than wrapped by BaseHTTPMiddleware's task group.
    app.add_middleware(BodySizeLimit, max_bytes=settings.request_max_bytes)
    app.add_middleware(SecurityMiddleware, prod=settings.is_prod, secret=settings.secret_key)
    # Anonymous public pages from memory while the data they show is unchanged (web/pagecache.py);
    # outside SecurityMiddleware so that a hit costs little more than a hello world.
    app.add_middleware(PublicPageCache, prod=settings.is_prod, ttl=settings.page_cache_seconds)
    app.add_middleware(RequestLimit, limit=settings.request_concurrency)  # outermost: admits first
    errors.install(app)
    _mount_static(app)
    _include_routers(app)
    _docs_routes(app, settings)
    return app


def _mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")

    @app.get("/vendor/htmx.min.js", include_in_schema=False)
    def htmx_js() -> Response:
        if not HTMX_JS.exists():
            raise NotFound("htmx 未安装")
        return FileResponse(HTMX_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/vendor/echarts.min.js", include_in_schema=False)
    def echarts_js() -> Response:
        if not ECHARTS_JS.exists():
            raise NotFound("ECharts 未安装")
        return FileResponse(ECHARTS_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})


def _include_routers(app: FastAPI) -> None:
    # Public pages (no login): home, login/registration, published challenges, team profiles, feed.
    app.include_router(public.router)
    app.include_router(portal.router)
    app.include_router(opendata.router)
    app.include_router(password.router)
    app.include_router(auth.router)
    for module in (teams, challenges, bids, exports, inbox, subsidies):
        app.include_router(module.public_router)
    for module in (dashboard, account, officer, bureau, admin, teams, challenges, bids, exports, inbox, contracts,
                   subsidies):
        app.include_router(module.router, dependencies=[Depends(current_actor)])
    for module in (api_auth, api_accounts, api_exports, api_challenges, api_bids, api_notifications,
                   api_open_data, api_password, api_reviews, api_awards, api_contracts, api_subsidies, api_dashboard):
        app.include_router(module.router, prefix="/api/v1")
    _include_review_pages(app)


def _include_review_pages(app: FastAPI) -> None:
    """Expert review, decision and 公示 pages (issue 10)."""
    app.include_router(award_pages.public_router)
    for module in (review_pages, award_pages):
        app.include_router(module.router, dependencies=[Depends(current_actor)])


def _docs_routes(app: FastAPI, settings: Settings) -> None:
    """OpenAPI and Swagger UI; in production only for vetted users."""

    def _guard(actor: OptionalActor) -> None:
        # Vetted accounts only: officers, experts (created by an admin) and members of verified
        # organisations — not anyone who has just registered themselves.
        vetted = actor.is_officer or actor.has_role(Role.EXPERT) or actor.org_verified
        if settings.is_prod and not vetted:
            raise NotFound("页面不存在")

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Depends(_guard)])
    def openapi(request: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False, dependencies=[Depends(_guard)])
    def docs() -> Response:
        if (SWAGGER_DIR / "swagger-ui-bundle.js").exists():
            return get_swagger_ui_html(openapi_url="/openapi.json", title="jiebang API",
                                      swagger_js_url="/vendor/swagger/swagger-ui-bundle.js",
                                      swagger_css_url="/vendor/swagger/swagger-ui.css")
        return get_swagger_ui_html(openapi_url="/openapi.json", title="jiebang API")

    @app.get("/vendor/swagger/{name}", include_in_schema=False)
    def swagger_asset(name: str) -> Response:
        if name not in ("swagger-ui-bundle.js", "swagger-ui.css") or not (SWAGGER_DIR / name).exists():
            raise NotFound("文件不存在")
        media = "text/javascript" if name.endswith(".js") else "text/css"
        return FileResponse(SWAGGER_DIR / name, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
