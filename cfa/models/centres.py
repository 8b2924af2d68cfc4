"""The CFA itself, its training centres, their rooms and closure periods."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from cfa.extensions import db
from cfa.models.base import ChangedAtMixin
from cfa.services.identifiers import checked_siret, checked_uai


class Organisation(db.Model):
    """The CFA's legal identity, printed on every document it issues (one row)."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    legal_representative: Mapped[str] = mapped_column(sa.String(120))
    legal_representative_title: Mapped[str] = mapped_column(sa.String(80), default="Directeur·rice")
    siret: Mapped[str] = mapped_column(sa.String(14))
    nda: Mapped[str] = mapped_column(sa.String(20))  # numéro de déclaration d'activité
    uai: Mapped[str] = mapped_column(sa.String(8))  # code UAI of the CFA
    address: Mapped[str] = mapped_column(sa.String(200))
    postcode: Mapped[str] = mapped_column(sa.String(5))
    city: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    website: Mapped[str | None] = mapped_column(sa.String(200))
    # The CFA's own targets for its complaints procedure (Qualiopi 31), in days from receipt.
    complaint_ack_days: Mapped[int] = mapped_column(default=2, server_default="2")
    complaint_answer_days: Mapped[int] = mapped_column(default=15, server_default="15")
    complaint_close_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # Below this many people, a published rate reads "effectif insuffisant" (no one can be recognised).
    public_rate_threshold: Mapped[int] = mapped_column(default=10, server_default="10")

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"

    # Checked here too, not only in the forms: no script or import prints a wrong key on the CFA's documents.
    @validates("uai")
    def _valid_uai(self, key, value):
        return checked_uai(value)

    @validates("siret")
    def _valid_siret(self, key, value):
        return checked_siret(value)


class Centre(ChangedAtMixin, db.Model):
    __tablename__ = "centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    address: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(5))
    city: Mapped[str] = mapped_column(sa.String(100))
    uai: Mapped[str | None] = mapped_column(sa.String(8))
    phone: Mapped[str | None] = mapped_column(sa.String(20))

    rooms: Mapped[list["Room"]] = relationship(back_populates="centre", order_by="Room.name")
    closures: Mapped[list["ClosurePeriod"]] = relationship(
        back_populates="centre", order_by="ClosurePeriod.start_date", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Centre {self.code}>"

    @validates("uai")
    def _valid_uai(self, key, value):
        return checked_uai(value)


class Room(ChangedAtMixin, db.Model):
    __tablename__ = "room"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    capacity: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)

    centre: Mapped[Centre] = relationship(back_populates="rooms")

    __table_args__ = (
        sa.UniqueConstraint("centre_id", "name"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    def __repr__(self) -> str:
        return f"<Room {self.name}>"


class ClosurePeriod(db.Model):
    """Days a centre is shut (winter break, summer): no course week is planned there."""

    __tablename__ = "closure_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(120))
    start_date: Mapped[date]
    end_date: Mapped[date]

    centre: Mapped[Centre] = relationship(back_populates="closures")

    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    def __repr__(self) -> str:
        return f"<ClosurePeriod {self.label} {self.start_date}..{self.end_date}>"
