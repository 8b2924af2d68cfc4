"""The micro-certification path: a person asks for one or more of the three domains (from their portal or through
the CFA, often from the 6-day entry course), an assessor is appointed, the results per domain are recorded, and
each domain acquired issues the usual award (certificate and signed badge).

The micro-certification is open to every employee, of a client organisation or of the CFA's own association
(DOMAIN-FACTS.md §1): a person nobody employs cannot ask for it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import long_date
from cfa.models import (
    Award,
    Cohort,
    Enrolment,
    InvalidTransition,
    MicroCertification,
    MicroCertRequest,
    MicroCertRequestDomain,
    OutboxMessage,
    Programme,
    RequestStatus,
    Role,
    User,
    UserRole,
)
from cfa.services import audit
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_awards import LEARNER_ROLES, award_micro_certification
from cfa.services.permissions import Ability, can, can_assess_micro_request

PENDING = (RequestStatus.REQUESTED, RequestStatus.SCHEDULED)
ENTITY = "micro_cert_request"


@dataclass(frozen=True)
class DomainResult:
    """The assessor's decision on one domain of a request."""

    acquired: bool | None  # None: not decided, which the recording refuses
    comment: str = ""


def is_employee(person: User) -> bool:
    """Employed by a client or by the CFA: an employer on the person, or on one of their enrolments."""
    if person.employer_id is not None:
        return True
    stmt = sa.select(sa.exists().where(Enrolment.apprentice_id == person.id, Enrolment.employer_id.is_not(None)))
    return bool(db.session.scalar(stmt))


def _domain_names(micros) -> str:
    return ", ".join(f"domaine {m.domain} ({m.code})" for m in sorted(micros, key=lambda m: m.domain))


def _check_domains(learner: User, micro_ids: list[int]) -> list[MicroCertification]:
    if not micro_ids:
        raise AssessmentError("Choisissez au moins un domaine.", "domains")
    micros = list(db.session.scalars(sa.select(MicroCertification).where(MicroCertification.id.in_(micro_ids))))
    if len(micros) != len(set(micro_ids)):
        raise AssessmentError("Un des domaines choisis n'existe pas.", "domains")
    if inactive := [m for m in micros if not m.active]:
        raise AssessmentError(f"Ce domaine n'est plus délivré : {_domain_names(inactive)}.", "domains")
    held = db.session.scalars(
        sa.select(MicroCertification)
        .join(Award, Award.micro_certification_id == MicroCertification.id)
        .where(Award.learner_id == learner.id, Award.revoked_at.is_(None), MicroCertification.id.in_(micro_ids))
    ).all()
    if held:
        raise AssessmentError(f"{learner.full_name} détient déjà : {_domain_names(held)}.", "domains")
    pending = db.session.scalars(
        sa.select(MicroCertification)
        .join(MicroCertRequestDomain, MicroCertRequestDomain.micro_certification_id == MicroCertification.id)
        .join(MicroCertRequest, MicroCertRequestDomain.request_id == MicroCertRequest.id)
        .where(
            MicroCertRequest.learner_id == learner.id,
            MicroCertRequest.status.in_(PENDING),
            MicroCertification.id.in_(micro_ids),
        )
    ).all()
    if pending:
        raise AssessmentError(f"Une demande est déjà en cours pour : {_domain_names(pending)}.", "domains")
    return micros


def _check_source(learner: User, source: Enrolment | None) -> None:
    if source is None:
        return
    entry = db.session.scalar(
        sa.select(Programme.entry_course)
        .join(Cohort, Cohort.programme_id == Programme.id)
        .where(Cohort.id == source.cohort_id)
    )
    if source.apprentice_id != learner.id or not entry:
        raise AssessmentError("La formation d'origine doit être une inscription de la personne au socle.", "source")


def request_micro_certification(
    actor: User, learner: User, micro_ids: list[int], *, on: date, source: Enrolment | None = None
) -> MicroCertRequest:
    """A request for the domains given, by the person themselves or by the CFA for them.

    The person's row is locked first: two requests sent at once (a double click, the CFA and the person together)
    take turns, and the second one sees the domains the first one asked for."""
    db.session.execute(sa.select(User.id).where(User.id == learner.id).with_for_update())
    if not learner.has_role(*LEARNER_ROLES):
        raise AssessmentError("Seul·e un·e apprenti·e ou un·e stagiaire peut demander une micro-certification.")
    if not is_employee(learner):
        raise AssessmentError(
            f"{learner.full_name} n'est salarié·e ni d'un client ni du CFA : la micro-certification est ouverte "
            "aux salarié·es. Renseignez d'abord son employeur."
        )
    micros = _check_domains(learner, micro_ids)
    _check_source(learner, source)
    request = MicroCertRequest(
        learner_id=learner.id,
        requested_by_id=actor.id,
        requested_on=on,
        source_enrolment_id=source.id if source else None,
        domains=[MicroCertRequestDomain(micro_certification_id=m.id) for m in sorted(micros, key=lambda m: m.domain)],
    )
    db.session.add(request)
    db.session.flush()
    audit.record(
        actor,
        ENTITY,
        request.id,
        "create",
        after={
            "learner_id": learner.id,
            "domains": [m.code for m in micros],
            "source_enrolment_id": request.source_enrolment_id,
        },
        context=(ENTITY, request.id),
    )
    return request


