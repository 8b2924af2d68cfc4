"""The database itself refuses what the rules forbid, whatever the screen."""

from datetime import date, time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from cfa import models as m
from cfa.extensions import db
from tests import factories as f


def refused(make) -> bool:
    """Whether the database refuses the object built by make() (the session stays usable).

    The object is built inside the savepoint so that nothing half-attached is flushed before it.
    """
    try:
        with db.session.begin_nested():
            db.session.add(make())
            db.session.flush()
    except IntegrityError:
        return True
    return False


def test_a_second_mark_for_the_same_session_and_enrolment_is_refused():
    mark = f.AttendanceMarkFactory()
    assert refused(
        lambda: m.AttendanceMark(
            sheet_id=mark.sheet_id,
            session_id=mark.session_id,
            enrolment_id=mark.enrolment_id,
            status=m.MarkStatus.ABSENT,
        )
    )


def test_an_absent_mark_cannot_carry_late_minutes():
    sheet = f.AttendanceSheetFactory()
    enrolment = f.EnrolmentFactory(cohort=sheet.session.cohort)
    assert refused(
        lambda: m.AttendanceMark(
            sheet_id=sheet.id,
            session_id=sheet.session_id,
            enrolment_id=enrolment.id,
            status=m.MarkStatus.ABSENT,
            minutes_late=10,
        )
    )


def test_a_session_must_end_after_it_starts():
    cohort = f.CohortFactory()
    assert refused(
        lambda: m.Session(
            cohort_id=cohort.id,
            date=date(2025, 9, 15),
            half_day=m.HalfDay.AM,
            start_time=time(12, 0),
            end_time=time(9, 0),
        )
    )


def test_a_cohort_has_one_live_session_per_half_day_but_a_cancelled_one_may_remain():
    first = f.SessionFactory()
    assert refused(
        lambda: m.Session(
            cohort_id=first.cohort_id,
            date=first.date,
            half_day=first.half_day,
            start_time=time(9, 0),
            end_time=time(12, 0),
        )
    )
    first.status = m.SessionStatus.CANCELLED
    db.session.flush()
    assert not refused(
        lambda: m.Session(
            cohort_id=first.cohort_id,
            date=first.date,
            half_day=first.half_day,
            start_time=time(9, 0),
            end_time=time(12, 0),
        )
    )


def test_an_unknown_status_is_refused_by_the_check_constraint():
    enrolment = f.EnrolmentFactory()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(sa.text("UPDATE enrolment SET status = 'lost' WHERE id = :id"), {"id": enrolment.id})


def test_an_interruption_needs_a_date_and_a_reason_in_the_database_too():
    enrolment = f.EnrolmentFactory()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            m.Enrolment.__table__.update().where(m.Enrolment.id == enrolment.id).values(status="interrupted")
        )


def test_an_apprentice_is_enrolled_once_per_cohort():
    enrolment = f.EnrolmentFactory()
    assert refused(
        lambda: m.Enrolment(
            apprentice_id=enrolment.apprentice_id,
            cohort_id=enrolment.cohort_id,
            contract_start=date(2025, 9, 15),
            contract_end=date(2026, 8, 14),
        )
    )


def test_a_contract_ends_after_it_starts():
    cohort, apprentice = f.CohortFactory(), f.UserFactory.apprentice()
    assert refused(
        lambda: m.Enrolment(
            apprentice_id=apprentice.id,
            cohort_id=cohort.id,
            contract_start=date(2026, 1, 1),
            contract_end=date(2025, 1, 1),
        )
    )


def test_durations_are_positive_minutes():
    programme = f.ProgrammeFactory()
    assert refused(lambda: m.Module(programme_id=programme.id, position=1, code="M", title="M", minutes=0))
    assert refused(lambda: f.ProgrammeFactory.build(total_minutes=-60))


def test_a_foreign_key_to_nothing_is_refused():
    assert refused(lambda: m.Room(centre_id=999_999, name="Fantôme"))


def test_emails_are_unique_and_lower_case():
    user = f.UserFactory()
    assert refused(lambda: m.User(email=user.email, first_name="A", last_name="B"))
    assert refused(lambda: m.User(email="Majuscule@Exemple.test", first_name="A", last_name="B"))


def test_an_award_names_what_it_certifies():
    learner = f.UserFactory()
    assert refused(lambda: m.Award(kind=m.AwardKind.SKILL_BLOCK, learner_id=learner.id, awarded_on=date(2026, 7, 2)))


def test_a_refusal_of_a_justification_needs_a_reason():
    enrolment = f.EnrolmentFactory()
    assert refused(
        lambda: m.Justification(
            enrolment_id=enrolment.id,
            start_date=date(2026, 1, 5),
            end_date=date(2026, 1, 5),
            reason="Maladie",
            submitted_by_id=enrolment.apprentice_id,
            status=m.JustificationStatus.REFUSED,
        )
    )


def test_a_title_needs_a_level_and_a_length_in_months_but_a_short_course_does_not():
    assert refused(lambda: f.ProgrammeFactory.build(level=None))
    assert not refused(lambda: f.ShortCourseFactory.build())


def test_an_agreement_binds_an_organisation_or_a_person_never_both_nor_neither():
    run = f.ShortCourseRunFactory()
    employer = f.EmployerFactory()
    person = f.UserFactory(roles=[m.Role.LEARNER])
    assert refused(lambda: f.AgreementFactory.build(cohort=run, employer=None))
    assert refused(lambda: f.AgreementFactory.build(cohort=run, employer=employer, learner=person))
    assert not refused(lambda: f.AgreementFactory.build(cohort=run, employer=None, learner=person))


def test_a_signed_agreement_carries_its_date():
    assert refused(lambda: f.AgreementFactory.build(status=m.AgreementStatus.SIGNED, signed_on=None))


def test_a_micro_certification_request_domain_is_asked_once_and_awarded_only_when_acquired():
    request = f.MicroCertRequestFactory()
    micro = f.MicroCertificationFactory()
    db.session.add(m.MicroCertRequestDomain(request=request, micro_certification=micro))
    db.session.flush()
    assert refused(lambda: m.MicroCertRequestDomain(request_id=request.id, micro_certification_id=micro.id))
    award = f.AwardFactory(learner=request.learner, micro_certification=micro)
    assert refused(
        lambda: m.MicroCertRequestDomain(
            request_id=request.id, micro_certification_id=f.MicroCertificationFactory().id, award_id=award.id
        )
    )


def test_a_short_course_may_last_one_day_and_a_trainee_may_have_no_email():
    run = f.ShortCourseRunFactory(start_date=date(2025, 10, 6), end_date=date(2025, 10, 6))
    assert not refused(lambda: f.TraineeEnrolmentFactory.build(cohort=run, apprentice=f.UserFactory(email=None)))
