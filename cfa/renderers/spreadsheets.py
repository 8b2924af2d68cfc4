"""Lists as spreadsheets (CSV and XLSX) that open in a French office suite with typed cells.

Both formats are produced row by row from an iterable, so that a list of any length is never held in memory: the CSV
is written in chunks as the rows come from the database, the XLSX by openpyxl's write-only mode, each to a temporary
file on disk that is then sent in chunks. Writing the whole file before sending it means that the database is read
within the request (one consistent view, an error is an error page rather than a truncated file) and that the
browser knows the file's size, so it shows the download's progress.

Cells keep their type: dates stay dates, hours stay numbers (a `Hours` value, from whole minutes), and a text that a
spreadsheet would run as a formula is neutralised.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from cfa.formatting import to_paris

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 200  # CSV rows sent to the client at once
CHUNK_BYTES = 64 * 1024
BOM = "\ufeff"  # so that Excel reads the CSV as UTF-8
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM"
HOURS_FORMAT = "0.00"


class Hours(Decimal):
    """A number of hours computed from whole minutes (hours are stored as integer minutes, never floats)."""

    @classmethod
    def of(cls, minutes: int | None) -> "Hours | None":
        return None if minutes is None else cls((Decimal(minutes) / 60).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Field:
    """One column of an export: its French header and how to read its value from a row."""

    label: str
    value: Callable[[Any], Any]


def neutralise(text: str) -> str:
    """A text starting with = + - @ (or a tab or carriage return) would be run as a formula: kept as plain text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, bool):
        return "oui" if value else "non"
    return value


def csv_cell(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{to_paris(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")  # a French spreadsheet reads 1,5 as a number
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def xlsx_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, datetime):
        return to_paris(value).replace(tzinfo=None)  # a spreadsheet has no time zones: Paris time, as in the app
    if isinstance(value, str):
        return neutralise(value)
    if value is None or isinstance(value, date | time | int | float | Decimal):
        return value
    return neutralise(str(value))


def rows_of(fields: Sequence[Field], items: Iterable[Any]) -> Iterator[list[Any]]:
    for item in items:
        yield [f.value(item) for f in fields]


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV (semicolons, UTF-8 with a byte-order mark), yielded every few hundred rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers)
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def csv_of(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(csv_stream(headers, rows))


def csv_file(headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    """The CSV in a temporary file (rewound, to be read and closed by the caller)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by file_chunks once sent
    for chunk in csv_stream(headers, rows):
        target.write(chunk)
    target.seek(0)
    return target


def xlsx_file(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]):
    """The workbook in a temporary file (rewound, to be read and closed by the caller)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_sheet_title(title))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_styled(sheet, label, font=bold) for label in headers])
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    target = tempfile.TemporaryFile()  # noqa: SIM115 -- closed by file_chunks once sent
    book.save(target)
    target.seek(0)
    return target


def xlsx_of(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    with xlsx_file(title, headers, rows) as target:
        return target.read()


def file_chunks(target) -> Iterator[bytes]:
    """Send a file in chunks, then close (and so delete) it."""
    try:
        while chunk := target.read(CHUNK_BYTES):
            yield chunk
    finally:
        target.close()


def _cell(sheet, value: Any):
    value = xlsx_value(value)
    if isinstance(value, datetime):
        return _styled(sheet, value, number_format=DATETIME_FORMAT)
    if isinstance(value, date):
        return _styled(sheet, value, number_format=DATE_FORMAT)
    if isinstance(value, time):
        return _styled(sheet, value, number_format=TIME_FORMAT)
    if isinstance(value, Hours):
        return _styled(sheet, Decimal(value), number_format=HOURS_FORMAT)
    return value


def _styled(sheet, value: Any, *, font: Font | None = None, number_format: str | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if number_format is not None:
        cell.number_format = number_format
    return cell


def _sheet_title(title: str) -> str:
    # A sheet's name has at most 31 characters and none of : \ / ? * [ ]
    cleaned = "".join(" " if ch in ":\\/?*[]" else ch for ch in title).strip()
    return (cleaned or "Export")[:31]
