"""What the JSON API reads: pages of rows in id order (a cursor is the last id seen, so a row added while an
integration pages through never shifts the next page), and the write of an enrolment by an integration.

Each listing is one query per page, whatever the page size; attendance is summed in SQL by attendance_rates.
The listings whose items are a table's own columns (programmes, cohorts, sessions, enrolments) also say what a
page holds without loading it (`page_version`), so that an integration polling an unchanged page gets its 304
after one small query."""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    ApiToken,
    Award,
    BlockResult,
    Cohort,
    Employer,
    Enrolment,
    JuryCandidate,
    JurySession,
    JuryStatus,
    Programme,
    Session,
    User,
)
from cfa.services import enrolments
from cfa.services.attendance_rates import Rate, rates_by_enrolment

MAX_LIMIT = 200


@dataclass(frozen=True)
class Page:
    items: list
    next_after: int | None  # the cursor of the next page, None on the last one


def _window(stmt, id_column, after: int | None, limit: int):
    """The page's rows in order, one more than the page to tell whether another follows."""
    limit = max(1, min(limit, MAX_LIMIT))
    if after is not None:
        stmt = stmt.where(id_column > after)
    return stmt.order_by(id_column).limit(limit + 1), limit


def _page(stmt, id_column, after: int | None, limit: int) -> Page:
    stmt, limit = _window(stmt, id_column, after, limit)
    rows = list(db.session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more else None)


def page_version(listing, after: int | None, limit: int, **filters) -> tuple:
    """What a page of `listing` (programmes, cohorts, sessions or enrolment_page) holds, in one aggregate over
    its ids and last changes: the count and sum of the ids change when a row comes or goes (new ids are never
    below old ones; an id SQLite reuses comes with a newer `updated_at`), the greatest `updated_at` when one
    changes. Each listed item is its row's own columns, so nothing else can change the page."""
    model = _LISTINGS[listing]
    stmt, _ = _window(_statements[listing](**filters), model.id, after, limit)
    rows = stmt.with_only_columns(model.id.label("id"), model.updated_at.label("changed")).subquery()
    figures = sa.select(
        sa.func.count(rows.c.id), sa.func.coalesce(sa.func.sum(rows.c.id), 0), sa.func.max(rows.c.changed)
    )
    return tuple(db.session.execute(figures).one())


def _programmes():
    return sa.select(Programme)


def _cohorts(programme_id: int | None = None):
    stmt = sa.select(Cohort)
    if programme_id is not None:
        stmt = stmt.where(Cohort.programme_id == programme_id)
    return stmt


def _sessions(cohort_id: int | None = None, changed_since: datetime | None = None):
    stmt = sa.select(Session)
    if cohort_id is not None:
        stmt = stmt.where(Session.cohort_id == cohort_id)
    if changed_since is not None:
        stmt = stmt.where(Session.updated_at >= changed_since)
    return stmt


def _enrolments(cohort_id: int | None = None):
    stmt = sa.select(Enrolment)
    if cohort_id is not None:
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    return stmt


def programmes(after: int | None, limit: int) -> Page:
    return _page(_programmes(), Programme.id, after, limit)


def cohorts(after: int | None, limit: int, programme_id: int | None = None) -> Page:
    return _page(_cohorts(programme_id), Cohort.id, after, limit)


def sessions(
    after: int | None, limit: int, cohort_id: int | None = None, changed_since: datetime | None = None
) -> Page:
    """Cancelled sessions are listed too (with their status), so a calendar that copied them can drop them."""
    return _page(_sessions(cohort_id, changed_since), Session.id, after, limit)


def results(after: int | None, limit: int, cohort_id: int | None = None) -> Page:
    """The jury's verdicts per block, once the jury's results are published (never a draft verdict)."""
    stmt = (
        sa.select(BlockResult)
        .join(BlockResult.candidate)
        .join(JuryCandidate.jury_session)
        .where(JurySession.status == JuryStatus.PUBLISHED)
        .options(
            selectinload(BlockResult.skill_block),
            selectinload(BlockResult.candidate).selectinload(JuryCandidate.jury_session),
        )
    )
    if cohort_id is not None:
        stmt = stmt.where(JurySession.cohort_id == cohort_id)
    return _page(stmt, BlockResult.id, after, limit)


def awards(after: int | None, limit: int, learner_id: int | None = None) -> Page:
    stmt = sa.select(Award)
    if learner_id is not None:
        stmt = stmt.where(Award.learner_id == learner_id)
    return _page(stmt, Award.id, after, limit)


def enrolment_page(after: int | None, limit: int, cohort_id: int | None = None) -> Page:
    return _page(_enrolments(cohort_id), Enrolment.id, after, limit)


_LISTINGS = {programmes: Programme, cohorts: Cohort, sessions: Session, enrolment_page: Enrolment}
_statements = {programmes: _programmes, cohorts: _cohorts, sessions: _sessions, enrolment_page: _enrolments}


def attendance(enrolment_id: int, start: date | None, end: date | None) -> Rate | None:
    """An enrolment's minutes attended, justified, unjustified and not recorded over a period; None if unknown."""
    if db.session.get(Enrolment, enrolment_id) is None:
        return None
    return rates_by_enrolment([enrolment_id], start, end)[enrolment_id]


def create_enrolment(token: ApiToken, values: enrolments.EnrolmentValues) -> Enrolment:
    """An enrolment written by an integration: the same checks and audit as the admin's form, in the name of the
    token's author, the token's name as the reason."""
    for model, key, label in (
        (User, values.apprentice_id, "apprentice_id"),
        (Cohort, values.cohort_id, "cohort_id"),
        (Employer, values.employer_id, "employer_id"),
        (User, values.tutor_id, "tutor_id"),
    ):
        if key is not None and db.session.get(model, key) is None:
            raise enrolments.EnrolmentError(f"Aucun enregistrement ne porte cet identifiant ({key}).", label)
    return enrolments.save(token.created_by, None, values, reason=f"Intégration API « {token.name} »")
