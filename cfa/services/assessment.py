"""Assessment rules: ECF results, per-block progress, jury decisions, capitalisation and publication.

Entry points, each taking the acting user and the data (never the request):
- `record_evaluation_result`: one ECF result; a change to an existing one is audited.
- `block_progress`: where an enrolment stands on each skill block (ECF, capitalised CCPs, published jury).
- `decide`: the jury's overall decision from the block results (a pure rule, see its docstring).
- `save_jury_session`: a session created (its candidates convened) or changed (convened again if the date,
  time or place changed).
- `record_jury_results`: the verdict per block (or the absence) of one candidate, and the decision;
  never before the session's date.
- `publish_jury`: results become visible to apprentices and tutors; CCP and title awards are issued.
- `correct_jury_results`: a published result corrected with a reason, audited; awards follow the new decision.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, today_paris
from cfa.models import (
    Award,
    AwardKind,
    BlockResult,
    Decision,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    JuryCandidate,
    JurySession,
    JuryStatus,
    SkillBlock,
    User,
)
from cfa.services import audit


class AssessmentError(ValueError):
    """A change the assessment rules refuse; the message is shown to the user as is."""


# --- Evaluations during training (ECF) ---------------------------------------------------------


def record_evaluation_result(
    evaluation: Evaluation,
    enrolment: Enrolment,
    outcome: EvaluationOutcome,
    *,
    score: int | None,
    comment: str | None,
    actor: User | None,
) -> EvaluationResult:
    """Create or update one apprentice's result; changing a recorded result leaves an audit event."""
    if enrolment.cohort_id != evaluation.cohort_id:
        raise AssessmentError("Cette personne n'est pas inscrite dans la promotion évaluée.")
    if score is not None:
        if evaluation.max_score is None:
            raise AssessmentError("Cette évaluation ne se note pas : indiquez seulement le résultat.")
        if not 0 <= score <= evaluation.max_score:
            raise AssessmentError(f"La note doit être comprise entre 0 et {evaluation.max_score}.")
    comment = (comment or "").strip() or None
    result = db.session.scalar(
        sa.select(EvaluationResult).where(
            EvaluationResult.evaluation_id == evaluation.id, EvaluationResult.enrolment_id == enrolment.id
        )
    )
    if result is None:
        result = EvaluationResult(evaluation=evaluation, enrolment=enrolment)
        db.session.add(result)
    else:
        before = _result_state(result)
        after = {"outcome": outcome.value, "score": score, "comment": comment}
        if before == after:
            return result
        audit.record(
            actor, "evaluation_result", result.id, "correct", before=before, after=after,
            context=("evaluation", evaluation.id),
        )  # fmt: skip
    result.outcome = outcome
    result.score = score
    result.comment = comment
    result.assessed_by_id = actor.id if actor else None
    db.session.flush()
    return result


def _result_state(result: EvaluationResult) -> dict:
    return {"outcome": result.outcome.value, "score": result.score, "comment": result.comment}


class BlockState:
    ACQUIRED = "acquired"  # CCP validated by a published jury (here or on an earlier enrolment)
    NOT_ACQUIRED = "not_acquired"  # published jury: not validated
    ON_TRACK = "on_track"  # every ECF so far acquired
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    LABELS = {
        ACQUIRED: "CCP acquis",
        NOT_ACQUIRED: "CCP non acquis",
        ON_TRACK: "ECF acquises",
        IN_PROGRESS: "En cours d'acquisition",
        NOT_STARTED: "Pas encore évalué",
    }


@dataclass
class BlockProgress:
    block: SkillBlock
    results: list[EvaluationResult] = field(default_factory=list)
    capitalised: Award | None = None  # acquired earlier (this enrolment's jury or a previous one)
    jury_acquired: bool | None = None  # verdict of a published jury of this enrolment

    @property
    def acquired_count(self) -> int:
        return sum(1 for r in self.results if r.outcome == EvaluationOutcome.ACQUIRED)

    @property
    def state(self) -> str:
        if self.capitalised is not None or self.jury_acquired:
            return BlockState.ACQUIRED
        if self.jury_acquired is False:
            return BlockState.NOT_ACQUIRED
        if not self.results:
            return BlockState.NOT_STARTED
        if self.acquired_count == len(self.results):
            return BlockState.ON_TRACK
        return BlockState.IN_PROGRESS

    @property
    def state_label(self) -> str:
        return BlockState.LABELS[self.state]

    @property
    def state_mark(self) -> str:
        """A sign beside the colour, for the compact views (the colour alone says nothing to some readers)."""
        return {BlockState.ACQUIRED: "✓", BlockState.ON_TRACK: "✓", BlockState.IN_PROGRESS: "…",
                BlockState.NOT_ACQUIRED: "✗"}.get(self.state, "–")  # fmt: skip


