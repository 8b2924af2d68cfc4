"""Choices for select fields, each one query."""

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Centre, Cohort, Employer, Programme, ProgrammeKind, Role, Room, User, UserRole


def people_with_role(role: Role, include_id: int | None = None) -> list[tuple[int, str]]:
    """Active people holding a role (plus the current value, even if inactive since)."""
    stmt = (
        sa.select(User.id, User.last_name, User.first_name)
        .join(UserRole)
        .where(UserRole.role == role, sa.or_(User.active, User.id == include_id))
        .order_by(User.last_name, User.first_name)
    )
    return [(row.id, f"{row.last_name.upper()} {row.first_name}") for row in db.session.execute(stmt)]


def referents(include_id: int | None = None) -> list[tuple[int, str]]:
    """The people who may follow an apprentice for the CFA: trainers and the administration team."""
    stmt = (
        sa.select(User.id, User.last_name, User.first_name)
        .where(
            User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_([Role.TRAINER, Role.ADMIN]))),
            sa.or_(User.active, User.id == include_id),
        )
        .order_by(User.last_name, User.first_name)
    )
    return [(row.id, f"{row.last_name.upper()} {row.first_name}") for row in db.session.execute(stmt)]


def tutors(employer_id: int | None = None) -> list[tuple[int, str]]:
    stmt = (
        sa.select(User.id, User.last_name, User.first_name, Employer.name)
        .join(UserRole)
        .outerjoin(Employer, User.employer_id == Employer.id)
        .where(UserRole.role == Role.TUTOR, User.active)
        .order_by(Employer.name, User.last_name)
    )
    if employer_id:
        stmt = stmt.where(User.employer_id == employer_id)
    return [
        (r.id, f"{r.last_name.upper()} {r.first_name} ({r.name or 'sans employeur'})") for r in db.session.execute(stmt)
    ]


def employers() -> list[tuple[int, str]]:
    stmt = sa.select(Employer.id, Employer.name, Employer.city).order_by(Employer.name)
    return [(r.id, f"{r.name} ({r.city})" if r.city else r.name) for r in db.session.execute(stmt)]


def programmes() -> list[tuple[int, str]]:
    return [
        (r.id, f"{r.code} – {r.title}")
        for r in db.session.execute(sa.select(Programme.id, Programme.code, Programme.title).order_by(Programme.code))
    ]


def short_courses() -> list[tuple[int, str]]:
    stmt = (
        sa.select(Programme.id, Programme.code, Programme.title)
        .where(Programme.kind == ProgrammeKind.SHORT_COURSE, Programme.active)
        .order_by(Programme.title)
    )
    return [(r.id, f"{r.title} ({r.code})") for r in db.session.execute(stmt)]


def centres() -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in db.session.execute(sa.select(Centre.id, Centre.name).order_by(Centre.name))]


def rooms(centre_id: int | None = None) -> list[tuple[int, str]]:
    stmt = (
        sa.select(Room.id, Room.name, Centre.name.label("centre"))
        .join(Centre)
        .where(Room.active)
        .order_by(Centre.name, Room.name)
    )
    if centre_id:
        stmt = stmt.where(Room.centre_id == centre_id)
    return [(r.id, f"{r.name} ({r.centre})") for r in db.session.execute(stmt)]


def cohorts_of(year: int | None, centre_id: int | None = None, programme_id: int | None = None):
    """A filter's cohorts: those of one year (and centre, programme), not every year's of the network."""
    from cfa.services.cohort_lists import narrowed

    stmt = sa.select(Cohort.id, Cohort.name).order_by(Cohort.start_date.desc(), Cohort.name)
    if programme_id is not None:
        stmt = stmt.where(Cohort.programme_id == programme_id)
    return [(r.id, r.name) for r in db.session.execute(narrowed(stmt, year, centre_id))]


def cohorts() -> list[tuple[int, str]]:
    return [
        (r.id, r.name)
        for r in db.session.execute(sa.select(Cohort.id, Cohort.name).order_by(Cohort.start_date.desc(), Cohort.name))
    ]
