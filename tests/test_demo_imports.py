"""The demo's employers and people, written to a spreadsheet as a CFA would keep them, import back without an error
and change nothing: its data passes the checks of the imports and matches itself on its keys."""

import csv
import io

import sqlalchemy as sa

from cfa.demo import seed_demo
from cfa.extensions import db
from cfa.models import Employer, Role, User, UserRole
from cfa.services.import_kinds import KINDS
from cfa.services.imports import run_import


def sheet(kind: str, rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([column.label for column in KINDS[kind].columns])
    writer.writerows(rows)
    return out.getvalue().encode("cp1252")


def holding(role: Role) -> list[User]:
    return list(db.session.scalars(sa.select(User).join(UserRole).where(UserRole.role == role)))


def day(value) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def test_the_demo_employers_and_people_import_back_unchanged(app):
    seed_demo()
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    files = {
        "employers": [
            [
                e.name,
                e.siret,
                e.kind.label,
                e.address,
                e.postcode,
                e.city,
                e.opco,
                e.contact_name,
                e.contact_email,
                e.phone,
            ]
            for e in db.session.scalars(sa.select(Employer))
        ],
        "apprentices": [
            [u.last_name, u.first_name, u.email, u.phone, day(u.birth_date)] for u in holding(Role.APPRENTICE)
        ],
        "tutors": [
            [u.last_name, u.first_name, u.email, u.phone, u.employer.siret, u.job_title] for u in holding(Role.TUTOR)
        ],
        "trainers": [[u.last_name, u.first_name, u.email, u.phone, u.job_title] for u in holding(Role.TRAINER)],
    }
    for kind, rows in files.items():
        report = run_import(admin, KINDS[kind], f"{kind}.csv", sheet(kind, rows), apply=True)
        assert report.errors == [], kind
        assert report.counts == {"create": 0, "update": 0, "unchanged": len(rows)}, kind
