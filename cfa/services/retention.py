"""Retention (RGPD article 5-1-e): people whose training ended long ago are anonymised, old proofs are deleted.

What anonymisation keeps, on purpose: every row and every figure. The person's enrolments, marks, results and
awards stay, with their dates, minutes and outcomes, so that the published rates, the course figures and the hours
of a certificat de réalisation or a sign-in sheet are the same before and after; the audit trail is never
rewritten. What goes: the name, the contact details, the birth date, the account, and the free texts written
about the person (comments, notes, reasons, reports). An anonymised person is recognised by the audit event
"anonymise" on their account, so a second run leaves them alone.

Proofs of absence are supporting documents: DOMAIN-FACTS §2 keeps them 6 years (10 with EU co-funding, which
PROOF_RETENTION_YEARS then says). The file is deleted and the justification keeps its dates, reason and decision.
Files are deleted by the caller after the commit (`delete_files`): a rollback never leaves a row whose file is gone.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    AuditEvent,
    Award,
    BlockResult,
    Complaint,
    Enrolment,
    EvaluationResult,
    JuryCandidate,
    Justification,
    LivretEntry,
    MicroCertRequest,
    OutboxMessage,
    Role,
    SurveyInvitation,
    User,
    UserRole,
    Visit,
)
from cfa.services.audit import record, record_change, snapshot
from cfa.storage import FileStore, StorageError

ANONYMOUS_FIRST_NAME = "Personne"
ANONYMISED_TEXT = "[anonymisé]"
# People who work at the CFA are not anonymised for a training they once followed: they are still here.
_STAFF = (Role.ADMIN, Role.QUALITY, Role.TRAINER)
FORGOTTEN_FIELDS = ("first_name", "last_name", "email", "phone", "birth_date", "job_title", "password_hash")


class RetentionError(ValueError):
    """A retention run that cannot be done, with its French message."""


def cutoff(today: date, years: int) -> date:
    """The day before which a training must have ended for its data to be due (29 February falls back a day)."""
    if years < 1:
        raise RetentionError("La durée de conservation doit être d'au moins un an.")
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


@dataclass(frozen=True)
class PersonDue:
    person: User
    last_day: date


@dataclass(frozen=True)
class ProofDue:
    justification: Justification
    learner: User


@dataclass
class RetentionPlan:
    """The dry run: who would be anonymised and which proofs deleted, nothing changed."""

    people: list[PersonDue]
    proofs: list[ProofDue]
    person_cutoff: date
    proof_cutoff: date


@dataclass
class RetentionReport:
    anonymised: int = 0
    proofs_deleted: int = 0
    files_to_delete: list[str] = field(default_factory=list)  # keys in the uploads store


def _anonymised_ids():
    return sa.select(AuditEvent.entity_id).where(AuditEvent.entity == "user", AuditEvent.action == "anonymise")


def _last_day():
    return sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end)


def people_due(today: date, years: int) -> list[PersonDue]:
    """Learners whose last enrolment ended before the cut-off, neither staff, nor tutor or référent of a later
    enrolment, nor already anonymised; one query."""
    limit = cutoff(today, years)
    still_following = sa.select(Enrolment.id).where(
        sa.or_(Enrolment.tutor_id == User.id, Enrolment.referent_id == User.id), _last_day() >= limit
    )
    last = (
        sa.select(Enrolment.apprentice_id.label("user_id"), sa.func.max(_last_day()).label("last_day"))
        .group_by(Enrolment.apprentice_id)
        .subquery()
    )
    stmt = (
        sa.select(User, last.c.last_day)
        .join(last, last.c.user_id == User.id)
        .where(
            last.c.last_day < limit,
            User.id.not_in(_anonymised_ids()),
            User.id.not_in(sa.select(UserRole.user_id).where(UserRole.role.in_(_STAFF))),
            ~sa.exists(still_following),
        )
        .order_by(last.c.last_day, User.id)
    )
    return [PersonDue(person, last_day) for person, last_day in db.session.execute(stmt)]


def proofs_due(today: date, years: int) -> list[ProofDue]:
    """Proofs kept beyond their period, counted from the last day they cover; one query."""
    stmt = (
        sa.select(Justification, User)
        .join(Enrolment, Justification.enrolment_id == Enrolment.id)
        .join(User, Enrolment.apprentice_id == User.id)
        .where(Justification.proof_path.is_not(None), Justification.end_date < cutoff(today, years))
        .order_by(Justification.end_date, Justification.id)
    )
    return [ProofDue(justification, learner) for justification, learner in db.session.execute(stmt)]


def plan(today: date, years: int, proof_years: int) -> RetentionPlan:
    return RetentionPlan(
        people_due(today, years), proofs_due(today, proof_years), cutoff(today, years), cutoff(today, proof_years)
    )


def _blank(model, clause, **values) -> None:
    """One UPDATE per column, only where there is something to forget (a NULL stays NULL: constraints hold)."""
    for name, value in values.items():
        column = getattr(model, name)
        db.session.execute(
            sa.update(model).where(clause, column.is_not(None)).values({name: value}),
            execution_options={"synchronize_session": False},
        )


def _forget_texts(people: list[int]) -> None:
    """The free texts written about these people become "[anonymisé]" (a text a constraint requires stays
    present, and a reader sees that something was there); the rows, their dates, minutes and outcomes stay. A fixed
    number of statements, however many people: the nightly run may anonymise a whole year's trainees at once."""
    enrolments = sa.select(Enrolment.id).where(Enrolment.apprentice_id.in_(people)).scalar_subquery()
    candidates = sa.select(JuryCandidate.id).where(JuryCandidate.enrolment_id.in_(enrolments)).scalar_subquery()
    _blank(Enrolment, Enrolment.id.in_(enrolments), interruption_reason=ANONYMISED_TEXT, outcome_note=ANONYMISED_TEXT)
    _blank(
        Justification,
        Justification.enrolment_id.in_(enrolments),
        reason=ANONYMISED_TEXT,
        refusal_reason=ANONYMISED_TEXT,
    )
    _blank(AttendanceMark, AttendanceMark.enrolment_id.in_(enrolments), signature_user_agent=None)
    _blank(EvaluationResult, EvaluationResult.enrolment_id.in_(enrolments), comment=ANONYMISED_TEXT)
    _blank(BlockResult, BlockResult.candidate_id.in_(candidates), comment=ANONYMISED_TEXT)
    _blank(Award, Award.learner_id.in_(people), evidence=ANONYMISED_TEXT)
    _blank(MicroCertRequest, MicroCertRequest.learner_id.in_(people), withdrawal_reason=ANONYMISED_TEXT)
    texts = dict.fromkeys(("tutor_comment", "apprentice_comment", "referent_comment"), ANONYMISED_TEXT)
    _blank(LivretEntry, LivretEntry.enrolment_id.in_(enrolments), **texts)
    texts = dict.fromkeys(("attendees", "objectives", "observations", "decisions"), ANONYMISED_TEXT)
    _blank(Visit, Visit.enrolment_id.in_(enrolments), **texts)
    _blank(Complaint, Complaint.complainant_id.in_(people), complainant_name=f"{ANONYMOUS_FIRST_NAME} anonymisée")
    invitations = sa.update(SurveyInvitation).where(SurveyInvitation.user_id.in_(people))
    db.session.execute(
        invitations.values(
            email=sa.literal("anonyme-") + sa.cast(SurveyInvitation.id, sa.String) + "@invalid", name=None
        ),
        execution_options={"synchronize_session": False},
    )


