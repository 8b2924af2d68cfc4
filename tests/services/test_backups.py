"""A backup restored into an empty database gives back every row and every file."""

import os
import uuid
from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from cfa.demo.foundation import valid_siret
from cfa.extensions import db
from cfa.models import AuditEvent, Employer, EmployerKind, Role, User, UserRole
from cfa.services.backups import BackupError, create_backup, restore_backup, row_counts
from cfa.storage import LocalFolderStore

TEST_URL = os.environ.get("TEST_DATABASE_URL", "")


@contextmanager
def _pg_database():
    """A PostgreSQL database of the test's own, dropped afterwards."""
    admin = sa.create_engine(TEST_URL, isolation_level="AUTOCOMMIT")
    name = f"cadence_backup_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = sa.create_engine(sa.make_url(TEST_URL).set(database=name))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _empty_database(kind, tmp_path):
    if kind == "postgresql":
        with _pg_database() as engine:
            yield engine
        return
    engine = sa.create_engine(f"sqlite:///{tmp_path / f'{uuid.uuid4().hex}.sqlite'}")
    yield engine
    engine.dispose()


def _fill(engine):
    db.metadata.create_all(engine)
    with Session(engine) as session:
        employer = Employer(name="Ville de Rennes", siret=valid_siret(555), kind=EmployerKind.CITY)
        person = User(email="lea@example.test", first_name="Léa", last_name="Martin", birth_date=date(2001, 3, 4))
        person.role_rows = [UserRole(role=Role.APPRENTICE)]
        person.employer = employer
        session.add_all([employer, person])
        session.flush()
        session.add(AuditEvent(actor_id=None, entity="user", entity_id=person.id, action="create", after={"a": 1}))
        session.commit()


def _rows(engine):
    with engine.connect() as connection:
        return {
            table.name: sorted(map(tuple, connection.execute(sa.select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables
        }


def _files(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


KINDS = ["sqlite"] + (["postgresql"] if TEST_URL.startswith("postgresql") else [])


@pytest.mark.parametrize("kind", KINDS)
def test_a_backup_restored_into_an_empty_database_finds_every_row_and_file(kind, tmp_path):
    uploads, keys = tmp_path / "uploads", tmp_path / "keys"
    (uploads / "justificatifs" / "12").mkdir(parents=True)
    (uploads / "justificatifs" / "12" / "arret.pdf").write_bytes(b"%PDF-1.4 proof")
    keys.mkdir()
    (keys / "badge-signing-key.pem").write_bytes(b"-----BEGIN PRIVATE KEY-----")
    with _empty_database(kind, tmp_path) as source, _empty_database(kind, tmp_path) as target:
        _fill(source)
        summary = create_backup(source, tmp_path, LocalFolderStore(uploads), str(keys))
        assert summary.files == 2 and summary.rows["user"] == 1

        restored_uploads, restored_keys = tmp_path / "r-uploads", tmp_path / "r-keys"
        restored = restore_backup(target, summary.path, LocalFolderStore(restored_uploads), str(restored_keys))

        assert restored.rows == row_counts(source)
        assert _rows(target) == _rows(source)
        assert _files(restored_uploads) == _files(uploads)
        assert _files(restored_keys) == _files(keys)


def test_a_restore_refuses_a_database_that_holds_rows_unless_forced(tmp_path):
    with _empty_database("sqlite", tmp_path) as source:
        _fill(source)
        summary = create_backup(source, tmp_path / "copy.tar.gz", None, None)
        with source.begin() as connection:
            connection.execute(sa.delete(AuditEvent))
        with pytest.raises(BackupError, match="n'est pas vide"):
            restore_backup(source, summary.path, None, None)
        assert row_counts(source)["audit_event"] == 0

        restore_backup(source, summary.path, None, None, force=True)
        assert row_counts(source)["audit_event"] == 1


def test_a_file_that_is_no_backup_is_refused(tmp_path):
    import tarfile

    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz"):
        pass
    with _empty_database("sqlite", tmp_path) as engine, pytest.raises(BackupError, match="pas une sauvegarde"):
        restore_backup(engine, bogus, None, None)
