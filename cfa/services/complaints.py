"""The complaints register (Qualiopi indicator 31): a réclamation is recorded, acknowledged, answered, analysed and
closed, in that order, each step dated and measured against the CFA's own targets (Organisation.complaint_*_days).
Every change is audited: the register is what an auditor reads."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Audience, Complaint, ComplaintStatus, Organisation, User
from cfa.services import audit
from cfa.services.organisation import current_organisation

CHANNELS = {
    "portal": "Portail Cadence",
    "email": "Courriel",
    "phone": "Téléphone",
    "letter": "Courrier",
    "in_person": "En personne",
}

S = ComplaintStatus
# The step each status may move to, and the statuses it may come from: the procedure is followed in order.
STEPS = {
    "acknowledge": ({S.RECEIVED}, S.ACKNOWLEDGED),
    "start": ({S.ACKNOWLEDGED}, S.IN_PROGRESS),
    "answer": ({S.ACKNOWLEDGED, S.IN_PROGRESS}, S.ANSWERED),
    "analyse": ({S.ANSWERED}, S.ANALYSED),
    "close": ({S.ANALYSED}, S.CLOSED),
}


class ComplaintError(ValueError):
    """A complaint or a step the procedure refuses; the message is shown as is."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Targets:
    ack_days: int = 2
    answer_days: int = 15
    close_days: int = 30

    @classmethod
    def of(cls, organisation: Organisation | None) -> "Targets":
        if organisation is None:
            return cls()
        return cls(
            organisation.complaint_ack_days, organisation.complaint_answer_days, organisation.complaint_close_days
        )


@dataclass(frozen=True)
class StepDelay:
    label: str
    done_on: date | None
    days: int  # from receipt to the step, or to today while it is pending
    target: int

    @property
    def late(self) -> bool:
        return self.days > self.target


def targets() -> Targets:
    return Targets.of(current_organisation())


def delays(complaint: Complaint, today: date | None = None, goal: Targets | None = None) -> list[StepDelay]:
    today = today or today_paris()
    goal = goal or targets()
    steps = [
        ("Accusé de réception", complaint.acknowledged_on, goal.ack_days),
        ("Réponse", complaint.answered_on, goal.answer_days),
        ("Clôture", complaint.closed_on, goal.close_days),
    ]
    return [StepDelay(label, done, ((done or today) - complaint.received_on).days, days) for label, done, days in steps]


def record_complaint(actor: User, *, complainant: User | None = None, **values) -> Complaint:
    """A complaint recorded by the quality officer (mail, phone) or filed by `complainant` from their portal."""
    if not (values.get("subject") or "").strip() or not (values.get("description") or "").strip():
        raise ComplaintError("L'objet et la description de la réclamation sont obligatoires.", "subject")
    received_on = values.get("received_on") or today_paris()
    if received_on > today_paris():
        raise ComplaintError("La date de réception ne peut pas être dans le futur.", "received_on")
    if complainant is not None:
        values.update(
            channel="portal",
            complainant_name=complainant.full_name,
            complainant_kind=_kind_of(complainant),
            received_on=today_paris(),
        )
    elif values.get("channel") not in CHANNELS:
        raise ComplaintError("Choisissez le canal par lequel la réclamation est arrivée.", "channel")
    values["received_on"] = values.get("received_on") or received_on
    complaint = Complaint(complainant_id=complainant.id if complainant else None, **values)
    db.session.add(complaint)
    db.session.flush()
    audit.record_change(actor, complaint, None, context=("complaint", complaint.id))
    return complaint


def _kind_of(user: User) -> Audience:
    from cfa.models import Role

    if user.has_role(Role.APPRENTICE):
        return Audience.APPRENTICE
    if user.has_role(Role.LEARNER):
        return Audience.LEARNER
    if user.has_role(Role.TUTOR):
        return Audience.EMPLOYER
    if user.has_role(Role.TRAINER):
        return Audience.TRAINER
    return Audience.TRAINER  # the CFA's own staff


def advance(actor: User, complaint: Complaint, step: str, on: date, text: str | None = None) -> Complaint:
    """Move the complaint one step of its procedure, dated `on`; refuses a step out of order."""
    if step not in STEPS:
        raise ComplaintError("Étape inconnue.")
    allowed_from, target = STEPS[step]
    if complaint.status not in allowed_from:
        raise ComplaintError(
            f"Étape impossible : la réclamation est « {complaint.status.label} », "
            f"elle ne peut pas passer à « {target.label} »."
        )
    if on > today_paris():
        raise ComplaintError("La date de l'étape ne peut pas être dans le futur.", "on")
    previous = max(
        d
        for d in (complaint.received_on, complaint.acknowledged_on, complaint.answered_on, complaint.analysed_on)
        if d is not None
    )
    if on < previous:
        raise ComplaintError(f"La date de l'étape précède l'étape précédente ({previous:%d/%m/%Y}).", "on")
    text = (text or "").strip()
    if step in ("answer", "analyse") and not text:
        raise ComplaintError(
            "La réponse apportée est obligatoire." if step == "answer" else "L'analyse est obligatoire.", "text"
        )
    before = audit.snapshot(complaint)
    complaint.status = target
    complaint.handled_by_id = actor.id
    if step == "acknowledge":
        complaint.acknowledged_on = on
    elif step == "answer":
        complaint.answered_on, complaint.response = on, text
    elif step == "analyse":
        complaint.analysed_on, complaint.analysis = on, text
    elif step == "close":
        complaint.closed_on = on
    db.session.flush()
    audit.record_change(actor, complaint, before, action=step, context=("complaint", complaint.id))
    return complaint


def register_query(
    year: int | None = None,
    status: ComplaintStatus | None = None,
    late: bool = False,
    today: date | None = None,
    goal: Targets | None = None,
):
    """The register's rows, newest first, filtered; `late`: a pending step is past its target today."""
    today = today or today_paris()
    goal = goal or targets()
    stmt = sa.select(Complaint).order_by(Complaint.received_on.desc(), Complaint.id.desc())
    if year is not None:
        stmt = stmt.where(Complaint.received_on.between(date(year, 1, 1), date(year, 12, 31)))
    if status is not None:
        stmt = stmt.where(Complaint.status == status)
    if late:
        stmt = stmt.where(late_clause(today, goal))
    return stmt


def late_clause(today: date, goal: Targets):
    def overdue(days: int):
        return Complaint.received_on < today - timedelta(days=days)

    return sa.or_(
        sa.and_(Complaint.acknowledged_on.is_(None), overdue(goal.ack_days)),
        sa.and_(Complaint.answered_on.is_(None), overdue(goal.answer_days)),
        sa.and_(Complaint.closed_on.is_(None), overdue(goal.close_days)),
    )


def own_complaints(user: User) -> list[Complaint]:
    return list(
        db.session.scalars(
            sa.select(Complaint).where(Complaint.complainant_id == user.id).order_by(Complaint.received_on.desc())
        )
    )
