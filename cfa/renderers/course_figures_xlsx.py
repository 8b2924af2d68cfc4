"""The yearly figures of short courses as a spreadsheet (XLSX): one row per action, a subtotal per audience and the
year's total, so that the CFA's published figures can be pasted into its activity report or sent to a funder."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from cfa.services.course_figures import Figures, YearFigures

HEADERS = [
    "Public",
    "Action de formation",
    "Sessions",
    "Heures réalisées",
    "Stagiaires",
    "Heures-stagiaires",
    "Achèvement",
    "Satisfaction",
]
DURATION = "[h]:mm"  # a duration in hours and minutes, however many hours
MINUTES_PER_DAY = 24 * 60


def render_course_figures(figures: YearFigures) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"Formations courtes {figures.year}"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for audience in figures.audiences:
        for action in audience.actions:
            _row(sheet, audience.label, action.title, action)
        _row(sheet, audience.label, f"Total {audience.label}", audience, bold=True)
    _row(sheet, "Toutes formations courtes", f"Total {figures.year}", figures.total, bold=True)
    for column, width in zip("ABCDEFGH", (34, 62, 10, 16, 11, 18, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row(sheet, audience: str, label: str, figures: Figures, bold: bool = False) -> None:
    # Durations are stored as a spreadsheet's days, from whole minutes, so that they add up in the sheet too.
    sheet.append(
        [
            audience,
            label,
            figures.runs,
            figures.minutes / MINUTES_PER_DAY,
            figures.trainees,
            figures.trainee_minutes / MINUTES_PER_DAY,
            figures.completion,
            figures.satisfaction if figures.satisfaction is not None else "–",
        ]
    )
    row = sheet[sheet.max_row]
    row[3].number_format = row[5].number_format = DURATION
    row[6].number_format = row[7].number_format = "0%"
    if figures.completion is None:
        row[6].value = "–"
    if bold:
        for cell in row:
            cell.font = Font(bold=True)