def lock_request(request_id: int) -> MicroCertRequest:
    """The request, its row locked until the transaction ends: two assessors recording at the same instant take
    turns, and the second one reads what the first one recorded (populate_existing: not a copy read before)."""
    request = db.session.scalar(
        sa.select(MicroCertRequest)
        .where(MicroCertRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if request is None:
        raise AssessmentError("Cette demande n'existe pas.")
    return request


def schedule_assessment(actor: User, request_id: int, *, on: date, assessor: User | None) -> MicroCertRequest:
    """Appoint the assessor and the date (again, to move it, while the request is pending)."""
    request = lock_request(request_id)
    if assessor is None or not assessor.active or not can(assessor, Ability.AWARD_MICRO_CERTIFICATIONS):
        raise AssessmentError(
            "L'évaluateur·rice doit être un·e formateur·rice ou un·e administrateur·rice.", "assessor_id"
        )
    if assessor.id == request.learner_id:
        raise AssessmentError("Une personne ne peut pas évaluer sa propre demande.", "assessor_id")
    if on < request.requested_on:
        raise AssessmentError("L'évaluation ne peut pas précéder la demande.", "assessment_date")
    before = audit.snapshot(request)
    try:
        request.schedule(on, assessor.id)
    except InvalidTransition as error:
        raise AssessmentError(str(error)) from error
    db.session.flush()
    audit.record_change(actor, request, before, action="schedule", context=(ENTITY, request.id))
    _queue_convocation(request, assessor)
    return request


def _queue_convocation(request: MicroCertRequest, assessor: User) -> None:
    """Tell the person the date and the assessor by e-mail (through the outbox), once per date; a person without
    an address is told on paper by the CFA."""
    learner = request.learner
    key = f"micro-assessment:{request.id}:{request.assessment_date.isoformat()}"
    if not learner.email or db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)):
        return
    domains = "\n".join(
        f"- domaine {row.micro_certification.domain} : {row.micro_certification.title}" for row in request.domains
    )
    body = (
        f"Bonjour {learner.first_name},\n\nL'évaluation de votre demande de micro-certification aura lieu le "
        f"{long_date(request.assessment_date)}, avec {assessor.full_name}. Domaines évalués :\n{domains}\n\n"
        "Le CFA vous précisera l'heure et le lieu. Vous suivez votre demande dans Cadence, "
        "rubrique « Mes micro-certifications ».\n\nCeci est un message automatique de Cadence."
    )
    subject = f"Évaluation de micro-certification le {request.assessment_date:%d/%m/%Y}"
    db.session.add(OutboxMessage(dedup_key=key, recipient=learner.email, subject=subject, body_text=body))
    db.session.flush()


def _evidence(request: MicroCertRequest, micro: MicroCertification, comment: str) -> str:
    evidence = f"{micro.assessment_method}, évaluation du {long_date(request.assessment_date)}"
    return f"{evidence}. {comment}" if comment else evidence


def record_results(
    actor: User, request_id: int, results: dict[int, DomainResult], *, today: date, now: datetime | None = None
) -> MicroCertRequest:
    """The assessor's decision per domain (keyed by the domain row's id); each domain acquired issues its award.

    All or nothing: the view commits once, so a refused award leaves no result recorded either."""
    request = lock_request(request_id)
    if request.status == RequestStatus.ASSESSED:
        raise AssessmentError("Les résultats de cette demande ont déjà été saisis.")
    if not can_assess_micro_request(actor, request):
        raise AssessmentError("Seul·e l'évaluateur·rice désigné·e saisit les résultats de cette demande.")
    if request.assessment_date and request.assessment_date > today:
        raise AssessmentError("Les résultats se saisissent à partir du jour de l'évaluation.")
    if any(results.get(row.id, DomainResult(None)).acquired is None for row in request.domains):
        raise AssessmentError("Indiquez pour chaque domaine s'il est acquis ou non.", "results")
    before = audit.snapshot(request)
    try:
        request.mark_assessed(now or datetime.now(UTC))
    except InvalidTransition as error:
        raise AssessmentError(str(error)) from error
    for row in request.domains:
        result = results[row.id]
        row.acquired = result.acquired
        row.comment = result.comment.strip() or None
        if result.acquired:
            row.award = award_micro_certification(
                request.learner,
                row.micro_certification,
                awarded_on=request.assessment_date,
                assessor=request.assessor,
                evidence=_evidence(request, row.micro_certification, row.comment or ""),
                today=today,
            )
        db.session.flush()
        audit.record(
            actor,
            "micro_cert_request_domain",
            row.id,
            "assess",
            after={
                "domain": row.micro_certification.code,
                "acquired": row.acquired,
                "comment": row.comment,
                "award": row.award.verification_code if row.award else None,
            },
            context=(ENTITY, request.id),
        )
    audit.record_change(actor, request, before, action="assess", context=(ENTITY, request.id))
    return request


