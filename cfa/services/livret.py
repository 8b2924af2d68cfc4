"""The livret d'apprentissage: per field period of the contract, the tutor's activities and evaluation, the
apprentice's comment, the référent's view (Qualiopi indicators 13 and 28).

Rules:
- a field period is a run of the cohort's FIELD calendar periods, cut to the contract's dates;
- a part is written once the period has started; each part is signed (author, instant) when saved;
- once the next field period has started (for the last one: once the contract is over), the entry is locked:
  a change is a correction, with a reason, recorded in the audit trail with what it replaced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import CalendarPeriod, Cohort, Enrolment, PeriodKind, Programme, ProgrammeKind, SkillBlock
from cfa.models.base import utcnow
from cfa.models.livret import ActivityLevel, LivretActivity, LivretEntry
from cfa.services import audit


class LivretError(ValueError):
    """A livret entry refused, with the reason to show."""


@dataclass(frozen=True)
class FieldPeriod:
    start: date
    end: date
    locks_on: date | None  # the day the entry locks: the next field period's start, or the day after the contract

    def started(self, today: date) -> bool:
        return self.start <= today

    def ended(self, today: date) -> bool:
        return self.end < today

    def locked(self, today: date) -> bool:
        return self.locks_on is not None and self.locks_on <= today


@dataclass(frozen=True)
class ActivityInput:
    skill_block_id: int | None
    description: str
    level: ActivityLevel
    comment: str | None = None


def field_periods(enrolment: Enrolment, periods: list[CalendarPeriod]) -> list[FieldPeriod]:
    """The enrolment's field periods from its cohort's calendar periods (already loaded: no query)."""
    spans = sorted(
        {
            (max(p.start_date, enrolment.contract_start), min(p.end_date, enrolment.last_day))
            for p in periods
            if p.kind == PeriodKind.FIELD and p.cohort_id == enrolment.cohort_id
        }
    )
    spans = [(start, end) for start, end in spans if start <= end]
    after_contract = date.fromordinal(enrolment.last_day.toordinal() + 1)
    return [
        FieldPeriod(start, end, spans[index + 1][0] if index + 1 < len(spans) else after_contract)
        for index, (start, end) in enumerate(spans)
    ]


def field_periods_of_cohorts(cohort_ids) -> list[CalendarPeriod]:
    """The FIELD periods of several cohorts, in one query."""
    return list(
        db.session.scalars(
            sa.select(CalendarPeriod)
            .where(CalendarPeriod.cohort_id.in_(list(cohort_ids)), CalendarPeriod.kind == PeriodKind.FIELD)
            .order_by(CalendarPeriod.start_date)
        )
    )


def period_of(enrolment: Enrolment, start: date | None) -> FieldPeriod:
    """The enrolment's field period starting on that day, or a clear refusal."""
    found = next(
        (p for p in field_periods(enrolment, field_periods_of_cohorts([enrolment.cohort_id])) if p.start == start), None
    )
    if found is None:
        raise LivretError("Cette période en entreprise n'existe pas dans le planning de l'apprenti·e.")
    return found


def entries_of(enrolment_ids) -> dict[int, list[LivretEntry]]:
    """The livret entries of several enrolments, oldest first, activities and signatories loaded (three queries)."""
    ids = list(enrolment_ids)
    entries: dict[int, list[LivretEntry]] = {i: [] for i in ids}
    if not ids:
        return entries
    stmt = (
        sa.select(LivretEntry)
        .where(LivretEntry.enrolment_id.in_(ids))
        .options(
            selectinload(LivretEntry.activities).selectinload(LivretActivity.skill_block),
            selectinload(LivretEntry.tutor),
            selectinload(LivretEntry.referent),
        )
        .order_by(LivretEntry.period_start)
    )
    for entry in db.session.scalars(stmt):
        entries[entry.enrolment_id].append(entry)
    return entries


def entry_for(enrolment_id: int, start: date) -> LivretEntry | None:
    return db.session.scalar(
        sa.select(LivretEntry).where(LivretEntry.enrolment_id == enrolment_id, LivretEntry.period_start == start)
    )


def _entry(enrolment: Enrolment, period: FieldPeriod) -> LivretEntry:
    entry = db.session.scalar(
        sa.select(LivretEntry).where(LivretEntry.enrolment_id == enrolment.id, LivretEntry.period_start == period.start)
    )
    if entry is None:
        entry = LivretEntry(enrolment_id=enrolment.id, period_start=period.start, period_end=period.end)
        db.session.add(entry)
    return entry


def _activities_of(entry: LivretEntry) -> list[dict]:
    return [
        {"bloc": a.skill_block_id, "activité": a.description, "niveau": a.level.value, "commentaire": a.comment}
        for a in entry.activities
    ]


