"""Controls of the sign-in sheets: the red flags a funder's or a Qualiopi auditor looks for in the ledger.

Each control is one SQL query over the ledger from a date (an audit covers a period), returns its newest findings (a bounded list, each pointing to
a sheet) and how many there are in all:
- signatures on a day the centre was closed or on a public holiday;
- a trainer on two sheets at once: overlapping half-days both signed by the same trainer;
- a sheet closed before its half-day ended (Paris time);
- past half-days whose sheet was never taken or never closed;
- an apprentice who signed in on a day an accepted justification says they were absent;
- signatures in batches: several apprentices' signatures within the same second on one sheet, which no hand
  can draw (DOMAIN-FACTS §2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, hhmm
from cfa.models import AttendanceMark, AttendanceSheet, ClosurePeriod, Cohort, Enrolment, MarkStatus, Session, User
from cfa.services.attendance_followup import sheets_to_finish, unfinished_clause
from cfa.services.attendance_rates import justified_clause
from cfa.services.calendar_generation import french_holidays
from cfa.services.counting import count_rows
from cfa.sqltime import paris_to_utc, to_second

LIMIT = 50  # findings shown per control; the total says how many there are
# Self sign-in lets a dozen phones sign within seconds, so two or three in one second happen; five cannot.
BATCH_SIZE = 5


@dataclass
class Finding:
    session_id: int
    detail: str
    session: Session | None = None
    other_session: Session | None = None
    other_session_id: int | None = None


@dataclass
class Control:
    code: str
    title: str
    explanation: str
    total: int
    findings: list[Finding] = field(default_factory=list)


def _signed_clause(session_id):
    """SQL: the session's sheet carries a signature, an apprentice's or the trainer's."""
    apprentice = sa.exists().where(AttendanceMark.session_id == session_id, AttendanceMark.signed_at.is_not(None))
    trainer = sa.exists().where(
        AttendanceSheet.session_id == session_id, AttendanceSheet.trainer_signed_at.is_not(None)
    )
    return sa.or_(apprentice, trainer)


def closed_day_signatures(since: date) -> Control:
    last = db.session.scalar(sa.select(sa.func.max(Session.date)))
    holidays = french_holidays(since, last) if last else {}
    # Closed days first (a few per year), then the signatures of those days only: never a scan of every mark.
    on_holiday = sa.select(Session.id, Session.date, sa.null().label("label")).where(Session.date.in_(list(holidays)))
    in_closure = (
        sa.select(Session.id, Session.date, ClosurePeriod.label)
        .where(Session.date >= since)
        .join(Cohort, Cohort.id == Session.cohort_id)
        .join(
            ClosurePeriod,
            sa.and_(
                ClosurePeriod.centre_id == Cohort.centre_id,
                ClosurePeriod.start_date <= Session.date,
                ClosurePeriod.end_date >= Session.date,
            ),
        )
    )
    closed = sa.union_all(on_holiday, in_closure).subquery()
    stmt = (
        sa.select(closed.c.id, closed.c.date, sa.func.max(closed.c.label))
        .where(_signed_clause(closed.c.id))
        .group_by(closed.c.id, closed.c.date)
        .order_by(closed.c.date.desc(), closed.c.id)
    )
    findings = [
        Finding(sid, f"jour férié : {holidays[day]}" if day in holidays else f"centre fermé : {label}")
        for sid, day, label in db.session.execute(stmt.limit(LIMIT))
    ]
    return Control(
        "fermeture",
        "Signatures un jour de fermeture ou un jour férié",
        "Une feuille signée un jour où le centre était fermé, ou un jour férié, ne prouve pas une présence.",
        count_rows(stmt),
        findings,
    )


def trainer_in_two_places(since: date) -> Control:
    first, second = aliased(Session), aliased(Session)
    first_sheet, second_sheet = aliased(AttendanceSheet), aliased(AttendanceSheet)
    stmt = (
        sa.select(first.id, second.id, User.first_name, User.last_name)
        .select_from(first_sheet)
        .join(first, first.id == first_sheet.session_id)
        .join(
            second_sheet,
            sa.and_(
                second_sheet.closed_by_id == first_sheet.closed_by_id,
                second_sheet.trainer_signed_at.is_not(None),
                second_sheet.session_id != first_sheet.session_id,
            ),
        )
        .join(second, second.id == second_sheet.session_id)
        .join(User, User.id == first_sheet.closed_by_id)
        .where(
            first_sheet.trainer_signed_at.is_not(None),
            first.date >= since,
            first.id < second.id,
            first.date == second.date,
            first.start_time < second.end_time,
            second.start_time < first.end_time,
        )
        .order_by(first.date.desc(), first.id)
    )
    findings = [
        Finding(a, f"{first_name} {last_name} a aussi signé une autre feuille au même moment", other_session_id=b)
        for a, b, first_name, last_name in db.session.execute(stmt.limit(LIMIT))
    ]
    return Control(
        "ubiquite",
        "Un·e formateur·rice sur deux feuilles à la fois",
        "Deux demi-journées qui se chevauchent, signées par la même personne : elle ne pouvait être qu'à l'une.",
        count_rows(stmt),
        findings,
    )


