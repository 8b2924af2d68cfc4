"""The roll call at a network's size: every foreign key the attendance code filters on has an index, and the
database uses it (EXPLAIN), instead of scanning every mark of the network for one sheet's fourteen lines."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceMark, AttendanceSheet, Justification, Session
from cfa.services import attendance as att
from tests import factories as f

FILTERED_ON = [
    (AttendanceMark, "sheet_id"),  # a sheet's marks: every step of the roll call
    (AttendanceMark, "session_id"),  # marks of a day's sessions
    (AttendanceMark, "enrolment_id"),  # an apprentice's rates and documents
    (AttendanceMark, "justification_id"),
    (AttendanceSheet, "session_id"),
    (Justification, "enrolment_id"),
]


@pytest.mark.parametrize("model, column", FILTERED_ON, ids=lambda x: getattr(x, "__name__", x))
def test_each_foreign_key_the_attendance_code_filters_on_leads_an_index(model, column):
    table = model.__table__
    leading = {index.columns[0].name for index in table.indexes}
    leading |= {c.columns[0].name for c in table.constraints if isinstance(c, sa.UniqueConstraint)}
    assert column in leading


def _a_network_of_marks(sheets: int = 1500, per_sheet: int = 14) -> AttendanceSheet:
    """Many sheets of fourteen marks, inserted in bulk; returns one sheet among them."""
    cohort = f.CohortFactory(start_date=date(2020, 1, 1), end_date=date(2030, 1, 1))
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(per_sheet)]
    first = date(2021, 1, 4)
    db.session.execute(
        sa.insert(Session),
        [
            dict(
                cohort_id=cohort.id,
                date=first + timedelta(days=i // 2),
                half_day="am" if i % 2 == 0 else "pm",
                start_time=time(9) if i % 2 == 0 else time(13, 30),
                end_time=time(12, 30) if i % 2 == 0 else time(17),
                status="planned",
                sequence=0,
                conflict_accepted=False,
            )
            for i in range(sheets)
        ],
    )
    session_ids = list(db.session.scalars(sa.select(Session.id).where(Session.cohort_id == cohort.id)))
    db.session.execute(sa.insert(AttendanceSheet), [dict(session_id=s, version=1) for s in session_ids])
    sheet_ids = dict(db.session.execute(sa.select(AttendanceSheet.session_id, AttendanceSheet.id)).tuples().all())
    db.session.execute(
        sa.insert(AttendanceMark),
        [
            dict(
                sheet_id=sheet_ids[s],
                session_id=s,
                enrolment_id=e.id,
                status="present",
                minutes_late=0,
                minutes_left_early=0,
            )
            for s in session_ids
            for e in enrolments
        ],
    )
    return db.session.get(AttendanceSheet, sheet_ids[session_ids[len(session_ids) // 2]])


def _plan(statement) -> str:
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("ANALYZE attendance_mark")
        rows = connection.exec_driver_sql(f"EXPLAIN {compiled}")
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
    return "\n".join(str(row[-1]) for row in rows)


def test_the_roll_call_reads_a_sheet_s_marks_through_the_sheet_index():
    sheet = _a_network_of_marks()
    statement = sa.select(AttendanceMark).where(AttendanceMark.sheet_id == sheet.id)
    plan = _plan(statement)
    print(plan)
    assert "ix_attendance_mark_sheet_id" in plan
    assert len(att.marks_of(sheet)) == 14
