"""The closed sheets of every past half-day and their marks, written in bulk: COPY on PostgreSQL."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.demo.attendance import USER_AGENTS, closed_sheet_row, drawn_mark, insert_closed_sheets, signature_png
from cfa.demo.network.cohorts import MARK_BATCH
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Enrolment,
    MarkStatus,
    Session,
    SessionStatus,
    SignatureMethod,
)


def _utc_naive(day: date, moment: time) -> datetime:
    """The instant as the database stores it (naive UTC): COPY bypasses the column types."""
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def _attendance(rng: random.Random, today: date, cohort_ids: list[int], say) -> tuple[int, int]:
    """The closed, signed sheet of every past half-day of these cohorts, and a mark per learner enrolled that day."""
    sessions = db.session.execute(
        sa.select(Session.id, Session.cohort_id, Session.date, Session.start_time, Session.end_time, Session.trainer_id)
        .where(Session.cohort_id.in_(cohort_ids), Session.status == SessionStatus.PLANNED, Session.date < today)
        .order_by(Session.date, Session.start_time, Session.cohort_id)
    ).all()
    enrolments: dict[int, list] = {}
    for row in db.session.execute(
        sa.select(
            Enrolment.id, Enrolment.cohort_id, Enrolment.apprentice_id, Enrolment.contract_start, Enrolment.contract_end
        )
        .add_columns(Enrolment.interrupted_on)
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .order_by(Enrolment.id)
    ):
        enrolments.setdefault(row.cohort_id, []).append(row)
    people = sorted(
        {e.apprentice_id for group in enrolments.values() for e in group} | {s.trainer_id for s in sessions}
    )
    signatures = {person: signature_png(rng) for person in people if person is not None}
    sheet_rows = [closed_sheet_row(rng, s, signatures) for s in sessions]
    insert_closed_sheets(sheet_rows)
    say(f"    feuilles : {len(sheet_rows)}")
    session_ids = {s.id for s in sessions}
    sheet_ids = {
        session_id: sheet_id
        for session_id, sheet_id in db.session.execute(sa.select(AttendanceSheet.session_id, AttendanceSheet.id))
        if session_id in session_ids
    }
    rows = _marks(rng, sessions, enrolments, sheet_ids, signatures)
    written = _copy_marks(rows, say)
    return len(sheet_rows), written


MARK_COLUMNS = (
    "sheet_id",
    "session_id",
    "enrolment_id",
    "status",
    "minutes_late",
    "minutes_left_early",
    "recorded_by_id",
    "created_at",
    "updated_at",
    "signature",
    "signed_at",
    "signature_method",
    "signature_user_agent",
)


def _marks(rng, sessions, enrolments, sheet_ids, signatures) -> Iterator[tuple]:
    """The demo's mix (cfa/demo/attendance.py): 3.5 % absent, 5 % late, 1.5 % leaving early, the rest present;
    every learner not absent has signed, on the trainer's device or by QR code."""
    for s in sessions:
        start = _utc_naive(s.date, s.start_time)
        for e in enrolments.get(s.cohort_id, ()):
            last_day = e.interrupted_on or e.contract_end
            if not e.contract_start <= s.date <= last_day:
                continue
            status, late, early = drawn_mark(rng)
            signature = signed_at = method = agent = None
            if status != MarkStatus.ABSENT:
                method = SignatureMethod.QR if rng.random() < 0.4 else SignatureMethod.TRAINER_DEVICE
                signature = signatures[e.apprentice_id] if method == SignatureMethod.TRAINER_DEVICE else None
                signed_at = start + timedelta(minutes=late + rng.randint(0, 8), seconds=rng.randint(0, 59))
                agent = USER_AGENTS[method]
            yield (
                sheet_ids[s.id],
                s.id,
                e.id,
                status.value,
                late,
                early,
                s.trainer_id,
                start,
                start,
                signature,
                signed_at,
                method.value if method else None,
                agent,
            )


def _copy_marks(rows: Iterator[tuple], say) -> int:
    """COPY on PostgreSQL (a million rows in a minute or two), executemany batches on SQLite."""
    connection = db.session.connection()
    written = 0
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        statement = f"COPY attendance_mark ({', '.join(MARK_COLUMNS)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % 250_000 == 0:
                    say(f"    émargements : {written}")
        return written
    table = AttendanceMark.__table__
    statement = sa.text(
        f"INSERT INTO {table.name} ({', '.join(MARK_COLUMNS)}) VALUES ({', '.join(':' + c for c in MARK_COLUMNS)})"
    )
    batch = []
    for row in rows:
        batch.append(dict(zip(MARK_COLUMNS, row, strict=True)))
        if len(batch) == MARK_BATCH:
            connection.execute(statement, batch)
            written += len(batch)
            batch = []
            if written % 250_000 == 0:
                say(f"    émargements : {written}")
    if batch:
        connection.execute(statement, batch)
        written += len(batch)
    return written
