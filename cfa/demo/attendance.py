"""Demo step: the émargement of every past half-day of the demo cohorts, signed and closed, with the usual
mix of late arrivals, early leaves and absences (some justified), one audited correction, and a
justification waiting for the CFA's decision. Today's sheets are left for the demo trainer to take.

Bulk inserts keep seed-demo quick: there are some ten thousand marks.
"""

import io
import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from PIL import Image, ImageDraw

from cfa.demo.foundation import TODAY_FOR_STATUS
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Enrolment,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    SessionStatus,
    SignatureMethod,
    User,
)
from cfa.services import attendance, justifications
from cfa.services.attendance import MarkInput

DEMO_APPRENTICE = "apprenti@cadence.test"
REASONS = [
    "Arrêt maladie",
    "Rendez-vous médical",
    "Convocation administrative",
    "Enfant malade",
    "Obsèques d'un proche",
]
USER_AGENTS = {
    SignatureMethod.TRAINER_DEVICE: "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Safari/604.1",
    SignatureMethod.QR: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36",
}


def signature_png(rng: random.Random) -> bytes:
    """A small hand-drawn-looking scribble: one per person, reused on each of their sheets."""
    image = Image.new("1", (160, 48), 1)
    draw = ImageDraw.Draw(image)
    x, y = 8, 24 + rng.randint(-6, 6)
    points = [(x, y)]
    while x < 150:
        x += rng.randint(6, 14)
        y = max(6, min(42, y + rng.randint(-12, 12)))
        points.append((x, y))
    draw.line(points, fill=0, width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _utc(day: date, moment) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC)


def seed_attendance(rng: random.Random) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSheet)):
        return
    sessions = list(
        db.session.scalars(
            sa.select(Session)
            .where(Session.status == SessionStatus.PLANNED, Session.date < TODAY_FOR_STATUS)
            .order_by(Session.date, Session.start_time, Session.cohort_id)
        )
    )
    enrolments: dict[int, list[Enrolment]] = {}
    for enrolment in db.session.scalars(sa.select(Enrolment)):
        enrolments.setdefault(enrolment.cohort_id, []).append(enrolment)
    people = sorted(
        {e.apprentice_id for group in enrolments.values() for e in group}
        | {s.trainer_id for s in sessions if s.trainer_id}
    )
    signatures = {person: signature_png(rng) for person in people}
    demo = db.session.scalar(sa.select(User).where(User.email == DEMO_APPRENTICE))

    sheets = []
    for session in sessions:
        end = _utc(session.date, session.end_time)
        sheets.append(
            dict(
                session_id=session.id, version=2, qr_secret=f"{rng.getrandbits(256):064x}", closed_at=end,
                closed_by_id=session.trainer_id, trainer_signature=signatures.get(session.trainer_id),
                trainer_signed_at=end, trainer_signature_user_agent=USER_AGENTS[SignatureMethod.TRAINER_DEVICE],
                created_at=_utc(session.date, session.start_time), updated_at=end,
            )
        )  # fmt: skip
    db.session.execute(sa.insert(AttendanceSheet), sheets)
    sheet_ids = dict(db.session.execute(sa.select(AttendanceSheet.session_id, AttendanceSheet.id)).tuples().all())

    marks, absences = [], []
    for session in sessions:
        start = _utc(session.date, session.start_time)
        for enrolment in enrolments.get(session.cohort_id, []):
            if not enrolment.is_enrolled_on(session.date):
                continue
            roll = rng.random()
            status, late, early = MarkStatus.PRESENT, 0, 0
            if roll < 0.035:
                status = MarkStatus.ABSENT
            elif roll < 0.085:
                status, late = MarkStatus.LATE, rng.choice([5, 10, 15, 20, 25, 35, 45])
            elif roll < 0.10:
                status, early = MarkStatus.LEFT_EARLY, rng.choice([15, 30, 45, 60])
            mark = dict(
                sheet_id=sheet_ids[session.id], session_id=session.id, enrolment_id=enrolment.id, status=status,
                minutes_late=late, minutes_left_early=early, recorded_by_id=session.trainer_id,
                created_at=start, updated_at=start,
            )  # fmt: skip
            if status == MarkStatus.ABSENT:
                absences.append((enrolment, session.date))
            else:
                method = SignatureMethod.QR if rng.random() < 0.4 else SignatureMethod.TRAINER_DEVICE
                mark.update(
                    signature=signatures[enrolment.apprentice_id] if method == SignatureMethod.TRAINER_DEVICE else None,
                    signed_at=start + timedelta(minutes=late + rng.randint(0, 8)),
                    signature_method=method,
                    signature_user_agent=USER_AGENTS[method],
                )
            marks.append(mark)
    db.session.execute(sa.insert(AttendanceMark), marks)
    _justifications(rng, absences)
    _demo_apprentice_story(demo)
    db.session.commit()


