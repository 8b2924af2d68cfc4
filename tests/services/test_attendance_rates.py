"""Attendance rates on cases computed by hand, summed by the database."""

import io
from datetime import UTC, date, datetime, time

import pytest
from pypdf import PdfReader

from cfa.models import JustificationStatus, MarkStatus, SessionStatus
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificat_realisation import render_attestation, render_certificats
from cfa.services import attendance_documents as docs
from cfa.services import justifications
from cfa.services.attendance_rates import rates_by_cohort, rates_by_enrolment
from tests import factories as f

LATER = datetime(2026, 1, 1, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def mark(enrolment, day, status=MarkStatus.PRESENT, late=0, early=0, half_day=None, **session):
    half_day = half_day or f.m.HalfDay.AM
    lesson = f.SessionFactory(cohort=enrolment.cohort, date=day, half_day=half_day, **session)
    return f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=lesson),
        enrolment=enrolment,
        status=status,
        minutes_late=late,
        minutes_left_early=early,
    )


@pytest.mark.parametrize(
    "status, late, early, justified, attended, unjustified, justified_minutes",
    [
        (MarkStatus.PRESENT, 0, 0, False, 210, 0, 0),
        (MarkStatus.LATE, 25, 0, False, 185, 0, 0),
        (MarkStatus.LEFT_EARLY, 0, 40, False, 170, 0, 0),
        # One half-day with both: 30 min late and 15 min early of 3 h 30 is 2 h 45 (the database keeps such a mark
        # "late": the status always agrees with the minutes).
        (MarkStatus.LATE, 30, 15, False, 165, 0, 0),
        (MarkStatus.ABSENT, 0, 0, False, 0, 210, 0),
        (MarkStatus.ABSENT, 0, 0, True, 0, 0, 210),
    ],
)
def test_what_one_half_day_adds(status, late, early, justified, attended, unjustified, justified_minutes):
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 16), status, late, early)
    if justified:
        f.JustificationFactory(enrolment=enrolment, status=JustificationStatus.ACCEPTED)
    rate = rates_by_enrolment([enrolment.id], now=LATER)[enrolment.id]
    assert (rate.scheduled, rate.attended, rate.absent_unjustified, rate.absent_justified) == (
        210,
        attended,
        unjustified,
        justified_minutes,
    )
    assert (rate.late, rate.left_early, rate.lateness) == (late, early, 1 if late or early else 0)


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
    rate = rates_by_enrolment([enrolment.id], end=date(2025, 9, 16), now=LATER)[enrolment.id]
    # 4 half-days of 210 min = 840 scheduled; attended 210 + 180 + 0 + 150 = 540.
    assert (rate.scheduled, rate.attended, rate.late, rate.left_early) == (840, 540, 30, 60)
    assert (rate.absent_justified, rate.absent_unjustified, rate.absences, rate.lateness) == (210, 0, 1, 2)
    assert rate.value == pytest.approx(540 / 840)
    whole = rates_by_enrolment([enrolment.id], now=LATER)[enrolment.id]
    assert (whole.scheduled, whole.attended, whole.absent_unjustified) == (1050, 540, 210)


def test_late_and_early_minutes_of_one_half_day_are_both_deducted_on_the_certificat_and_the_attestation(app):
    f.OrganisationFactory()
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 16), MarkStatus.LATE, late=30, early=15)
    (period,) = docs.periods_for([enrolment], date(2025, 9, 15), date(2025, 9, 19))
    assert period.rate.attended == 165
    identity = Identity.from_organisation(f.m.Organisation.query.first())
    certificat = pdf_text(render_certificats([period], identity, date(2025, 9, 30)))
    assert "2 h 45 réalisées" in certificat and "3 h 30 réalisées" not in certificat
    attestation = pdf_text(render_attestation(period, identity, date(2025, 9, 30)))
    assert "2 h 45" in attestation and "45 min" in attestation


def test_a_past_half_day_without_a_mark_is_counted_apart_as_not_recorded():
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 15))
    f.SessionFactory(cohort=enrolment.cohort, date=date(2025, 9, 16))  # no sheet at all
    open_sheet = f.AttendanceSheetFactory(session=f.SessionFactory(cohort=enrolment.cohort, date=date(2025, 9, 17)))
    f.AttendanceMarkFactory(sheet=open_sheet)  # someone else marked, not this apprentice
    f.SessionFactory(cohort=enrolment.cohort, date=date(2025, 9, 18), status=SessionStatus.CANCELLED)
    f.SessionFactory(cohort=enrolment.cohort, date=date(2025, 9, 19))  # still to come
    now = datetime(2025, 9, 18, 12, tzinfo=UTC)
    rate = rates_by_enrolment([enrolment.id], now=now)[enrolment.id]
    assert (rate.scheduled, rate.attended) == (210, 210)
    assert (rate.not_recorded_half_days, rate.not_recorded_minutes) == (2, 420)
    cohort_rate = rates_by_cohort([enrolment.cohort_id], now=now)[0][enrolment.cohort_id]
    assert cohort_rate.not_recorded_half_days == 4  # the other apprentice has no mark on the 15th nor the 16th


