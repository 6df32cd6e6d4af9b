"""One settings object (pydantic-settings), read through a cached accessor."""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

ROOT_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT_DIR / "templates"
SEEDS_DIR = ROOT_DIR / "seeds"
STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
NODE_MODULES_DIR = ROOT_DIR / "node_modules"
VAR_DIR = ROOT_DIR / "var"
UNSAFE_SECRETS = {"", "changethis", "secret", "dev"}
POOL_SPARE = 4  # connections beyond the admitted requests: /healthz, the scheduler, a margin
THREAD_SPARE = 8  # threads beyond the admitted requests: static files, /healthz, the scheduler


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as JIEBANG_<NAME>."""

    model_config = SettingsConfigDict(
        env_prefix="JIEBANG_", env_file=".env", env_ignore_empty=True, extra="ignore"
    )

    env: Literal["dev", "prod", "test"] = "dev"
    database_url: str = ""
    secret_key: str = ""
    var_dir: Path = VAR_DIR
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    api_token_days: int = 90
    login_max_failures: int = 5
    login_window_minutes: int = 15
    login_max_failures_per_ip: int = 30
    login_max_failures_per_account: int = 20  # from all addresses; see auth.service._check_rate_limit
    login_trusted_days: int = 30
    register_max_per_address: int = 10
    register_window_minutes: int = 60
    upload_max_bytes: int = 20 * 1024 * 1024
    smtp_host: str = ""
    # The site's identity as a government service platform (footer and header).
    site_host_org: str = "广州市科学技术局"
    site_hotline: str = "020-12345"
    site_address: str = "广州市越秀区"
    site_icp: str = ""  # ICP 备案号, e.g. 粤ICP备XXXXXXXX号; shown only when set
    site_police_record: str = ""  # 公安机关备案号; shown only when set
    # Where signed audit checkpoints are appended besides their table (default under var/, see
    # audit_checkpoint_path); point it at another disk or a write-once mount in production.
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_minutes: int = 60
    # Concurrency, sized together (issue 8): each worker handles `request_concurrency` requests at
    # once and queues the rest in the event loop (no thread, no connection held while waiting). A
    # handled request needs at most one thread and one connection, so the AnyIO thread limiter gets
    # request_concurrency + THREAD_SPARE tokens and the pool request_concurrency + POOL_SPARE
    # connections (the spares serve /healthz and the scheduler): no request ever waits on the pool.
    request_concurrency: int = 16
    # The in-process scheduler of time-driven transitions (marketplace/scheduler.py); one per
    # deployment thanks to a lease in the database, whatever the number of workers.
    scheduler_enabled: bool = True
    scheduler_interval_seconds: int = 30
    # Anonymous public pages (hall, search, detail, results, home) are served from memory while the
    # audit chain's head is unchanged, for at most this many seconds (web/pagecache.py); 0 turns it off.
    page_cache_seconds: float = 10.0

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if self.request_concurrency < 1 or self.scheduler_interval_seconds < 1:
            raise ValueError("JIEBANG_REQUEST_CONCURRENCY and JIEBANG_SCHEDULER_INTERVAL_SECONDS must be ≥ 1")
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'jiebang.db'}"
        if not self.secret_key:
            if self.env == "prod":
                raise ValueError("JIEBANG_SECRET_KEY must be set when JIEBANG_ENV=prod")
            self.secret_key = _development_secret(self.var_dir)
        elif self.env == "prod" and (self.secret_key in UNSAFE_SECRETS or len(self.secret_key) < 32):
            raise ValueError("JIEBANG_SECRET_KEY is too weak for production (≥32 random characters)")
        return self

    @property
    def db_pool_size(self) -> int:
        return self.request_concurrency + POOL_SPARE

    @property
    def worker_threads(self) -> int:
        return self.request_concurrency + THREAD_SPARE

    @property
    def is_prod(self) -> bool:
        return self.env == "prod"

    @property
    def uploads_dir(self) -> Path:
        return self.var_dir / "uploads"

    @property
    def request_max_bytes(self) -> int:
        """The largest request body accepted: one upload plus 1 MiB for the form around it."""
        return self.upload_max_bytes + 1024 * 1024

    @property
    def audit_checkpoint_path(self) -> Path:
        return self.audit_checkpoint_path_for(self.database_url)

    def audit_checkpoint_path_for(self, database_url: object) -> Path:
        """The checkpoint file; by default one per database (named by its location, not its user), so
        that pointing var/ at another database never checks one chain against another's checkpoints."""
        if self.audit_checkpoint_file:
            return self.audit_checkpoint_file
        url = make_url(database_url)
        where = f"{url.get_backend_name()}://{url.host or ''}:{url.port or ''}/{url.database or ''}"
        return self.var_dir / f"audit-checkpoints-{hashlib.sha256(where.encode()).hexdigest()[:12]}.jsonl"

    @property
    def index_dir(self) -> Path:
        return self.var_dir / "index"


def _development_secret(var_dir: Path) -> str:
    """Generate a secret once for development and keep it under var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@lru_cache
def get_settings() -> Settings:
    """The process's settings (cached)."""
    return Settings()
