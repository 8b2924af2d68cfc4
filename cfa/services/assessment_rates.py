"""Exam success rates (Code du travail L.6111-8; Qualiopi indicators 2 and 3), as DOMAIN-FACTS.md defines them.

success: candidates who obtained the full title at the jury sessions of the year / candidates presented there.
partial success: candidates with at least one CCP but not the title / candidates presented.
Only published sessions count; a candidate absent at the session was not presented.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Centre, Cohort, Decision, Enrolment, JuryCandidate, JurySession, JuryStatus, Programme

GROUPINGS = {"cohort": "Promotion", "programme": "Formation", "centre": "Centre", "year": "Année"}


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


@dataclass(frozen=True)
class SuccessRow:
    label: str
    presented: int
    obtained: int
    partial: int
    not_obtained: int
    absent: int

    @property
    def success(self) -> Rate:
        return Rate(self.obtained, self.presented)

    @property
    def partial_success(self) -> Rate:
        return Rate(self.partial, self.presented)


def success_rates(
    group_by: str = "cohort", year: int | None = None, jury_id: int | None = None, cohort_ids: list[int] | None = None
) -> list[SuccessRow]:
    """One row per cohort, programme, centre or year of the jury session, in one query; `cohort_ids` narrows it
    to some cohorts (the quality dashboard's filters)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"unknown grouping {group_by!r}")
    jury_year = sa.extract("year", JurySession.date)
    key = {
        "cohort": Cohort.name,
        "programme": Programme.code,
        "centre": Centre.name,
        "year": sa.cast(jury_year, sa.Integer),
    }[group_by]

    def count(decision: Decision):
        return sa.func.count(JuryCandidate.id).filter(JuryCandidate.decision == decision)

    stmt = (
        sa.select(
            key.label("key"),
            count(Decision.OBTAINED).label("obtained"),
            count(Decision.PARTIAL).label("partial"),
            count(Decision.NOT_OBTAINED).label("not_obtained"),
            count(Decision.ABSENT).label("absent"),
        )
        .select_from(JuryCandidate)
        .join(JurySession, JuryCandidate.jury_session_id == JurySession.id)
        .join(Enrolment, JuryCandidate.enrolment_id == Enrolment.id)
        .join(Cohort, JurySession.cohort_id == Cohort.id)
        .join(Programme, Cohort.programme_id == Programme.id)
        .join(Centre, Cohort.centre_id == Centre.id)
        .where(JurySession.status == JuryStatus.PUBLISHED)
        .group_by(key)
        .order_by(key)
    )
    if year is not None:
        stmt = stmt.where(jury_year == year)
    if jury_id is not None:
        stmt = stmt.where(JurySession.id == jury_id)
    if cohort_ids is not None:
        stmt = stmt.where(JurySession.cohort_id.in_(cohort_ids))
    return [
        SuccessRow(
            label=str(row.key),
            presented=row.obtained + row.partial + row.not_obtained,
            obtained=row.obtained,
            partial=row.partial,
            not_obtained=row.not_obtained,
            absent=row.absent,
        )
        for row in db.session.execute(stmt)
    ]


def total(rows: list[SuccessRow], label: str = "Ensemble") -> SuccessRow:
    return SuccessRow(
        label=label,
        presented=sum(r.presented for r in rows),
        obtained=sum(r.obtained for r in rows),
        partial=sum(r.partial for r in rows),
        not_obtained=sum(r.not_obtained for r in rows),
        absent=sum(r.absent for r in rows),
    )
