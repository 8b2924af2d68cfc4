"""Attendance (émargement): one sheet per session, one mark per enrolled apprentice, justifications."""

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type

if TYPE_CHECKING:
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import User
    from cfa.models.planning import Session


class MarkStatus(LabelledEnum):
    PRESENT = "present", "Présent·e"
    LATE = "late", "En retard"
    LEFT_EARLY = "left_early", "Parti·e plus tôt"
    ABSENT = "absent", "Absent·e"


class SignatureMethod(LabelledEnum):
    TRAINER_DEVICE = "trainer_device", "Sur l'appareil du formateur"
    OWN_DEVICE = "own_device", "Sur son téléphone"
    QR = "qr", "Auto-émargement (QR code)"
    # No drawing: the person, logged in to their own account, typed the sheet's current code (a learner) and
    # their password; the record proves who signed and when like the other methods (accessible alternative).
    TYPED = "typed", "Par code saisi (sans tracé)"


class UnsignedReason(LabelledEnum):
    """Why a learner counted as attending has no signature on a closed sheet (printed on the PDF)."""

    PAPER = "paper", "A signé sur papier"
    REFUSED = "refused", "A refusé de signer"
    LEFT_BEFORE_SIGNING = "left_before_signing", "Parti·e avant de signer"
    OTHER = "other", "Autre motif"


class AttendanceSheet(TimestampMixin, db.Model):
    """The feuille d'émargement of a session; closed by the trainer's signature."""

    __tablename__ = "attendance_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id", ondelete="CASCADE"), unique=True)
    # Bumped on every save: a device saving an older version is told what changed meanwhile.
    version: Mapped[int] = mapped_column(default=1)
    # Secret the rotating self sign-in QR codes are derived from.
    qr_secret: Mapped[str | None] = mapped_column(sa.String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Indexed: the controls join the sheets one trainer signed (a trainer on two sheets at once).
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    trainer_signature: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # PNG
    trainer_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    trainer_signature_user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # Signed on a device without network: the device's clock when drawn; trainer_signed_at is the reception.
    trainer_signed_on_device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None for a sheet closed before the typed signature existed (all were drawn then).
    trainer_signature_method: Mapped[SignatureMethod | None] = mapped_column(
        enum_type(SignatureMethod, "signature_method")
    )
    # Why the trainer closed before the half-day's planned end (an auditor's red flag otherwise).
    early_close_reason: Mapped[str | None] = mapped_column(sa.String(300))

    session: Mapped["Session"] = relationship()
    closed_by: Mapped["User | None"] = relationship()
    marks: Mapped[list["AttendanceMark"]] = relationship(back_populates="sheet")

    __table_args__ = (sa.CheckConstraint("version >= 1", name="version_positive"),)

    def __repr__(self) -> str:
        return f"<AttendanceSheet session={self.session_id}>"


class AttendanceMark(TimestampMixin, db.Model):
    """An apprentice's attendance at one half-day: a legal record funders pay on."""

    __tablename__ = "attendance_mark"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance_sheet.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id", ondelete="CASCADE"), index=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    status: Mapped[MarkStatus] = mapped_column(enum_type(MarkStatus, "mark_status"))
    minutes_late: Mapped[int] = mapped_column(default=0)
    minutes_left_early: Mapped[int] = mapped_column(default=0)
    justification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("justification.id", ondelete="SET NULL"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    signature: Mapped[bytes | None] = mapped_column(sa.LargeBinary)  # PNG of the apprentice's signature
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_method: Mapped[SignatureMethod | None] = mapped_column(enum_type(SignatureMethod, "signature_method"))
    signature_user_agent: Mapped[str | None] = mapped_column(sa.String(300))
    # Signed on a device without network: the device's clock when drawn; signed_at is the reception.
    signed_on_device_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recorded by the trainer at closing for an attending learner who did not sign.
    unsigned_reason: Mapped[UnsignedReason | None] = mapped_column(enum_type(UnsignedReason, "unsigned_reason"))
    unsigned_note: Mapped[str | None] = mapped_column(sa.String(300))

    sheet: Mapped[AttendanceSheet] = relationship(back_populates="marks")
    session: Mapped["Session"] = relationship()
    enrolment: Mapped["Enrolment"] = relationship()
    justification: Mapped["Justification | None"] = relationship()
    recorded_by: Mapped["User | None"] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("session_id", "enrolment_id"),
        sa.CheckConstraint("minutes_late >= 0 AND minutes_left_early >= 0", name="minutes_positive"),
        sa.CheckConstraint(
            "status <> 'absent' OR (minutes_late = 0 AND minutes_left_early = 0)",
            name="absent_has_no_minutes",
        ),
        # One mark holds a late arrival and an early leave together; "late" is the status whenever there was one.
        sa.CheckConstraint(
            "(status = 'present' AND minutes_late = 0 AND minutes_left_early = 0)"
            " OR (status = 'late' AND minutes_late > 0)"
            " OR (status = 'left_early' AND minutes_late = 0 AND minutes_left_early > 0)"
            " OR status = 'absent'",
            name="minutes_match_status",
        ),
        sa.CheckConstraint("unsigned_reason <> 'other' OR unsigned_note IS NOT NULL", name="other_reason_explained"),
    )

    def __repr__(self) -> str:
        return f"<AttendanceMark {self.session_id}/{self.enrolment_id} {self.status}>"


class OfflineWrite(db.Model):
    """A write a device made without network and sent later: its id, chosen by the device, makes a retry answer
    what the first delivery did instead of writing twice."""

    __tablename__ = "offline_write"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    based_on_version: Mapped[int]
    device_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[dict] = mapped_column(sa.JSON)  # the answer given, given again to a retry

    def __repr__(self) -> str:
        return f"<OfflineWrite {self.client_id} {self.kind}>"


class JustificationStatus(LabelledEnum):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"


class Justification(TimestampMixin, db.Model):
    """A reason and proof for absences over a span of days, accepted or refused by an admin."""

    __tablename__ = "justification"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolment.id"), index=True)
    start_date: Mapped[date]
    end_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.String(300))
    proof_path: Mapped[str | None] = mapped_column(sa.String(300))  # relative to UPLOAD_DIR
    proof_filename: Mapped[str | None] = mapped_column(sa.String(200))
    proof_mimetype: Mapped[str | None] = mapped_column(sa.String(60))
    proof_size: Mapped[int | None]
    # Indexed: the pending ones, a handful among the network's years of decided proofs, are listed and counted.
    status: Mapped[JustificationStatus] = mapped_column(
        enum_type(JustificationStatus, "justification_status"), default=JustificationStatus.PENDING, index=True
    )
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(300))

    enrolment: Mapped["Enrolment"] = relationship()
    submitted_by: Mapped["User"] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("proof_size IS NULL OR proof_size <= 5242880", name="proof_max_5mb"),
        sa.CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name="refusal_has_reason"),
    )

    def __repr__(self) -> str:
        return f"<Justification {self.enrolment_id} {self.status}>"
