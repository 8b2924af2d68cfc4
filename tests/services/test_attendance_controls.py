"""The auditors' red flags, found in the ledger without HTTP: each finding points to its sheet."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cfa.models import JustificationStatus
from cfa.services import attendance_controls as controls
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n"
SIGNED = datetime(2026, 3, 2, 8, 5, tzinfo=UTC)
SINCE = date(2025, 9, 1)


def signed_sheet(session, closed_at=None, by=None, **kw):
    by = by or session.trainer or f.UserFactory.trainer()
    closed_at = closed_at or datetime.combine(session.date, time(12), tzinfo=UTC)
    return f.AttendanceSheetFactory(
        session=session, closed_at=closed_at, closed_by=by, trainer_signature=PNG, trainer_signed_at=closed_at, **kw
    )


def sign(sheet, enrolment, at):
    return f.AttendanceMarkFactory(sheet=sheet, enrolment=enrolment, signature=PNG, signed_at=at)


def ids(control):
    return [finding.session_id for finding in control.findings]


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 5, 1), "jour férié : Fête du Travail"),
        (date(2026, 12, 28), "centre fermé : Vacances de Noël"),
        (date(2026, 3, 2), None),  # an ordinary Monday
    ],
)
def test_signatures_on_a_public_holiday_or_a_closure_day_are_flagged(day, expected):
    centre = f.CentreFactory()
    f.ClosurePeriodFactory(
        centre=centre, label="Vacances de Noël", start_date=date(2026, 12, 21), end_date=date(2027, 1, 1)
    )
    session = f.SessionFactory(cohort=f.CohortFactory(centre=centre), date=day)
    f.SessionFactory(cohort=session.cohort, date=date(2026, 5, 1), half_day=f.m.HalfDay.PM)  # never signed
    signed_sheet(session)
    control = controls.closed_day_signatures(SINCE)
    assert [(x.session_id, x.detail) for x in control.findings] == ([(session.id, expected)] if expected else [])
    assert control.total == (1 if expected else 0)


def test_a_closure_of_another_centre_flags_nothing():
    f.ClosurePeriodFactory(start_date=date(2026, 3, 2), end_date=date(2026, 3, 6))
    signed_sheet(f.SessionFactory(date=date(2026, 3, 2)))
    assert controls.closed_day_signatures(SINCE).total == 0


@pytest.mark.parametrize(
    "second_start, second_end, same_signer, flagged",
    [
        (time(10), time(12), True, True),  # overlaps the 9:00-12:30 half-day
        (time(12, 30), time(16), True, False),  # starts as the other ends
        (time(10), time(12), False, False),  # someone else signed it
    ],
)
def test_a_trainer_who_signed_two_overlapping_sheets_is_flagged(second_start, second_end, same_signer, flagged):
    trainer = f.UserFactory.trainer()
    first = f.SessionFactory(date=date(2026, 3, 2), trainer=trainer)
    second = f.SessionFactory(date=date(2026, 3, 2), start_time=second_start, end_time=second_end)
    signed_sheet(first, by=trainer)
    signed_sheet(second, by=trainer if same_signer else f.UserFactory.trainer())
    control = controls.trainer_in_two_places(SINCE)
    assert ids(control) == ([first.id] if flagged else [])
    if flagged:
        assert control.findings[0].other_session_id == second.id
        assert trainer.last_name in control.findings[0].detail


@pytest.mark.parametrize(
    "closed_at, flagged",
    [
        (datetime(2026, 3, 2, 8, 5, tzinfo=UTC), True),  # 9:05 in Paris for a 9:00-12:30 half-day
        (datetime(2026, 3, 2, 11, 29, tzinfo=UTC), True),  # 12:29 in Paris
        (datetime(2026, 3, 2, 11, 30, tzinfo=UTC), False),  # 12:30 in Paris
        (datetime(2026, 3, 2, 12, 0, tzinfo=UTC), False),
    ],
)
def test_a_sheet_closed_before_its_half_day_ended_is_flagged_in_paris_time(closed_at, flagged):
    session = f.SessionFactory(date=date(2026, 3, 2))
    signed_sheet(session, closed_at=closed_at)
    control = controls.closed_before_the_end(SINCE)
    assert ids(control) == ([session.id] if flagged else [])
    if flagged and closed_at.hour == 8:
        assert control.findings[0].detail == "close à 9 h 05, fin prévue à 12 h 30"


def test_summer_time_is_taken_into_account():
    session = f.SessionFactory(date=date(2026, 7, 6))  # Paris is UTC+2
    signed_sheet(session, closed_at=datetime(2026, 7, 6, 10, 15, tzinfo=UTC))  # 12:15 in Paris
    signed_sheet(f.SessionFactory(date=date(2026, 7, 7)), closed_at=datetime(2026, 7, 7, 10, 45, tzinfo=UTC))
    assert ids(controls.closed_before_the_end(SINCE)) == [session.id]


def test_past_sheets_never_taken_or_never_closed_are_flagged():
    never = f.SessionFactory(date=date(2026, 3, 2))
    left_open = f.SessionFactory(date=date(2026, 3, 3))
    f.AttendanceSheetFactory(session=left_open)
    signed_sheet(f.SessionFactory(date=date(2026, 3, 4)))
    control = controls.never_taken(now=datetime(2026, 3, 10, tzinfo=UTC))
    assert ids(control) == [left_open.id, never.id] and control.total == 2


def test_an_apprentice_signed_in_on_a_day_their_absence_is_justified_is_flagged():
    enrolment = f.EnrolmentFactory()
    session = f.SessionFactory(cohort=enrolment.cohort, date=date(2026, 3, 2))
    sheet = signed_sheet(session)
    sign(sheet, enrolment, SIGNED)
    other = f.EnrolmentFactory(cohort=enrolment.cohort)
    sign(sheet, other, SIGNED + timedelta(seconds=20))
    f.JustificationFactory(
        enrolment=enrolment, status=JustificationStatus.ACCEPTED, start_date=date(2026, 3, 2), end_date=date(2026, 3, 4)
    )
    f.JustificationFactory(enrolment=other, start_date=date(2026, 3, 2), end_date=date(2026, 3, 2))  # pending
    control = controls.signed_while_justified_absent(SINCE)
    assert ids(control) == [session.id] and enrolment.apprentice.last_name in control.findings[0].detail


@pytest.mark.parametrize("same_second, flagged", [(5, True), (4, False)])
def test_many_signatures_within_the_same_second_on_one_sheet_are_flagged(same_second, flagged):
    session = f.SessionFactory(date=date(2026, 3, 2))
    sheet = signed_sheet(session)
    for index in range(same_second):
        sign(sheet, f.EnrolmentFactory(cohort=session.cohort), SIGNED + timedelta(microseconds=index * 1000))
    sign(sheet, f.EnrolmentFactory(cohort=session.cohort), SIGNED + timedelta(seconds=1))
    control = controls.batch_signatures(SINCE)
    assert ids(control) == ([session.id] if flagged else [])
    if flagged:
        assert control.findings[0].detail == "5 signatures à la même seconde (09:05:00)"


def test_each_control_lists_a_bounded_number_of_findings_and_counts_them_all(monkeypatch):
    monkeypatch.setattr(controls, "LIMIT", 2)
    for day in (2, 3, 4):
        signed_sheet(f.SessionFactory(date=date(2026, 3, day)), closed_at=datetime(2026, 3, day, 8, tzinfo=UTC))
    control = controls.closed_before_the_end(SINCE)
    assert len(control.findings) == 2 and control.total == 3


def test_all_controls_load_the_sessions_they_point_to_in_a_fixed_number_of_queries(count_queries):
    for day in (2, 3):
        signed_sheet(f.SessionFactory(date=date(2026, 3, day)), closed_at=datetime(2026, 3, day, 8, tzinfo=UTC))
        f.SessionFactory(date=date(2026, 3, day), half_day=f.m.HalfDay.PM)
    with count_queries() as few:
        controls.run_controls(SINCE, now=datetime(2026, 3, 10, tzinfo=UTC))
    for day in (4, 5, 6, 9):
        signed_sheet(f.SessionFactory(date=date(2026, 3, day)), closed_at=datetime(2026, 3, day, 8, tzinfo=UTC))
        f.SessionFactory(date=date(2026, 3, day), half_day=f.m.HalfDay.PM)
    with count_queries() as more:
        found = controls.run_controls(SINCE, now=datetime(2026, 3, 10, tzinfo=UTC))
    assert len(more) == len(few)
    assert all(x.session is not None for control in found for x in control.findings)


def test_a_control_covers_the_period_asked_for():
    session = f.SessionFactory(date=date(2026, 3, 2))
    signed_sheet(session, closed_at=datetime(2026, 3, 2, 8, 5, tzinfo=UTC))
    assert controls.closed_before_the_end(date(2026, 3, 2)).total == 1
    assert controls.closed_before_the_end(date(2026, 3, 3)).total == 0


def test_a_signed_afternoon_after_a_justified_morning_absence_is_no_contradiction():
    enrolment = f.EnrolmentFactory()
    morning = f.SessionFactory(cohort=enrolment.cohort, date=date(2026, 3, 2))
    afternoon = f.SessionFactory(cohort=enrolment.cohort, date=date(2026, 3, 2), half_day=f.m.HalfDay.PM)
    f.AttendanceMarkFactory(sheet=signed_sheet(morning), enrolment=enrolment, status=f.m.MarkStatus.ABSENT)
    sign(signed_sheet(afternoon), enrolment, SIGNED + timedelta(hours=5))
    f.JustificationFactory(
        enrolment=enrolment, status=JustificationStatus.ACCEPTED, start_date=date(2026, 3, 2), end_date=date(2026, 3, 2)
    )
    assert controls.signed_while_justified_absent(SINCE).total == 0
