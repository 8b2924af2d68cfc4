"""The backup, restore and retention commands, run as cron runs them, on an installation of their own."""

import pytest
import sqlalchemy as sa

from cfa import create_app
from cfa.extensions import db
from cfa.models import Role, User, UserRole


def _installation(folder):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/cadence.sqlite",
        UPLOAD_DIR=str(folder / "uploads"),
        KEYS_DIR=str(folder / "keys"),
    )
    with app.app_context():
        db.create_all()
    return app


@pytest.fixture(autouse=True)
def _transaction():
    """These tests use installations of their own, not the shared test database and its rolled-back transaction."""
    yield


@pytest.fixture
def installation(tmp_path):
    app = _installation(tmp_path / "a")
    with app.app_context():
        person = User(email="ana@example.test", first_name="Ana", last_name="Roux")
        person.role_rows = [UserRole(role=Role.APPRENTICE)]
        db.session.add(person)
        db.session.commit()
    (tmp_path / "a" / "uploads").mkdir()
    (tmp_path / "a" / "uploads" / "proof.pdf").write_bytes(b"%PDF")
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_backup_written_by_the_command_is_restored_by_the_command_into_a_new_installation(installation, tmp_path):
    result = installation.test_cli_runner().invoke(args=["backup", str(tmp_path / "sauvegardes")])
    assert result.exit_code == 0, result.output
    (archive,) = (tmp_path / "sauvegardes").glob("cadence-*.tar.gz")

    target = _installation(tmp_path / "b")
    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output
    with target.app_context():
        assert db.session.scalar(sa.select(User.email)) == "ana@example.test"
        db.engine.dispose()
    assert (tmp_path / "b" / "uploads" / "proof.pdf").read_bytes() == b"%PDF"

    again = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert again.exit_code == 1 and "n'est pas vide" in again.output


def test_the_retention_command_without_apply_only_lists(installation):
    result = installation.test_cli_runner().invoke(args=["retention"])
    assert result.exit_code == 0 and "Simulation : 0 personne(s)" in result.output