def _write(actor, enrolment: Enrolment, period: FieldPeriod, today: date, reason: str | None, change) -> LivretEntry:
    """Apply `change(entry)` to the period's entry; once locked, only as an audited correction with a reason."""
    if not period.started(today):
        raise LivretError(
            "La période en entreprise n'a pas encore commencé : son livret s'écrit à partir de son début."
        )
    locked = period.locked(today)
    reason = (reason or "").strip()
    if locked and not reason:
        raise LivretError(
            "Le livret de cette période est verrouillé depuis le début de la période suivante : "
            "une correction demande un motif."
        )
    entry = _entry(enrolment, period)
    db.session.flush()
    before = {**audit.snapshot(entry), "activities": _activities_of(entry)}
    change(entry)
    db.session.flush()
    if locked:
        after = {**audit.snapshot(entry), "activities": _activities_of(entry)}
        changed = [key for key in after if before.get(key) != after[key]]
        audit.record(
            actor,
            "livret_entry",
            entry.id,
            "correct",
            before={k: before.get(k) for k in changed},
            after={k: after[k] for k in changed},
            reason=reason,
            context=("enrolment", enrolment.id),
        )
    return entry


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def sign_tutor_part(
    actor,
    enrolment: Enrolment,
    period: FieldPeriod,
    activities: list[ActivityInput],
    comment: str | None,
    today: date,
    reason: str | None = None,
) -> LivretEntry:
    """The tutor's part: what the apprentice did, against the title's skill blocks, with a level; signed now."""
    activities = [a for a in activities if a.description.strip()]
    if not activities and not _clean(comment):
        raise LivretError("Décrivez au moins une activité menée dans l'entreprise, ou laissez un commentaire.")
    blocks = set(
        db.session.scalars(
            sa.select(SkillBlock.id)
            .join(Cohort, Cohort.programme_id == SkillBlock.programme_id)
            .where(Cohort.id == enrolment.cohort_id)
        )
    )
    if any(a.skill_block_id is not None and a.skill_block_id not in blocks for a in activities):
        raise LivretError("Une activité est rattachée à un bloc de compétences qui n'est pas celui du titre.")

    def change(entry: LivretEntry) -> None:
        entry.activities.clear()
        db.session.flush()
        for position, item in enumerate(activities, start=1):
            entry.activities.append(
                LivretActivity(
                    position=position,
                    skill_block_id=item.skill_block_id,
                    description=item.description.strip()[:300],
                    level=item.level,
                    comment=_clean(item.comment),
                )
            )
        entry.tutor_comment = _clean(comment)
        entry.tutor_id = actor.id
        entry.tutor_signed_at = utcnow()

    return _write(actor, enrolment, period, today, reason, change)


def sign_apprentice_comment(
    actor, enrolment: Enrolment, period: FieldPeriod, comment: str | None, today: date, reason: str | None = None
) -> LivretEntry:
    """The apprentice's own comment on the period, dated."""
    if not _clean(comment):
        raise LivretError("Écrivez votre commentaire avant de l'enregistrer.")

    def change(entry: LivretEntry) -> None:
        entry.apprentice_comment = _clean(comment)
        entry.apprentice_signed_at = utcnow()

    return _write(actor, enrolment, period, today, reason, change)


def sign_referent_comment(
    actor, enrolment: Enrolment, period: FieldPeriod, comment: str | None, today: date, reason: str | None = None
) -> LivretEntry:
    """The centre's view of the period, signed by the référent (or a manager of the CFA)."""
    if not _clean(comment):
        raise LivretError("Écrivez le regard du centre avant de l'enregistrer.")

    def change(entry: LivretEntry) -> None:
        entry.referent_comment = _clean(comment)
        entry.referent_id = actor.id
        entry.referent_signed_at = utcnow()

    return _write(actor, enrolment, period, today, reason, change)


def _clipped_start():
    return sa.case(
        (CalendarPeriod.start_date < Enrolment.contract_start, Enrolment.contract_start),
        else_=CalendarPeriod.start_date,
    )


def _clipped_end():
    last_day = sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end)
    return sa.case((CalendarPeriod.end_date > last_day, last_day), else_=CalendarPeriod.end_date)


def ended_field_periods_clause(today: date):
    """SQL: the calendar period is a field period of the enrolment's cohort, within its contract, ended."""
    return sa.and_(
        CalendarPeriod.cohort_id == Enrolment.cohort_id,
        CalendarPeriod.kind == PeriodKind.FIELD,
        CalendarPeriod.start_date <= sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end),
        CalendarPeriod.end_date >= Enrolment.contract_start,
        _clipped_end() < today,
    )


def last_ended_period_start(today: date):
    """SQL scalar, correlated to Enrolment: the start of its last ended field period (None when none ended)."""
    return (
        sa.select(sa.func.max(_clipped_start()))
        .where(ended_field_periods_clause(today))
        .correlate(Enrolment)
        .scalar_subquery()
    )


@dataclass
class CohortCompletion:
    cohort: Cohort
    expected: int  # ended field periods, summed over the cohort's apprentices
    signed: int  # of which the tutor signed the livret entry

    @property
    def rate(self) -> float | None:
        return self.signed / self.expected if self.expected else None


def completion_by_cohort(today: date) -> list[CohortCompletion]:
    """Each apprenticeship cohort's livret completion: tutor-signed entries over ended field periods (one query,
    summed by the database), then the cohorts (one query)."""
    signed = sa.and_(
        LivretEntry.enrolment_id == Enrolment.id,
        LivretEntry.period_start == _clipped_start(),
        LivretEntry.tutor_signed_at.is_not(None),
    )
    rows = db.session.execute(
        sa.select(Enrolment.cohort_id, sa.func.count().label("expected"), sa.func.count(LivretEntry.id).label("signed"))
        .select_from(Enrolment)
        .join(CalendarPeriod, ended_field_periods_clause(today))
        .outerjoin(LivretEntry, signed)
        .group_by(Enrolment.cohort_id)
    ).all()
    figures = {row.cohort_id: row for row in rows}
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .join(Programme)
        .where(Programme.kind == ProgrammeKind.APPRENTICESHIP, Cohort.id.in_(list(figures)))
        .options(selectinload(Cohort.programme))
        .order_by(Cohort.start_date.desc(), Cohort.name)
    )
    return [CohortCompletion(c, figures[c.id].expected, figures[c.id].signed) for c in cohorts]
