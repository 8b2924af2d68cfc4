"""Test fixtures: one schema per run, every test inside a transaction that is rolled back."""

import os
import tempfile

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from cfa import create_app
from cfa.extensions import db
from tests import factories

TEST_PASSWORD = factories.TEST_PASSWORD


def pytest_configure(config):
    """Under pytest-xdist every worker gets its own PostgreSQL database, made beside the one given: the tests of
    two workers must not drop each other's tables. Set before collection, so every module reads the worker's URL."""
    worker, url = os.environ.get("PYTEST_XDIST_WORKER"), os.environ.get("TEST_DATABASE_URL", "")
    if not (worker and url.startswith("postgresql")):
        return
    given = sa.engine.make_url(url)
    name = f"{given.database}_{worker}"
    _run_on(given, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
    os.environ["TEST_DATABASE_URL"] = given.set(database=name).render_as_string(hide_password=False)
    config.stash[_WORKER_DATABASE] = (given, name)


def pytest_unconfigure(config):
    if _WORKER_DATABASE in config.stash:
        given, name = config.stash[_WORKER_DATABASE]
        _run_on(given, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_WORKER_DATABASE = pytest.StashKey[tuple]()


def _run_on(url, *statements: str) -> None:
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        for statement in statements:
            connection.execute(sa.text(statement))
    engine.dispose()


def _database_url(tmpdir: str) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmpdir}/cadence-test.sqlite"


@pytest.fixture(scope="session")
def app():
    with tempfile.TemporaryDirectory() as tmpdir:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=_database_url(tmpdir),
            UPLOAD_DIR=f"{tmpdir}/uploads",
            KEYS_DIR=f"{tmpdir}/keys",
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            # Commits made by the code under test release a SAVEPOINT instead of the test's transaction.
            db.session.configure(join_transaction_mode="create_savepoint")
        yield app
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(app):
    """Each test sees an empty database and leaves nothing behind, whatever it commits."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        engines[None] = connection
        try:
            yield
        finally:
            db.session.remove()
            transaction.rollback()
            connection.close()
            engines[None] = engine


class Client(FlaskClient):
    """A test client whose every request runs in its own app context, hence its own database session,
    as in production: the test's session and the request's never share an identity map."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.expire_all()  # the test reads what the request wrote, not its own stale copies
        return response

    def login(self, user, password: str = TEST_PASSWORD):
        response = self.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, "login failed"
        return response

    def logout(self):
        from flask_wtf.csrf import generate_csrf  # noqa: F401  (CSRF is off in tests)

        return self.post("/deconnexion")


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def login(client):
    """login(user) logs the test client in as that user and returns the client."""

    def _login(user):
        client.login(user)
        return client

    return _login


@pytest.fixture
def count_queries():
    """`with count_queries() as queries:` records the SQL statements run inside the block."""
    from contextlib import contextmanager

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @contextmanager
    def _count():
        statements: list[str] = []

        def record(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
                statements.append(statement)

        event.listen(Engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(Engine, "before_cursor_execute", record)

    return _count
