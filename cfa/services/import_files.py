"""Reading the spreadsheets a CFA receives: CSV as Excel writes it (UTF-8 or Windows-1252, comma or semicolon) and
XLSX. The csv module's Sniffer finds the separator and openpyxl reads workbooks: nothing here splits text by hand.

A table is its headers and its rows; each row keeps its number as the spreadsheet shows it (the header is row 1),
so that every error can name the row a person will look for.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

from cfa.storage import FileStore, MissingFile

# Enough lines for the Sniffer to see the separator, however wide the header.
SNIFF_SAMPLE = 64 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(ValueError):
    """A file that cannot be read as a table, with a French message."""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number in the spreadsheet, cell values)


def read_table(filename: str, data: bytes) -> Table:
    """The table of a CSV or XLSX file: blank rows skipped, cells of XLSX kept typed (dates stay dates)."""
    if not data:
        raise ImportFileError("Le fichier est vide.")
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        records = _xlsx_records(data)
    else:
        records = _csv_records(data)
    numbered = [(number, cells) for number, cells in records if any(_filled(cell) for cell in cells)]
    if not numbered:
        raise ImportFileError("Le fichier ne contient aucune ligne.")
    (_, header), *rows = numbered
    return Table([str(cell or "").strip() for cell in header], rows)


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""


def _decode(data: bytes) -> str:
    # Excel saves "CSV UTF-8" with a byte-order mark and plain "CSV" in Windows-1252: try the strict one first.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError("Encodage du fichier non reconnu : enregistrez-le en CSV UTF-8 ou en XLSX.") from error


def _csv_records(data: bytes) -> list[tuple[int, list]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError("Ce fichier n'est pas un CSV lisible : enregistrez-le en CSV ou en XLSX.")
    try:
        dialect = csv.Sniffer().sniff(text[:SNIFF_SAMPLE], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel  # a single column has no separator to find
    try:
        return [(index, row) for index, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), 1)]
    except csv.Error as error:
        raise ImportFileError(f"Le fichier CSV est mal formé : {error}.") from error


def _xlsx_records(data: bytes) -> list[tuple[int, list]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError("Ce fichier n'est pas un classeur XLSX lisible.") from error
    try:
        sheet = book.worksheets[0]
        return [
            (index, [_cell(value) for value in row]) for index, row in enumerate(sheet.iter_rows(values_only=True), 1)
        ]
    finally:
        book.close()


def _cell(value):
    # A date typed in Excel comes back as a datetime at midnight: the import wants the day.
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date()
    return value


def cell_text(value) -> str:
    """A cell as text: numbers typed in a spreadsheet (a SIRET, a phone) lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def cell_date(value) -> date | None:
    """A date typed in a spreadsheet or written as 31/12/2025 or 2025-12-31; None when it is none of them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


# Between the dry run and the import the file waits on the server, named by its SHA-256: the confirmation carries
# only that name, so what is imported is byte for byte what the dry run read.
STAGING = "imports"
STAGED_FOR = 24 * 3600  # seconds; files of dry runs never confirmed are removed after this


def stage(store: FileStore, data: bytes, now: float) -> str:
    for old in store.list(STAGING + "/"):
        try:
            if store.modified(old) < now - STAGED_FOR:
                store.delete(old)
        except MissingFile:  # removed meanwhile by another app server
            continue
    name = hashlib.sha256(data).hexdigest()
    store.put(f"{STAGING}/{name}", data)
    return name


def staged(store: FileStore, digest: str) -> bytes:
    """The file a dry run read, or ImportFileError when it is gone (or the name was forged)."""
    gone = ImportFileError("Le fichier de l'essai n'est plus disponible : déposez-le à nouveau.")
    if not re.fullmatch(r"[0-9a-f]{64}", digest or ""):
        raise gone
    try:
        data = store.get(f"{STAGING}/{digest}")
    except MissingFile:
        raise gone from None
    if hashlib.sha256(data).hexdigest() != digest:
        raise ImportFileError("Le fichier de l'essai a été modifié : déposez-le à nouveau.")
    return data


def unstage(store: FileStore, digest: str) -> None:
    if re.fullmatch(r"[0-9a-f]{64}", digest or ""):
        store.delete(f"{STAGING}/{digest}")
