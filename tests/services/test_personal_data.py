"""A person's data export: everything held about them, in a number of queries that does not grow with their records."""

from datetime import date

from cfa.models import MarkStatus
from cfa.services.personal_data import person_documents, person_record
from cfa.storage import LocalFolderStore
from tests import factories as f
from tests.services.test_attendance_rates import mark


def _apprentice_with(days: int):
    enrolment = f.EnrolmentFactory()
    for day in range(days):
        mark(enrolment, date(2025, 9, 15 + day), MarkStatus.ABSENT if day == 1 else MarkStatus.PRESENT)
        f.JustificationFactory(
            enrolment=enrolment, start_date=date(2025, 9, 15 + day), end_date=date(2025, 9, 15 + day)
        )
        f.VisitFactory(enrolment=enrolment, held_on=date(2025, 10, 1 + day))
    return enrolment.apprentice


def test_the_record_holds_each_kind_of_data_without_secrets(app):
    person = _apprentice_with(2)
    person.regenerate_calendar_token()
    record = person_record(person, date(2026, 11, 29))
    assert record["exported_on"] == "2026-11-29" and record["account"]["roles"] == ["apprentice"]
    assert [m["attended_minutes"] for m in record["attendance"]] == [210, 0]
    assert len(record["justifications"]) == 2 and len(record["visits"]) == 2
    assert "calendar_token" not in record["account"] and person.calendar_token not in str(record)


def test_the_export_runs_the_same_number_of_queries_for_two_or_five_days_of_records(app, count_queries):
    few, many = _apprentice_with(2), _apprentice_with(5)
    counts = []
    for person in (few, many):
        with count_queries() as queries:
            person_record(person, date(2026, 11, 29))
            person_documents(person, LocalFolderStore(app.config["UPLOAD_DIR"]), date(2026, 11, 29))
        counts.append(len(queries))
    assert counts[0] == counts[1] > 10, counts


def test_another_persons_records_never_enter_the_export(app):
    mine, theirs = _apprentice_with(1), _apprentice_with(3)
    record = person_record(mine, date(2026, 11, 29))
    assert len(record["attendance"]) == 1 and theirs.email not in str(record)
