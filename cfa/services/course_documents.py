"""What the documents of a short course print, and the convocations sent through the outbox.

A trainee needs no account: the convocation goes to the e-mail address the client gave, with no login link,
and a trainee without an address gets it on paper (one PDF for all of a session's convocations). The attestation
de fin de formation (L.6353-1) prints the hours the sign-in sheets prove, summed by the database like the
certificat de réalisation's, so that both documents read the same ledger.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import hhmm, long_date, minutes_label
from cfa.models import (
    Agreement,
    Cohort,
    Employer,
    Enrolment,
    EnrolmentStatus,
    ObjectiveOutcome,
    OutboxMessage,
    Programme,
    ProgrammeKind,
    Session,
    User,
)
from cfa.services import audit
from cfa.services.agreements import agreement_trainees
from cfa.services.attendance_documents import Period, periods_for
from cfa.services.calendar_queries import cohort_sessions, planned_minutes
from cfa.services.enrolments import cohort_enrolments

# What a trainee brings to a session de formation; the same on the e-mail and the printed convocation.
BRING = [
    "cette convocation ;",
    "de quoi prendre des notes ;",
    "le cas échéant, les documents demandés par votre employeur ou par le formateur.",
]


@dataclass
class Convocation:
    """One trainee's convocation: who, to which session, on which half-days, where, and whom to call."""

    enrolment: Enrolment
    sessions: list[Session]
    place: str
    contact: str
    minutes: int  # planned, summed by the database

    @property
    def schedule(self) -> list[str]:
        return [
            f"{long_date(s.date).capitalize()}, {s.half_day.label.lower()} : {hhmm(s.start_time)} - {hhmm(s.end_time)}"
            for s in self.sessions
        ]


def place_of(cohort: Cohort) -> str:
    """Where the session happens: the client's site or the prison when given, else the centre."""
    if cohort.place:
        return cohort.place
    centre = cohort.centre
    town = " ".join(x for x in (centre.postcode, centre.city) if x)
    return ", ".join(x for x in (centre.name, centre.address, town) if x)


def trainees(cohort_id: int) -> list[Enrolment]:
    """The session's trainees still enrolled, in roll-call order."""
    return [e for e in cohort_enrolments(cohort_id) if e.status != EnrolmentStatus.INTERRUPTED]


def convocations(cohort: Cohort, enrolments: list[Enrolment], contact: str) -> list[Convocation]:
    sessions = cohort_sessions(cohort.id, live_only=True)
    place, minutes = place_of(cohort), planned_minutes(cohort.id)
    return [Convocation(e, sessions, place, contact, minutes) for e in enrolments]


@dataclass
class ConvocationReport:
    emailed: list[Enrolment]
    on_paper: list[Enrolment]  # no e-mail address: to print and hand over


def convocation_key(enrolment: Enrolment, now: datetime) -> str:
    return f"course-convocation:{enrolment.id}:{now:%Y%m%d%H%M%S}"


def convene(cohort: Cohort, contact: str, again: bool = False, now: datetime | None = None) -> ConvocationReport:
    """Queue an e-mail convocation for each trainee with an address not yet convened (or all of them `again`,
    after a change of dates) and date it; those without an address are listed for a paper copy."""
    now = now or datetime.now(UTC)
    report = ConvocationReport([], [])
    waiting = [e for e in trainees(cohort.id) if again or e.convened_at is None]
    for convocation in convocations(cohort, waiting, contact):
        enrolment = convocation.enrolment
        if not enrolment.apprentice.email:
            report.on_paper.append(enrolment)
            continue
        subject, body = convocation_text(convocation)
        db.session.add(
            OutboxMessage(
                dedup_key=convocation_key(enrolment, now),
                recipient=enrolment.apprentice.email,
                subject=subject,
                body_text=body,
                send_after=now,
            )
        )
        enrolment.convened_at = now
        report.emailed.append(enrolment)
    db.session.flush()
    return report


def convocation_text(convocation: Convocation) -> tuple[str, str]:
    """The e-mail: everything the trainee needs, and no link to log in (most trainees have no account)."""
    enrolment = convocation.enrolment
    cohort = enrolment.cohort
    programme = cohort.programme
    subject = f"Convocation : {programme.title}, à partir du {cohort.start_date:%d/%m/%Y}"
    lines = "\n".join(f"- {line}" for line in convocation.schedule) or "- (dates à venir)"
    bring = "\n".join(f"- {item}" for item in BRING)
    body = (
        f"Bonjour {enrolment.apprentice.full_name},\n\n"
        f"Vous êtes inscrit·e à la formation « {programme.title} » (session {cohort.name}). "
        f"Nous avons le plaisir de vous y convoquer.\n\n"
        f"Dates et horaires ({minutes_label(convocation.minutes)}) :\n{lines}\n\n"
        f"Lieu : {convocation.place}\n\n"
        f"Merci d'apporter :\n{bring}\n\n"
        "Chaque demi-journée, vous signerez la feuille d'émargement. En cas d'empêchement, prévenez-nous au plus "
        f"tôt ainsi que votre employeur.\n\nContact : {convocation.contact}\n\n"
        "Ceci est un message de l'organisme de formation, envoyé par Cadence."
    )
    return subject, body


