"""`flask db upgrade` builds the schema on an empty database of each kind, and it matches the models."""

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade

from cfa import create_app
from cfa.extensions import db


def upgrade_and_compare(url: str):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        db.engine.dispose()
    return differences, tables


def test_migrations_build_the_models_schema_on_sqlite(tmp_path):
    differences, tables = upgrade_and_compare(f"sqlite:///{tmp_path}/migrated.sqlite")
    assert differences == []
    assert {"attendance_mark", "session", "award", "survey_response", "alembic_version"} <= tables


def test_a_populated_sqlite_database_upgrades_although_its_tables_are_rebuilt(tmp_path):
    """SQLite rebuilds a table to change a column: the rows referring to it must neither block nor lose it."""
    url = f"sqlite:///{tmp_path}/populated.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(revision="0022")
        with db.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO centre (id, name, code, city) VALUES (1, 'Rennes', 'REN', 'Rennes')"
            )
            connection.exec_driver_sql("INSERT INTO room (id, centre_id, name, active) VALUES (1, 1, 'Bréhat', 1)")
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT room.name, centre.name FROM room JOIN centre ON centre.id = room.centre_id"
            )
            assert rows.all() == [("Bréhat", "Rennes")]
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # enforced again afterwards
        db.engine.dispose()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"), reason="needs PostgreSQL (TEST_DATABASE_URL)"
)
def test_migrations_build_the_models_schema_on_postgresql():
    base = sa.engine.make_url(os.environ["TEST_DATABASE_URL"])
    name = f"cadence_migrations_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        differences, tables = upgrade_and_compare(base.set(database=name).render_as_string(hide_password=False))
        assert differences == []
        assert "attendance_mark" in tables
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
