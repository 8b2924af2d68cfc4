"""Backups: the database, the uploaded proofs and the signing keys in one archive, and its restoration.

SQLite is copied through its online backup API (a consistent copy while the app runs); PostgreSQL through
pg_dump's custom format and pg_restore. The archive is a .tar.gz holding `manifest.json` (what it holds, the row
count of each table), the database, `uploads/` and `keys/`. The uploaded files are read from, and put back into,
the uploads store (cfa/storage.py), whatever holds it; the keys stay a folder of the server.
"""

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from cfa.storage import FileStore, StorageError

# Alembic's own bookkeeping is not data: an empty database may already carry its revision.
_NOT_DATA = {"alembic_version"}


class BackupError(Exception):
    """A backup or a restoration that cannot be done; the message is for the operator, in French."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: dict[str, int]
    files: int


def row_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per table (tables in the database, not only the models: a restore may bring older ones)."""
    names = sorted(set(sa.inspect(engine).get_table_names()) - _NOT_DATA)
    with engine.connect() as connection:
        return {
            name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
            for name in names
        }


def _pg_url(engine: sa.Engine) -> str:
    """The URL libpq's tools understand (no SQLAlchemy driver suffix)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} a échoué : {result.stderr.strip()[:500]}")


def _dump_database(engine: sa.Engine, folder: Path) -> str:
    if engine.dialect.name == "sqlite":
        target = folder / "database.sqlite"
        source = engine.raw_connection()
        try:
            with sqlite3.connect(target) as copy:
                source.driver_connection.backup(copy)
            copy.close()
        finally:
            source.close()
        return target.name
    if engine.dialect.name == "postgresql":
        target = folder / "database.dump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}", _pg_url(engine)])
        return target.name
    raise BackupError(f"Base de données non prise en charge : {engine.dialect.name}.")


def _add_folder(archive: tarfile.TarFile, folder: str | None, name: str) -> int:
    if not folder or not Path(folder).is_dir():
        return 0
    archive.add(folder, arcname=name)
    return sum(1 for p in Path(folder).rglob("*") if p.is_file())


def _add_store(archive: tarfile.TarFile, store: FileStore | None, name: str) -> int:
    """Each file of the store under `name/`, its key as the rest of the path; one file in memory at a time."""
    files, now = 0, int(datetime.now(UTC).timestamp())
    for key, data in store.iter() if store is not None else ():
        info = tarfile.TarInfo(f"{name}/{key}")
        info.size, info.mtime, info.mode = len(data), now, 0o600
        archive.addfile(info, io.BytesIO(data))
        files += 1
    return files


def create_backup(
    engine: sa.Engine, destination: Path, uploads: FileStore | None, keys_dir: str | None
) -> BackupSummary:
    """Write the archive to `destination` (a .tar.gz file name; anything else is a folder, created if need be,
    where the archive gets a dated name) and say what it holds."""
    destination = Path(destination)
    if destination.is_dir() or not destination.name.endswith((".tar.gz", ".tgz")):
        destination.mkdir(parents=True, exist_ok=True)
        destination = destination / f"cadence-{datetime.now(UTC):%Y%m%d-%H%M%S}.tar.gz"
    rows = row_counts(engine)
    with tempfile.TemporaryDirectory() as tmp:
        database_file = _dump_database(engine, Path(tmp))
        with tarfile.open(destination, "w:gz") as archive:
            archive.add(Path(tmp) / database_file, arcname=database_file)
            files = _add_store(archive, uploads, "uploads") + _add_folder(archive, keys_dir, "keys")
            manifest = {
                "created_at": datetime.now(UTC).isoformat(),
                "dialect": engine.dialect.name,
                "database": database_file,
                "rows": rows,
                "files": files,
            }
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return BackupSummary(destination, rows, files)


def _is_empty(engine: sa.Engine) -> bool:
    return not any(row_counts(engine).values())


def _restore_database(engine: sa.Engine, folder: Path, manifest: dict) -> None:
    if manifest["dialect"] != engine.dialect.name:
        raise BackupError(
            f"Cette sauvegarde vient d'une base {manifest['dialect']} : elle ne se restaure pas dans une base "
            f"{engine.dialect.name}."
        )
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no pooled connection keeps the old pages
        target = engine.raw_connection()
        try:
            with sqlite3.connect(folder / manifest["database"]) as source:
                source.backup(target.driver_connection)
            source.close()
        finally:
            target.close()
        return
    engine.dispose()
    options = ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    _run(["pg_restore", *options, f"--dbname={_pg_url(engine)}", str(folder / manifest["database"])])


def _replace_folder(source: Path, target: str | None) -> None:
    if not target or not source.is_dir():
        return
    shutil.copytree(source, target, dirs_exist_ok=True)


def _refill_store(source: Path, store: FileStore | None) -> None:
    if store is None or not source.is_dir():
        return
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        key = path.relative_to(source).as_posix()
        try:
            store.put(key, path.read_bytes())
        except StorageError as error:
            raise BackupError(f"Fichier de la sauvegarde au nom refusé : uploads/{key}.") from error


def restore_backup(
    engine: sa.Engine, archive_path: Path, uploads: FileStore | None, keys_dir: str | None, *, force: bool = False
) -> BackupSummary:
    """Put the archive's database and files back; a database holding rows is refused unless `force`."""
    archive_path = Path(archive_path)
    if not archive_path.is_file():
        raise BackupError(f"Sauvegarde introuvable : {archive_path}.")
    if not force and not _is_empty(engine):
        raise BackupError(
            "La base de données n'est pas vide : la restauration remplacerait ses données. "
            "Relancez avec --force si c'est bien voulu."
        )
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path, "r:gz") as archive:
        archive.extractall(tmp, filter="data")  # no absolute path, no "..", no device file from an archive
        folder = Path(tmp)
        try:
            manifest = json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError) as error:
            raise BackupError("Ce fichier n'est pas une sauvegarde de Cadence (manifest.json manquant).") from error
        _restore_database(engine, folder, manifest)
        _refill_store(folder / "uploads", uploads)
        _replace_folder(folder / "keys", keys_dir)
    return BackupSummary(archive_path, row_counts(engine), manifest.get("files", 0))
