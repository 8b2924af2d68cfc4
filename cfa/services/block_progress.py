"""Where enrolments stand on each skill block: ECF results, CCPs capitalised, the verdict of a published jury.

`enrolment_results` serves the apprentice's, the tutor's and the trainer's pages in a fixed number of queries.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    Award,
    AwardKind,
    Decision,
    Enrolment,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    JuryCandidate,
    JurySession,
    JuryStatus,
    SkillBlock,
)


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
    # A sign beside the colour, for the compact views (the colour alone says nothing to some readers).
    MARKS = {ACQUIRED: "✓", ON_TRACK: "✓", IN_PROGRESS: "…", NOT_ACQUIRED: "✗"}


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
        return BlockState.MARKS.get(self.state, "–")


@dataclass
class EnrolmentResults:
    """What an apprentice, their tutor or a trainer sees of one enrolment's assessment."""

    enrolment: Enrolment
    blocks: list[BlockProgress]
    jury: JuryCandidate | None  # the latest published jury of this enrolment, None if none published

    @property
    def decision(self) -> Decision | None:
        return self.jury.decision if self.jury else None


def programme_blocks(programme_ids: Iterable[int]) -> list[SkillBlock]:
    return db.session.scalars(
        sa.select(SkillBlock).where(SkillBlock.programme_id.in_(set(programme_ids))).order_by(SkillBlock.position)
    ).all()


def _results_of(ids: list[int]) -> list[EvaluationResult]:
    return db.session.scalars(
        sa.select(EvaluationResult)
        .join(Evaluation)
        .where(EvaluationResult.enrolment_id.in_(ids))
        .options(selectinload(EvaluationResult.evaluation).selectinload(Evaluation.module))
        .order_by(Evaluation.date, Evaluation.id)
    ).all()


def _latest_published_juries(ids: list[int]) -> dict[int, JuryCandidate]:
    candidates = db.session.scalars(
        sa.select(JuryCandidate)
        .join(JurySession)
        .where(JuryCandidate.enrolment_id.in_(ids), JurySession.status == JuryStatus.PUBLISHED)
        .options(selectinload(JuryCandidate.block_results), selectinload(JuryCandidate.jury_session))
        .order_by(JurySession.date)
    ).all()
    return {c.enrolment_id: c for c in candidates}  # ordered by date: the last one wins


def _held_blocks(learner_ids: set[int]) -> dict[tuple[int, int], Award]:
    awards = db.session.scalars(
        sa.select(Award).where(
            Award.learner_id.in_(learner_ids), Award.kind == AwardKind.SKILL_BLOCK, Award.revoked_at.is_(None)
        )
    ).all()
    return {(a.learner_id, a.skill_block_id): a for a in sorted(awards, key=lambda a: a.awarded_on, reverse=True)}


def enrolment_results(enrolments: Iterable[Enrolment]) -> list[EnrolmentResults]:
    """Per-block progress of several enrolments in a fixed number of queries.

    Only published jury results are included: before publication they are the jury's, not the apprentice's.
    """
    enrolments = list(enrolments)
    if not enrolments:
        return []
    ids = [e.id for e in enrolments]
    blocks = programme_blocks(e.cohort.programme_id for e in enrolments)
    results = _results_of(ids)
    latest_jury = _latest_published_juries(ids)
    held = _held_blocks({e.apprentice_id for e in enrolments})
    out = []
    for enrolment in enrolments:
        jury = latest_jury.get(enrolment.id)
        verdicts = {r.skill_block_id: r.acquired for r in jury.block_results} if jury else {}
        mine = [r for r in results if r.enrolment_id == enrolment.id]
        progress = [
            BlockProgress(
                block=block,
                results=[r for r in mine if r.evaluation.skill_block_id == block.id],
                capitalised=held.get((enrolment.apprentice_id, block.id)),
                jury_acquired=verdicts.get(block.id),
            )
            for block in blocks
            if block.programme_id == enrolment.cohort.programme_id
        ]
        out.append(EnrolmentResults(enrolment=enrolment, blocks=progress, jury=jury))
    return out