@dataclass
class EnrolmentResults:
    """What an apprentice, their tutor or a trainer sees of one enrolment's assessment."""

    enrolment: Enrolment
    blocks: list[BlockProgress]
    jury: JuryCandidate | None  # the latest published jury of this enrolment, None if none published

    @property
    def decision(self) -> Decision | None:
        return self.jury.decision if self.jury else None


def enrolment_results(enrolments: Iterable[Enrolment]) -> list[EnrolmentResults]:
    """Per-block progress of several enrolments in a fixed number of queries.

    Only published jury results are included: before publication they are the jury's, not the apprentice's.
    """
    enrolments = list(enrolments)
    if not enrolments:
        return []
    ids = [e.id for e in enrolments]
    programme_ids = {e.cohort.programme_id for e in enrolments}
    blocks = db.session.scalars(
        sa.select(SkillBlock).where(SkillBlock.programme_id.in_(programme_ids)).order_by(SkillBlock.position)
    ).all()
    results = db.session.scalars(
        sa.select(EvaluationResult)
        .join(Evaluation)
        .where(EvaluationResult.enrolment_id.in_(ids))
        .options(selectinload(EvaluationResult.evaluation).selectinload(Evaluation.module))
        .order_by(Evaluation.date, Evaluation.id)
    ).all()
    candidates = db.session.scalars(
        sa.select(JuryCandidate)
        .join(JurySession)
        .where(JuryCandidate.enrolment_id.in_(ids), JurySession.status == JuryStatus.PUBLISHED)
        .options(selectinload(JuryCandidate.block_results), selectinload(JuryCandidate.jury_session))
        .order_by(JurySession.date)
    ).all()
    awards = db.session.scalars(
        sa.select(Award).where(
            Award.learner_id.in_({e.apprentice_id for e in enrolments}),
            Award.kind == AwardKind.SKILL_BLOCK,
            Award.revoked_at.is_(None),
        )
    ).all()
    held = {(a.learner_id, a.skill_block_id): a for a in sorted(awards, key=lambda a: a.awarded_on, reverse=True)}
    latest_jury = {c.enrolment_id: c for c in candidates}  # ordered by date: the last one wins
    out = []
    for enrolment in enrolments:
        jury = latest_jury.get(enrolment.id)
        verdicts = {r.skill_block_id: r.acquired for r in jury.block_results} if jury else {}
        progress = []
        for block in blocks:
            if block.programme_id != enrolment.cohort.programme_id:
                continue
            progress.append(
                BlockProgress(
                    block=block,
                    results=[
                        r for r in results if r.enrolment_id == enrolment.id and r.evaluation.skill_block_id == block.id
                    ],
                    capitalised=held.get((enrolment.apprentice_id, block.id)),
                    jury_acquired=verdicts.get(block.id),
                )
            )
        out.append(EnrolmentResults(enrolment=enrolment, blocks=progress, jury=jury))
    return out


# --- Jury: decision, capitalisation, publication -------------------------------------------------


def decide(block_ids: Iterable[int], acquired_now: Iterable[int], capitalised: Iterable[int], absent: bool) -> Decision:
    """The overall decision of the titre professionnel's jury.

    Every CCP of the title held (acquired at this session or capitalised from an earlier one): title obtained.
    Some held: partial. None: not obtained. A candidate absent at the session gets no verdict at all
    (their capitalised CCPs stay theirs); absent candidates do not count as presented.
    """
    if absent:
        return Decision.ABSENT
    required = set(block_ids)
    held = (set(acquired_now) | set(capitalised)) & required
    if required and held == required:
        return Decision.OBTAINED
    if held:
        return Decision.PARTIAL
    return Decision.NOT_OBTAINED


def capitalised_blocks(
    learner_id: int, programme_id: int | None = None, before: date | None = None
) -> dict[int, Award]:
    """The CCPs a person holds (non-revoked awards), whatever enrolment they were acquired on."""
    stmt = sa.select(Award).where(
        Award.learner_id == learner_id, Award.kind == AwardKind.SKILL_BLOCK, Award.revoked_at.is_(None)
    )
    if programme_id is not None:
        stmt = stmt.join(SkillBlock, Award.skill_block_id == SkillBlock.id).where(
            SkillBlock.programme_id == programme_id
        )
    if before is not None:
        stmt = stmt.where(Award.awarded_on < before)
    return {a.skill_block_id: a for a in db.session.scalars(stmt)}