def _justifications(rng: random.Random, absences: list[tuple[Enrolment, date]]) -> None:
    """About half the absences were justified and accepted by the CFA."""
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    seen = set()
    for enrolment, day in absences:
        if (enrolment.id, day) in seen or rng.random() > 0.5:
            continue
        seen.add((enrolment.id, day))
        justification = Justification(
            enrolment_id=enrolment.id, start_date=day, end_date=day, reason=rng.choice(REASONS),
            submitted_by_id=enrolment.apprentice_id, status=JustificationStatus.PENDING,
        )  # fmt: skip
        db.session.add(justification)
        db.session.flush()
        justifications.decide(justification, admin, accept=True)


def _demo_apprentice_story(demo: User | None) -> None:
    """Inès's record shows each case: a corrected sheet, and an absence whose proof awaits a decision."""
    if demo is None:
        return
    enrolment = db.session.scalar(
        sa.select(Enrolment).where(Enrolment.apprentice_id == demo.id).order_by(Enrolment.contract_start.desc())
    )
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    past = list(
        db.session.scalars(
            sa.select(Session)
            .where(
                Session.cohort_id == enrolment.cohort_id,
                Session.status == SessionStatus.PLANNED,
                Session.date < TODAY_FOR_STATUS,
            )
            .order_by(Session.date, Session.start_time)
        )
    )
    if len(past) < 12:
        return
    # A late arrival first recorded as an absence, corrected afterwards with its reason (audited).
    corrected = past[5]
    first = db.session.scalar(
        sa.select(AttendanceMark).where(
            AttendanceMark.session_id == corrected.id, AttendanceMark.enrolment_id == enrolment.id
        )
    )
    first.status, first.minutes_late, first.minutes_left_early = MarkStatus.ABSENT, 0, 0
    first.signature = first.signed_at = first.signature_method = first.signature_user_agent = None
    db.session.flush()
    attendance.correct(
        corrected, enrolment.id, MarkInput(MarkStatus.LATE, 40),
        "Arrivée à 9 h 40 (train en retard) : notée absente par erreur avant son arrivée.", admin,
    )  # fmt: skip
    # An absence on the last course day, justified by a proof the CFA has not decided on yet.
    absent = past[-1]
    mark = db.session.scalar(
        sa.select(AttendanceMark).where(
            AttendanceMark.session_id == absent.id, AttendanceMark.enrolment_id == enrolment.id
        )
    )
    mark.status, mark.minutes_late, mark.minutes_left_early = MarkStatus.ABSENT, 0, 0
    mark.signature = mark.signed_at = mark.signature_method = mark.signature_user_agent = None
    justifications.submit(
        enrolment, demo, absent.date, absent.date, "Rendez-vous médical (spécialiste)", "certificat-medical.pdf",
        io.BytesIO(_proof_pdf(demo.full_name, absent.date)), current_app.config["UPLOAD_DIR"],
    )  # fmt: skip


def _proof_pdf(name: str, day: date) -> bytes:
    from cfa.renderers.pdf.base import build_pdf, para

    return build_pdf(
        [para("Certificat médical (document de démonstration)", "title"),
         para(f"Je certifie avoir reçu {name} en consultation le {day:%d/%m/%Y}.")],
        title="Certificat médical (démonstration)",
    )  # fmt: skip
