"""Closed years' attendance totals kept for the dashboard: read back while nothing of the year changes, computed
again as soon as a mark, a half-day, an enrolment's contract or a cohort's scope changes (even during the
computation), and never kept for the current year."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceSnapshot, MarkStatus
from cfa.services import attendance_snapshots
from cfa.services import quality_indicators as qi
from tests import factories as f

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SCOPE = qi.Scope(2025)


class Counting:
    """A computation that counts its calls, and may write something while it runs."""

    def __init__(self, result=(10, 20), meanwhile=None):
        self.calls, self.result, self.meanwhile = 0, result, meanwhile

    def __call__(self):
        self.calls += 1
        if self.meanwhile is not None:
            self.meanwhile()
            self.meanwhile = None
        return self.result


def _marked(day=date(2025, 9, 15), status=MarkStatus.PRESENT):
    mark = f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=f.SessionFactory(date=day)), status=status)
    db.session.flush()
    return mark


def _computed_again(years, write) -> set[int]:
    """Keep a total for each year, `write`, and say which years are then computed again."""
    for year in years:
        attendance_snapshots.kept_total(f"{year}/-/-/-", year, Counting(), NOW)
    write()
    db.session.flush()
    counters = {year: Counting() for year in years}
    for year, compute in counters.items():
        attendance_snapshots.kept_total(f"{year}/-/-/-", year, compute, NOW)
    return {year for year, compute in counters.items() if compute.calls}


def test_a_closed_year_is_computed_once_then_read_back_with_its_time():
    compute = Counting()
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW) == (10, 20, NOW)
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW + timedelta(hours=1)) == (10, 20, NOW)
    assert compute.calls == 1


def test_the_current_year_is_never_kept():
    compute = Counting()
    for _ in range(2):
        assert attendance_snapshots.kept_total("2026/-/-/-", 2026, compute, NOW) == (10, 20, None)
    assert compute.calls == 2
    assert db.session.scalar(sa.select(sa.func.count(AttendanceSnapshot.id))) == 0


def test_a_kept_total_older_than_a_day_is_computed_again():
    compute = Counting()
    attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, NOW)
    later = NOW + attendance_snapshots.MAX_AGE + timedelta(minutes=1)
    assert attendance_snapshots.kept_total("2025/-/-/-", 2025, compute, later) == (10, 20, later)
    assert compute.calls == 2
    assert db.session.scalar(sa.select(sa.func.count(AttendanceSnapshot.id))) == 1


def test_writing_a_mark_makes_its_year_only_be_computed_again():
    mark = _marked()

    def correct():
        mark.status = MarkStatus.ABSENT

    assert _computed_again([2024, 2025], correct) == {2025}


def test_a_new_mark_and_a_half_day_changed_or_moved_make_their_years_be_computed_again():
    session = f.SessionFactory(date=date(2024, 3, 4))
    db.session.flush()
    assert _computed_again(
        [2023, 2024], lambda: f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session))
    ) == {2024}

    def shorten():
        session.end_time = time(12, 0)  # a half-day's length is what its marks are worth

    assert _computed_again([2023, 2024], shorten) == {2024}

    def move():
        session.date = date(2023, 3, 6)  # from 2024 into 2023: both years change

    assert _computed_again([2022, 2023, 2024], move) == {2023, 2024}


def test_an_enrolment_whose_contract_changes_makes_every_year_be_computed_again():
    mark = _marked()

    def extend():
        mark.enrolment.contract_end = date(2025, 12, 1)

    assert _computed_again([2023, 2024], extend) == {2023, 2024}


def test_todays_writes_leave_closed_years_kept():
    assert _computed_again([2025], lambda: _marked(day=date.today())) == set()


def test_a_write_made_while_a_total_is_computed_leaves_it_to_be_computed_again():
    mark = _marked()

    def correct():
        mark.status = MarkStatus.ABSENT
        db.session.flush()

    racing = Counting(meanwhile=correct)  # as if another worker committed while this one summed the year
    attendance_snapshots.kept_total("2025/-/-/-", 2025, racing, NOW)
    attendance_snapshots.kept_total("2025/-/-/-", 2025, racing, NOW)
    assert racing.calls == 2


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
        attendance_snapshots.kept_total(key, 2025, Counting(), NOW)
    attendance_snapshots.forget(["2025/1/-/-"])
    assert list(db.session.scalars(sa.select(AttendanceSnapshot.key))) == ["2025/-/-/-"]
