"""The Qualiopi audit file read back: the workbook with openpyxl (a sheet per indicator, the figure and its rows),
the report with pypdf (figures and definitions)."""

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from pypdf import PdfReader

from cfa import models as m
from cfa.renderers import audit_xlsx
from cfa.renderers.pdf import quality_report
from cfa.services import audit_export
from tests import factories as f


def _year_with_a_jury_and_complaints():
    cohort = f.CohortFactory(name="MSADS Rennes 2024-2025")
    jury = f.JurySessionFactory(
        cohort=cohort,
        date=date(2025, 6, 20),
        status=m.JuryStatus.PUBLISHED,
        published_at=datetime(2025, 6, 28, tzinfo=UTC),
    )
    for decision in (m.Decision.OBTAINED, m.Decision.OBTAINED, m.Decision.OBTAINED, m.Decision.PARTIAL):
        f.JuryCandidateFactory(jury_session=jury, decision=decision)
    f.ComplaintFactory(received_on=date(2025, 2, 3), subject='=HYPERLINK("http://x")')
    f.ImprovementActionFactory(title="Convocations plus tôt")


def test_the_workbook_has_a_sheet_per_indicator_with_its_figure_and_the_rows_it_comes_from():
    _year_with_a_jury_and_complaints()
    book = load_workbook(io.BytesIO(audit_xlsx.render(audit_export.build(2025))))
    assert book.sheetnames == ["Synthèse", "Ind. 2", "Ind. 3", "Ind. 12", "Ind. 29", "Ind. 30", "Ind. 31", "Ind. 32"]
    success = book["Ind. 3"]
    assert [c.value for c in success[3]][:4] == ["Taux d'obtention du titre", "75\u202f%", 3, 4]
    candidates = [row for row in success.iter_rows(values_only=True) if row[1] == "MSADS Rennes 2024-2025"]
    assert len(candidates) == 4 and sorted(r[3] for r in candidates)[0] == "Obtention partielle (CCP)"
    complaints = [row for row in book["Ind. 31"].iter_rows(values_only=True) if row[0] == "03/02/2025"]
    assert complaints[0][3].startswith("'=")  # a formula typed into a complaint stays text
    assert any(row[0] == "Convocations plus tôt" for row in book["Ind. 32"].iter_rows(values_only=True))


def test_an_empty_year_says_pas_de_donnees_in_the_workbook_rather_than_zero():
    book = load_workbook(io.BytesIO(audit_xlsx.render(audit_export.build(2019))))
    assert book["Ind. 3"]["B3"].value == "pas de données"
    assert (book["Ind. 3"]["C3"].value, book["Ind. 3"]["D3"].value) == (0, 0)


def test_the_report_holds_each_indicators_figures_and_definitions():
    _year_with_a_jury_and_complaints()
    data = quality_report.render(audit_export.build(2025))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Dossier d'audit Qualiopi 2025" in text
    for heading in ("Indicateur 3", "Indicateur 12", "Indicateur 30", "Indicateur 31", "Indicateur 32"):
        assert heading in text
    assert "Taux d'obtention du titre" in text and "75" in text
    assert "présenté" in text  # the definition printed beside the figure
    assert "Obtention du titre" in text and "100 %" in text  # the chart's legend and axis, drawn in the PDF


def test_the_attendance_figure_is_the_sum_of_the_rows_listed_and_the_dashboard_s_count():
    from cfa.services import quality_indicators as qi

    cohort = f.CohortFactory(start_date=date(2024, 9, 2), end_date=date(2025, 8, 29))
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(3)]
    for day, statuses in ((date(2025, 3, 3), ("present", "absent", "late")), (date(2025, 3, 4), ("present",) * 3)):
        sheet = f.AttendanceSheetFactory(session=f.SessionFactory(cohort=cohort, date=day))
        for enrolment, status in zip(enrolments, statuses, strict=True):
            f.AttendanceMarkFactory(
                sheet=sheet,
                enrolment=enrolment,
                status=m.MarkStatus(status),
                minutes_late=20 if status == "late" else 0,
            )

    part = next(p for p in audit_export.build(2025).parts if p.number == 12)

    label, value, attended, scheduled, _definition = part.figures[0]
    assert (attended, scheduled) == (sum(row[4] for row in part.rows), sum(row[3] for row in part.rows))
    assert (attended, scheduled) == (6 * 210 - 210 - 20, 6 * 210)
    fresh = qi.attendance(qi.Scope(2025))
    assert (fresh.rate.numerator, fresh.rate.denominator) == (attended, scheduled)
