"""Absence justifications: a reason and a proof from the apprentice, accepted or refused by the CFA."""

from __future__ import annotations

import secrets
from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    Cohort,
    Enrolment,
    Justification,
    JustificationStatus,
    MarkStatus,
    Session,
    User,
)
from cfa.models.base import utcnow
from cfa.services import audit
from cfa.services.attendance import AttendanceError
from cfa.storage import FileStore

MAX_PROOF_BYTES = 5 * 1024 * 1024

# How an absence stands, by the status of the justification covering it (`covering`): the one wording of every
# table (the apprentice's, the tutor's, the follow-up) and of the sign-in sheet PDF. A proof sent and not yet
# decided reads "en attente", never "non justifiée".
ABSENCE_STANDING = {
    JustificationStatus.ACCEPTED: "justifiée",
    JustificationStatus.PENDING: "en attente de décision",
    JustificationStatus.REFUSED: "non justifiée (justificatif refusé)",
    None: "non justifiée",
}


def absence_standing(justification: Justification | None) -> str:
    return ABSENCE_STANDING[justification.status if justification is not None else None]


# The type is read from the file's first bytes, never from its name or the browser's say-so.
SIGNATURES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
]


TOO_LARGE = "Le justificatif dépasse 5 Mo : envoyez un fichier plus léger (photo réduite ou PDF)."


def detect_type(head: bytes) -> tuple[str, str] | None:
    for magic, mimetype, extension in SIGNATURES:
        if head.startswith(magic):
            return mimetype, extension
    return None


def submit(
    enrolment: Enrolment,
    actor: User,
    start: date,
    end: date,
    reason: str,
    filename: str | None,
    stream,
    store: FileStore,
    quota_bytes: int | None = None,
) -> Justification:
    """File a justification; its proof counts against the apprentice's quota of stored proofs (all contracts)."""
    reason = (reason or "").strip()
    if not reason:
        raise AttendanceError("Indiquez le motif de l'absence.")
    if end < start:
        raise AttendanceError("La fin de l'absence doit suivre son début.")
    if not (enrolment.contract_start <= start and end <= enrolment.last_day):
        raise AttendanceError("Ces dates sont hors de votre contrat.")
    data = stream.read(MAX_PROOF_BYTES + 1) if stream is not None else b""
    stored = None
    if data:
        if len(data) > MAX_PROOF_BYTES:
            raise AttendanceError(TOO_LARGE)
        kind = detect_type(data[:16])
        if kind is None:
            raise AttendanceError("Le justificatif doit être un PDF, une image JPEG ou PNG.")
        if quota_bytes is not None and stored_bytes(enrolment.apprentice_id) + len(data) > quota_bytes:
            raise AttendanceError(
                f"Vos justificatifs occupent déjà presque tout l'espace autorisé ({quota_bytes // (1024 * 1024)} Mo) : "
                "envoyez un fichier plus léger ou adressez-vous au CFA."
            )
        key = f"justificatifs/{secrets.token_hex(16)}.{kind[1]}"
        store.put(key, data)
        stored = (key, kind[0], len(data))
    justification = Justification(
        enrolment_id=enrolment.id,
        start_date=start,
        end_date=end,
        reason=reason[:300],
        submitted_by_id=actor.id,
        proof_path=stored[0] if stored else None,
        proof_mimetype=stored[1] if stored else None,
        proof_size=stored[2] if stored else None,
        proof_filename=display_name(filename) if stored else None,
    )
    db.session.add(justification)
    db.session.flush()
    return justification


def stored_bytes(apprentice_id: int) -> int:
    """What an apprentice's proofs already weigh, over all their contracts (summed in SQL)."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Justification.proof_size), 0))
        .join(Enrolment, Enrolment.id == Justification.enrolment_id)
        .where(Enrolment.apprentice_id == apprentice_id)
    )


def display_name(filename: str | None) -> str:
    """The name shown for a proof: no folders, no control or quoting characters, never empty."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '"<>;').strip(" .")
    return name[:200] or "justificatif"


def absences_covered(justification: Justification) -> list[AttendanceMark]:
    stmt = (
        sa.select(AttendanceMark)
        .join(Session, AttendanceMark.session_id == Session.id)
        .where(
            AttendanceMark.enrolment_id == justification.enrolment_id,
            AttendanceMark.status == MarkStatus.ABSENT,
            Session.date.between(justification.start_date, justification.end_date),
        )
    )
    return list(db.session.scalars(stmt))


def decide(justification: Justification, actor: User, accept: bool, refusal_reason: str | None = None) -> int:
    """Accepting makes the absences of the span justified; returns how many half-days it covers."""
    if justification.status != JustificationStatus.PENDING:
        raise AttendanceError("Ce justificatif a déjà été traité.")
    refusal_reason = (refusal_reason or "").strip()
    if not accept and not refusal_reason:
        raise AttendanceError("Indiquez le motif du refus : l'apprenti·e le verra.")
    marks = absences_covered(justification)
    justification.status = JustificationStatus.ACCEPTED if accept else JustificationStatus.REFUSED
    justification.refusal_reason = None if accept else refusal_reason[:300]
    justification.decided_by_id = actor.id
    justification.decided_at = utcnow()
    if accept:
        for mark in marks:
            mark.justification_id = justification.id
    audit.record(
        actor,
        "justification",
        justification.id,
        "accept" if accept else "refuse",
        after={"half_days": len(marks) if accept else 0},
        reason=refusal_reason or None,
    )
    db.session.flush()
    return len(marks) if accept else 0


# Which justification speaks for an absence when several cover it: a decision in its favour first.
_PRECEDENCE = {JustificationStatus.ACCEPTED: 0, JustificationStatus.PENDING: 1, JustificationStatus.REFUSED: 2}


def covering(marks: list[AttendanceMark]) -> dict[int, Justification]:
    """For each absence among marks (sessions loaded), the justification whose span covers its date, read now:
    an absence recorded after a justification was decided is covered like the others (one query)."""
    absences = [m for m in marks if m.status == MarkStatus.ABSENT]
    if not absences:
        return {}
    days = [m.session.date for m in absences]
    stmt = sa.select(Justification).where(
        Justification.enrolment_id.in_({m.enrolment_id for m in absences}),
        Justification.start_date <= max(days),
        Justification.end_date >= min(days),
    )
    by_enrolment: dict[int, list[Justification]] = {}
    for justification in sorted(db.session.scalars(stmt), key=lambda j: (_PRECEDENCE[j.status], j.id)):
        by_enrolment.setdefault(justification.enrolment_id, []).append(justification)
    found = {}
    for mark in absences:
        for justification in by_enrolment.get(mark.enrolment_id, []):
            if justification.start_date <= mark.session.date <= justification.end_date:
                found[mark.id] = justification
                break
    return found


def listing(status: JustificationStatus | None = None, centre_id: int | None = None):
    """Justifications in the order they came in (of one status, of one centre's cohorts when given), with their
    apprentices and cohorts."""
    from sqlalchemy.orm import selectinload

    stmt = (
        sa.select(Justification)
        .options(
            selectinload(Justification.enrolment).selectinload(Enrolment.apprentice),
            selectinload(Justification.enrolment).selectinload(Enrolment.cohort),
        )
        .order_by(Justification.created_at, Justification.id)
    )
    if centre_id is not None:
        in_centre = sa.select(Enrolment.id).join(Cohort).where(Cohort.centre_id == centre_id)
        stmt = stmt.where(Justification.enrolment_id.in_(in_centre))
    return stmt if status is None else stmt.where(Justification.status == status)
