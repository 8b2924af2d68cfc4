"""ZIP archives of documents (a month of certificats, a jury's certificates): files in, bytes out."""

import io
import zipfile


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    """One archive of (file name, content) pairs, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()
