"""Demo step: the émargement of every half-day before the demo's day, signed and closed, with the usual mix of late
arrivals, early leaves and absences (some justified), one audited correction, and a justification waiting for the
CFA's decision. The day's own sheets, and those after it, are left for the trainers to take.

Every learner marked present, late or leaving early has signed, as closing a sheet requires. Bulk inserts keep
seed-demo quick: there are some ten thousand marks.
"""

import io
import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from PIL import Image, ImageDraw

from cfa import storage
from cfa.batches import batches
from cfa.demo import data
from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.formatting import PARIS, hhmm
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
from cfa.services.attendance_followup import flag_closed_sheets

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


def seed_attendance(rng: random.Random, calendar: DemoCalendar) -> None:
    if db.session.scalar(sa.select(sa.func.count()).select_from(AttendanceSheet)):
        return
    sessions = list(
        db.session.scalars(
            sa.select(Session)
            .where(Session.status == SessionStatus.PLANNED, Session.date < calendar.today)
            .order_by(Session.date, Session.start_time, Session.cohort_id)
        )
    )
    enrolments: dict[int, list[Enrolment]] = {}
    for enrolment in db.session.scalars(sa.select(Enrolment)):
        enrolments.setdefault(enrolment.cohort_id, []).append(enrolment)
    signatures = signatures_of(rng, sessions, enrolments)
    demo = db.session.scalar(sa.select(User).where(User.email == data.DEMO_APPRENTICE))

    absences = record_past_sheets(rng, sessions, enrolments, signatures, demo.id if demo else None)
    _justifications(rng, absences)
    _demo_apprentice_story(demo, calendar, signatures)
    db.session.commit()


def signatures_of(rng: random.Random, sessions: list[Session], enrolments: dict[int, list[Enrolment]]):
    """One scribble per learner and trainer of these half-days, reused on each of their sheets."""
    people = sorted(
        {e.apprentice_id for group in enrolments.values() for e in group}
        | {s.trainer_id for s in sessions if s.trainer_id}
    )
    return {person: signature_png(rng) for person in people}


def drawn_mark(rng: random.Random) -> tuple[MarkStatus, int, int]:
    """A mark as a real CFA's sheets hold them: 3.5 % absent, 5 % late, 1.5 % leaving early, the rest present;
    returns the status, the minutes late and the minutes left early."""
    roll = rng.random()
    if roll < 0.035:
        return MarkStatus.ABSENT, 0, 0
    if roll < 0.085:
        return MarkStatus.LATE, rng.choice([5, 10, 15, 20, 25, 35, 45]), 0
    if roll < 0.10:
        return MarkStatus.LEFT_EARLY, 0, rng.choice([15, 30, 45, 60])
    return MarkStatus.PRESENT, 0, 0


def closed_sheet_row(rng: random.Random, session: Session, signatures: dict[int, bytes]) -> dict:
    """The row of a half-day's sheet as its trainer left it: signed on their device and closed at its end."""
    end = _utc(session.date, session.end_time)
    return dict(
        session_id=session.id,
        version=2,
        qr_secret=f"{rng.getrandbits(256):064x}",
        closed_at=end,
        closed_by_id=session.trainer_id,
        trainer_signature=signatures.get(session.trainer_id),
        trainer_signature_method=SignatureMethod.TRAINER_DEVICE,
        trainer_signed_at=end,
        trainer_signature_user_agent=USER_AGENTS[SignatureMethod.TRAINER_DEVICE],
        created_at=_utc(session.date, session.start_time),
        updated_at=end,
    )


def insert_closed_sheets(rows: list[dict]) -> None:
    """Closed sheets in bulk, their half-days flagged closed as a flush would (no flush sees a bulk insert)."""
    for batch in batches(rows, 10_000):
        db.session.execute(sa.insert(AttendanceSheet), batch)
    flag_closed_sheets(row["session_id"] for row in rows)


