"""The empty spreadsheet a CFA fills in to import one kind of data: the French headers on the first sheet (required
ones marked with *), and on a second sheet what each column expects, with an example."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from cfa.services.imports import Column


def render_import_template(title: str, columns: tuple[Column, ...]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Données"
    sheet.append([f"{column.label} *" if column.required else column.label for column in columns])
    for index, cell in enumerate(sheet[1], 1):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(16, len(columns[index - 1].label) + 4)
    sheet.freeze_panes = "A2"
    help_sheet = book.create_sheet("Aide")
    help_sheet.append([f"Import : {title}"])
    help_sheet["A1"].font = Font(bold=True)
    help_sheet.append(["Colonne", "Obligatoire", "Exemple", "Remarque"])
    for cell in help_sheet[2]:
        cell.font = Font(bold=True)
    for column in columns:
        help_sheet.append([column.label, "oui" if column.required else "non", column.example, column.help])
    for letter, width in zip("ABCD", (28, 12, 34, 60), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
