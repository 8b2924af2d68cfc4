"""Where uploaded files and generated documents live: one interface, files named by key.

A key is a relative name such as `justificatifs/3f2a….pdf`: segments of letters, digits, dots, dashes and
underscores, separated by slashes. Nothing outside the store can be named (no absolute path, no `..`, no
backslash), whatever a database row or a form says.

Every reader and writer of UPLOAD_DIR (proofs of absence, staged imports, the personal data archive, retention,
backups, the demo) and of EXPORT_DIR (the audit exports the queue's worker writes) goes through `uploads()` or
`exports()`. Several app servers share them by mounting one folder (NFS) at the same path; another backend
(object storage) only has to offer the methods of `FileStore`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app

_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")


class StorageError(Exception):
    """A key that names nothing the store may hold."""


class MissingFile(StorageError, KeyError):
    """No file under this key (never stored, deleted, or lost)."""


class FileStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> bool: ...
    def exists(self, key: str) -> bool: ...
    def modified(self, key: str) -> float: ...
    def list(self, prefix: str = "") -> list[str]: ...
    def iter(self, prefix: str = "") -> Iterator[tuple[str, bytes]]: ...


def checked_key(key: str, *, prefix: bool = False) -> str:
    """The key if it is one (a prefix may be empty or end with a slash); StorageError otherwise."""
    if not isinstance(key, str):
        raise StorageError(f"Nom de fichier refusé : {key!r}.")
    bare = key.rstrip("/") if prefix else key
    if prefix and not bare:
        return ""
    if not _KEY.fullmatch(bare) or any(part in (".", "..") for part in bare.split("/")):
        raise StorageError(f"Nom de fichier refusé : {key!r}.")
    return bare


class LocalFolderStore:
    """Files in a folder of the server (or a folder every app server mounts)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str, *, prefix: bool = False) -> Path:
        path = self.root / checked_key(key, prefix=prefix)
        # The pattern already keeps keys inside; a symbolic link placed in the folder must not lead out of it.
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise StorageError(f"Nom de fichier refusé : {key!r}.")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Written to a temporary file then renamed: a reader on another server never sees half a file."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise MissingFile(key) from error

    def delete(self, key: str) -> bool:
        """Whether there was a file to delete (one already gone is not an error)."""
        try:
            self._path(key).unlink()
        except (FileNotFoundError, NotADirectoryError):
            return False
        return True

    def exists(self, key: str) -> bool:
        """False for a key no store may hold, too: nothing is there."""
        try:
            return self._path(key).is_file()
        except StorageError:
            return False

    def modified(self, key: str) -> float:
        """When the file was last written, in seconds since the epoch."""
        try:
            return self._path(key).stat().st_mtime
        except (FileNotFoundError, NotADirectoryError) as error:
            raise MissingFile(key) from error

    def list(self, prefix: str = "") -> list[str]:
        """The keys under a prefix (a folder name such as `imports/`), sorted; temporary files left out."""
        folder = self._path(prefix, prefix=True)
        if not folder.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(".tmp-")
        )

    def iter(self, prefix: str = "") -> Iterator[tuple[str, bytes]]:
        """Each key under the prefix with its content, one file in memory at a time."""
        for key in self.list(prefix):
            try:
                yield key, self.get(key)
            except MissingFile:  # deleted since it was listed
                continue


def uploads() -> LocalFolderStore:
    """The store of uploaded files (proofs of absence, staged imports), in UPLOAD_DIR."""
    return LocalFolderStore(current_app.config["UPLOAD_DIR"])


def exports() -> LocalFolderStore:
    """The store of generated documents the export queue's worker leaves for download, in EXPORT_DIR."""
    return LocalFolderStore(current_app.config["EXPORT_DIR"])
