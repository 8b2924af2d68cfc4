"""What a request costs as history grows: a counter of statements and of rows really fetched from the cursor, and a
world whose past can be made ten times longer while its present stays the same.

A page is bounded when both numbers are the same for a world with `history=N` and one with `history=10 * N`: its
cost then depends on what it shows, never on how many years the network has kept.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    HalfDay,
    Justification,
    JustificationStatus,
    MarkStatus,
    Role,
    Session,
    SessionStatus,
    User,
    UserRole,
)
from tests import factories as f

_NOT_COUNTED = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


@dataclass
class Cost:
    """Statements run and rows fetched; `statements` keeps the SQL, to say which one grew when a test fails."""

    statements: list[str] = field(default_factory=list)
    rows: int = 0
    rows_by_statement: list[int] = field(default_factory=list)

    @property
    def queries(self) -> int:
        return len(self.statements)

    def biggest(self, n: int = 3) -> list[tuple[int, str]]:
        return sorted(zip(self.rows_by_statement, self.statements, strict=True), reverse=True)[:n]


class _CountingCursor:
    """The DBAPI cursor, counting the rows the application really takes from it (fetchone, fetchmany, fetchall)."""

    def __init__(self, cursor, cost: Cost, index: int):
        self._cursor, self._cost, self._index = cursor, cost, index

    def _took(self, n: int) -> None:
        self._cost.rows += n
        self._cost.rows_by_statement[self._index] += n

    def fetchone(self):
        row = self._cursor.fetchone()
        if row is not None:
            self._took(1)
        return row

    def fetchmany(self, *args, **kwargs):
        rows = self._cursor.fetchmany(*args, **kwargs)
        self._took(len(rows))
        return rows

    def fetchall(self):
        rows = self._cursor.fetchall()
        self._took(len(rows))
        return rows

    def __iter__(self):
        for row in self._cursor:
            self._took(1)
            yield row

    def __getattr__(self, name):
        return getattr(self._cursor, name)


@contextmanager
def measuring():
    """`with measuring() as cost:` counts the statements run in the block and the rows fetched for them.

    The result is built from `context.cursor` after `after_cursor_execute`: wrapping it there makes every fetch the
    ORM or Core does go through the counter, whichever driver runs underneath.
    """
    cost = Cost()

    def before(conn, cursor, statement, parameters, context, executemany):
        if context is not None:
            context._counted = not statement.lstrip().upper().startswith(_NOT_COUNTED)

    def after(conn, cursor, statement, parameters, context, executemany):
        if context is None or not getattr(context, "_counted", False):
            return
        cost.statements.append(statement)
        cost.rows_by_statement.append(0)
        context.cursor = _CountingCursor(context.cursor, cost, len(cost.statements) - 1)

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield cost
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)


@dataclass
class World:
    """The present every page is asked about; only the history behind it changes size."""

    admin: User
    quality: User
    trainer: User
    tutor: User
    apprentice: User
    enrolment: Enrolment
    cohort: Cohort
    today_session: Session
    history_cohorts: int
    _history_args: tuple = ()

    def add_history(self, cohorts: int) -> None:
        """More past cohorts behind the same present: a page is then asked again about the same people."""
        _history(next(_worlds), cohorts, *self._history_args)
        self.history_cohorts += cohorts


_worlds = count()
HISTORY_ENROLMENTS = 8  # per past cohort
HISTORY_DAYS = 10  # course days per past cohort, two half-days each


def build_world(history: int) -> World:
    """A running cohort with today's session, its trainer, an apprentice and their tutor, behind `history` past
    cohorts of the same centres and programme (ended more than a year ago), taught by the same trainer, with closed
    sheets, marks and decided justifications, inserted in bulk so that ten times more stays a matter of seconds."""
    today = today_paris()
    programme = f.ProgrammeFactory()
    module = f.ModuleFactory(programme=programme)
    centres = [f.CentreFactory(), f.CentreFactory()]
    admin, quality, trainer = f.UserFactory.admin(), f.UserFactory.quality(), f.UserFactory.trainer()
    employer = f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    cohort = f.CohortFactory(
        programme=programme,
        centre=centres[0],
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=240),
        lead_trainer=trainer,
    )
    enrolment = f.EnrolmentFactory(cohort=cohort, employer=employer, tutor=tutor)
    classmates = [f.EnrolmentFactory(cohort=cohort) for _ in range(3)]
    for days_ago in (1, 2, 3):
        session = f.SessionFactory(cohort=cohort, module=module, trainer=trainer, date=today - timedelta(days=days_ago))
        sheet = f.AttendanceSheetFactory(session=session, closed_at=datetime.now(UTC), closed_by=trainer)
        for e in [enrolment, *classmates]:
            f.AttendanceMarkFactory(sheet=sheet, session=session, enrolment=e)
    today_session = f.SessionFactory(cohort=cohort, module=module, trainer=trainer, date=today)
    f.JustificationFactory(
        enrolment=enrolment, start_date=today - timedelta(days=2), end_date=today - timedelta(days=2)
    )
    world = World(admin, quality, trainer, tutor, enrolment.apprentice, enrolment, cohort, today_session, 0)
    world._history_args = (programme.id, module.id, [c.id for c in centres], trainer, tutor, employer.id, today)
    world.add_history(history)
    return world


def _history(n, cohorts, programme_id, module_id, centre_ids, trainer, tutor, employer_id, today) -> None:
    first_year = today.year - 5
    insert = db.session.execute
    cohort_rows = []
    for i in range(cohorts):
        start = date(first_year + i % 3, 9, 1)
        cohort_rows.append(
            dict(
                programme_id=programme_id,
                centre_id=centre_ids[i % len(centre_ids)],
                name=f"Promotion passée {n}-{i}",
                start_date=start,
                end_date=start + timedelta(days=330),
                lead_trainer_id=trainer.id,
            )
        )
    cohort_ids = list(
        insert(sa.insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), cohort_rows).scalars()
    )
    starts = {cid: row["start_date"] for cid, row in zip(cohort_ids, cohort_rows, strict=True)}

    people = cohorts * HISTORY_ENROLMENTS
    user_ids = list(
        insert(
            sa.insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                dict(
                    email=f"ancien{n}-{k}@exemple.test", first_name="Camille", last_name=f"Zeller {k:05d}", active=True
                )
                for k in range(people)
            ],
        ).scalars()
    )
    # Named to sort after the present's people: a list's first page then shows the same people at both sizes.
    insert(sa.insert(UserRole), [dict(user_id=u, role=Role.APPRENTICE) for u in user_ids])
    enrolment_rows = []
    for c, cid in enumerate(cohort_ids):
        for k in range(HISTORY_ENROLMENTS):
            enrolment_rows.append(
                dict(
                    apprentice_id=user_ids[c * HISTORY_ENROLMENTS + k],
                    cohort_id=cid,
                    employer_id=employer_id,
                    tutor_id=tutor.id if k == 0 else None,
                    contract_start=starts[cid],
                    contract_end=starts[cid] + timedelta(days=330),
                    status=EnrolmentStatus.COMPLETED,
                )
            )
    enrolment_ids = list(
        insert(sa.insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True), enrolment_rows).scalars()
    )

    session_rows = []
    for cid in cohort_ids:
        for d in range(HISTORY_DAYS):
            day = starts[cid] + timedelta(days=7 * d)
            for half, start, end in ((HalfDay.AM, time(9), time(12, 30)), (HalfDay.PM, time(13, 30), time(17))):
                session_rows.append(
                    dict(
                        cohort_id=cid,
                        module_id=module_id,
                        trainer_id=trainer.id,
                        date=day,
                        half_day=half,
                        start_time=start,
                        end_time=end,
                        status=SessionStatus.PLANNED,
                        sheet_closed=True,  # each gets its closed sheet below, as flag_closed_sheets would say
                    )
                )
    session_ids = list(
        insert(sa.insert(Session).returning(Session.id, sort_by_parameter_order=True), session_rows).scalars()
    )
    closed = datetime(today.year - 2, 1, 1, tzinfo=UTC)
    sheet_ids = list(
        insert(
            sa.insert(AttendanceSheet).returning(AttendanceSheet.id, sort_by_parameter_order=True),
            [dict(session_id=s, closed_at=closed, closed_by_id=trainer.id) for s in session_ids],
        ).scalars()
    )

    per_cohort = 2 * HISTORY_DAYS
    justification_ids = list(
        insert(
            sa.insert(Justification).returning(Justification.id, sort_by_parameter_order=True),
            [
                dict(
                    enrolment_id=enrolment_ids[c * HISTORY_ENROLMENTS + 1],
                    start_date=session_rows[c * per_cohort]["date"],
                    end_date=session_rows[c * per_cohort]["date"],
                    reason="Arrêt maladie",
                    status=JustificationStatus.ACCEPTED,
                    submitted_by_id=user_ids[c * HISTORY_ENROLMENTS + 1],
                    decided_at=closed,
                )
                for c in range(cohorts)
            ],
        ).scalars()
    )
    marks = []
    for s, (session_id, sheet_id) in enumerate(zip(session_ids, sheet_ids, strict=True)):
        c = s // per_cohort
        for k in range(HISTORY_ENROLMENTS):
            absent = k == 1 and s % per_cohort < 2  # the first day: absent, justified
            marks.append(
                dict(
                    sheet_id=sheet_id,
                    session_id=session_id,
                    enrolment_id=enrolment_ids[c * HISTORY_ENROLMENTS + k],
                    status=MarkStatus.ABSENT if absent else MarkStatus.PRESENT,
                    justification_id=justification_ids[c] if absent else None,
                    minutes_late=0,
                    minutes_left_early=0,
                )
            )
    insert(sa.insert(AttendanceMark), marks)
    db.session.flush()