def capitalised_by_learner(
    learner_ids: Iterable[int], programme_id: int, before: date | None = None
) -> dict[int, set[int]]:
    """capitalised_blocks for many people in one query: {learner_id: {skill_block_id, ...}}."""
    stmt = (
        sa.select(Award.learner_id, Award.skill_block_id)
        .join(SkillBlock, Award.skill_block_id == SkillBlock.id)
        .where(
            Award.learner_id.in_(set(learner_ids)),
            Award.kind == AwardKind.SKILL_BLOCK,
            Award.revoked_at.is_(None),
            SkillBlock.programme_id == programme_id,
        )
    )
    if before is not None:
        stmt = stmt.where(Award.awarded_on < before)
    held: dict[int, set[int]] = {}
    for learner_id, block_id in db.session.execute(stmt):
        held.setdefault(learner_id, set()).add(block_id)
    return held


def add_candidates(jury: JurySession, now: datetime | None = None) -> int:
    """Convene every apprentice of the cohort whose contract was not interrupted; returns how many were added.

    The moment they are added is the convocation's date of issue: every print of it shows that date.
    """
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


def save_jury_session(jury: JurySession | None, values: dict, actor: User, now: datetime | None = None) -> JurySession:
    """Create a session and convene its candidates, or change one.

    A change of date, time or place issues new convocations (dated `now`) and is audited: a convocation
    reprinted later must state what was sent, on the day it was sent.
    """
    moment = now or datetime.now(UTC)
    if jury is not None and jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError("Les résultats sont publiés : la session ne peut plus être modifiée.")
    if jury is not None and jury.candidates and values.get("cohort_id", jury.cohort_id) != jury.cohort_id:
        raise AssessmentError("Des candidat·es sont déjà convoqué·es : la promotion ne peut plus changer.")
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


def results_closed_reason(jury: JurySession, today: date | None = None) -> str | None:
    """Why results cannot be entered or published yet (the session has not taken place), or None."""
    if (today or today_paris()) < jury.date:
        return (
            f"La session de validation a lieu le {jury.date:%d/%m/%Y} : "
            "ses résultats ne peuvent être ni saisis ni publiés avant cette date."
        )
    return None


def record_jury_results(
    candidate: JuryCandidate,
    acquired: dict[int, bool],
    *,
    absent: bool,
    comments: dict[int, str] | None = None,
    today: date | None = None,
) -> Decision:
    """Store the verdict on each CCP of the title (or the absence) and the decision that follows."""
    jury = candidate.jury_session
    if jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError(
            "Les résultats de cette session sont publiés : utilisez « Corriger », avec un motif, pour les modifier."
        )
    if closed := results_closed_reason(jury, today):
        raise AssessmentError(closed)
    _apply_results(candidate, acquired, absent, comments or {})
    if jury.status == JuryStatus.PLANNED:
        jury.status = JuryStatus.HELD
    db.session.flush()
    return candidate.decision


def _apply_results(candidate: JuryCandidate, acquired: dict[int, bool], absent: bool, comments: dict[int, str]) -> None:
    jury = candidate.jury_session
    programme = jury.cohort.programme
    block_ids = [b.id for b in programme.skill_blocks]
    capitalised = capitalised_blocks(candidate.enrolment.apprentice_id, programme.id, before=jury.date)
    existing = {r.skill_block_id: r for r in candidate.block_results}
    if absent:
        candidate.block_results.clear()
    else:
        missing = [b for b in block_ids if b not in capitalised and b not in acquired]
        if missing:
            raise AssessmentError("Indiquez pour chaque CCP s'il est acquis ou non.")
        for block_id in block_ids:
            if block_id in capitalised:
                if block_id in existing:
                    candidate.block_results.remove(existing[block_id])
                continue
            result = existing.get(block_id)
            if result is None:
                result = BlockResult(skill_block_id=block_id, acquired=acquired[block_id])
                candidate.block_results.append(result)
            result.acquired = acquired[block_id]
            result.comment = (comments.get(block_id) or "").strip() or None
    candidate.decision = decide(
        block_ids,
        [] if absent else [b for b in block_ids if acquired.get(b) and b not in capitalised],
        capitalised,
        absent,
    )


def _issue_awards(candidate: JuryCandidate) -> list[Award]:
    """The CCP and title awards a published decision gives, except those the person already holds."""
    jury = candidate.jury_session
    programme = jury.cohort.programme
    learner_id = candidate.enrolment.apprentice_id
    held = capitalised_blocks(learner_id, programme.id)
    evidence = f"Session de validation du {jury.date:%d/%m/%Y}, {jury.place}"
    issued = [
        Award(kind=AwardKind.SKILL_BLOCK, learner_id=learner_id, skill_block_id=result.skill_block_id,
              jury_candidate=candidate, awarded_on=jury.date, evidence=evidence)
        for result in candidate.block_results
        if result.acquired and result.skill_block_id not in held
    ]  # fmt: skip
    title_held = db.session.scalar(
        sa.select(Award.id).where(
            Award.learner_id == learner_id,
            Award.kind == AwardKind.TITLE,
            Award.programme_id == programme.id,
            Award.revoked_at.is_(None),
        )
    )
    if candidate.decision == Decision.OBTAINED and not title_held:
        issued.append(Award(kind=AwardKind.TITLE, learner_id=learner_id, programme_id=programme.id,
                            jury_candidate=candidate, awarded_on=jury.date, evidence=evidence))  # fmt: skip
    db.session.add_all(issued)
    return issued


