"""E-mails through the outbox: written in the same transaction as what caused them, sent by `flask send-mail`.

A tutor is told when their apprentice is absent, or misses more than 15 minutes of a half-day by arriving late,
leaving early or both: an apprentice absent from the CFA is absent from work. One message per apprentice and day,
sent once the day is over, listing the half-days; a mark corrected before then cancels or rewrites the message.

The evening a trainer leaves a sheet of the day open, they get one reminder per sheet: an open sheet proves no hours.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, long_date
from cfa.models import AttendanceMark, Enrolment, MarkStatus, OutboxMessage, Session, SessionStatus
from cfa.services.attendance import describe, state_of
from cfa.services.attendance_followup import unfinished_clause

LATE_ALERT_MINUTES = 15
SEND_AT = time(18, 0)
# How long a sender keeps the messages it took before another may take them (if it died sending them).
CLAIM_LEASE = timedelta(minutes=5)


def _noteworthy(mark: AttendanceMark) -> bool:
    """Absent, or more than 15 minutes missed, whatever the status says (late and early add up)."""
    return mark.status == MarkStatus.ABSENT or mark.minutes_late + mark.minutes_left_early > LATE_ALERT_MINUTES


def alert_key(enrolment_id: int, day: date) -> str:
    return f"absence:{enrolment_id}:{day.isoformat()}"


def refresh_absence_alerts(session: Session) -> int:
    """Bring the day's alerts of the session's apprentices up to date; returns the messages waiting."""
    day = session.date
    stmt = (
        sa.select(AttendanceMark)
        .join(Session, AttendanceMark.session_id == Session.id)
        .join(Enrolment, AttendanceMark.enrolment_id == Enrolment.id)
        .where(Session.date == day, Session.status == SessionStatus.PLANNED, Enrolment.cohort_id == session.cohort_id)
        .options(
            selectinload(AttendanceMark.session),
            selectinload(AttendanceMark.enrolment).selectinload(Enrolment.apprentice),
            selectinload(AttendanceMark.enrolment).selectinload(Enrolment.tutor),
        )
    )
    by_enrolment: dict[int, list[AttendanceMark]] = {}
    for mark in db.session.scalars(stmt):
        by_enrolment.setdefault(mark.enrolment_id, []).append(mark)
    keys = [alert_key(eid, day) for eid in by_enrolment]
    existing = {
        m.dedup_key: m for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.dedup_key.in_(keys)))
    }
    waiting = 0
    for enrolment_id, marks in by_enrolment.items():
        enrolment = marks[0].enrolment
        message = existing.get(alert_key(enrolment_id, day))
        if message is not None and message.sent_at is not None:
            continue  # already told; a later change shows on the tutor's page
        worth = sorted((m for m in marks if _noteworthy(m)), key=lambda m: m.session.start_time)
        tutor = enrolment.tutor
        if not worth or tutor is None or not tutor.active:
            if message is not None:
                db.session.delete(message)  # corrected before the evening: nothing to tell any more
            continue
        subject, body = _absence_text(enrolment, day, worth)
        if message is None:
            message = OutboxMessage(dedup_key=alert_key(enrolment_id, day))
            db.session.add(message)
        message.recipient = tutor.email
        message.subject = subject
        message.body_text = body
        message.send_after = datetime.combine(day, SEND_AT, tzinfo=PARIS).astimezone(UTC)
        waiting += 1
    db.session.flush()
    return waiting


def _absence_text(enrolment: Enrolment, day: date, marks: list[AttendanceMark]) -> tuple[str, str]:
    name = enrolment.apprentice.full_name
    lines = []
    for mark in marks:
        half = mark.session.half_day.label.lower()
        hours = f"{mark.session.start_time:%H:%M}-{mark.session.end_time:%H:%M}"
        lines.append(f"- {half} ({hours}) : {describe(state_of(mark))}")
    subject = f"{name} : absence, retard ou départ anticipé au centre le {day:%d/%m/%Y}"
    body = (
        f"Bonjour,\n\nVotre apprenti·e {name} ({enrolment.cohort.name}) était attendu·e au centre de formation "
        f"le {long_date(day)} :\n" + "\n".join(lines) + "\n\n"
        "Une absence au centre est une absence au travail. Si elle est justifiée, l'apprenti·e peut déposer "
        "son justificatif dans Cadence.\n\nCeci est un message automatique de Cadence."
    )
    return subject, body


def reminder_key(session_id: int) -> str:
    return f"sheet-reminder:{session_id}"


def queue_sheet_reminders(base_url: str | None, now: datetime | None = None) -> int:
    """From 18:00, one reminder per sheet of the day left open, to its trainer; idempotent (dedup key)."""
    now = now or datetime.now(UTC)
    local = now.astimezone(PARIS)
    if local.time() < SEND_AT:
        return 0
    stmt = (
        sa.select(Session)
        .where(Session.date == local.date(), Session.trainer_id.is_not(None), unfinished_clause(now))
        .options(selectinload(Session.trainer), selectinload(Session.cohort))
        .order_by(Session.start_time, Session.id)
    )
    sessions = list(db.session.scalars(stmt))
    keys = [reminder_key(s.id) for s in sessions]
    queued = set(db.session.scalars(sa.select(OutboxMessage.dedup_key).where(OutboxMessage.dedup_key.in_(keys))))
    added = 0
    for session in sessions:
        if reminder_key(session.id) in queued or not session.trainer.active:
            continue
        subject, body = _reminder_text(session, base_url)
        db.session.add(
            OutboxMessage(
                dedup_key=reminder_key(session.id),
                recipient=session.trainer.email,
                subject=subject,
                body_text=body,
                send_after=now,
            )
        )
        added += 1
    db.session.flush()
    return added


def _reminder_text(session: Session, base_url: str | None) -> tuple[str, str]:
    half = session.half_day.label.lower()
    subject = f"Feuille d'émargement à clore : {session.cohort.name}, {session.date:%d/%m/%Y} {half}"
    link = f"\n\n{base_url.rstrip('/')}/emargement/seances/{session.id}" if base_url else ""
    body = (
        f"Bonjour,\n\nLa feuille d'émargement de la séance du {long_date(session.date)}, {half} "
        f"({session.start_time:%H:%M}-{session.end_time:%H:%M}), promotion {session.cohort.name}, n'est pas close. "
        "Tant qu'elle ne l'est pas, les heures de la demi-journée ne sont pas prouvées auprès du financeur : "
        f"marquez chaque apprenti·e, puis signez et clôturez la feuille.{link}\n\n"
        "Ceci est un message automatique de Cadence, envoyé une seule fois pour cette feuille."
    )
    return subject, body


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0


def send_outbox(
    config, now: datetime | None = None, limit: int = 200, after_each: Callable[[], None] = lambda: None
) -> SendReport:
    """Send what is due through SMTP (STARTTLS or SSL, text with its HTML part when there is one); a failure is
    kept with its error and tried again next time.

    The caller commits: `after_each` runs once the messages are claimed (`_claim`), then after every message
    (the mail command commits there, so that one message's fate never depends on the next one's).
    """
    now = now or datetime.now(UTC)
    due = _claim(now, limit)
    report = SendReport()
    if not due:
        return report
    after_each()  # the claim is committed before anything is sent: another sender now skips these messages
    try:
        smtp = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for message in due:
            message.attempts += 1
            message.last_error = f"Connexion SMTP impossible : {error}"
        db.session.flush()
        after_each()
        report.failed = len(due)
        return report
    with smtp:
        for message in due:
            try:
                smtp.send_message(_email(config, message))
            except smtplib.SMTPException as error:
                message.attempts += 1
                message.last_error = str(error)[:1000]
                report.failed += 1
            else:
                message.sent_at = now
                report.sent += 1
            db.session.flush()
            after_each()
    return report


def _claim(now: datetime, limit: int) -> list[OutboxMessage]:
    """The due messages this sender takes, in one conditional UPDATE: their `send_after` moves `CLAIM_LEASE`
    ahead, so that `flask send-mail` run at once on several app servers never sends a message twice (a second
    UPDATE waits for the first's row locks, then finds them no longer due). A sender that dies mid-way leaves its
    messages due again once the lease is over: a message is sent at least once, never lost."""
    due = (OutboxMessage.sent_at.is_(None), OutboxMessage.send_after <= now, OutboxMessage.attempts < 10)
    batch = sa.select(OutboxMessage.id).where(*due).order_by(OutboxMessage.id).limit(limit)
    claimed = db.session.scalars(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(batch.scalar_subquery()), *due)
        .values(send_after=now + CLAIM_LEASE)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    stmt = sa.select(OutboxMessage).where(OutboxMessage.id.in_(claimed)).order_by(OutboxMessage.id)
    return list(db.session.scalars(stmt.execution_options(populate_existing=True)))


def _connect(config) -> smtplib.SMTP:
    """An SMTP session as configured: implicit TLS (MAIL_USE_SSL, port 465) or STARTTLS (MAIL_USE_TLS)."""
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
    if config.get("MAIL_USERNAME"):
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _email(config, message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = config["MAIL_SENDER"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email
