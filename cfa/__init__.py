"""Cadence: the web application that runs a CFA day to day."""

import os

from flask import Flask

from config import CONFIGS, DEFAULT_CONFIG


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("CADENCE_ENV", DEFAULT_CONFIG)
    config_class = CONFIGS[config_name]
    if hasattr(config_class, "check"):
        config_class.check()
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_object(config_class)
    app.config.update(overrides)
    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    _postgres_settings(app)

    from cfa.cli import register_commands
    from cfa.errors import register_error_handlers
    from cfa.extensions import register_extensions
    from cfa.security import register_security
    from cfa.templating import register_template_helpers
    from cfa.views import register_blueprints

    _trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_security(app)
    register_commands(app)
    return app


def _trust_proxies(app: Flask) -> None:
    """Behind reverse proxies, the client's address (rate limits) and scheme come from their X-Forwarded headers."""
    if count := app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)


def _postgres_settings(app: Flask) -> None:
    """POSTGRES_SETTINGS (config.py says why) as options of every PostgreSQL connection, after any given."""
    settings = app.config.get("POSTGRES_SETTINGS", "").split()
    if not settings or not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        return
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    connect_args = dict(options.get("connect_args") or {})
    given = connect_args.get("options", "")
    connect_args["options"] = " ".join([given, *(f"-c {setting}" for setting in settings)]).strip()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _ensure_sqlite_folder(uri: str) -> None:
    """A fresh clone has no instance/ folder yet: SQLite needs it to create its file."""
    if uri.startswith("sqlite:///") and len(uri) > len("sqlite:///"):
        os.makedirs(os.path.dirname(os.path.abspath(uri[len("sqlite:///") :])), exist_ok=True)
