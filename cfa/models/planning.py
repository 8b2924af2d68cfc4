"""Cohorts and their calendar: alternance periods and dated half-day sessions."""

import datetime as dt
import secrets
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type, utcnow

if TYPE_CHECKING:
    from cfa.models.centres import Centre, Room
    from cfa.models.enrolments import Enrolment
    from cfa.models.people import Employer, User
    from cfa.models.programmes import Module, Programme


def minutes_between(start: time, end: time) -> int:
    """Wall-clock minutes from one time of day to a later one (durations are whole minutes, never floats)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class Cohort(TimestampMixin, db.Model):
    """One run of a programme at one centre (a promotion), e.g. "MSADS Rennes 2025-2026"."""

    __tablename__ = "cohort"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(sa.ForeignKey("programme.id"), index=True)
    centre_id: Mapped[int] = mapped_column(sa.ForeignKey("centre.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    start_date: Mapped[date]
    end_date: Mapped[date]  # end of the contracts: calendar generation never plans past it
    # Indexed: a trainer's cohorts are found through it (teaches_cohort_clause).
    lead_trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    default_room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room.id", ondelete="SET NULL"))
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # last calendar generation
    # Short courses: an intra-company session is run for one client, usually at its site, at a price agreed
    # with it; an inter-company session (no client) gathers trainees of several employers.
    client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    place: Mapped[str | None] = mapped_column(sa.String(200))  # the client's site, a prison: where it happens
    price_cents: Mapped[int | None]  # the whole session's price, for an intra-company session

    programme: Mapped["Programme"] = relationship()
    centre: Mapped["Centre"] = relationship()
    lead_trainer: Mapped["User | None"] = relationship()
    default_room: Mapped["Room | None"] = relationship()
    client: Mapped["Employer | None"] = relationship()
    enrolments: Mapped[list["Enrolment"]] = relationship(back_populates="cohort")
    periods: Mapped[list["CalendarPeriod"]] = relationship(
        back_populates="cohort", order_by="CalendarPeriod.start_date", cascade="all, delete-orphan"
    )
    module_assignments: Mapped[list["ModuleAssignment"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )
    skill_blocks: Mapped[list["CohortSkillBlock"]] = relationship(
        order_by="CohortSkillBlock.position", cascade="all, delete-orphan"
    )

    # Filled only by the lists that count it in SQL (with_expression(Cohort.active_count, ...)): apprentices enrolled.
    active_count: Mapped[int | None] = query_expression()

    # A short course may last a single day.
    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint("price_cents IS NULL OR price_cents >= 0", name="price_positive"),
        # Lists show a year's cohorts (ended after its first day) among every year's of the network.
        sa.Index("ix_cohort_end_date", "end_date"),
    )

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"

    @property
    def is_intra(self) -> bool:
        return self.client_id is not None

    def regenerate_calendar_token(self) -> str:
        self.calendar_token = secrets.token_urlsafe(32)
        return self.calendar_token


class ModuleAssignment(db.Model):
    """Who teaches a module to a cohort, and where, when it differs from the defaults."""

    __tablename__ = "module_assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("module.id", ondelete="CASCADE"))
    # Indexed: a trainer's cohorts are found through it.
    trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room.id", ondelete="SET NULL"))

    cohort: Mapped[Cohort] = relationship(back_populates="module_assignments")
    module: Mapped["Module"] = relationship()
    trainer: Mapped["User | None"] = relationship()
    room: Mapped["Room | None"] = relationship()

    __table_args__ = (sa.UniqueConstraint("cohort_id", "module_id"),)


class PeriodKind(LabelledEnum):
    COURSE = "course", "Semaine au centre"
    FIELD = "field", "Semaine en entreprise"
    HOLIDAY = "holiday", "Congés"
    CLOSURE = "closure", "Fermeture du centre"


class CalendarPeriod(db.Model):
    """A week (or run of days) of a cohort's planning d'alternance."""

    __tablename__ = "calendar_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    kind: Mapped[PeriodKind] = mapped_column(enum_type(PeriodKind, "period_kind"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    label: Mapped[str | None] = mapped_column(sa.String(120))
    manual: Mapped[bool] = mapped_column(default=False)  # added or changed by an admin, not generated

    cohort: Mapped[Cohort] = relationship(back_populates="periods")

    __table_args__ = (sa.CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    def __repr__(self) -> str:
        return f"<CalendarPeriod {self.kind} {self.start_date}>"


class HalfDay(LabelledEnum):
    AM = "am", "Matin"
    PM = "pm", "Après-midi"


class SessionStatus(LabelledEnum):
    PLANNED = "planned", "Prévue"
    CANCELLED = "cancelled", "Annulée"


class Session(TimestampMixin, db.Model):
    """One half-day of one cohort at the centre. Times are Europe/Paris wall-clock times."""

    __tablename__ = "session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"))
    # Indexed: deleting a module sets its sessions' module to NULL, among the network's sessions of every year.
    module_id: Mapped[int | None] = mapped_column(sa.ForeignKey("module.id", ondelete="SET NULL"), index=True)
    trainer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("room.id", ondelete="SET NULL"), index=True)
    date: Mapped[dt.date] = mapped_column(index=True)
    half_day: Mapped[HalfDay] = mapped_column(enum_type(HalfDay, "half_day"))
    start_time: Mapped[time]
    end_time: Mapped[time]
    status: Mapped[SessionStatus] = mapped_column(
        enum_type(SessionStatus, "session_status"), default=SessionStatus.PLANNED
    )
    sequence: Mapped[int] = mapped_column(default=0)  # iCalendar SEQUENCE: bumped on every change
    conflict_accepted: Mapped[bool] = mapped_column(default=False)  # an admin saved it despite a clash
    note: Mapped[str | None] = mapped_column(sa.String(300))
    # Moved, changed or cancelled by an admin: re-planning keeps the admin's decision instead of undoing it.
    manual: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The half-day calendar generation had put it on before an admin moved it: re-planning leaves that slot empty.
    moved_from_date: Mapped[dt.date | None]
    moved_from_half_day: Mapped[HalfDay | None] = mapped_column(enum_type(HalfDay, "moved_from_half_day"))
    # Whether its sheet is closed, kept with the sheet (services/attendance_followup.py): the sheets still to finish
    # are then read from a partial index of the few half-days not closed, not by an anti-join over every sheet.
    sheet_closed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    cohort: Mapped[Cohort] = relationship()
    module: Mapped["Module | None"] = relationship()
    trainer: Mapped["User | None"] = relationship()
    room: Mapped["Room | None"] = relationship()

    __table_args__ = (
        sa.CheckConstraint("end_time > start_time", name="times_ordered"),
        sa.CheckConstraint("sequence >= 0", name="sequence_positive"),
        # A cohort has at most one live session per half-day.
        sa.Index(
            "uq_session_cohort_slot",
            "cohort_id",
            "date",
            "half_day",
            unique=True,
            sqlite_where=sa.text("status = 'planned'"),
            postgresql_where=sa.text("status = 'planned'"),
        ),
        sa.Index("ix_session_cohort_date", "cohort_id", "date"),
        sa.Index(
            "ix_session_unfinished",
            "date",
            sqlite_where=sa.text("sheet_closed = 0"),
            postgresql_where=sa.text("NOT sheet_closed"),
        ),
        # The API's changed_since reads the sessions changed after an instant.
        sa.Index("ix_session_updated_at", "updated_at"),
    )

    def __repr__(self) -> str:
        return f"<Session {self.cohort_id} {self.date} {self.half_day}>"

    @property
    def minutes(self) -> int:
        return minutes_between(self.start_time, self.end_time)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED

    def touch(self) -> None:
        """Record a change that calendar subscribers must see."""
        self.sequence += 1
        self.updated_at = utcnow()


class SessionRelease(db.Model):
    """A trainer taken off a session: their calendar feed keeps the event, as cancelled, so it does not just vanish."""

    __tablename__ = "session_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("session.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    released_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[Session] = relationship()

    __table_args__ = (sa.UniqueConstraint("session_id", "trainer_id"),)

    def __repr__(self) -> str:
        return f"<SessionRelease {self.session_id} trainer {self.trainer_id}>"


class CohortSkillBlock(db.Model):
    """The skill blocks (CCP) as they were when the cohort was planned: a revised title does not rewrite what a
    cohort was taught. `skill_block_id` links to the live block while it exists, for results and awards."""

    __tablename__ = "cohort_skill_block"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohort.id", ondelete="CASCADE"), index=True)
    skill_block_id: Mapped[int | None] = mapped_column(sa.ForeignKey("skill_block.id", ondelete="SET NULL"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (sa.UniqueConstraint("cohort_id", "position"),)

    def __repr__(self) -> str:
        return f"<CohortSkillBlock {self.cohort_id} {self.code}>"
