"""Files the app hands out (PDFs, ZIPs, spreadsheets): one way to name them, accents included (RFC 6266 / 5987)."""

import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from io import BytesIO
from typing import Any
from urllib.parse import quote

from flask import Response, abort, send_file
from werkzeug.http import dump_options_header

from cfa.extensions import db
from cfa.renderers import spreadsheets
from cfa.renderers.pdf.base import Identity
from cfa.renderers.spreadsheets import Field
from cfa.services.organisation import current_organisation


def cfa_identity() -> Identity:
    """The CFA's identity printed on every document it issues."""
    return Identity.from_organisation(current_organisation())


CSV = "text/csv"  # Flask adds "; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")
EXPORT_BATCH = 500  # rows fetched from the database at once (a server-side cursor on PostgreSQL)


def attachment(data: bytes, filename: str, mimetype: str, inline: bool = False) -> Response:
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=not inline, download_name=filename)
    response.headers["Cache-Control"] = "private, no-store"  # personal documents: never in a shared cache
    return response


def export(fmt: str, name: str, fields: Sequence[Field], items: Iterable[Any]) -> Response:
    """A list as CSV or XLSX, written row by row to a temporary file, then sent from it in chunks.

    `items` should come from a query run with `yield_per` so that the rows are fetched in batches.
    """
    if fmt not in EXPORT_FORMATS:
        abort(404)
    headers = [f.label for f in fields]
    rows = spreadsheets.rows_of(fields, items)
    if fmt == "xlsx":
        target, mimetype = spreadsheets.xlsx_file(name, headers, rows), XLSX
    else:
        target, mimetype = spreadsheets.csv_file(headers, rows), CSV
    response = Response(spreadsheets.file_chunks(target), mimetype=mimetype, direct_passthrough=True)
    response.content_length = os.fstat(target.fileno()).st_size  # the browser shows the download's progress
    response.headers["Content-Disposition"] = _disposition(f"{name}.{fmt}")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def export_query(fmt: str, name: str, fields: Sequence[Field], stmt, per_batch: Callable | None = None) -> Response:
    """The rows of a select() exported in batches: memory and queries do not grow with the number of rows.

    `per_batch(rows) -> {row id: figures}` adds figures summed in SQL for a batch: the fields then read
    (row, its figures) pairs.
    """
    if fmt not in EXPORT_FORMATS:
        abort(404)
    rows = db.session.scalars(stmt.execution_options(yield_per=EXPORT_BATCH))
    return export(fmt, name, fields, rows if per_batch is None else _with_figures(rows, per_batch))


def _with_figures(rows, per_batch: Callable) -> Iterator[tuple]:
    for batch in rows.partitions():
        figures = per_batch(batch)
        yield from ((row, figures.get(row.id)) for row in batch)


def _disposition(filename: str) -> str:
    simple = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode() or "export"
    return dump_options_header("attachment", {"filename": simple, "filename*": f"UTF-8''{quote(filename)}"})