def withdraw_request(actor: User, request_id: int, reason: str) -> MicroCertRequest:
    """The person changed their mind, or left their job: the request stays, withdrawn, with the reason."""
    request = lock_request(request_id)
    before = audit.snapshot(request)
    try:
        request.withdraw(reason)
    except InvalidTransition as error:
        raise AssessmentError(str(error), "reason") from error
    db.session.flush()
    audit.record_change(
        actor, request, before, action="withdraw", reason=request.withdrawal_reason, context=(ENTITY, request.id)
    )
    return request


def request_options():
    """Eager loads for everything a list or a page of requests shows."""
    return (
        selectinload(MicroCertRequest.learner).selectinload(User.employer),
        selectinload(MicroCertRequest.assessor),
        selectinload(MicroCertRequest.requested_by),
        selectinload(MicroCertRequest.source_enrolment).selectinload(Enrolment.cohort),
        selectinload(MicroCertRequest.domains).selectinload(MicroCertRequestDomain.micro_certification),
        selectinload(MicroCertRequest.domains).selectinload(MicroCertRequestDomain.award),
    )


def load_request(request_id: int) -> MicroCertRequest | None:
    return db.session.scalar(
        sa.select(MicroCertRequest).where(MicroCertRequest.id == request_id).options(*request_options())
    )


def requests_listing(status: str | None = None, q: str = "", assessor_id: int | None = None) -> sa.Select:
    """The CFA's queue: pending requests first, oldest first within a status; paginated by the view."""
    order = sa.case({s: i for i, s in enumerate(RequestStatus)}, value=MicroCertRequest.status)
    stmt = (
        sa.select(MicroCertRequest)
        .join(User, MicroCertRequest.learner_id == User.id)
        .options(*request_options())
        .order_by(order, MicroCertRequest.requested_on, MicroCertRequest.id)
    )
    if status in RequestStatus._value2member_map_:
        stmt = stmt.where(MicroCertRequest.status == status)
    if assessor_id is not None:
        stmt = stmt.where(MicroCertRequest.assessor_id == assessor_id)
    if q.strip():
        pattern = f"%{q.strip()}%"
        stmt = stmt.where(sa.or_(User.last_name.ilike(pattern), User.first_name.ilike(pattern)))
    return stmt


def status_counts() -> dict[RequestStatus, int]:
    """How many requests are in each status, for the queue's filter."""
    rows = db.session.execute(sa.select(MicroCertRequest.status, sa.func.count()).group_by(MicroCertRequest.status))
    counts = dict.fromkeys(RequestStatus, 0)
    counts.update(dict(rows.tuples().all()))
    return counts


def own_requests(learner_id: int) -> list[MicroCertRequest]:
    return list(
        db.session.scalars(
            sa.select(MicroCertRequest)
            .where(MicroCertRequest.learner_id == learner_id)
            .options(*request_options())
            .order_by(MicroCertRequest.requested_on.desc(), MicroCertRequest.id.desc())
        )
    )


def requestable_domains(learner_id: int) -> list[MicroCertification]:
    """The active domains the person neither holds nor has asked for already: what their form offers."""
    held = sa.select(Award.micro_certification_id).where(
        Award.learner_id == learner_id, Award.revoked_at.is_(None), Award.micro_certification_id.is_not(None)
    )
    pending = (
        sa.select(MicroCertRequestDomain.micro_certification_id)
        .join(MicroCertRequest)
        .where(MicroCertRequest.learner_id == learner_id, MicroCertRequest.status.in_(PENDING))
    )
    return list(
        db.session.scalars(
            sa.select(MicroCertification)
            .where(MicroCertification.active, MicroCertification.id.not_in(held), MicroCertification.id.not_in(pending))
            .order_by(MicroCertification.domain, MicroCertification.code)
        )
    )


def entry_course_enrolments(learner_id: int) -> list[Enrolment]:
    """The person's enrolments in the 6-day entry course, which a request may come from."""
    return list(
        db.session.scalars(
            sa.select(Enrolment)
            .join(Cohort, Enrolment.cohort_id == Cohort.id)
            .join(Programme, Cohort.programme_id == Programme.id)
            .where(Enrolment.apprentice_id == learner_id, Programme.entry_course)
            .options(selectinload(Enrolment.cohort))
            .order_by(Enrolment.contract_start.desc())
        )
    )


def assessor_choices() -> list[tuple[int, str]]:
    """The active trainers and administrators, who may assess, for a select."""
    stmt = (
        sa.select(User.id, User.last_name, User.first_name)
        .join(UserRole)
        .where(UserRole.role.in_((Role.TRAINER, Role.ADMIN)), User.active)
        .distinct()
        .order_by(User.last_name, User.first_name)
    )
    return [(r.id, f"{r.last_name.upper()} {r.first_name}") for r in db.session.execute(stmt)]


def latest_entry_course(learner_id: int) -> Enrolment | None:
    enrolments = entry_course_enrolments(learner_id)
    return enrolments[0] if enrolments else None
