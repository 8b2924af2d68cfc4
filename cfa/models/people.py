"""People: user accounts with their roles, and employers."""

import secrets
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from cfa.extensions import db
from cfa.models.base import LabelledEnum, TimestampMixin, UTCDateTime, enum_type
from cfa.services.identifiers import checked_siret


class Role(LabelledEnum):
    ADMIN = "admin", "Administration"
    QUALITY = "quality", "Qualité"
    TRAINER = "trainer", "Formateur·rice"
    APPRENTICE = "apprentice", "Apprenti·e"
    TUTOR = "tutor", "Tuteur·rice (maître d'apprentissage)"
    LEARNER = "learner", "Stagiaire (formation courte)"


class UserRole(db.Model):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"), primary_key=True)

    def __repr__(self) -> str:
        return f"<UserRole {self.user_id} {self.role}>"


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case. None for a short-course trainee the client registered without one (a workshop in
    # prison): such a person has no account and receives documents on paper.
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))  # None: no login yet
    first_name: Mapped[str] = mapped_column(sa.String(80))
    last_name: Mapped[str] = mapped_column(sa.String(80))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    birth_date: Mapped[date | None] = mapped_column(sa.Date)
    active: Mapped[bool] = mapped_column(default=True)
    # Whom the person works for: a tutor's company, a short-course trainee's employer (a client or the CFA's own).
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employer.id"), index=True)
    job_title: Mapped[str | None] = mapped_column(sa.String(120))
    # Start of the job as a mediator: a new mediator owes the 6-day entry course (the CFA's own figure).
    mediator_since: Mapped[date | None] = mapped_column(sa.Date)
    # Secret of the personal .ics subscription link; regenerating it revokes the old link.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A trainer's "read up to": changes to their planning made later are shown as unread on their home.
    planning_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session and remember-me cookie: bumping it ends them all (log-out, password change, reset).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Set when an admin gives a temporary password: it must be replaced at the next log-in.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )
    employer: Mapped["Employer | None"] = relationship(back_populates="tutors")

    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lowercase"),)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: stale once the version moves on."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every session and remember-me cookie of this person, on every device."""
        self.session_version += 1

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def initials(self) -> str:
        return (self.first_name[:1] + self.last_name[:1]).upper()

    @property
    def roles(self) -> set[Role]:
        return {r.role for r in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if r.role in wanted]
        for role in wanted - self.roles:
            self.role_rows.append(UserRole(role=role))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)  # scrypt by default

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def regenerate_calendar_token(self) -> str:
        self.calendar_token = secrets.token_urlsafe(32)
        return self.calendar_token


class EmployerKind(LabelledEnum):
    CITY = "city", "Collectivité"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    ASSOCIATION = "association", "Association"
    PUBLIC_SERVICE = "public_service", "Service public (CCAS, ...)"
    TRANSPORT = "transport", "Transport, travaux"
    COMPANY = "company", "Entreprise"


class Employer(TimestampMixin, db.Model):
    __tablename__ = "employer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), index=True)
    siret: Mapped[str] = mapped_column(sa.String(14), unique=True)  # 14 digits, checked by python-stdnum
    kind: Mapped[EmployerKind] = mapped_column(enum_type(EmployerKind, "employer_kind"))
    address: Mapped[str | None] = mapped_column(sa.String(200))
    postcode: Mapped[str | None] = mapped_column(sa.String(5))
    city: Mapped[str | None] = mapped_column(sa.String(100))
    opco: Mapped[str | None] = mapped_column(sa.String(80))  # the funder of its contracts
    contact_name: Mapped[str | None] = mapped_column(sa.String(120))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True)

    tutors: Mapped[list[User]] = relationship(back_populates="employer", order_by="User.last_name")

    __table_args__ = (sa.CheckConstraint("length(siret) = 14", name="siret_length"),)

    def __repr__(self) -> str:
        return f"<Employer {self.name}>"

    @validates("siret")
    def _valid_siret(self, key, value):
        return checked_siret(value)