def test_half_days_outside_the_contract_are_not_counted_as_not_recorded():
    cohort = f.CohortFactory()
    enrolment = f.EnrolmentFactory(cohort=cohort, contract_start=date(2025, 9, 17))
    f.SessionFactory(cohort=cohort, date=date(2025, 9, 16))
    f.SessionFactory(cohort=cohort, date=date(2025, 9, 17))
    rate = rates_by_enrolment([enrolment.id], now=LATER)[enrolment.id]
    assert rate.not_recorded_half_days == 1


@pytest.mark.parametrize("justification_first", [True, False], ids=["decided-before", "decided-after"])
def test_an_accepted_justification_covers_every_absence_of_its_span_whenever_recorded(justification_first):
    enrolment = f.EnrolmentFactory()
    proof = f.JustificationFactory(enrolment=enrolment, start_date=date(2025, 9, 15), end_date=date(2025, 9, 17))
    if justification_first:
        justifications.decide(proof, f.UserFactory.admin(), accept=True)
    for day in (date(2025, 9, 15), date(2025, 9, 17), date(2025, 9, 18)):
        mark(enrolment, day, MarkStatus.ABSENT)
    if not justification_first:
        assert justifications.decide(proof, f.UserFactory.admin(), accept=True) == 2
    rate = rates_by_enrolment([enrolment.id], now=LATER)[enrolment.id]
    assert (rate.absent_justified, rate.absent_unjustified) == (420, 210)


def test_a_pending_or_refused_justification_justifies_nothing():
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 16), MarkStatus.ABSENT)
    f.JustificationFactory(enrolment=enrolment)
    f.JustificationFactory(enrolment=enrolment, status=JustificationStatus.REFUSED, refusal_reason="Illisible")
    rate = rates_by_enrolment([enrolment.id], now=LATER)[enrolment.id]
    assert (rate.absent_justified, rate.absent_unjustified) == (0, 210)


def test_rates_of_many_apprentices_take_two_queries(count_queries):
    enrolments = [f.EnrolmentFactory() for _ in range(5)]
    for enrolment in enrolments:
        mark(enrolment, date(2025, 9, 16), MarkStatus.LATE, late=20)
    with count_queries() as queries:
        rates = rates_by_enrolment([e.id for e in enrolments], now=LATER)
    assert len(queries) == 2 and all("GROUP BY" in q and "sum(" in q for q in queries)  # summed by the database
    assert all(r.attended == 190 for r in rates.values())


def test_the_certificat_and_the_attestation_state_the_time_not_recorded_apart(app):
    f.OrganisationFactory()
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 15))
    f.SessionFactory(cohort=enrolment.cohort, date=date(2025, 9, 16))  # sheet never taken
    (period,) = docs.periods_for([enrolment], date(2025, 9, 15), date(2025, 9, 19))
    identity = Identity.from_organisation(f.m.Organisation.query.first())
    certificat = pdf_text(render_certificats([period], identity, date(2025, 9, 30)))
    assert "3 h 30 réalisées" in certificat and "3 h 30 de demi-journées non renseignées" in certificat
    attestation = pdf_text(render_attestation(period, identity, date(2025, 9, 30)))
    assert "Non renseigné" in attestation and "1 demi-journée(s), 3 h 30" in attestation


def test_the_total_of_many_apprentices_is_the_sum_of_their_rates_in_one_row_per_query(count_queries):
    """What the quality dashboard reads for a network's year: the same figures as summing each apprentice's rate,
    without fetching one row per apprentice."""
    import sqlalchemy as sa

    from cfa.models import Enrolment
    from cfa.services.attendance_rates import Rate, total_rate

    cohort = f.CohortFactory()
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(3)]
    day = date(2025, 9, 16)
    mark(enrolments[0], day, MarkStatus.LATE, late=25)
    mark(enrolments[1], date(2025, 9, 17), MarkStatus.ABSENT)
    mark(enrolments[2], date(2025, 9, 18), MarkStatus.LEFT_EARLY, early=40)
    f.JustificationFactory(
        enrolment=enrolments[1],
        start_date=date(2025, 9, 17),
        end_date=date(2025, 9, 17),
        status=JustificationStatus.ACCEPTED,
    )
    f.SessionFactory(cohort=cohort, date=date(2025, 9, 19))  # no sheet: "non renseigné" for all three
    summed = Rate()
    for rate in rates_by_enrolment([e.id for e in enrolments], date(2025, 1, 1), date(2025, 12, 31), LATER).values():
        summed.add(rate)
    ids = sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)
    with count_queries() as queries:
        total = total_rate(ids, date(2025, 1, 1), date(2025, 12, 31), LATER)
    assert total == summed and total.not_recorded_half_days > 0 and total.absent_justified > 0
    assert len(queries) == 2
