"""The Qualiopi audit workbook: a summary sheet, then one sheet per indicator with its figures (value, numerator,
denominator, definition) and the rows they were computed from."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from cfa.renderers.spreadsheets import neutralise
from cfa.services.audit_export import AuditFile

HEADER = Font(bold=True)
SOFT = PatternFill("solid", fgColor="EEF2F6")
FIGURE_HEADERS = ["Indicateur", "Valeur", "Numérateur", "Dénominateur", "Définition"]


def _safe(value):
    return neutralise(value) if isinstance(value, str) else value


def _header(sheet, row: int, labels: list[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = sheet.cell(row=row, column=col, value=label)
        cell.font, cell.fill = HEADER, SOFT


def render(data: AuditFile) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "Synthèse"
    summary.append([f"{data.organisation} — dossier d'audit Qualiopi {data.year}", data.centre])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    _header(summary, 3, ["Ind.", *FIGURE_HEADERS])
    for part in data.parts:
        for figure in part.figures:
            summary.append([part.number, *map(_safe, figure)])
        sheet = book.create_sheet(f"Ind. {part.number}")
        sheet.append([f"Indicateur {part.number} — {part.title}"])
        sheet["A1"].font = Font(bold=True, size=12)
        _header(sheet, 2, FIGURE_HEADERS)
        for figure in part.figures:
            sheet.append([_safe(v) for v in figure])
        if part.headers:
            sheet.append([])
            _header(sheet, sheet.max_row + 1, part.headers)
            for row in part.rows:
                sheet.append([_safe(v) for v in row])
        _widths(sheet)
    _widths(summary)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _widths(sheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=2), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, longest + 2))
