"""ZIP archives of documents (a month of certificats, a jury's certificates): files in, bytes out."""

import io
import posixpath
import zipfile


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    """One archive of (file name, content) pairs, in the order given. Files are named after people, and two
    trainees may share a name: a repeated name gets a number, or unzipping would keep only one of the two."""
    buffer = io.BytesIO()
    taken: set[str] = set()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(_unique(name, taken), data)
    return buffer.getvalue()


def _unique(name: str, taken: set[str]) -> str:
    stem, extension = posixpath.splitext(name)
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{stem} ({number}){extension}"
    taken.add(candidate.lower())
    return candidate