def publish_jury(jury: JurySession, actor: User, now: datetime | None = None) -> list[Award]:
    """Make the results visible to apprentices and tutors and issue the CCP and title awards."""
    if jury.status == JuryStatus.PUBLISHED:
        raise AssessmentError("Les résultats de cette session sont déjà publiés.")
    moment = now or datetime.now(UTC)
    if closed := results_closed_reason(jury, moment.astimezone(PARIS).date()):
        raise AssessmentError(closed)
    if not jury.candidates:
        raise AssessmentError("Aucun·e candidat·e n'est convoqué·e à cette session.")
    undecided = [c for c in jury.candidates if c.decision is None]
    if undecided:
        raise AssessmentError(f"{len(undecided)} candidat·e(s) sans résultat : saisissez-les avant de publier.")
    issued = []
    for candidate in jury.candidates:
        issued += _issue_awards(candidate)
        db.session.flush()
    jury.status = JuryStatus.PUBLISHED
    jury.published_at = moment
    db.session.flush()
    audit.record(
        actor, "jury_session", jury.id, "publish", after={"candidates": len(jury.candidates), "awards": len(issued)}
    )
    db.session.flush()
    return issued


def _candidate_state(candidate: JuryCandidate) -> dict:
    codes = {b.id: b.code for b in candidate.jury_session.cohort.programme.skill_blocks}
    return {
        "decision": candidate.decision.value if candidate.decision else None,
        "blocks": {codes[r.skill_block_id]: r.acquired for r in candidate.block_results},
    }


def correct_jury_results(
    candidate: JuryCandidate, acquired: dict[int, bool], *, absent: bool, actor: User, reason: str,
    now: datetime | None = None,
) -> tuple[list[Award], list[Award]]:  # fmt: skip
    """Correct a published result (an entry error, an appeal): audited, with a reason.

    Awards the new decision no longer justifies are revoked (never deleted: their public page says so);
    awards it newly justifies are issued. Returns (issued, revoked).
    """
    jury = candidate.jury_session
    if jury.status != JuryStatus.PUBLISHED:
        raise AssessmentError("Ces résultats ne sont pas encore publiés : modifiez-les directement.")
    if not (reason or "").strip():
        raise AssessmentError("Le motif de la correction est obligatoire.")
    before = _candidate_state(candidate)
    _apply_results(candidate, acquired, absent, {})
    db.session.flush()
    after = _candidate_state(candidate)
    if before == after:
        return [], []
    moment = now or datetime.now(UTC)
    acquired_now = {r.skill_block_id for r in candidate.block_results if r.acquired}
    revoked = []
    for award in db.session.scalars(
        sa.select(Award).where(Award.jury_candidate_id == candidate.id, Award.revoked_at.is_(None))
    ):
        lost = (award.kind == AwardKind.SKILL_BLOCK and award.skill_block_id not in acquired_now) or (
            award.kind == AwardKind.TITLE and candidate.decision != Decision.OBTAINED
        )
        if lost:
            award.revoked_at = moment
            award.revoked_by_id = actor.id
            award.revocation_reason = f"Correction des résultats du jury : {reason.strip()}"
            revoked.append(award)
    db.session.flush()
    issued = _issue_awards(candidate)
    audit.record(
        actor, "jury_candidate", candidate.id, "correct", before=before, after=after, reason=reason.strip(),
        context=("jury_session", jury.id),
    )  # fmt: skip
    db.session.flush()
    return issued, revoked


def load_jury(jury_id: int) -> JurySession | None:
    """A jury session with its cohort, programme blocks, candidates and their results, in a few queries."""
    from cfa.models import Cohort, Programme

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


def assessable_cohorts_clause(user: User, cohort_id_column):
    """SQL condition: cohorts whose ECF the user may enter (all for jury managers; a trainer's own cohorts).

    A trainer's own cohorts: those they lead, teach a module of, or have sessions in.
    """
    from cfa.models import ModuleAssignment
    from cfa.services.permissions import Ability, can, teaches_cohort_clause

    if can(user, Ability.MANAGE_JURY):
        return sa.true()
    return sa.or_(
        teaches_cohort_clause(user, cohort_id_column),
        cohort_id_column.in_(sa.select(ModuleAssignment.cohort_id).where(ModuleAssignment.trainer_id == user.id)),
    )


def can_assess_cohort(user: User, cohort_id: int) -> bool:
    from cfa.models import Cohort

    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(Cohort.id == cohort_id, assessable_cohorts_clause(user, Cohort.id)))
        )
    )
