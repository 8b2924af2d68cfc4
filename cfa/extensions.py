"""Flask extensions, created once and bound to the app in create_app()."""

from flask import session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def per_person() -> str:
    """Rate-limit key of the logged-in person, whatever address or device they use (codes, uploads)."""
    from flask_login import current_user

    return f"person:{current_user.get_id()}" if current_user.is_authenticated else get_remote_address()


def register_extensions(app) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import cfa.models  # noqa: F401  (every table known to Alembic)
    from cfa.sqltime import register_sqlite_functions

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True)  # batch mode: SQLite cannot ALTER most things
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @app.after_request
    def _mark_anonymous_session(response):
        """Strong protection empties any session that lacks the mark of its browser and address, and sends the
        emptied cookie back. The log-in page's session (its CSRF token) had no mark, so a request still carrying
        it (a phone fetching the manifest or the service worker, a second tab) answered after the log-in put the
        anonymous cookie back and logged the person out. The mark is set whenever such a session is written."""
        if session.modified and session and "_user_id" not in session:
            session["_id"] = login_manager._session_identifier_generator()
        return response

    @login_manager.user_loader
    def load_user(session_id: str):
        """The user of a session or remember-me cookie, unless it was ended since (see User.get_id)."""
        from cfa.models import User

        user_id, _, version = session_id.partition(":")
        if not (user_id.isdigit() and version.isdigit()):
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    _warn_of_sqlite_under_several_workers(app)
    _warn_of_what_workers_would_not_share(app)
    if not getattr(Engine, "_cadence_sqlite_hooks", False):
        Engine._cadence_sqlite_hooks = True

        @event.listens_for(Engine, "connect")
        def _sqlite_on_connect(dbapi_connection, _record):
            # SQLite leaves foreign keys off unless asked; pysqlite's own transaction
            # handling breaks SAVEPOINTs, so SQLAlchemy issues BEGIN itself.
            if type(dbapi_connection).__module__.startswith("sqlite3"):
                dbapi_connection.isolation_level = None
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                # A second writer waits for the first instead of failing with "database is locked".
                cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
                # Readers never wait for a writer, and a writer never waits for readers (write-ahead log).
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.close()
                register_sqlite_functions(dbapi_connection)

        @event.listens_for(Engine, "begin")
        def _sqlite_on_begin(conn):
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


SQLITE_BUSY_TIMEOUT_MS = 15_000


def _warn_of_sqlite_under_several_workers(app) -> None:
    """gunicorn's workers all write to one SQLite file: fine for a small CFA, but PostgreSQL is the production
    database, and an operator should be told at start-up rather than by "database is locked" under load."""
    import sys

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and "gunicorn" in sys.argv[0]:
        app.logger.warning(
            "Cadence tourne sur SQLite sous gunicorn : avec plusieurs workers, utilisez PostgreSQL (DATABASE_URL)."
        )


def _warn_of_what_workers_would_not_share(app) -> None:
    """Under gunicorn, workers (and app servers) share nothing but what the settings point them to: said at start-up
    when failed log-ins would be counted per worker, or when each worker would sign cookies with a key of its own."""
    import os
    import sys

    if "gunicorn" not in sys.argv[0]:
        return
    if app.config.get("RATELIMIT_ENABLED", True) and app.config["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        app.logger.warning(
            "Limites de tentatives comptées par worker (pas de REDIS_URL) : définissez REDIS_URL pour les partager "
            "entre workers et serveurs."
        )
    if not os.environ.get("SECRET_KEY"):
        app.logger.warning(
            "SECRET_KEY absente : chaque worker signe les cookies avec sa propre clé ; définissez la même SECRET_KEY "
            "sur chaque serveur."
        )


def _writing_request() -> bool:
    """A request that may write takes SQLite's write lock when its transaction begins. SQLite ignores
    SELECT ... FOR UPDATE, and a transaction that read first cannot wait for the lock later (SQLite answers
    "database is locked" at once to avoid a deadlock), so two devices saving one sheet would fail."""
    from flask import has_request_context, request

    return has_request_context() and request.method not in ("GET", "HEAD", "OPTIONS")