def closed_before_the_end(since: date) -> Control:
    stmt = (
        sa.select(Session.id, AttendanceSheet.closed_at, Session.end_time)
        .join(AttendanceSheet, AttendanceSheet.session_id == Session.id)
        .where(
            Session.date >= since,
            AttendanceSheet.closed_at.is_not(None),
            AttendanceSheet.closed_at < paris_to_utc(Session.date, Session.end_time),
        )
        .order_by(Session.date.desc(), Session.id)
    )
    findings = [
        Finding(
            sid, f"close à {hhmm(closed_at.replace(tzinfo=UTC).astimezone(PARIS).time())}, fin prévue à {hhmm(end)}"
        )
        for sid, closed_at, end in db.session.execute(stmt.limit(LIMIT))
    ]
    return Control(
        "cloture-anticipee",
        "Feuilles closes avant la fin de la demi-journée",
        "La feuille atteste la présence jusqu'à l'heure de fin : close avant, elle atteste ce qui n'a pas eu lieu.",
        count_rows(stmt),
        findings,
    )


def never_taken(now: datetime | None = None) -> Control:
    sessions = list(db.session.scalars(sheets_to_finish(now).limit(LIMIT)))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Session).where(unfinished_clause(now)))
    return Control(
        "non-prises",
        "Feuilles jamais prises ou jamais closes",
        "Séances passées sans feuille close : leurs heures ne sont pas prouvées.",
        total,
        [Finding(s.id, "feuille non close", session=s) for s in sessions],
    )


def signed_while_justified_absent(since: date) -> Control:
    # A justification covers whole days: one for a morning's appointment rightly covers an afternoon signed in.
    # The contradiction is a day the justification excuses while the apprentice was marked absent on none of it.
    other_mark, other_session = aliased(AttendanceMark), aliased(Session)
    absent_that_day = sa.exists().where(
        other_mark.enrolment_id == AttendanceMark.enrolment_id,
        other_mark.status == MarkStatus.ABSENT,
        other_session.id == other_mark.session_id,
        other_session.date == Session.date,
    )
    stmt = (
        sa.select(Session.id, User.first_name, User.last_name)
        .select_from(AttendanceMark)
        .join(Session, Session.id == AttendanceMark.session_id)
        .join(Enrolment, Enrolment.id == AttendanceMark.enrolment_id)
        .join(User, User.id == Enrolment.apprentice_id)
        .where(
            Session.date >= since,
            AttendanceMark.signed_at.is_not(None),
            justified_clause(),
            sa.not_(absent_that_day),
        )
        .order_by(Session.date.desc(), Session.id)
    )
    findings = [
        Finding(sid, f"{first_name} {last_name} a signé un jour que son justificatif accepté dit d'absence")
        for sid, first_name, last_name in db.session.execute(stmt.limit(LIMIT))
    ]
    return Control(
        "signe-absent",
        "Signatures d'apprenti·es dont l'absence est justifiée ce jour-là",
        "Un justificatif accepté dit l'apprenti·e absent·e ce jour-là, mais aucune de ses demi-journées n'y est "
        "marquée absente et une feuille porte sa signature : l'un des deux est faux.",
        count_rows(stmt),
        findings,
    )


def batch_signatures(since: date) -> Control:
    second = to_second(AttendanceMark.signed_at)
    stmt = (
        sa.select(AttendanceMark.session_id, sa.func.count(), sa.func.min(AttendanceMark.signed_at))
        .join(Session, Session.id == AttendanceMark.session_id)
        .where(Session.date >= since, AttendanceMark.signed_at.is_not(None))
        .group_by(AttendanceMark.session_id, Session.date, second)
        .having(sa.func.count() >= BATCH_SIZE)
        .order_by(Session.date.desc(), AttendanceMark.session_id)
    )
    findings = [
        Finding(sid, f"{number} signatures à la même seconde ({at.replace(tzinfo=UTC).astimezone(PARIS):%H:%M:%S})")
        for sid, number, at in db.session.execute(stmt.limit(LIMIT))
    ]
    return Control(
        "signatures-en-lot",
        "Signatures en lot",
        f"{BATCH_SIZE} signatures ou plus à la même seconde sur une feuille : aucune main ne signe aussi vite.",
        count_rows(stmt),
        findings,
    )


def run_controls(since: date, now: datetime | None = None) -> list[Control]:
    """Every control over the half-days from `since` (sheets never taken: whatever their age), with the sessions
    its findings point to loaded in one query."""
    controls = [
        closed_day_signatures(since),
        trainer_in_two_places(since),
        closed_before_the_end(since),
        never_taken(now),
        signed_while_justified_absent(since),
        batch_signatures(since),
    ]
    findings = [finding for control in controls for finding in control.findings]
    loaded = {f.session_id: f.session for f in findings if f.session is not None}
    wanted = {f.session_id for f in findings} | {f.other_session_id for f in findings if f.other_session_id}
    wanted -= set(loaded)
    if wanted:
        stmt = (
            sa.select(Session)
            .where(Session.id.in_(wanted))
            .options(selectinload(Session.cohort), selectinload(Session.trainer))
        )
        loaded.update({s.id: s for s in db.session.scalars(stmt)})
    for finding in findings:
        finding.session = loaded[finding.session_id]
        if finding.other_session_id:
            finding.other_session = loaded[finding.other_session_id]
    return controls
