import pytest

from cfa import create_app
from config import DEFAULT_SECRET_KEY, ProductionConfig, database_url, trusted_hosts


def test_production_refuses_a_missing_or_default_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_starts_with_a_real_secret_key_and_its_public_address(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-and-random-production-secret")
    monkeypatch.setattr(ProductionConfig, "TRUSTED_HOSTS", ["cadence.mon-cfa.fr"])
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert app.config["SESSION_COOKIE_SECURE"]


def test_production_refuses_to_start_without_knowing_its_public_address(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-and-random-production-secret")
    monkeypatch.setattr(ProductionConfig, "TRUSTED_HOSTS", None)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")


@pytest.mark.parametrize(
    ("explicit", "base_url", "expected"),
    [
        ("cadence.mon-cfa.fr, Intranet.CFA", "", ["cadence.mon-cfa.fr", "intranet.cfa"]),
        (None, "https://cadence.mon-cfa.fr/", ["cadence.mon-cfa.fr"]),
        ("", "https://cadence.mon-cfa.fr:8443/cfa", ["cadence.mon-cfa.fr"]),
        (None, "", None),
    ],
)
def test_trusted_hosts_come_from_the_list_or_from_the_public_address(explicit, base_url, expected):
    assert trusted_hosts(explicit, base_url) == expected


def test_a_request_for_a_host_that_is_not_trusted_is_refused_before_any_link_is_built(app, monkeypatch):
    # The app is shared by the whole run: the host list is put back afterwards, or every later request gets 400.
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["cadence.mon-cfa.fr"])
    client = app.test_client()
    assert client.get("/connexion", headers={"Host": "attaquant.example"}).status_code == 400
    page = client.get("/connexion", headers={"Host": "cadence.mon-cfa.fr"})
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_selects_psycopg_3_for_postgresql(monkeypatch, url, expected):
    monkeypatch.setenv("DATABASE_URL", url)
    assert database_url("sqlite://") == expected


def test_without_cadence_env_the_app_takes_the_production_settings_and_refuses_a_missing_key(monkeypatch):
    monkeypatch.delenv("CADENCE_ENV", raising=False)
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_gunicorn_entry_point_refuses_to_start_without_a_secret_key(tmp_path):
    """`gunicorn wsgi:app` imports wsgi: with neither CADENCE_ENV nor SECRET_KEY, it must fail, not run."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("CADENCE_ENV", "SECRET_KEY")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/x.sqlite"
    result = subprocess.run([sys.executable, "-c", "import wsgi"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_development_signs_cookies_with_a_random_key_nobody_knows():
    from config import DevConfig

    assert DevConfig.SECRET_KEY != DEFAULT_SECRET_KEY and len(DevConfig.SECRET_KEY) >= 32


def test_sqlite_files_use_a_write_ahead_log_and_wait_for_a_busy_writer(tmp_path):
    from cfa.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/wal.sqlite")
    with app.app_context():
        engine = db.engine
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        engine.dispose()


def test_sqlite_under_gunicorn_is_reported_at_start_up(monkeypatch, caplog, tmp_path):
    import sys

    monkeypatch.setattr(sys, "argv", ["/srv/cadence/.venv/bin/gunicorn", "wsgi:app"])
    with caplog.at_level("WARNING"):
        create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/x.sqlite")
    assert "utilisez PostgreSQL" in caplog.text


def test_postgresql_connections_get_the_settings_and_keep_their_other_options():
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1/test",
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"options": "-c statement_timeout=5000"}},
    )
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_pre_ping"] is True
    assert options["connect_args"]["options"] == "-c statement_timeout=5000 -c jit=off -c random_page_cost=1.1"
    sqlite = create_app("testing", SQLALCHEMY_DATABASE_URI="sqlite://")
    assert "connect_args" not in sqlite.config["SQLALCHEMY_ENGINE_OPTIONS"]
    own = create_app(
        "testing", SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1/test", POSTGRES_SETTINGS=""
    )
    assert "connect_args" not in own.config["SQLALCHEMY_ENGINE_OPTIONS"]  # the server's own settings


def test_the_database_the_tests_run_on_has_the_settings_when_it_is_postgresql(app):
    import sqlalchemy as sa

    from cfa.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no planner settings")
    assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
    assert db.session.execute(sa.text("SHOW random_page_cost")).scalar() == "1.1"
