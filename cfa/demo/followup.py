"""The demo's follow-up at the employer: référents assigned, the demo apprentice's livret for their past field
periods (signed by their tutor, one commented by the apprentice, one by the référent), visits held and one overdue,
the first-contact checklist partly ticked."""

import random
from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa

from cfa.demo import data
from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import (
    ActivityLevel,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    LivretActivity,
    LivretEntry,
    OnboardingCheck,
    OnboardingItem,
    Programme,
    ProgrammeKind,
    User,
    Visit,
    VisitAction,
    VisitKind,
)
from cfa.services import livret
from cfa.services.block_progress import programme_blocks

ACTIVITIES = [
    "Accueil et orientation du public à la maison de quartier",
    "Présence active de proximité en soirée avec l'équipe",
    "Médiation d'un conflit de voisinage avec le bailleur",
    "Accompagnement d'une démarche en ligne (CAF, ANTS)",
    "Participation à la réunion partenariale du quartier",
    "Rédaction des mains courantes de la semaine",
]
COMMENTS = [
    "Bonne intégration dans l'équipe, écoute attentive du public.",
    "Prend de l'assurance dans les situations tendues ; reste à formaliser les écrits.",
    "Autonome sur l'accueil, à accompagner encore sur la médiation entre institutions.",
]


def _weekday(day):
    """Visits are held on working days: a weekend moves back to the Friday."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def _at(day) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def seed_followup(rng: random.Random, calendar: DemoCalendar) -> None:
    trainer = db.session.scalar(sa.select(User).where(User.email == data.DEMO_TRAINER))
    running = db.session.scalars(
        sa.select(Enrolment)
        .join(Cohort)
        .join(Programme)
        .where(Programme.kind == ProgrammeKind.APPRENTICESHIP, Cohort.end_date >= calendar.today)
        .order_by(Enrolment.id)
    ).all()
    for enrolment in running:
        if enrolment.referent_id is None:
            enrolment.referent_id = enrolment.cohort.lead_trainer_id or trainer.id
    demo = next((e for e in running if e.apprentice.email == data.DEMO_APPRENTICE), None)
    if demo is None or db.session.scalar(sa.select(Visit.id).where(Visit.enrolment_id == demo.id).limit(1)):
        db.session.flush()
        return  # built before: the step adds nothing twice
    demo.referent_id = trainer.id
    active = [e for e in running if e.status == EnrolmentStatus.ACTIVE and e.tutor_id is not None]
    late = next((e for e in active if e.cohort_id == demo.cohort_id and e.id != demo.id), None)
    for index, enrolment in enumerate(active):
        # A few tutors have not written the last period yet: the référent's list shows them.
        _livret(rng, enrolment, calendar.today, complete=enrolment is demo or index % 5 != 3, rich=enrolment is demo)
        if enrolment is demo:
            _visits(demo, trainer, calendar.today)
        elif enrolment is late:  # a visit planned and not held: listed as overdue
            db.session.add(
                _visit(enrolment, VisitKind.COMPANY_VISIT, _weekday(calendar.today - timedelta(days=9)), trainer)
            )
        elif enrolment.contract_start + timedelta(days=40) < calendar.today:
            visit = _visit(
                enrolment, VisitKind.COMPANY_VISIT, _weekday(enrolment.contract_start + timedelta(days=40)), trainer
            )
            visit.held_on = visit.planned_on
            visit.observations = "Missions en lien avec le titre ; intégration dans l'équipe en bonne voie."
            db.session.add(visit)
    _checklist(demo, trainer)
    _finished_year(rng, calendar.today)
    db.session.flush()


def _finished_year(rng: random.Random, today) -> None:
    """The finished year's livrets, written by their tutors: the completion page has a past to compare with."""
    finished = db.session.scalars(
        sa.select(Enrolment)
        .join(Cohort)
        .join(Programme)
        .where(Programme.kind == ProgrammeKind.APPRENTICESHIP, Cohort.end_date < today, Enrolment.tutor_id.is_not(None))
        .order_by(Enrolment.id)
    ).all()
    for index, enrolment in enumerate(finished):
        _livret(rng, enrolment, today, complete=index % 7 != 2, rich=False)