def record_past_sheets(
    rng: random.Random,
    sessions: list[Session],
    enrolments: dict[int, list[Enrolment]],
    signatures: dict[int, bytes],
    left_unjustified: int | None = None,
) -> list[tuple[Enrolment, date]]:
    """The closed, signed sheet of each past half-day, with a mark for every learner enrolled that day (apprentices
    and short-course trainees alike), in bulk; returns the absences, which the caller may justify."""
    insert_closed_sheets([closed_sheet_row(rng, session, signatures) for session in sessions])
    sheet_ids = dict(db.session.execute(sa.select(AttendanceSheet.session_id, AttendanceSheet.id)).tuples().all())

    marks, absences = [], []
    for session in sessions:
        start = _utc(session.date, session.start_time)
        for enrolment in enrolments.get(session.cohort_id, []):
            if not enrolment.is_enrolled_on(session.date):
                continue
            status, late, early = drawn_mark(rng)
            mark = dict(
                sheet_id=sheet_ids[session.id],
                session_id=session.id,
                enrolment_id=enrolment.id,
                status=status,
                minutes_late=late,
                minutes_left_early=early,
                recorded_by_id=session.trainer_id,
                created_at=start,
                updated_at=start,
                signature=None,
                signed_at=None,
                signature_method=None,
                signature_user_agent=None,
            )
            if status == MarkStatus.ABSENT:
                if enrolment.apprentice_id != left_unjustified:
                    absences.append((enrolment, session.date))
            else:
                method = SignatureMethod.QR if rng.random() < 0.4 else SignatureMethod.TRAINER_DEVICE
                mark.update(
                    signature=signatures[enrolment.apprentice_id] if method == SignatureMethod.TRAINER_DEVICE else None,
                    # Seconds too: hands sign one after another, never five in the same second.
                    signed_at=start + timedelta(minutes=late + rng.randint(0, 8), seconds=rng.randint(0, 59)),
                    signature_method=method,
                    signature_user_agent=USER_AGENTS[method],
                )
            marks.append(mark)
    # Same keys in every row, NULLs rendered: signed and unsigned marks share one statement, inserted in a few
    # batches rather than row by row.
    db.session.execute(sa.insert(AttendanceMark).execution_options(render_nulls=True), marks)
    return absences


def _justifications(rng: random.Random, absences: list[tuple[Enrolment, date]]) -> None:
    """About half the absences were justified and accepted by the CFA."""
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    seen, submitted = set(), []
    for enrolment, day in absences:
        if (enrolment.id, day) in seen or rng.random() > 0.5:
            continue
        seen.add((enrolment.id, day))
        submitted.append(
            Justification(
                enrolment_id=enrolment.id,
                start_date=day,
                end_date=day,
                reason=rng.choice(REASONS),
                submitted_by_id=enrolment.apprentice_id,
                status=JustificationStatus.PENDING,
            )
        )
    db.session.add_all(submitted)
    db.session.flush()  # one insert for all of them; each decision then needs its id
    for justification in submitted:
        justifications.decide(justification, admin, accept=True)


def _demo_apprentice_story(demo: User | None, calendar: DemoCalendar, signatures: dict[int, bytes]) -> None:
    """Inès's record shows each case: a corrected sheet, and her latest absence, whose proof awaits a decision.

    Her absences are left unjustified by the random draw (see seed_attendance), so that the one she justifies
    herself is the only justification on her record.
    """
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
                Session.date < calendar.today,
            )
            .order_by(Session.date, Session.start_time)
        )
    )
    if len(past) < 2:
        return
    # Present and signed, she left an hour early with the trainer's leave; the sheet was closed without it, and
    # the CFA corrected it afterwards, with its reason (audited, and marked on the sheet).
    corrected = past[min(5, len(past) - 2)]
    mark = _mark_of(corrected, enrolment)
    start = _utc(corrected.date, corrected.start_time)
    mark.status, mark.minutes_late, mark.minutes_left_early = MarkStatus.PRESENT, 0, 0
    mark.signature, mark.signed_at = signatures[demo.id], start + timedelta(minutes=3)
    mark.signature_method = SignatureMethod.TRAINER_DEVICE
    mark.signature_user_agent = USER_AGENTS[SignatureMethod.TRAINER_DEVICE]
    db.session.flush()
    left_at = (datetime.combine(corrected.date, corrected.end_time) - timedelta(minutes=60)).time()
    attendance.correct(
        corrected,
        enrolment.id,
        MarkInput(MarkStatus.LEFT_EARLY, minutes_left_early=60),
        f"Partie à {hhmm(left_at)} pour un rendez-vous à la CAF, avec l'accord de la formatrice : "
        "son départ n'avait pas été noté sur la feuille.",
        admin,
        now=_utc(calendar.today, time(8, 0)),  # the demo's own "now": it may be built for another day
    )
    # Her latest half-day before the demo's day: absent, with a proof the CFA has not decided on yet.
    absent = past[-1]
    mark = _mark_of(absent, enrolment)
    mark.status, mark.minutes_late, mark.minutes_left_early = MarkStatus.ABSENT, 0, 0
    mark.signature = mark.signed_at = mark.signature_method = mark.signature_user_agent = None
    justifications.submit(
        enrolment,
        demo,
        absent.date,
        absent.date,
        "Rendez-vous médical (spécialiste)",
        "certificat-medical.pdf",
        io.BytesIO(_proof_pdf(demo.full_name, absent.date)),
        storage.uploads(),
    )


def _mark_of(session: Session, enrolment: Enrolment) -> AttendanceMark:
    return db.session.scalar(
        sa.select(AttendanceMark).where(
            AttendanceMark.session_id == session.id, AttendanceMark.enrolment_id == enrolment.id
        )
    )


def _proof_pdf(name: str, day: date) -> bytes:
    from cfa.renderers.pdf.base import build_pdf, para

    return build_pdf(
        [
            para("Certificat médical (document de démonstration)", "title"),
            para(f"Je certifie avoir reçu {name} en consultation le {day:%d/%m/%Y}."),
        ],
        title="Certificat médical (démonstration)",
    )
