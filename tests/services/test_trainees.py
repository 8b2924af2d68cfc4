"""Trainees of short courses: registered by the CFA or by their employer's contact, without an account, found
again rather than duplicated, refused with French messages, withdrawn with an audit trail."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, Enrolment, EnrolmentStatus, InterruptionKind, Role, User
from cfa.services import trainees
from cfa.services.short_courses import CourseError
from tests import factories as f

BEFORE = date(2026, 2, 1)
START, END = date(2026, 3, 2), date(2026, 3, 17)


@pytest.fixture
def admin():
    return f.UserFactory.admin()


@pytest.fixture
def client_employer():
    return f.EmployerFactory(name="Ville de Rennes")


@pytest.fixture
def contact(client_employer):
    return f.UserFactory.tutor(employer=client_employer)


@pytest.fixture
def inter():
    return f.ShortCourseRunFactory(start_date=START, end_date=END)


@pytest.fixture
def intra(client_employer):
    return f.ShortCourseRunFactory(start_date=START, end_date=END, client=client_employer)


def someone(**kw) -> trainees.TraineeValues:
    return trainees.TraineeValues(**({"first_name": "Inès", "last_name": "Morel"} | kw))


def test_a_trainee_without_an_email_is_registered_without_an_account(admin, inter, client_employer):
    enrolment = trainees.register(admin, inter, someone(employer_id=client_employer.id), today=BEFORE)
    person = enrolment.apprentice
    assert person.roles == {Role.LEARNER} and person.password_hash is None and person.email is None
    assert person.employer_id == client_employer.id and enrolment.employer_id == client_employer.id
    assert (enrolment.contract_start, enrolment.contract_end, enrolment.tutor_id) == (START, END, None)
    assert enrolment.registered_by_id == admin.id
    actions = db.session.scalars(
        sa.select(AuditEvent.entity).where(AuditEvent.actor_id == admin.id).order_by(AuditEvent.id)
    ).all()
    assert actions == ["user", "enrolment"]


def test_a_known_email_finds_the_person_instead_of_creating_a_duplicate(admin, inter, client_employer):
    known = f.UserFactory(roles=[Role.LEARNER], employer=client_employer, email="ines.morel@rennes.test")
    enrolment = trainees.register(
        admin, inter, someone(email=" Ines.Morel@Rennes.test ", employer_id=client_employer.id), today=BEFORE
    )
    assert enrolment.apprentice_id == known.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.last_name == "Morel")) <= 1


def test_a_trainee_without_an_email_is_found_again_by_name_within_the_same_employer(admin, inter, client_employer):
    first = trainees.register(admin, inter, someone(employer_id=client_employer.id), today=BEFORE).apprentice
    other_run = f.ShortCourseRunFactory(start_date=START, end_date=END)
    again = trainees.register(
        admin, other_run, someone(first_name="INÈS", employer_id=client_employer.id), today=BEFORE
    )
    assert again.apprentice_id == first.id


def test_a_staff_member_registered_by_email_becomes_a_learner_too(admin, inter):
    staff = f.UserFactory.trainer(email="formatrice@cfa.test")
    trainees.register(admin, inter, someone(email="formatrice@cfa.test"), today=BEFORE)
    assert staff.roles == {Role.TRAINER, Role.LEARNER}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("already_registered", "déjà inscrit"),
        ("ended", "terminée"),
        ("intra_other_employer", "seuls ses salarié·es"),
        ("email_of_another_employer", "autre employeur"),
        ("apprenticeship_cohort", "n'est pas une session de formation courte"),
        ("no_name", "obligatoires"),
    ],
)
def test_the_cfa_is_refused_a_registration_with_a_french_message(admin, inter, intra, case, message):
    run, values, today = inter, someone(), BEFORE
    if case == "already_registered":
        trainees.register(admin, inter, someone(), today=BEFORE)
    elif case == "ended":
        today = date(2026, 3, 18)
    elif case == "intra_other_employer":
        run, values = intra, someone(employer_id=f.EmployerFactory().id)
    elif case == "email_of_another_employer":
        f.UserFactory(email="pris@exemple.test", employer=f.EmployerFactory())
        values = someone(email="pris@exemple.test", employer_id=f.EmployerFactory().id)
    elif case == "apprenticeship_cohort":
        run = f.CohortFactory(start_date=START, end_date=date(2026, 12, 18))
    elif case == "no_name":
        values = someone(first_name="  ")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment))
    with pytest.raises(CourseError, match=message):
        trainees.register(admin, run, values, today=today)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == before


def test_a_clients_contact_registers_their_own_employees_whatever_employer_they_pick(contact, inter, client_employer):
    enrolment = trainees.register(contact, inter, someone(employer_id=f.EmployerFactory().id), today=BEFORE)
    assert enrolment.employer_id == client_employer.id and enrolment.apprentice.employer_id == client_employer.id
    assert enrolment.registered_by_id == contact.id


def test_a_clients_contact_registers_in_their_own_intra_run_but_not_in_another_clients(contact, intra):
    assert trainees.register(contact, intra, someone(), today=BEFORE).cohort_id == intra.id
    elsewhere = f.ShortCourseRunFactory(start_date=START, end_date=END, client=f.EmployerFactory())
    with pytest.raises(CourseError, match="réservée à un autre client"):
        trainees.register(contact, elsewhere, someone(last_name="Autre"), today=BEFORE)


def test_a_clients_contact_cannot_register_a_known_person_of_another_employer(contact, inter):
    f.UserFactory(roles=[Role.LEARNER], email="voisin@exemple.test", employer=f.EmployerFactory())
    with pytest.raises(CourseError, match="autre employeur"):
        trainees.register(contact, inter, someone(email="voisin@exemple.test"), today=BEFORE)


def test_a_tutor_without_an_employer_and_a_trainer_may_register_nobody(inter):
    lonely = f.UserFactory(roles=[Role.TUTOR], employer=None)
    with pytest.raises(CourseError, match="aucun employeur"):
        trainees.register(lonely, inter, someone(), today=BEFORE)
    with pytest.raises(CourseError, match="Seuls le CFA et le client"):
        trainees.register(f.UserFactory.trainer(), inter, someone(), today=BEFORE)


def test_before_the_run_starts_a_withdrawal_removes_the_registration_and_leaves_an_audit_event(admin, inter):
    enrolment = trainees.register(admin, inter, someone(), today=BEFORE)
    enrolment_id = enrolment.id
    assert trainees.withdraw(admin, enrolment, "", today=BEFORE) is True
    assert db.session.get(Enrolment, enrolment_id) is None
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.entity == "enrolment", AuditEvent.entity_id == enrolment_id, AuditEvent.action == "delete"
        )
    )
    assert event.context_id == inter.id and event.before["cohort_id"] == inter.id


def test_once_the_run_has_started_a_withdrawal_is_an_audited_interruption_with_its_reason(admin, inter):
    enrolment = trainees.register(admin, inter, someone(), today=BEFORE)
    with pytest.raises(CourseError, match="dites pourquoi"):
        trainees.withdraw(admin, enrolment, " ", today=date(2026, 3, 9))
    assert trainees.withdraw(admin, enrolment, "Arrêt maladie", today=date(2026, 3, 9)) is False
    assert enrolment.status == EnrolmentStatus.INTERRUPTED and enrolment.interrupted_on == date(2026, 3, 9)
    assert enrolment.interruption_kind == InterruptionKind.DROPOUT
    assert (
        db.session.scalar(
            sa.select(AuditEvent.reason).where(AuditEvent.entity == "enrolment", AuditEvent.action == "interrupt")
        )
        == "Arrêt maladie"
    )
    with pytest.raises(CourseError, match="terminée"):
        trainees.withdraw(admin, enrolment, "x", today=date(2026, 4, 1))


def test_a_clients_contact_withdraws_only_their_own_employees(contact, admin, inter):
    mine = trainees.register(contact, inter, someone(), today=BEFORE)
    theirs = trainees.register(
        admin, inter, someone(last_name="Autre", employer_id=f.EmployerFactory().id), today=BEFORE
    )
    with pytest.raises(CourseError, match="pas de vos salarié·es"):
        trainees.withdraw(contact, theirs, "", today=BEFORE)
    assert trainees.withdraw(contact, mine, "", today=BEFORE) is True


def test_a_client_sees_open_runs_and_only_their_own_registrations(contact, client_employer, inter, intra, admin):
    foreign_intra = f.ShortCourseRunFactory(start_date=START, end_date=END, client=f.EmployerFactory())
    ended = f.ShortCourseRunFactory(start_date=date(2026, 1, 5), end_date=date(2026, 1, 6))
    mine = trainees.register(contact, inter, someone(), today=BEFORE)
    trainees.register(admin, inter, someone(last_name="Autre", employer_id=f.EmployerFactory().id), today=BEFORE)
    runs = trainees.open_runs_for_client(client_employer.id, today=BEFORE)
    assert inter in runs and intra in runs and foreign_intra not in runs and ended not in runs
    assert trainees.client_registrations(client_employer.id, [inter.id, intra.id]) == {inter.id: [mine], intra.id: []}