def _visit(enrolment: Enrolment, kind: VisitKind, on, author: User) -> Visit:
    place = enrolment.employer.name if enrolment.employer else "Sur le lieu de travail"
    return Visit(enrolment_id=enrolment.id, kind=kind, planned_on=on, place=place, created_by_id=author.id)


def _livret(rng: random.Random, enrolment: Enrolment, today, complete: bool, rich: bool) -> None:
    blocks = programme_blocks([enrolment.cohort.programme_id])
    periods = livret.field_periods(enrolment, livret.field_periods_of_cohorts([enrolment.cohort_id]))
    ended = [p for p in periods if p.ended(today)]
    if not complete:
        ended = ended[:-1]
    for index, period in enumerate(ended):
        entry = LivretEntry(
            enrolment_id=enrolment.id,
            period_start=period.start,
            period_end=period.end,
            tutor_comment=COMMENTS[index % len(COMMENTS)],
            tutor_id=enrolment.tutor_id,
            tutor_signed_at=_at(period.end),
        )
        for position, description in enumerate(rng.sample(ACTIVITIES, 3), start=1):
            level = [ActivityLevel.IN_PROGRESS, ActivityLevel.ACQUIRED, ActivityLevel.NOT_SEEN][(index + position) % 3]
            block = blocks[(index + position) % len(blocks)] if blocks else None
            entry.activities.append(
                LivretActivity(
                    position=position, skill_block_id=block.id if block else None, description=description, level=level
                )
            )
        if rich and index == 0:
            entry.apprentice_comment = "J'ai découvert le travail en équipe de nuit et le lien avec le bailleur."
            entry.apprentice_signed_at = _at(period.end + timedelta(days=3))
            entry.referent_comment = "Période riche ; à relier au CCP2 lors de la prochaine semaine au centre."
            entry.referent_id = enrolment.referent_id
            entry.referent_signed_at = _at(period.end + timedelta(days=4))
        db.session.add(entry)


def _visits(enrolment: Enrolment, referent: User, today) -> None:
    held_on = _weekday(min(enrolment.contract_start + timedelta(days=40), today - timedelta(days=1)))
    visit = Visit(
        enrolment_id=enrolment.id,
        kind=VisitKind.COMPANY_VISIT,
        planned_on=held_on,
        held_on=held_on,
        place=enrolment.employer.name if enrolment.employer else "Sur le lieu de travail",
        attendees=f"{enrolment.apprentice.full_name}\n{enrolment.tutor.full_name if enrolment.tutor else ''}\n"
        f"{referent.full_name}",
        objectives="Faire le point sur l'accueil, les missions confiées et le rythme de l'alternance.",
        observations="Accueil de qualité, missions en lien avec le titre. L'apprentie manque encore d'assurance "
        "à l'écrit.",
        decisions="Confier la rédaction des mains courantes une semaine sur deux.",
        created_by_id=referent.id,
    )
    visit.actions.append(
        VisitAction(
            description="Transmettre la fiche de poste au CFA",
            owner="Tuteur·rice",
            due_on=held_on + timedelta(days=14),
            done_on=held_on + timedelta(days=10),
        )
    )
    visit.actions.append(
        VisitAction(
            description="Travailler les écrits professionnels au centre",
            owner="Référent·e",
            due_on=held_on + timedelta(days=45),
        )
    )
    db.session.add(visit)
    db.session.add(
        Visit(
            enrolment_id=enrolment.id,
            kind=VisitKind.TRIPARTITE,
            planned_on=_weekday(today + timedelta(days=12)),
            place="CFA, Rennes",
            created_by_id=referent.id,
        )
    )


def _checklist(enrolment: Enrolment, referent: User) -> None:
    start = _at(enrolment.contract_start)
    ticks = [
        (OnboardingItem.WELCOME, enrolment.tutor_id, 0),
        (OnboardingItem.YEAR_PLAN, referent.id, 2),
        (OnboardingItem.LIVRET_EXPLAINED, referent.id, 7),
    ]
    for item, who, days in ticks:
        if who is not None:
            db.session.add(
                OnboardingCheck(
                    enrolment_id=enrolment.id, item=item, ticked_by_id=who, ticked_at=start + timedelta(days=days)
                )
            )
