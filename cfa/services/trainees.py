"""Trainees of short courses: employees of client organisations (or of the CFA's own association), or people paying
for themselves, registered in a run by the CFA or by their employer's contact, without needing an account.

A trainee is a `User` with the learner role and no password; their place is an `Enrolment` whose dates are the
run's. A known person is found again (by e-mail, else by name within the same employer) rather than duplicated.
Every registration, removal and interruption leaves an audit event.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import long_date, today_paris
from cfa.models import (
    AttendanceMark,
    Cohort,
    Employer,
    Enrolment,
    InterruptionKind,
    Programme,
    ProgrammeKind,
    Role,
    User,
)
from cfa.services import audit, enrolments
from cfa.services.permissions import Ability, can
from cfa.services.short_courses import CourseError


@dataclass(frozen=True)
class TraineeValues:
    first_name: str
    last_name: str
    email: str | None = None
    employer_id: int | None = None  # None: a person registering on their own behalf


def acts_for_client(actor: User) -> bool:
    """A client's contact (a tutor account of a client employer), as opposed to the CFA's staff."""
    return not can(actor, Ability.MANAGE_SETUP) and actor.has_role(Role.TUTOR)


def _check_run(actor: User, run: Cohort, today: date) -> None:
    if not run.programme.is_short_course:
        raise CourseError("Cette promotion n'est pas une session de formation courte.")
    if run.end_date < today:
        raise CourseError("Cette session est terminée : plus aucune inscription n'est possible.")
    if acts_for_client(actor):
        if actor.employer_id is None:
            raise CourseError("Votre compte n'est rattaché à aucun employeur.")
        if run.client_id not in (None, actor.employer_id):
            raise CourseError("Cette session intra-entreprise est réservée à un autre client.")
    elif not can(actor, Ability.MANAGE_SETUP):
        raise CourseError("Seuls le CFA et le client peuvent inscrire un·e stagiaire.")


def _employer_of(actor: User, run: Cohort, values: TraineeValues) -> int | None:
    employer_id = actor.employer_id if acts_for_client(actor) else values.employer_id
    if employer_id is not None and db.session.get(Employer, employer_id) is None:
        raise CourseError("Employeur inconnu.", "employer_id")
    if run.client_id is not None and employer_id != run.client_id:
        raise CourseError(
            f"Cette session est organisée pour {run.client.name} : seuls ses salarié·es y sont inscrit·es.",
            "employer_id",
        )
    return employer_id


def find_person(values: TraineeValues, employer_id: int | None) -> User | None:
    if values.email:
        return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == values.email))
    return db.session.scalar(
        sa.select(User)
        .where(
            sa.func.lower(User.first_name) == values.first_name.lower(),
            sa.func.lower(User.last_name) == values.last_name.lower(),
            User.employer_id == employer_id if employer_id is not None else User.employer_id.is_(None),
            User.email.is_(None),
        )
        .limit(1)
    )


def _person(actor: User, values: TraineeValues, employer_id: int | None) -> User:
    """The known person, or a new one without an account (no password: documents on paper or by e-mail)."""
    person = find_person(values, employer_id)
    if person is not None:
        if person.employer_id is not None and person.employer_id != employer_id:
            raise CourseError(
                "Cette adresse est celle d'une personne rattachée à un autre employeur : vérifiez-la.", "email"
            )
        if not person.has_role(Role.LEARNER, Role.APPRENTICE):
            person.set_roles(person.roles | {Role.LEARNER})
            audit.record(actor, "user", person.id, "add_role", after={"role": Role.LEARNER.value})
        return person
    person = User(
        first_name=values.first_name.strip(),
        last_name=values.last_name.strip(),
        email=values.email,
        employer_id=employer_id,
        password_hash=None,
    )
    person.set_roles([Role.LEARNER])
    db.session.add(person)
    db.session.flush()
    audit.record_change(actor, person, None)
    return person


def register(actor: User, run: Cohort, values: TraineeValues, today: date | None = None) -> Enrolment:
    """Register a trainee in a run; raises CourseError (nothing written) to refuse."""
    today = today or today_paris()
    values = TraineeValues(
        values.first_name.strip(),
        values.last_name.strip(),
        (values.email or "").strip().lower() or None,
        values.employer_id,
    )
    if not values.first_name or not values.last_name:
        raise CourseError("Le prénom et le nom sont obligatoires.", "last_name")
    _check_run(actor, run, today)
    employer_id = _employer_of(actor, run, values)
    person = _person(actor, values, employer_id)
    taken = sa.select(Enrolment.id).where(Enrolment.apprentice_id == person.id, Enrolment.cohort_id == run.id)
    if db.session.scalar(taken):
        raise CourseError(f"{person.full_name} est déjà inscrit·e à cette session.", "last_name")
    enrolment = Enrolment(
        apprentice_id=person.id,
        cohort_id=run.id,
        employer_id=employer_id,
        tutor_id=None,
        contract_start=run.start_date,
        contract_end=run.end_date,
        registered_by_id=actor.id,
    )
    db.session.add(enrolment)
    db.session.flush()
    audit.record_change(actor, enrolment, None, context=("cohort", run.id))
    return enrolment


def withdraw(actor: User, enrolment: Enrolment, reason: str, today: date | None = None) -> bool:
    """Take a trainee out of a run: removed outright before it starts (True), after that an audited interruption
    that keeps the half-days already attended (False)."""
    today = today or today_paris()
    run = enrolment.cohort
    if not run.programme.is_short_course:
        raise CourseError("Cette inscription n'est pas celle d'une formation courte.")
    if acts_for_client(actor) and (actor.employer_id is None or enrolment.employer_id != actor.employer_id):
        raise CourseError("Cette personne n'est pas de vos salarié·es.")
    if run.end_date < today:
        raise CourseError("Cette session est terminée : l'inscription ne peut plus être retirée.")
    has_marks = db.session.scalar(
        sa.select(AttendanceMark.id).where(AttendanceMark.enrolment_id == enrolment.id).limit(1)
    )
    if today < run.start_date and not has_marks:
        audit.record(
            actor,
            "enrolment",
            enrolment.id,
            "delete",
            before=audit.snapshot(enrolment),
            reason=(reason or "").strip() or None,
            context=("cohort", run.id),
        )
        db.session.delete(enrolment)
        db.session.flush()
        return True
    if not (reason or "").strip():
        raise CourseError(
            f"La session a commencé le {long_date(run.start_date)} : dites pourquoi la personne la quitte.", "reason"
        )
    try:
        enrolments.interrupt(actor, enrolment, min(today, run.end_date), InterruptionKind.DROPOUT, reason)
    except enrolments.EnrolmentError as error:
        raise CourseError(str(error), "reason") from error
    return False


def run_trainees(run_id: int, employer_id: int | None = None) -> list[Enrolment]:
    """A run's trainees in roll-call order (only one employer's when given), with their people and employers."""
    return list(db.session.scalars(run_trainees_statement(run_id, employer_id)))


def run_trainees_statement(run_id: int, employer_id: int | None = None):
    stmt = (
        sa.select(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(Enrolment.cohort_id == run_id)
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.employer))
        .order_by(sa.func.lower(User.last_name), sa.func.lower(User.first_name))
    )
    if employer_id is not None:
        stmt = stmt.where(Enrolment.employer_id == employer_id)
    return stmt


def open_runs_for_client(employer_id: int, today: date | None = None) -> list[Cohort]:
    """The runs a client's contact may register employees in: not ended, inter-company or their own intra."""
    today = today or today_paris()
    stmt = (
        sa.select(Cohort)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(
            Programme.kind == ProgrammeKind.SHORT_COURSE,
            Cohort.end_date >= today,
            sa.or_(Cohort.client_id.is_(None), Cohort.client_id == employer_id),
        )
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre), selectinload(Cohort.client))
        .order_by(Cohort.start_date, Cohort.name)
    )
    return list(db.session.scalars(stmt))


def client_registrations(employer_id: int, run_ids: list[int]) -> dict[int, list[Enrolment]]:
    """A client's employees registered in each of these runs (withdrawn ones included): one query."""
    found: dict[int, list[Enrolment]] = {run_id: [] for run_id in run_ids}
    if not run_ids:
        return found
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.cohort_id.in_(run_ids), Enrolment.employer_id == employer_id)
        .options(selectinload(Enrolment.apprentice))
    )
    for enrolment in db.session.scalars(stmt):
        found[enrolment.cohort_id].append(enrolment)
    for rows in found.values():
        rows.sort(key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower()))
    return found
