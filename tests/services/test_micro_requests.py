"""The micro-certification path: who may ask for which domain, the assessment, and the awards it issues."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, Award, CourseAudience, EnrolmentStatus, OutboxMessage, RequestStatus, Role
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import revoke_award
from cfa.services.micro_requests import (
    DomainResult,
    record_results,
    request_micro_certification,
    requestable_domains,
    schedule_assessment,
    withdraw_request,
)
from tests.factories import (
    AwardFactory,
    EmployerFactory,
    EnrolmentFactory,
    MicroCertificationFactory,
    ShortCourseFactory,
    ShortCourseRunFactory,
    TraineeEnrolmentFactory,
    UserFactory,
)

DAY = date(2025, 11, 3)
ASSESSED = date(2025, 11, 20)
TODAY = date(2025, 12, 1)


@pytest.fixture
def domains():
    return [MicroCertificationFactory(domain=d, code=f"MS-D{d}", title=f"Domaine {d}") for d in (1, 2, 3)]


def socle_trainee():
    """An employee of a client who followed the 6-day entry course."""
    socle = ShortCourseFactory(entry_course=True, audience=CourseAudience.NEW_MEDIATORS, title="Formation socle")
    return TraineeEnrolmentFactory(cohort=ShortCourseRunFactory(programme=socle), status=EnrolmentStatus.COMPLETED)


def ask(learner, micros, actor=None, source=None):
    return request_micro_certification(actor or learner, learner, [m.id for m in micros], on=DAY, source=source)


def test_a_socle_trainee_asks_for_two_domains_from_the_course(domains):
    enrolment = socle_trainee()
    request = ask(enrolment.apprentice, domains[:2], source=enrolment)
    assert request.status == RequestStatus.REQUESTED
    assert [row.micro_certification.domain for row in request.domains] == [1, 2]
    assert request.source_enrolment_id == enrolment.id and request.requested_by_id == enrolment.apprentice_id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "micro_cert_request"))
    assert event.action == "create" and event.after["domains"] == ["MS-D1", "MS-D2"]


def test_an_employee_of_the_cfa_or_an_apprentice_may_ask_too(domains):
    staff = UserFactory(roles=[Role.LEARNER], employer=EmployerFactory(name="Association du CFA"))
    apprentice = EnrolmentFactory().apprentice  # employed through their contract
    admin = UserFactory.admin()
    assert ask(staff, domains[:1], actor=admin).requested_by_id == admin.id
    assert ask(apprentice, domains[:1]).learner_id == apprentice.id


def test_a_person_who_is_no_employee_of_a_client_or_of_the_cfa_is_refused(domains):
    individual = UserFactory(roles=[Role.LEARNER], employer=None)
    TraineeEnrolmentFactory(apprentice=individual, employer=None)  # paid for the course themselves
    with pytest.raises(AssessmentError, match="n'est salarié·e ni d'un client ni du CFA"):
        ask(individual, domains[:1])


def test_a_domain_already_held_is_refused(domains):
    learner = socle_trainee().apprentice
    AwardFactory(learner=learner, micro_certification=domains[1])
    with pytest.raises(AssessmentError, match=r"détient déjà : domaine 2 \(MS-D2\)"):
        ask(learner, domains)


def test_a_revoked_award_no_longer_counts_as_held(domains):
    learner = socle_trainee().apprentice
    revoke_award(AwardFactory(learner=learner, micro_certification=domains[0]), UserFactory.admin(), "Erreur")
    assert ask(learner, domains[:1]).status == RequestStatus.REQUESTED


def test_a_domain_already_in_a_pending_request_is_refused_until_withdrawn(domains):
    learner = socle_trainee().apprentice
    first = ask(learner, domains[:2])
    with pytest.raises(AssessmentError, match=r"déjà en cours pour : domaine 2"):
        ask(learner, domains[1:])
    withdraw_request(learner, first.id, "Je change d'avis")
    assert ask(learner, domains[1:]).status == RequestStatus.REQUESTED
    assert [m.domain for m in requestable_domains(learner.id)] == [1]


def test_no_domain_and_an_inactive_domain_are_refused(domains):
    learner = socle_trainee().apprentice
    with pytest.raises(AssessmentError, match="au moins un domaine"):
        ask(learner, [])
    domains[2].active = False
    with pytest.raises(AssessmentError, match=r"n'est plus délivré : domaine 3"):
        ask(learner, domains[2:])


def test_the_source_must_be_the_persons_own_entry_course(domains):
    learner = socle_trainee().apprentice
    other_course = TraineeEnrolmentFactory(apprentice=learner, employer=learner.employer)
    with pytest.raises(AssessmentError, match="inscription de la personne au socle"):
        ask(learner, domains[:1], source=other_course)
    with pytest.raises(AssessmentError, match="inscription de la personne au socle"):
        ask(learner, domains[:1], source=socle_trainee())


def test_a_tutor_cannot_ask_for_a_micro_certification(domains):
    with pytest.raises(AssessmentError, match="apprenti·e ou un·e stagiaire"):
        ask(UserFactory.tutor(), domains[:1])


def scheduled(domains, count=3, assessor=None):
    learner = socle_trainee().apprentice
    assessor = assessor or UserFactory.trainer()
    request = ask(learner, domains[:count])
    schedule_assessment(UserFactory.admin(), request.id, on=ASSESSED, assessor=assessor)
    return request, assessor


def test_the_full_path_issues_an_award_per_domain_acquired_and_none_for_the_others(domains):
    request, assessor = scheduled(domains)
    decisions = [DomainResult(True, "Posture juste"), DomainResult(False, "À retravailler"), DomainResult(True)]
    results = {row.id: decision for row, decision in zip(request.domains, decisions, strict=True)}
    record_results(assessor, request.id, results, today=TODAY)
    assert request.status == RequestStatus.ASSESSED and request.assessed_at is not None
    acquired, failed, third = request.domains
    assert acquired.award.micro_certification_id == domains[0].id and acquired.award.awarded_on == ASSESSED
    assert acquired.award.assessor_id == assessor.id and "Posture juste" in acquired.award.evidence
    assert (failed.acquired, failed.award, failed.comment) == (False, None, "À retravailler")
    assert third.award is not None
    assert db.session.scalar(sa.select(sa.func.count(Award.id)).where(Award.learner_id == request.learner_id)) == 2
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.context_entity == "micro_cert_request")
    ).all()
    assert actions.count("assess") == 4 and "schedule" in actions


def test_results_need_a_schedule_every_domain_and_the_day_of_the_assessment(domains):
    learner = socle_trainee().apprentice
    admin = UserFactory.admin()
    request = ask(learner, domains[:2])
    with pytest.raises(AssessmentError, match="planifiée avant"):
        record_results(admin, request.id, {row.id: DomainResult(True) for row in request.domains}, today=TODAY)
    schedule_assessment(admin, request.id, on=ASSESSED, assessor=admin)
    with pytest.raises(AssessmentError, match="pour chaque domaine"):
        record_results(admin, request.id, {request.domains[0].id: DomainResult(True)}, today=TODAY)
    with pytest.raises(AssessmentError, match="à partir du jour de l'évaluation"):
        record_results(admin, request.id, {row.id: DomainResult(True) for row in request.domains}, today=DAY)


def test_only_the_appointed_trainer_records_the_results_and_only_once(domains):
    request, assessor = scheduled(domains, count=1)
    results = {request.domains[0].id: DomainResult(True)}
    with pytest.raises(AssessmentError, match="évaluateur·rice désigné·e"):
        record_results(UserFactory.trainer(), request.id, results, today=TODAY)
    record_results(assessor, request.id, results, today=TODAY)
    with pytest.raises(AssessmentError, match="déjà été saisis"):
        record_results(UserFactory.admin(), request.id, results, today=TODAY)


@pytest.mark.parametrize("who", ["learner", "tutor", "quality", "inactive trainer"])
def test_the_assessor_must_be_a_trainer_or_an_administrator(domains, who):
    learner = socle_trainee().apprentice
    request = ask(learner, domains[:1])
    assessor = {
        "learner": learner,
        "tutor": UserFactory.tutor(),
        "quality": UserFactory.quality(),
        "inactive trainer": UserFactory.trainer(active=False),
    }[who]
    with pytest.raises(AssessmentError):
        schedule_assessment(UserFactory.admin(), request.id, on=ASSESSED, assessor=assessor)
    assert request.status == RequestStatus.REQUESTED


def test_an_assessment_cannot_precede_the_request_and_a_withdrawn_request_cannot_be_scheduled(domains):
    learner = socle_trainee().apprentice
    admin = UserFactory.admin()
    request = ask(learner, domains[:1])
    with pytest.raises(AssessmentError, match="précéder la demande"):
        schedule_assessment(admin, request.id, on=date(2025, 10, 1), assessor=admin)
    with pytest.raises(AssessmentError, match="motif"):
        withdraw_request(admin, request.id, "  ")
    withdraw_request(admin, request.id, "A quitté son poste")
    assert request.withdrawal_reason == "A quitté son poste"
    with pytest.raises(AssessmentError, match="en attente"):
        schedule_assessment(admin, request.id, on=ASSESSED, assessor=admin)


def test_a_domain_awarded_by_hand_meanwhile_refuses_the_whole_recording(domains):
    request, assessor = scheduled(domains, count=2)
    AwardFactory(learner=request.learner, micro_certification=domains[1])
    with pytest.raises(AssessmentError, match="détient déjà"):
        record_results(assessor, request.id, {row.id: DomainResult(True) for row in request.domains}, today=TODAY)


def test_scheduling_tells_the_person_by_e_mail_once_per_date_and_a_person_without_address_on_paper(domains):
    learner = socle_trainee().apprentice
    admin, trainer = UserFactory.admin(), UserFactory.trainer()
    request = ask(learner, domains[:2])
    schedule_assessment(admin, request.id, on=ASSESSED, assessor=trainer)
    schedule_assessment(admin, request.id, on=ASSESSED, assessor=trainer)
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.recipient == learner.email and "20/11/2025" in message.subject
    assert trainer.full_name in message.body_text and "domaine 2" in message.body_text
    schedule_assessment(admin, request.id, on=date(2025, 11, 27), assessor=trainer)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2

    without_address = UserFactory(roles=[Role.LEARNER], employer=learner.employer, email=None)
    other = ask(without_address, domains[:1], actor=admin)
    schedule_assessment(admin, other.id, on=ASSESSED, assessor=trainer)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2
