"""`flask seed-demo` builds the demo CFA, and a second run changes nothing."""

import sqlalchemy as sa

from cfa.demo import seed_demo
from cfa.demo.counts import demo_counts
from cfa.extensions import db
from cfa.models import Enrolment, Role, User
from cfa.services.identifiers import siret_error


def test_seed_demo_twice_gives_the_same_counts():
    seed_demo()
    first = demo_counts()
    seed_demo()
    assert demo_counts() == first
    assert first["Centres"] == 2
    assert first["Formations"] == 2
    assert first["Micro-certifications"] == 3
    assert first["Employeurs"] >= 15
    assert first["Promotions"] == 8


def test_the_demo_holds_the_cfa_described_in_the_domain_facts():
    seed_demo()
    users = {u.email: u for u in db.session.scalars(sa.select(User))}
    for email, role in [
        ("admin@cadence.test", Role.ADMIN),
        ("qualite@cadence.test", Role.QUALITY),
        ("formateur@cadence.test", Role.TRAINER),
        ("apprenti@cadence.test", Role.APPRENTICE),
        ("tuteur@cadence.test", Role.TUTOR),
    ]:
        assert role in users[email].roles
        assert users[email].check_password("cadence-demo")
    apprentice, tutor, trainer = (
        users["apprenti@cadence.test"],
        users["tuteur@cadence.test"],
        users["formateur@cadence.test"],
    )
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.apprentice_id == apprentice.id))
    assert enrolment.employer_id == tutor.employer_id
    assert enrolment.tutor_id == tutor.id
    assert enrolment.cohort.lead_trainer_id == trainer.id
    current_year = db.session.scalars(
        sa.select(Enrolment).join(Enrolment.cohort).where(sa.text("cohort.name LIKE '%2025-2026'"))
    ).all()
    assert 50 <= len(current_year) <= 56  # the 53 alternants of 2025
    programmes = {e.cohort.programme.code: e.cohort.programme for e in current_year}
    assert programmes["MSADS"].total_minutes == 441 * 60 and programmes["MSADS"].level == 4
    assert programmes["AMIS"].total_minutes == 406 * 60 and programmes["AMIS"].level == 3
    for programme in programmes.values():
        assert sum(m.minutes for m in programme.modules) == programme.total_minutes
        assert len(programme.skill_blocks) == 3
    assert all(siret_error(e.employer.siret) is None for e in current_year)
