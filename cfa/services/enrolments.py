"""Enrolments (apprenticeship contracts in a cohort): finding those a person may see, and changing them.

The contract's dates, its interruption (rupture, abandonment...) and its reopening feed the rates a CFA must
publish (Code du travail, L.6111-8) and the funder's payments, which stop at a rupture: every change goes through
this module and leaves an audit event with its before, after and, for an interruption or a reopening, its reason.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import Cohort, Enrolment, EnrolmentStatus, InterruptionKind, InvalidTransition, User
from cfa.services import audit, contracts
from cfa.services.permissions import followed_enrolments_clause


class EnrolmentError(ValueError):
    """A refused change, with a French message and the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EnrolmentValues:
    apprentice_id: int
    cohort_id: int
    employer_id: int | None
    tutor_id: int | None
    contract_start: date
    contract_end: date
    referent_id: int | None = None  # the CFA's référent who follows the apprentice (livret, visits)


def problems(values: EnrolmentValues, enrolment: Enrolment | None = None) -> list[EnrolmentError]:
    """What forbids these values: one apprentice once per cohort, a tutor of the contract's employer."""
    found = []
    duplicate = sa.select(Enrolment.id).where(
        Enrolment.apprentice_id == values.apprentice_id, Enrolment.cohort_id == values.cohort_id
    )
    if enrolment is not None and enrolment.id is not None:
        duplicate = duplicate.where(Enrolment.id != enrolment.id)
    if db.session.scalar(duplicate.limit(1)):
        found.append(EnrolmentError("Cette personne est déjà inscrite dans cette promotion.", "apprentice_id"))
    if values.tutor_id and values.employer_id:
        tutor = db.session.get(User, values.tutor_id)
        if tutor is None or tutor.employer_id != values.employer_id:
            found.append(EnrolmentError("Ce·tte tuteur·rice n'appartient pas à l'employeur choisi.", "tutor_id"))
    if enrolment is not None and enrolment.employer_periods and values.employer_id != enrolment.employer_id:
        # A change of employer is a new contract: editing would rewrite the first one's history.
        found.append(
            EnrolmentError(
                "Un changement d'employeur s'enregistre par une rupture puis un nouvel employeur.", "employer_id"
            )
        )
    if values.contract_end <= values.contract_start:
        found.append(EnrolmentError("La fin du contrat doit suivre son début.", "contract_end"))
    if (
        enrolment is not None
        and enrolment.interrupted_on
        and not (values.contract_start <= enrolment.interrupted_on <= values.contract_end)
    ):
        found.append(EnrolmentError("Le contrat doit couvrir la date d'interruption enregistrée.", "contract_end"))
    return found


def save(actor: User, enrolment: Enrolment | None, values: EnrolmentValues, reason: str | None = None) -> Enrolment:
    """Create (enrolment None) or edit an enrolment, audited (with the reason given, e.g. the integration that
    wrote it); raises the first EnrolmentError found."""
    if found := problems(values, enrolment):
        raise found[0]
    before = audit.snapshot(enrolment) if enrolment is not None else None
    if enrolment is None:
        enrolment = Enrolment()
        db.session.add(enrolment)
    for name, value in vars(values).items():
        setattr(enrolment, name, value)
    db.session.flush()
    db.session.refresh(enrolment, ["cohort"])
    contracts.sync_running_period(enrolment)
    db.session.flush()
    audit.record_change(actor, enrolment, before, reason=reason)
    return enrolment


def interrupt(actor: User, enrolment: Enrolment, on: date, kind: InterruptionKind, reason: str) -> None:
    """End a contract early (rupture, abandonment, reorientation): the apprentice leaves the rosters after `on`."""
    before = audit.snapshot(enrolment)
    try:
        enrolment.interrupt(on, kind, reason)
    except InvalidTransition as error:
        raise EnrolmentError(str(error), "interrupted_on") from error
    if kind == InterruptionKind.RUPTURE:
        contracts.close_on_rupture(actor, enrolment, on)  # the contract file and the rupture rate know it too
    db.session.flush()
    audit.record_change(actor, enrolment, before, action="interrupt", reason=enrolment.interruption_reason)


def reopen(actor: User, enrolment: Enrolment, reason: str) -> None:
    """Put an ended enrolment back in progress; the interruption it erases stays in the audit event's before."""
    if not reason or not reason.strip():
        raise EnrolmentError("Dites pourquoi l'inscription est remise en cours.", "reason")
    before = audit.snapshot(enrolment)
    ended_on, kind = enrolment.interrupted_on, enrolment.interruption_kind
    try:
        enrolment.reopen()
    except InvalidTransition as error:
        raise EnrolmentError(str(error)) from error
    if kind == InterruptionKind.RUPTURE:
        contracts.reopen_after_interruption(actor, enrolment, ended_on, reason.strip())
    db.session.flush()
    audit.record_change(actor, enrolment, before, action="reopen", reason=reason.strip())


def enrolments_of(apprentice: User) -> list[Enrolment]:
    """The apprentice's enrolments, most recent first."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.apprentice_id == apprentice.id)
        .options(selectinload(Enrolment.cohort).selectinload(Cohort.programme))
        .order_by(Enrolment.contract_start.desc())
    )
    return list(db.session.scalars(stmt))


def current_enrolment(apprentice: User, on: date | None = None) -> Enrolment | None:
    """The enrolment that applies on a day: the active one covering it, else the most recent."""
    enrolments = enrolments_of(apprentice)
    if on is not None:
        for enrolment in enrolments:
            if enrolment.status == EnrolmentStatus.ACTIVE and enrolment.is_enrolled_on(on):
                return enrolment
    active = [e for e in enrolments if e.status == EnrolmentStatus.ACTIVE]
    return (active or enrolments or [None])[0]


def cohort_enrolments(cohort_id: int) -> list[Enrolment]:
    """A cohort's enrolments in roll-call order, with what rosters and documents print of them."""
    stmt = (
        sa.select(Enrolment)
        .where(Enrolment.cohort_id == cohort_id)
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.tutor),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
        )
    )
    return sorted(
        db.session.scalars(stmt), key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower())
    )


def followed_enrolments(tutor: User, include_past: bool = True) -> list[Enrolment]:
    """The enrolments a tutor follows (theirs and their employer's), apprentices loaded."""
    stmt = (
        sa.select(Enrolment)
        .where(followed_enrolments_clause(tutor))
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.cohort).selectinload(Cohort.centre),
            selectinload(Enrolment.tutor),
        )
        .join(User, Enrolment.apprentice_id == User.id)
        .order_by(Enrolment.status != EnrolmentStatus.ACTIVE, User.last_name, User.first_name)
    )
    if not include_past:
        stmt = stmt.where(Enrolment.status == EnrolmentStatus.ACTIVE)
    return list(db.session.scalars(stmt))
