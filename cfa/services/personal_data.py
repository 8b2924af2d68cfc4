"""A person's data export (RGPD articles 15 and 20): everything Cadence holds about them, and their documents.

One query per kind of record, whatever the number of rows. Secrets (password hash, calendar and survey tokens,
the path of a file on the server) never leave; anonymous survey answers are not linked to anyone, so they are not
part of it by construction.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    Award,
    BlockResult,
    Cohort,
    Complaint,
    Enrolment,
    EvaluationResult,
    JuryCandidate,
    Justification,
    LivretEntry,
    MarkStatus,
    MicroCertRequest,
    Programme,
    ProgrammeKind,
    SurveyInvitation,
    SurveyResponse,
    User,
    Visit,
)
from cfa.services.assessment_awards import award_options
from cfa.services.audit import snapshot
from cfa.storage import FileStore

# Never exported: they open doors (tokens) or describe the server (paths), they say nothing about the person.
_HIDDEN = frozenset({"token", "proof_path", "verification_secret"})
FORMAT_VERSION = 1


def _plain(obj, **extra) -> dict:
    values = {key: value for key, value in snapshot(obj).items() if key not in _HIDDEN}
    return values | extra


def _enrolment_ids(person: User) -> list[int]:
    return list(db.session.scalars(sa.select(Enrolment.id).where(Enrolment.apprentice_id == person.id)))


def attended_minutes(mark: AttendanceMark) -> int:
    """What a mark proves: the half-day's minutes less lateness and early leave; nothing for an absence."""
    if mark.status == MarkStatus.ABSENT:
        return 0
    return mark.session.minutes - mark.minutes_late - mark.minutes_left_early


def _marks(ids: list[int]) -> list[dict]:
    marks = db.session.scalars(
        sa.select(AttendanceMark)
        .where(AttendanceMark.enrolment_id.in_(ids))
        .options(selectinload(AttendanceMark.session))
        .order_by(AttendanceMark.enrolment_id, AttendanceMark.session_id)
    )
    return [
        _plain(
            m,
            date=m.session.date.isoformat(),
            half_day=m.session.half_day.value,
            scheduled_minutes=m.session.minutes,
            attended_minutes=attended_minutes(m),
        )
        for m in marks
    ]


def _evaluations(ids: list[int]) -> list[dict]:
    results = db.session.scalars(
        sa.select(EvaluationResult)
        .where(EvaluationResult.enrolment_id.in_(ids))
        .options(selectinload(EvaluationResult.evaluation))
        .order_by(EvaluationResult.id)
    )
    return [_plain(r, evaluation=r.evaluation.title, evaluation_date=r.evaluation.date.isoformat()) for r in results]


def _juries(ids: list[int]) -> list[dict]:
    candidates = db.session.scalars(
        sa.select(JuryCandidate)
        .where(JuryCandidate.enrolment_id.in_(ids))
        .options(
            selectinload(JuryCandidate.jury_session),
            selectinload(JuryCandidate.block_results).selectinload(BlockResult.skill_block),
        )
        .order_by(JuryCandidate.id)
    )
    return [
        _plain(
            c,
            jury_date=c.jury_session.date.isoformat(),
            blocks=[_plain(b, skill_block=b.skill_block.title) for b in c.block_results],
        )
        for c in candidates
    ]


def _invitations(person: User) -> list[dict]:
    invitations = db.session.scalars(
        sa.select(SurveyInvitation)
        .where(SurveyInvitation.user_id == person.id)
        .options(selectinload(SurveyInvitation.campaign))
        .order_by(SurveyInvitation.id)
    ).all()
    # Answers are theirs only in a campaign that is not anonymous: there the response keeps its invitation.
    responses = db.session.scalars(
        sa.select(SurveyResponse)
        .where(SurveyResponse.invitation_id.in_([i.id for i in invitations]))
        .options(selectinload(SurveyResponse.answers))
    ).all()
    answers = {r.invitation_id: [_plain(a) for a in r.answers] for r in responses}
    return [_plain(i, campaign=i.campaign.title, answers=answers.get(i.id, [])) for i in invitations]


def _rows(model, clause, *options, order=None) -> list[dict]:
    stmt = sa.select(model).where(clause).options(*options).order_by(order if order is not None else model.id)
    return [_plain(row) for row in db.session.scalars(stmt)]


def _with_children(model, clause, children: str) -> list[dict]:
    rows = db.session.scalars(
        sa.select(model).where(clause).options(selectinload(getattr(model, children))).order_by(model.id)
    )
    return [_plain(row, **{children: [_plain(c) for c in getattr(row, children)]}) for row in rows]


def person_record(person: User, today: date) -> dict:
    """Everything held about the person, as JSON-ready values (dates as ISO strings, enums as their codes)."""
    ids = _enrolment_ids(person)
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.id.in_(ids))
        .options(selectinload(Enrolment.cohort), selectinload(Enrolment.employer))
        .order_by(Enrolment.contract_start)
    )
    return {
        "format": FORMAT_VERSION,
        "exported_on": today.isoformat(),
        "account": _plain(
            person,
            roles=sorted(r.value for r in person.roles),
            employer=person.employer.name if person.employer else None,
        ),
        "enrolments": [
            _plain(e, cohort=e.cohort.name, employer=e.employer.name if e.employer else None) for e in enrolments
        ],
        "attendance": _marks(ids),
        "justifications": _rows(Justification, Justification.enrolment_id.in_(ids)),
        "evaluation_results": _evaluations(ids),
        "jury_results": _juries(ids),
        "awards": _rows(Award, Award.learner_id == person.id),
        "micro_certification_requests": _with_children(
            MicroCertRequest, MicroCertRequest.learner_id == person.id, "domains"
        ),
        "survey_invitations": _invitations(person),
        "complaints": _rows(Complaint, Complaint.complainant_id == person.id),
        "livret": _with_children(LivretEntry, LivretEntry.enrolment_id.in_(ids), "activities"),
        "visits": _with_children(Visit, Visit.enrolment_id.in_(ids), "actions"),
    }


@dataclass(frozen=True)
class PersonDocuments:
    """The files to put in the person's archive: their proofs as stored, the awards and short courses whose
    certificate or attestation a renderer draws."""

    proofs: list[tuple[str, str]]  # (name in the archive, key in the uploads store)
    awards: list[Award]
    finished_courses: list[Enrolment]


def person_documents(person: User, store: FileStore, today: date) -> PersonDocuments:
    ids = _enrolment_ids(person)
    justifications = db.session.scalars(
        sa.select(Justification)
        .where(Justification.enrolment_id.in_(ids), Justification.proof_path.is_not(None))
        .order_by(Justification.id)
    )
    proofs = []
    for j in justifications:
        if store.exists(j.proof_path):  # a proof deleted after its retention period is no longer held
            proofs.append(
                (f"justificatifs/{j.id}-{PurePosixPath(j.proof_filename or j.proof_path).name}", j.proof_path)
            )
    awards = db.session.scalars(
        sa.select(Award)
        .where(Award.learner_id == person.id, Award.revoked_at.is_(None))
        .options(*award_options())
        .order_by(Award.id)
    ).all()
    courses = db.session.scalars(
        sa.select(Enrolment)
        .join(Cohort, Enrolment.cohort_id == Cohort.id)
        .join(Programme, Cohort.programme_id == Programme.id)
        .where(Enrolment.id.in_(ids), Programme.kind == ProgrammeKind.SHORT_COURSE, Cohort.end_date <= today)
        .options(selectinload(Enrolment.cohort))
    ).all()
    return PersonDocuments(proofs, list(awards), list(courses))