def anonymise_all(actor: User | None, people: list[tuple[User, str]]) -> None:
    """Forget who these people are (each with the reason of the audit event); every record of their training
    stays. Already anonymised people and staff are refused: the caller lists only people due."""
    ids = [person.id for person, _ in people]
    done = set(db.session.scalars(_anonymised_ids().where(AuditEvent.entity_id.in_(ids))))
    for person, _ in people:
        if person.id in done:
            raise RetentionError(f"{person.full_name} est déjà anonymisé·e.")
        if person.has_role(*_STAFF):
            raise RetentionError("Un compte du personnel du CFA ne s'anonymise pas par la conservation des données.")
    emails = [person.email for person, _ in people if person.email]
    db.session.execute(sa.delete(OutboxMessage).where(OutboxMessage.recipient.in_(emails)))
    _forget_texts(ids)
    for person, reason in people:
        person.first_name, person.last_name = ANONYMOUS_FIRST_NAME, f"anonymisée n° {person.id}"
        person.email = person.phone = person.birth_date = person.job_title = None
        person.password_hash = person.calendar_token = None
        person.active = False
        person.end_sessions()
        # The event names which fields went, never their former values: the trail must not keep what was erased.
        record(actor, "user", person.id, "anonymise", after={"fields": list(FORGOTTEN_FIELDS)}, reason=reason)
    db.session.flush()
    db.session.expire_all()  # the bulk updates changed rows the session may hold


def anonymise(actor: User | None, person: User, reason: str) -> None:
    anonymise_all(actor, [(person, reason)])


def delete_proof(actor: User | None, justification: Justification, reason: str) -> str:
    """Forget the proof's file (its key returned, for the caller to delete after the commit); the justification
    stays."""
    before = snapshot(justification)
    key = justification.proof_path
    justification.proof_path = justification.proof_filename = None
    justification.proof_mimetype = justification.proof_size = None
    db.session.flush()
    record_change(actor, justification, before, action="delete_proof", reason=reason)
    return key


def apply(
    actor: User | None,
    today: date,
    years: int,
    proof_years: int,
    confirmed: tuple[set[int], set[int]] | None = None,
) -> RetentionReport:
    """Do what the dry run lists. `confirmed` (people ids, justification ids) limits the run to what the person
    who confirmed saw: someone who became due since, or is no longer due, is left alone."""
    due = plan(today, years, proof_years)
    people, proofs = due.people, due.proofs
    if confirmed is not None:
        people = [item for item in people if item.person.id in confirmed[0]]
        proofs = [item for item in proofs if item.justification.id in confirmed[1]]
    report = RetentionReport()
    for item in proofs:
        proof_reason = f"Pièce justificative conservée {proof_years} ans après la période couverte."
        report.files_to_delete.append(delete_proof(actor, item.justification, proof_reason))
        report.proofs_deleted += 1
    reasons = [
        (item.person, f"Dernière formation terminée le {item.last_day:%d/%m/%Y}, plus de {years} ans.")
        for item in people
    ]
    if reasons:
        anonymise_all(actor, reasons)
    report.anonymised = len(reasons)
    return report


def delete_files(store: FileStore, keys: list[str]) -> int:
    """Delete the files of a committed retention run; one already gone (or never storable) is not an error."""
    deleted = 0
    for key in keys:
        try:
            deleted += store.delete(key)
        except StorageError:
            continue
    return deleted
