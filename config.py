"""Settings read from the environment; one class per way of running Cadence."""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CADENCE_INSTANCE_DIR", BASE_DIR / "instance"))
# A key once published in this repository: refused in production even if someone sets it.
DEFAULT_SECRET_KEY = "dev-only-change-me"


def database_url(default: str) -> str:
    """DATABASE_URL wins; postgres:// URLs are routed through psycopg 3."""
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def trusted_hosts(explicit: str | None, base_url: str) -> list[str] | None:
    """Host names Cadence answers to: TRUSTED_HOSTS (comma-separated), else the host of PUBLIC_BASE_URL.

    A request for any other Host gets 400, so that a forged Host header never reaches a link built from the request.
    None (any host) only outside production."""
    if explicit and explicit.strip():
        return [host.strip().lower() for host in explicit.split(",") if host.strip()]
    host = urlsplit(base_url).hostname if base_url else None
    return [host] if host else None


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = database_url(f"sqlite:///{INSTANCE_DIR / 'cadence.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Set on each PostgreSQL connection (empty: the server's own). JIT compiled each large aggregate for more than
    # 100 ms before running it; a random page cost of 1.1 (SSD storage, PostgreSQL's default assumes spinning disks)
    # lets the planner read a few cohorts' marks through their index instead of scanning every mark of the network.
    POSTGRES_SETTINGS = os.environ.get("POSTGRES_SETTINGS", "jit=off random_page_cost=1.1")
    WTF_CSRF_TIME_LIMIT = None  # a trainer's attendance form may stay open a whole half-day
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024  # justification proofs are capped at 5 MB
    # What one apprentice's proofs may weigh in all: files are kept for years, and disks are not endless.
    UPLOAD_QUOTA_BYTES = int(os.environ.get("UPLOAD_QUOTA_BYTES", str(50 * 1024 * 1024)))
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    KEYS_DIR = os.environ.get("KEYS_DIR", str(INSTANCE_DIR / "keys"))
    TIMEZONE = "Europe/Paris"
    # Personal data (RGPD): years after the end of a person's last training before they are anonymised, and
    # years a proof of absence is kept after the period it covers (supporting documents: 6, 10 if EU co-funded).
    RETENTION_YEARS = int(os.environ.get("RETENTION_YEARS", "5"))
    PROOF_RETENTION_YEARS = int(os.environ.get("PROOF_RETENTION_YEARS", "6"))
    # The address printed on certificates and badges; empty: the host each request came to (cfa/urls.py).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    TRUSTED_HOSTS = trusted_hosts(os.environ.get("TRUSTED_HOSTS"), PUBLIC_BASE_URL)
    # Counters shared by every worker (and app server) through Redis when it is configured; else each worker
    # counts alone, which lets an attacker multiply the allowed attempts by the number of workers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    # How many reverse proxies stand in front (nginx: 1): their X-Forwarded-For gives the client's address.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    RATELIMIT_HEADERS_ENABLED = True
    # Keeps the counters of two installations (or two test runs) sharing one Redis apart.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "cadence")
    PAGE_SIZE = 25
    # Long exports (the Qualiopi audit file) run on an RQ queue over this Redis; unset, they run in the request.
    REDIS_URL = os.environ.get("REDIS_URL") or None
    EXPORT_QUEUE = os.environ.get("EXPORT_QUEUE", "cadence-exports")
    EXPORT_DIR = os.environ.get("EXPORT_DIR", str(INSTANCE_DIR / "exports"))
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"  # STARTTLS (port 587)
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") == "1"  # implicit TLS (port 465)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "Cadence <ne-pas-repondre@cadence.test>")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"


class DevConfig(Config):
    DEBUG = False  # the Werkzeug debugger stays off: `make run` is also used for demos
    # A fresh key each run unless one is given: no key known to anyone signs a development cookie.
    SECRET_KEY = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    RATELIMIT_ENABLED = False
    REDIS_URL = None  # exports run inline; the queue's own test sets it
    WTF_CSRF_ENABLED = False  # the CSRF test turns it back on explicitly
    SERVER_NAME = None
    PUBLIC_BASE_URL = ""  # each test that needs one sets it; the environment never leaks in
    TRUSTED_HOSTS = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def check(cls) -> None:
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEFAULT_SECRET_KEY or len(cls.SECRET_KEY) < 16:
            raise RuntimeError(
                "SECRET_KEY manquante ou par défaut : définissez une clé secrète d'au moins 16 caractères."
            )
        if not cls.TRUSTED_HOSTS:
            raise RuntimeError(
                "PUBLIC_BASE_URL (ou TRUSTED_HOSTS) manquant : définissez l'adresse publique de Cadence, "
                "par exemple PUBLIC_BASE_URL=https://cadence.mon-cfa.fr."
            )


CONFIGS = {"development": DevConfig, "testing": TestConfig, "production": ProductionConfig}
# Without CADENCE_ENV the app runs as in production and so refuses to start without a real SECRET_KEY:
# `make run` and the README's development commands set CADENCE_ENV=development.
DEFAULT_CONFIG = "production"