@dataclass
class AgreementDocument:
    """What a convention or a contrat de formation prints besides the agreement itself."""

    agreement: Agreement
    trainees: list[User]
    sessions: list[Session]
    place: str
    minutes: int  # planned hours of the session, else the programme's duration


def agreement_document(agreement: Agreement) -> AgreementDocument:
    cohort = agreement.cohort
    minutes = planned_minutes(cohort.id) or cohort.programme.total_minutes
    sessions = cohort_sessions(cohort.id, live_only=True)
    return AgreementDocument(agreement, agreement_trainees(agreement), sessions, place_of(cohort), minutes)


def end_of_course_periods(enrolments: list[Enrolment], cohort: Cohort) -> list[Period]:
    """Each trainee's hours over the whole session, as the sheets prove them (two aggregate queries)."""
    return periods_for(enrolments, cohort.start_date, cohort.end_date)


@dataclass(frozen=True)
class SurveyRow:
    """A trainee to ask for an appraisal at the end of a course (Qualiopi indicator 30)."""

    learner_id: int
    enrolment_id: int
    name: str
    email: str | None
    employer: str | None
    course: str
    session: str
    ended_on: date


def people_to_survey(today: date, year: int | None = None) -> list[SurveyRow]:
    """The trainees of short-course sessions that have ended (before today), still enrolled, newest sessions
    first; one query. The quality area attaches its satisfaction surveys to these rows."""
    stmt = (
        sa.select(
            User.id,
            Enrolment.id,
            User.first_name,
            User.last_name,
            User.email,
            Employer.name,
            Programme.title,
            Cohort.name,
            Cohort.end_date,
        )
        .select_from(Enrolment)
        .join(User, Enrolment.apprentice_id == User.id)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .join(Programme, Cohort.programme_id == Programme.id)
        .outerjoin(Employer, Enrolment.employer_id == Employer.id)
        .where(
            Programme.kind == ProgrammeKind.SHORT_COURSE,
            Cohort.end_date < today,
            Enrolment.status != EnrolmentStatus.INTERRUPTED,
        )
        .order_by(Cohort.end_date.desc(), Cohort.name, User.last_name, User.first_name)
    )
    if year is not None:
        stmt = stmt.where(Cohort.end_date.between(date(year, 1, 1), date(year, 12, 31)))
    return [
        SurveyRow(uid, eid, f"{first} {last}", email, employer, course, session, ended)
        for uid, eid, first, last, email, employer, course, session, ended in db.session.execute(stmt)
    ]


def enrolment_with_run(enrolment_id: int) -> Enrolment | None:
    """A trainee's place with what their documents print (one query)."""
    return db.session.scalar(
        sa.select(Enrolment)
        .where(Enrolment.id == enrolment_id)
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.cohort).selectinload(Cohort.centre),
        )
    )


class OutcomeError(ValueError):
    """A refused end-of-course assessment, with its French message."""


@dataclass(frozen=True)
class OutcomeInput:
    outcome: ObjectiveOutcome | None
    note: str


def record_outcomes(actor: User, cohort: Cohort, entries: dict[int, OutcomeInput], today: date) -> int:
    """Each trainee's assessment of the objectives, printed on the attestation de fin de formation; every change
    is audited, so that an attestation already handed over can be traced to what it said. Returns the changes."""
    if today < cohort.end_date:
        raise OutcomeError(f"Le bilan se saisit à partir du dernier jour de la session ({cohort.end_date:%d/%m/%Y}).")
    enrolments = {e.id: e for e in db.session.scalars(sa.select(Enrolment).where(Enrolment.cohort_id == cohort.id))}
    unknown = set(entries) - set(enrolments)
    if unknown:
        raise OutcomeError("Une des lignes ne concerne pas un stagiaire de cette session : rien n'a été enregistré.")
    changed = 0
    for enrolment_id, entry in entries.items():
        enrolment = enrolments[enrolment_id]
        note = entry.note.strip() or None
        if (enrolment.outcome, enrolment.outcome_note) == (entry.outcome, note):
            continue
        if entry.outcome is None and note:
            raise OutcomeError(
                f"{enrolment.apprentice.full_name} : choisissez un résultat avant d'écrire une observation."
            )
        before = audit.snapshot(enrolment)
        enrolment.outcome, enrolment.outcome_note = entry.outcome, note
        db.session.flush()
        audit.record_change(actor, enrolment, before, action="outcome", context=("cohort", cohort.id))
        changed += 1
    return changed


def contact_line(organisation) -> str:
    """Whom a trainee calls about a session: the CFA's e-mail and phone as its identity gives them."""
    if organisation is None:
        return "l'organisme de formation"
    return " · ".join(x for x in (organisation.name, organisation.email, organisation.phone) if x)
