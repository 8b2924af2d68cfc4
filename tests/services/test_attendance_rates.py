"""Attendance rates on cases computed by hand."""

from datetime import date, time

import pytest

from cfa.models import JustificationStatus, MarkStatus
from cfa.services.attendance_rates import mark_minutes, rates_by_enrolment
from tests import factories as f


@pytest.mark.parametrize(
    "status, late, early, justified, attended, unjustified, justified_minutes",
    [
        (MarkStatus.PRESENT, 0, 0, False, 210, 0, 0),
        (MarkStatus.LATE, 25, 0, False, 185, 0, 0),
        (MarkStatus.LEFT_EARLY, 0, 40, False, 170, 0, 0),
        (MarkStatus.ABSENT, 0, 0, False, 0, 210, 0),
        (MarkStatus.ABSENT, 0, 0, True, 0, 0, 210),
    ],
)
def test_what_one_half_day_adds(status, late, early, justified, attended, unjustified, justified_minutes):
    rate = mark_minutes(status, 210, late, early, justified)
    assert (rate.scheduled, rate.attended, rate.absent_unjustified, rate.absent_justified) == (
        210, attended, unjustified, justified_minutes,
    )  # fmt: skip


def test_an_apprentice_s_rate_over_four_half_days():
    enrolment = f.EnrolmentFactory()
    cohort = enrolment.cohort
    days = [date(2025, 9, 15), date(2025, 9, 16)]
    sessions = [
        f.SessionFactory(cohort=cohort, date=d, half_day=h) for d in days for h in (f.m.HalfDay.AM, f.m.HalfDay.PM)
    ]
    proof = f.JustificationFactory(
        enrolment=enrolment, status=JustificationStatus.ACCEPTED, start_date=days[1], end_date=days[1]
    )
    marks = [
        (MarkStatus.PRESENT, 0, 0, None),
        (MarkStatus.LATE, 30, 0, None),
        (MarkStatus.ABSENT, 0, 0, proof),  # justified
        (MarkStatus.LEFT_EARLY, 0, 60, None),
    ]
    for session, (status, late, early, justification) in zip(sessions, marks, strict=True):
        sheet = f.AttendanceSheetFactory(session=session)
        f.AttendanceMarkFactory(
            sheet=sheet,
            enrolment=enrolment,
            status=status,
            minutes_late=late,
            minutes_left_early=early,
            justification=justification,
        )
    other_session = f.SessionFactory(cohort=cohort, date=date(2025, 9, 17), start_time=time(9), end_time=time(12, 30))
    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=other_session), enrolment=enrolment, status=MarkStatus.ABSENT
    )
    rate = rates_by_enrolment([enrolment.id], end=date(2025, 9, 16))[enrolment.id]
    # 4 half-days of 210 min = 840 scheduled; attended 210 + 180 + 0 + 150 = 540.
    assert (rate.scheduled, rate.attended, rate.late, rate.left_early) == (840, 540, 30, 60)
    assert (rate.absent_justified, rate.absent_unjustified, rate.absences, rate.lateness) == (210, 0, 1, 2)
    assert rate.value == pytest.approx(540 / 840)
    whole = rates_by_enrolment([enrolment.id])[enrolment.id]
    assert (whole.scheduled, whole.attended, whole.absent_unjustified) == (1050, 540, 210)
