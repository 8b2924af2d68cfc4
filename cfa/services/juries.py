"""Jury sessions (sessions de validation): planning a session, convening its candidates, loading it.

Entry points, each taking the acting user and the data (never the request):
- `save_jury_session`: a session created (its candidates convened) or changed (convened again if the date,
  time or place changed); never once published, never before the training begins.
- `add_candidates`: apprentices enrolled since, convened; refused once the results are published.

The verdicts, the decision, publication and corrections are in `jury_results`.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    JuryCandidate,
    JurySession,
    JuryStatus,
    Programme,
    User,
)
from cfa.services import audit
from cfa.services.assessment import AssessmentError
from cfa.services.jury_results import capitalised_by_learner

PUBLISHED_NO_EDIT = "Les résultats sont publiés : la session ne peut plus être modifiée."
PUBLISHED_NO_CANDIDATE = "Les résultats sont publiés : aucun·e candidat·e ne peut être ajouté·e."


# --- Loading -----------------------------------------------------------------------------------------


def load_jury(jury_id: int) -> JurySession | None:
    """A jury session with its cohort, programme blocks, candidates and their results, in a few queries."""
    return db.session.scalar(
        sa.select(JurySession)
        .where(JurySession.id == jury_id)
        .options(
            selectinload(JurySession.cohort).selectinload(Cohort.programme).selectinload(Programme.skill_blocks),
            selectinload(JurySession.cohort).selectinload(Cohort.centre),
            selectinload(JurySession.candidates).selectinload(JuryCandidate.block_results),
            selectinload(JurySession.candidates)
            .selectinload(JuryCandidate.enrolment)
            .selectinload(Enrolment.apprentice),
        )
    )


def jury_sessions() -> list[JurySession]:
    return db.session.scalars(
        sa.select(JurySession)
        .options(selectinload(JurySession.cohort), selectinload(JurySession.candidates))
        .order_by(JurySession.date.desc())
    ).all()


def sorted_candidates(jury: JurySession) -> list[JuryCandidate]:
    return sorted(jury.candidates, key=lambda c: (c.enrolment.apprentice.last_name, c.enrolment.apprentice.first_name))


# --- The session and its convocations --------------------------------------------------------------


def add_candidates(jury: JurySession, now: datetime | None = None) -> int:
    """Convene every apprentice of the cohort whose contract was not interrupted; returns how many were added.

    The moment they are added is the convocation's date of issue: every print of it shows that date.
    Once the results are published the list of candidates is part of the record: nobody is added.
    """
    if jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError(PUBLISHED_NO_CANDIDATE)
    present = {c.enrolment_id for c in jury.candidates}
    enrolments = db.session.scalars(
        sa.select(Enrolment).where(
            Enrolment.cohort_id == jury.cohort_id, Enrolment.status != EnrolmentStatus.INTERRUPTED
        )
    ).all()
    moment = now or datetime.now(UTC)
    added = 0
    for enrolment in enrolments:
        if enrolment.id not in present:
            jury.candidates.append(JuryCandidate(enrolment=enrolment, convened_at=moment))
            added += 1
    db.session.flush()
    return added


def _convocation_state(jury: JurySession) -> dict:
    """What a convocation states: when it changes, the candidates get a new convocation, dated that day."""
    return {"date": jury.date.isoformat() if jury.date else None, "start_time": jury.start_time, "place": jury.place}


def edit_refused_reason(jury: JurySession) -> str | None:
    """Why the session can no longer be changed (its results are published and part of the record), or None."""
    return PUBLISHED_NO_EDIT if jury.status == JuryStatus.PUBLISHED else None


def _check_session(jury: JurySession | None, values: dict) -> None:
    if jury is not None and (refused := edit_refused_reason(jury)):
        raise AssessmentError(refused)
    cohort_id = values.get("cohort_id", jury.cohort_id if jury else None)
    if jury is not None and jury.candidates and cohort_id != jury.cohort_id:
        raise AssessmentError("Des candidat·es sont déjà convoqué·es : la promotion ne peut plus changer.", "cohort_id")
    cohort = db.session.get(Cohort, cohort_id) if cohort_id is not None else None
    if cohort is None:
        raise AssessmentError("Choisissez une promotion.", "cohort_id")
    day = values.get("date", jury.date if jury else None)
    if day is not None and day < cohort.start_date:
        raise AssessmentError("La session ne peut pas précéder le début de la formation.", "date")


def save_jury_session(jury: JurySession | None, values: dict, actor: User, now: datetime | None = None) -> JurySession:
    """Create a session and convene its candidates, or change one.

    A change of date, time or place issues new convocations (dated `now`) and is audited: a convocation
    reprinted later must state what was sent, on the day it was sent.
    """
    _check_session(jury, values)
    moment = now or datetime.now(UTC)
    creating = jury is None
    target = jury or JurySession()
    before = None if creating else _convocation_state(target)
    for name, value in values.items():
        setattr(target, name, value)
    db.session.add(target)
    db.session.flush()
    if creating:
        add_candidates(target, moment)
        return target
    after = _convocation_state(target)
    if before != after and target.candidates:
        for candidate in target.candidates:
            candidate.convened_at = moment
        audit.record(actor, "jury_session", target.id, "reconvene", before=before, after=after)
        db.session.flush()
    return target


def capitalised_by_candidate(jury: JurySession) -> dict[int, set[int]]:
    """Blocks each candidate already held before the session (shown as capitalised, not judged again)."""
    held = capitalised_by_learner(
        [c.enrolment.apprentice_id for c in jury.candidates], jury.cohort.programme_id, before=jury.date
    )
    return {c.id: held.get(c.enrolment.apprentice_id, set()) for c in jury.candidates}
