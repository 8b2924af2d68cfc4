"""Self sign-in: the trainer shows a code that changes every 30 seconds; an apprentice in the room types or
scans it during the session, once. A code is an HMAC of the sheet's secret and the 30-second window, so
nothing needs storing and a photo of the code sent to someone at home is useless a minute later."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

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
    User,
)
from cfa.services.attendance import (
    AttendanceError,
    MarkInput,
    apply_mark,
    is_locked,
    lock_sheet,
    marks_of,
    roster,
    session_end,
    session_start,
)
from cfa.services.attendance_signatures import TYPED_STATEMENT, confirm_identity, record_typed

WINDOW_SECONDS = 30
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: typed from a projector across a room
LENGTH = 6
OPENS_BEFORE = timedelta(minutes=15)
LATE_AFTER_MINUTES = 10


def window_of(moment: datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for(secret: str, window: int) -> str:
    digest = hmac.new(secret.encode(), str(window).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def current_code(sheet: AttendanceSheet, now: datetime | None = None) -> tuple[str, datetime]:
    """The code to show now, and when it stops being shown."""
    now = now or datetime.now(UTC)
    window = window_of(now)
    return code_for(sheet.qr_secret, window), datetime.fromtimestamp((window + 1) * WINDOW_SECONDS, UTC)


def accepts(sheet: AttendanceSheet, code: str, now: datetime) -> bool:
    """The current code, or the one just before it (typing takes a few seconds)."""
    window = window_of(now)
    return any(hmac.compare_digest(code, code_for(sheet.qr_secret, w)) for w in (window, window - 1))


def normalise(code: str) -> str:
    return "".join(code.split()).upper()[:20]


def open_sessions_for(user: User, now: datetime) -> list[tuple[Session, Enrolment]]:
    """The sessions running now (or about to start) for which the person is on the roster."""
    local = now.astimezone(PARIS)
    stmt = (
        sa.select(Session, Enrolment)
        .join(Enrolment, Enrolment.cohort_id == Session.cohort_id)
        .where(
            Enrolment.apprentice_id == user.id,
            Session.date == local.date(),
            Session.status == SessionStatus.PLANNED,
        )
    )
    found = []
    for session, enrolment in db.session.execute(stmt):
        if enrolment.is_enrolled_on(session.date) and session_start(session) - OPENS_BEFORE <= now <= session_end(
            session
        ):
            found.append((session, enrolment))
    return found


def typed_sign_in(
    user: User, code: str, password: str | None, confirmed: bool, user_agent: str | None, now: datetime | None = None
) -> AttendanceMark:
    """Signing without drawing: the sheet's current code proves the person is in the room now, their account and
    password prove who they are, the ticked statement that they mean to sign. Nothing is written on a refusal."""
    confirm_identity(user, password, confirmed)
    mark = self_sign_in(user, code, user_agent, now, method=SignatureMethod.TYPED)
    record_typed(user, "attendance_mark", mark.id, mark.sheet_id, TYPED_STATEMENT)
    db.session.flush()
    return mark


def self_sign_in(
    user: User,
    code: str,
    user_agent: str | None,
    now: datetime | None = None,
    signature: bytes | None = None,
    method: SignatureMethod | None = None,
) -> AttendanceMark:
    """Sign in with the trainer's code; a signature drawn on one's own phone is kept with it."""
    now = now or datetime.now(UTC)
    code = normalise(code)
    running = open_sessions_for(user, now)
    if not running:
        raise AttendanceError(
            "Aucune séance en cours pour vous : l'émargement n'est possible que pendant la séance, "
            "pour les apprenti·es inscrit·es."
        )
    for session, enrolment in running:
        sheet = db.session.scalar(sa.select(AttendanceSheet).where(AttendanceSheet.session_id == session.id))
        if sheet is None or sheet.qr_secret is None or not accepts(sheet, code, now):
            continue
        sheet = lock_sheet(session)  # a phone and a tablet signing at once take turns
        if is_locked(sheet, session, now):
            raise AttendanceError("Cette feuille est close : voyez le formateur.")
        if enrolment.id not in {e.id for e in roster(session)}:
            raise AttendanceError("Vous n'êtes pas inscrit·e à cette séance.")
        mark = marks_of(sheet).get(enrolment.id)
        if mark is not None and mark.signed_at is not None:
            raise AttendanceError("Vous avez déjà émargé pour cette demi-journée.")
        late = min(int((now - session_start(session)).total_seconds() // 60), session.minutes - 1)
        if mark is None or mark.status == MarkStatus.ABSENT:
            # Arriving after the trainer marked an absence turns it into a late arrival, as it was.
            arrival = MarkInput(MarkStatus.LATE, late) if late > LATE_AFTER_MINUTES else MarkInput(MarkStatus.PRESENT)
            mark = apply_mark(
                mark,
                sheet,
                session,
                enrolment.id,
                arrival,
                user,
                "self_sign_in",
                "Auto-émargement avec le code après une absence notée",
            )
        mark.signed_at = now
        mark.signature = signature
        mark.signature_method = method or (SignatureMethod.OWN_DEVICE if signature else SignatureMethod.QR)
        mark.signature_user_agent = (user_agent or "")[:300]
        sheet.version += 1
        db.session.flush()
        return mark
    raise AttendanceError(
        "Code incorrect ou expiré : il change toutes les 30 secondes, saisissez celui affiché maintenant."
    )
