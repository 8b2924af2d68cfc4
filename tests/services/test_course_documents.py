"""Convocations through the outbox (accounts or not), the end-of-course assessment and the people to survey."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, ObjectiveOutcome, OutboxMessage, User
from cfa.services import course_documents as docs
from cfa.services.course_documents import OutcomeError, OutcomeInput
from tests import course_scene as scene
from tests import factories as f

NOW = datetime(2025, 9, 22, 8, 0, tzinfo=UTC)


def test_a_trainee_without_an_account_is_convened_by_email_and_no_account_is_created():
    cohort, _ = scene.run(intra=True)
    enrolment = scene.trainee(cohort, cohort.client, first_name="Inès", last_name="Sans-Compte")
    users_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    report = docs.convene(cohort, "accueil@cfa.test · 02 99 00 00 00", now=NOW)
    assert report.emailed == [enrolment] and report.on_paper == []
    message = db.session.scalar(sa.select(OutboxMessage))
    assert message.recipient == enrolment.apprentice.email
    assert "Lundi 6 octobre 2025, matin : 9 h 00 - 12 h 30" in message.body_text
    assert "Maison de quartier Maurepas" in message.body_text and "14 h" in message.body_text
    assert "accueil@cfa.test" in message.body_text
    assert "connexion" not in message.body_text.lower() and "http" not in message.body_text
    assert enrolment.convened_at == NOW and enrolment.apprentice.password_hash is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users_before


def test_a_trainee_without_email_is_listed_for_paper_and_a_second_run_convenes_only_the_newcomers():
    cohort, _ = scene.run()
    employer = f.EmployerFactory()
    emailed = scene.trainee(cohort, employer)
    paper = scene.trainee(cohort, employer, email=None)
    first = docs.convene(cohort, "contact", now=NOW)
    assert first.emailed == [emailed] and first.on_paper == [paper] and paper.convened_at is None
    newcomer = scene.trainee(cohort, employer)
    second = docs.convene(cohort, "contact", now=datetime(2025, 9, 23, tzinfo=UTC))
    assert second.emailed == [newcomer]
    again = docs.convene(cohort, "contact", again=True, now=datetime(2025, 9, 24, tzinfo=UTC))
    assert {e.id for e in again.emailed} == {emailed.id, newcomer.id}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 4


def test_outcomes_are_recorded_once_the_session_ends_and_every_change_is_audited():
    cohort, _ = scene.run()
    admin = f.UserFactory.admin()
    enrolment = scene.trainee(cohort, f.EmployerFactory())
    with pytest.raises(OutcomeError, match="dernier jour"):
        docs.record_outcomes(
            admin, cohort, {enrolment.id: OutcomeInput(ObjectiveOutcome.REACHED, "")}, date(2025, 10, 6)
        )
    assert (
        docs.record_outcomes(admin, cohort, {enrolment.id: OutcomeInput(ObjectiveOutcome.REACHED, "")}, cohort.end_date)
        == 1
    )
    assert (
        docs.record_outcomes(
            admin, cohort, {enrolment.id: OutcomeInput(ObjectiveOutcome.REACHED, " ")}, cohort.end_date
        )
        == 0
    )
    docs.record_outcomes(
        admin, cohort, {enrolment.id: OutcomeInput(ObjectiveOutcome.PARTLY, "Posture à consolider")}, cohort.end_date
    )
    assert (enrolment.outcome, enrolment.outcome_note) == (ObjectiveOutcome.PARTLY, "Posture à consolider")
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "outcome").order_by(AuditEvent.id))
    assert [(e.before.get("outcome"), e.after["outcome"]) for e in events] == [(None, "reached"), ("reached", "partly")]


def test_an_outcome_for_someone_outside_the_session_or_a_note_without_result_changes_nothing():
    cohort, _ = scene.run()
    admin = f.UserFactory.admin()
    mine = scene.trainee(cohort, f.EmployerFactory())
    stranger = scene.trainee(scene.run()[0], f.EmployerFactory())
    with pytest.raises(OutcomeError, match="pas un stagiaire"):
        docs.record_outcomes(admin, cohort, {stranger.id: OutcomeInput(ObjectiveOutcome.REACHED, "")}, cohort.end_date)
    with pytest.raises(OutcomeError, match="choisissez un résultat"):
        docs.record_outcomes(admin, cohort, {mine.id: OutcomeInput(None, "Très bien")}, cohort.end_date)
    assert mine.outcome is None and stranger.outcome is None


def test_the_people_to_survey_are_the_trainees_of_ended_sessions_with_their_employer():
    ended, _ = scene.run()
    employer = f.EmployerFactory(name="CCAS de Brest")
    surveyed = scene.trainee(ended, employer, first_name="Anne", last_name="Avis")
    scene.trainee(ended, None, first_name="Paul", last_name="Seul")
    running = f.ShortCourseRunFactory(start_date=date(2025, 10, 6), end_date=date(2025, 10, 20))
    scene.trainee(running, employer)
    f.EnrolmentFactory()  # an apprentice: surveyed by the apprenticeship's own surveys
    rows = docs.people_to_survey(date(2025, 10, 8))
    assert [(r.name, r.employer) for r in rows] == [("Anne Avis", "CCAS de Brest"), ("Paul Seul", None)]
    assert rows[0].email == surveyed.apprentice.email and rows[0].ended_on == date(2025, 10, 7)
    assert docs.people_to_survey(date(2025, 10, 8), year=2024) == []
