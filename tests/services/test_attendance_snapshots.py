"""Closed years' attendance totals kept for the dashboard: read back while nothing of the year changes, forgotten
as soon as a mark, a half-day, an enrolment's contract or a cohort's scope changes, and never for the current
year."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceSnapshot, MarkStatus
from cfa.services import attendance_snapshots
from cfa.services import quality_indicators as qi
from tests import factories as f

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SCOPE = qi.Scope(2025)


def _counting(result=(10, 20)):
    calls = []

    def compute():
        calls.append(1)
        return result

    return compute, calls


def _marked(day=date(2025, 9, 15), status=MarkStatus.PRESENT):
    mark = f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=f.SessionFactory(date=day)), status=status)
    db.session.flush()
    return mark


def _kept_years():
    return set(db.session.scalars(sa.select(AttendanceSnapshot.year)))


def test_a_closed_year_is_computed_once_then_read_back_with_its_time():
    compute, calls = _counting()
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW) == (10, 20, NOW)
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW + timedelta(hours=1)) == (10, 20, NOW)
    assert len(calls) == 1


def test_the_current_year_is_never_kept():
    compute, calls = _counting()
    for _ in range(2):
        assert attendance_snapshots.kept_total("2026/-/-/-", 2026, compute, NOW) == (10, 20, None)
    assert len(calls) == 2 and _kept_years() == set()


def test_a_kept_total_older_than_a_day_is_computed_again():
    compute, calls = _counting()
    attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW)
    later = NOW + attendance_snapshots.MAX_AGE + timedelta(minutes=1)
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, later) == (10, 20, later)
    assert len(calls) == 2
    assert db.session.scalar(sa.select(sa.func.count(AttendanceSnapshot.id))) == 1


def test_writing_a_mark_forgets_its_year_only():
    mark = _marked()
    for year in (2024, 2025):
        attendance_snapshots.kept_total(f"{year}/-/-/-", year, _counting()[0], NOW)
    assert _kept_years() == {2024, 2025}

    mark.status = MarkStatus.ABSENT
    db.session.flush()

    assert _kept_years() == {2024}


def test_a_new_mark_a_moved_half_day_and_a_deleted_mark_forget_their_years():
    session = f.SessionFactory(date=date(2024, 3, 4))
    attendance_snapshots.kept_total("2024/-/-/-", 2024, _counting()[0], NOW)
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session))
    db.session.flush()
    assert _kept_years() == set()

    for year in (2023, 2024):
        attendance_snapshots.kept_total(f"{year}/-/-/-", year, _counting()[0], NOW)
    session.end_time = time(12, 0)  # a half-day's length is what its marks are worth
    db.session.flush()
    assert _kept_years() == {2023}

    attendance_snapshots.kept_total("2024/-/-/-", 2024, _counting()[0], NOW)
    session.date = date(2023, 3, 6)  # moved from 2024 into 2023: both years change
    db.session.flush()
    assert _kept_years() == set()


def test_an_enrolment_whose_contract_changes_forgets_every_year():
    mark = _marked()
    attendance_snapshots.kept_total("2024/-/-/-", 2024, _counting()[0], NOW)
    mark.enrolment.contract_end = date(2025, 12, 1)
    db.session.flush()
    assert _kept_years() == set()


def test_todays_writes_leave_closed_years_kept():
    attendance_snapshots.kept_total("2025/-/-/-", 2025, _counting()[0], NOW)
    _marked(day=date.today())
    assert _kept_years() == {2025}


def test_the_kept_dashboard_figure_follows_a_correction_and_equals_a_fresh_count():
    mark = _marked()
    kept, computed_at = qi.kept_attendance(SCOPE)
    assert computed_at is not None and kept == qi.attendance(SCOPE)

    mark.status, mark.minutes_late = MarkStatus.LATE, 30  # a correction after the fact, by whatever page
    db.session.flush()

    again, _ = qi.kept_attendance(SCOPE)
    assert again == qi.attendance(SCOPE) and again.rate.numerator == kept.rate.numerator - 30


def test_forget_drops_the_named_totals():
    for key in ("2025/-/-/-", "2025/1/-/-"):
        attendance_snapshots.kept_total(key, 2025, _counting()[0], NOW)
    attendance_snapshots.forget(["2025/1/-/-"])
    assert list(db.session.scalars(sa.select(AttendanceSnapshot.key))) == ["2025/-/-/-"]
