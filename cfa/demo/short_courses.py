"""Demo step: the CFA's short courses (formations courtes), whose 2025 figures are the ones it published
(cfa/demo/course_data.py): the actions of its catalogue, their runs over 2025 at a centre or at the client's site,
their trainees (employees of clients or of the CFA's own association, prison participants without an e-mail),
the attendance of every past half-day, outcomes and convocations; a few runs around the demo's day, one of them
with the demo trainee (an account). Agreements and micro-certification requests: cfa/demo/course_paperwork.py.

Runs are planned by hand, one trainer per audience, on days the centres are open; everything is inserted in bulk
so that seed-demo stays quick. The step runs last and only once: a second run finds the runs and adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.demo import course_data as facts
from cfa.demo import data
from cfa.demo.attendance import record_past_sheets, signatures_of
from cfa.demo.calendar import DemoCalendar, closures_between
from cfa.demo.course_paperwork import seed_paperwork
from cfa.demo.foundation import _person, _slug, get_or_create, valid_siret
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    Centre,
    Cohort,
    CourseAudience,
    Employer,
    EmployerKind,
    Enrolment,
    EnrolmentStatus,
    HalfDay,
    InterruptionKind,
    Module,
    ObjectiveOutcome,
    Programme,
    ProgrammeKind,
    Role,
    Session,
    SessionStatus,
    User,
    UserRole,
)
from cfa.models.planning import minutes_between
from cfa.services.calendar_generation import french_holidays

YEAR = 2025
SOCLE_MONDAYS_2025 = (date(2025, 2, 3), date(2025, 4, 7), date(2025, 9, 8), date(2025, 11, 3))


@dataclass
class Run:
    action: dict
    days: list[date]
    where: str  # a centre's code, or the client's site
    client: str | None = None
    trainees: list[User] = field(default_factory=list)
    cohort: Cohort | None = None


def seed_short_courses(rng: random.Random, calendar: DemoCalendar) -> None:
    exists = sa.select(Cohort.id).join(Programme).where(Programme.kind == ProgrammeKind.SHORT_COURSE).limit(1)
    if db.session.scalar(exists) is not None:
        return
    world = _World(rng, calendar)
    runs = world.runs_of_2025() + world.runs_around_the_demo_day()
    world.write(runs)
    seed_paperwork(rng, calendar, runs, world.admin)
    db.session.commit()


class _World:
    def __init__(self, rng: random.Random, calendar: DemoCalendar):
        self.rng, self.calendar = rng, calendar
        closures = closures_between(date(YEAR, 1, 1), calendar.today + timedelta(weeks=60))
        self.closed = {d for _, a, b in closures for d in _span(a, b)}
        self.closed |= set(french_holidays(date(YEAR, 1, 1), calendar.today + timedelta(weeks=60)))
        self.admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
        self.trainers = {
            kind: _person(email, first, last, [Role.TRAINER], job_title=job)
            for email, first, last, job, kind in facts.TRAINERS
        }
        self.employers = {e.name: e for e in db.session.scalars(sa.select(Employer))}
        for index, (name, kind, city, postcode) in enumerate(facts.CLIENTS):
            self.employers[name] = get_or_create(
                Employer,
                dict(name=name, kind=EmployerKind(kind), city=city, postcode=postcode),
                siret=valid_siret(500 + index),
            )
        self.centres = {c.code: c for c in db.session.scalars(sa.select(Centre))}
        self.programmes = {a["code"]: _programme(a) for a in facts.ACTIONS}
        self.modules = {code: programme.modules[0].id for code, programme in self.programmes.items()}
        self.people: list[User] = []

    # --- the year 2025, as published ---

    def runs_of_2025(self) -> list[Run]:
        return self._socle_2025() + self._professionals() + self._reception() + self._prisons()

    def _socle_2025(self) -> list[Run]:
        socle = _action("SOCLE")
        runs = [Run(socle, self._two_days_a_week(monday), "RENNES") for monday in SOCLE_MONDAYS_2025]
        followed = sum(facts.SOCLE_TRAINEES_2025)
        for run, size in zip(runs, facts.SOCLE_TRAINEES_2025, strict=True):
            for _ in range(size):
                hired = run.days[0] - timedelta(days=self.rng.randint(7, 30))
                run.trainees.append(self._new_mediator(max(hired, date(YEAR, 1, 2))))
        for _ in range(facts.NEW_MEDIATORS_2025 - followed):  # hired after the last run of the year began
            self._new_mediator(SOCLE_MONDAYS_2025[-1] + timedelta(days=self.rng.randint(1, 50)))
        return runs

    def _professionals(self) -> list[Run]:
        actions = [a for a in facts.ACTIONS if a["audience"] == CourseAudience.MEDIATION_PROFESSIONALS]
        starts = [(a, n) for a in actions for n in range(a["runs"])]
        self.rng.shuffle(starts)
        days = self._spread(len(starts), [len(a["days"]) for a, _ in starts], date(YEAR, 1, 13), date(YEAR, 12, 12))
        runs = [Run(a, d, "NANTES" if n % 2 else "RENNES") for (a, n), d in zip(starts, days, strict=True)]
        employers = [e for e in data.EMPLOYERS if e[1] in ("city", "association", "social_landlord")]
        people = [
            self._trainee(self.employers[self.rng.choice(employers)[0]].id, email=index % 2 == 0)
            for index in range(facts.PROFESSIONALS)
        ]
        people[-1].employer_id = None  # one pays for herself: a contrat de formation, not a convention
        taken: dict[str, set[int]] = {}
        for index, person in enumerate(people):  # everyone follows at least one module
            run = runs[index % len(runs)]
            run.trainees.append(person)
            taken.setdefault(run.action["code"], set()).add(id(person))
        for run in runs:  # then the groups fill up with people who follow two or three modules
            size = self.rng.randint(*facts.PRO_PLACES_PER_RUN)
            others = [p for p in people if id(p) not in taken.get(run.action["code"], set())]
            for person in self.rng.sample(others, max(0, size - len(run.trainees))):
                run.trainees.append(person)
                taken.setdefault(run.action["code"], set()).add(id(person))
        return runs

    def _reception(self) -> list[Run]:
        return self._intra(CourseAudience.PUBLIC_RECEPTION, facts.RECEPTION_TRAINEES, date(YEAR, 1, 20), "reception")

    def _prisons(self) -> list[Run]:
        return self._intra(CourseAudience.PRISON_WORKSHOPS, facts.PRISON_PARTICIPANTS, date(YEAR, 1, 14), "prison")

    def _intra(self, audience: CourseAudience, people: int, first: date, trainer: str) -> list[Run]:
        """Runs at the client's site, one client each in turn; the people are spread evenly over them."""
        actions = [a for a in facts.ACTIONS if a["audience"] == audience]
        starts = [(a, n) for a in actions for n in range(a["runs"])]
        self.rng.shuffle(starts)
        days = self._spread(len(starts), [len(a["days"]) for a, _ in starts], first, date(YEAR, 12, 12))
        runs = []
        for position, ((action, n), run_days) in enumerate(zip(starts, days, strict=True)):
            client = action["clients"][n % len(action["clients"])]
            prison = audience == CourseAudience.PRISON_WORKSHOPS
            where = facts.PRISONS[position % len(facts.PRISONS)] if prison else f"Locaux de {client}"
            run = Run(action, run_days, where, client)
            size = people // len(starts) + (1 if position < people % len(starts) else 0)
            employer_id = None if prison else self.employers[client].id
            run.trainees = [self._trainee(employer_id, email=not prison and position % 3 == 0) for _ in range(size)]
            runs.append(run)
        return runs

    # --- around the demo's day ---

    def runs_around_the_demo_day(self) -> list[Run]:
        day = self.calendar.demo_day
        socle = Run(_action("SOCLE"), self._two_days_a_week(day - timedelta(days=day.weekday() + 7)), "RENNES")
        trainee = _person(
            facts.DEMO_TRAINEE,
            "Léna",
            "Guégan",
            [Role.LEARNER],
            employer_id=self.employers["Ville de Saint-Malo – Médiation"].id,
            job_title="Médiatrice sociale",
            mediator_since=socle.days[0] - timedelta(days=21),
        )
        socle.trainees = [trainee] + [self._new_mediator(socle.days[0] - timedelta(days=30)) for _ in range(8)]
        conflicts = Run(_action("CONFLITS"), self._open_days(day, 2), "NANTES")
        conflicts.trainees = [self._trainee(self.employers[e[0]].id, email=True) for e in data.EMPLOYERS[:9]]
        landlords = Run(_action("ACC-BS"), self._open_days(day + timedelta(days=7), 1), "Locaux de Néotoa", "Néotoa")
        landlords.trainees = [self._trainee(self.employers["Néotoa"].id) for _ in range(12)]
        return [socle, conflicts, landlords]

    # --- people and days ---

    def _new_mediator(self, hired: date) -> User:
        employer = self.rng.choice([facts.OWN_ASSOCIATION, facts.OWN_ASSOCIATION, *[e[0] for e in data.EMPLOYERS]])
        person = self._trainee(self.employers[employer].id, email=True)
        person.mediator_since, person.job_title = hired, "Médiateur·rice social·e"
        return person

    def _trainee(self, employer_id: int | None, email: bool = False) -> User:
        """A trainee without an account: an e-mail for the convocation, or paper documents when none."""
        first, last = self.rng.choice(data.FIRST_NAMES), self.rng.choice(data.LAST_NAMES)
        number = len(self.people) + 1
        address = f"{_slug(first)}.{_slug(last)}.{number}@stagiaire.test" if email else None
        person = User(email=address, first_name=first, last_name=last, employer_id=employer_id)
        self.people.append(person)
        return person

    def _open(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.closed

    def _open_days(self, first: date, count: int) -> list[date]:
        days, day = [], first
        while len(days) < count:
            if self._open(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def _two_days_a_week(self, monday: date) -> list[date]:
        """The socle's pattern: 6 days over three weeks, the first two open days of each week (a week the centres
        are closed is skipped)."""
        days, start = [], monday
        while len(days) < 6:
            days += [d for d in _span(start, start + timedelta(days=4)) if self._open(d)][:2]
            start += timedelta(weeks=1)
        return days[:6]

    def _spread(self, count: int, lengths: list[int], first: date, last: date) -> list[list[date]]:
        """Runs of one trainer spread evenly over the period, one after another, on open days."""
        step = (last - first).days / count
        cursor, spread = first, []
        for index, length in enumerate(lengths):
            days = self._open_days(max(cursor, first + timedelta(days=round(index * step))), length)
            spread.append(days)
            cursor = days[-1] + timedelta(days=1)
        return spread

    # --- writing it down ---

    def write(self, runs: list[Run]) -> None:
        self._insert_people()
        for run in runs:
            run.cohort = self._cohort(run)
        db.session.flush()
        self._insert_sessions(runs)
        self._insert_enrolments(runs)
        self._attendance(runs)

    def _insert_people(self) -> None:
        """Hundreds of trainees in two statements; the drafts built above receive their ids."""
        columns = ("email", "first_name", "last_name", "employer_id", "mediator_since", "job_title")
        rows = [{c: getattr(p, c) for c in columns} | {"active": True} for p in self.people]
        ids = db.session.scalars(sa.insert(User).returning(User.id, sort_by_parameter_order=True), rows).all()
        db.session.execute(sa.insert(UserRole), [{"user_id": i, "role": Role.LEARNER} for i in ids])
        for person, person_id in zip(self.people, ids, strict=True):
            person.id = person_id

    def _cohort(self, run: Run) -> Cohort:
        programme = self.programmes[run.action["code"]]
        at_centre = run.where in self.centres
        centre = self.centres[run.where if at_centre else ("NANTES" if "Nantes" in run.where else "RENNES")]
        client = self.employers[run.client] if run.client else None
        cohort = Cohort(
            programme_id=programme.id,
            centre_id=centre.id,
            name=f"{programme.code} – {centre.name if at_centre else run.where} – {run.days[0]:%d/%m/%Y}",
            start_date=run.days[0],
            end_date=run.days[-1],
            lead_trainer_id=self._trainer(run).id,
            default_room_id=centre.rooms[2].id if at_centre else None,
            client_id=client.id if client else None,
            place=None if at_centre else run.where,
            price_cents=len(run.action["days"]) * 150000 if client else None,
        )
        db.session.add(cohort)
        return cohort

    def _trainer(self, run: Run) -> User:
        audience = run.action["audience"]
        kind = {
            CourseAudience.NEW_MEDIATORS: "socle",
            CourseAudience.MEDIATION_PROFESSIONALS: "pro",
            CourseAudience.PUBLIC_RECEPTION: "reception",
        }.get(audience, "prison")
        return self.trainers[kind]

    def _insert_sessions(self, runs: list[Run]) -> None:
        rows = []
        for run in runs:
            for day, half_days in zip(run.days, run.action["days"], strict=True):
                for half_day, (start, end) in zip((HalfDay.AM, HalfDay.PM), half_days, strict=True):
                    rows.append(
                        dict(
                            cohort_id=run.cohort.id,
                            module_id=self.modules[run.action["code"]],
                            trainer_id=run.cohort.lead_trainer_id,
                            room_id=run.cohort.default_room_id,
                            date=day,
                            half_day=half_day,
                            start_time=start,
                            end_time=end,
                            status=SessionStatus.PLANNED,
                        )
                    )
        db.session.execute(sa.insert(Session), rows)

    def _insert_enrolments(self, runs: list[Run]) -> None:
        today, rows = self.calendar.today, []
        # A client's contact registers its staff for an intra-company run; the CFA registers everyone else.
        contacts = dict(
            db.session.execute(
                sa.select(User.employer_id, sa.func.min(User.id))
                .join(UserRole)
                .where(UserRole.role == Role.TUTOR)
                .group_by(User.employer_id)
            )
            .tuples()
            .all()
        )
        for run in runs:
            ended = run.days[-1] < today
            registrar = contacts.get(run.cohort.client_id, self.admin.id)
            # Convened ten days ahead; the run starting next week is still to be convened.
            convened = _utc(run.days[0] - timedelta(days=10), time(9, 0)) if run.days[0] <= today else None
            for trainee in run.trainees:
                outcome = self.rng.choices(list(ObjectiveOutcome), weights=(90, 8, 2))[0] if ended else None
                rows.append(
                    dict(
                        apprentice_id=trainee.id,
                        cohort_id=run.cohort.id,
                        employer_id=trainee.employer_id,
                        contract_start=run.days[0],
                        contract_end=run.days[-1],
                        status=EnrolmentStatus.COMPLETED if ended else EnrolmentStatus.ACTIVE,
                        registered_by_id=registrar,
                        convened_at=convened,
                        outcome=outcome,
                        outcome_note=None,
                    )
                )
        db.session.execute(sa.insert(Enrolment).execution_options(render_nulls=True), rows)

    def _attendance(self, runs: list[Run]) -> None:
        """The sheets of every past half-day, on the apprentices' code path; one socle trainee of 2025 gave up."""
        cohort_ids = [run.cohort.id for run in runs]
        enrolments: dict[int, list[Enrolment]] = {}
        for enrolment in db.session.scalars(sa.select(Enrolment).where(Enrolment.cohort_id.in_(cohort_ids))):
            enrolments.setdefault(enrolment.cohort_id, []).append(enrolment)
        dropout = enrolments[runs[1].cohort.id][-1]
        dropout.status, dropout.outcome = EnrolmentStatus.ACTIVE, None
        dropout.interrupt(runs[1].days[1], InterruptionKind.DROPOUT, "Abandon : a quitté son poste de médiatrice.")
        db.session.flush()
        sessions = list(
            db.session.scalars(
                sa.select(Session)
                .where(Session.cohort_id.in_(cohort_ids), Session.date < self.calendar.today)
                .order_by(Session.date, Session.start_time, Session.cohort_id)
            )
        )
        record_past_sheets(self.rng, sessions, enrolments, signatures_of(self.rng, sessions, enrolments))


def _action(code: str) -> dict:
    return next(a for a in facts.ACTIONS if a["code"] == code)


def _programme(action: dict) -> Programme:
    described = ("title", "audience", "objectives", "content", "teaching_methods", "assessment_methods")
    fields = {k: action[k] for k in (*described, "prerequisites", "audience_detail", "modality") if k in action}
    minutes = sum(minutes_between(start, end) for day in action["days"] for start, end in day)
    (morning_start, morning_end), (afternoon_start, afternoon_end) = action["days"][0]
    fields.update(
        kind=ProgrammeKind.SHORT_COURSE,
        entry_course=action.get("entry_course", False),
        total_minutes=minutes,
        price_cents=action["price"] * 100,
        place=facts.USUAL_PLACES.get(action["audience"]),
        morning_start=morning_start,
        morning_end=morning_end,
        afternoon_start=afternoon_start,
        afternoon_end=afternoon_end,
    )
    programme = get_or_create(Programme, fields, code=action["code"])
    # One module holding the whole action: its sheets, agendas and PDFs name the action rather than "à définir".
    get_or_create(
        Module, dict(title=action["title"], position=1, minutes=minutes), programme_id=programme.id, code="ACTION"
    )
    return programme


def _span(first: date, last: date):
    return (first + timedelta(days=n) for n in range((last - first).days + 1))


def _utc(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC)
