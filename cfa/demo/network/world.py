"""The network's centres, teams, employers, cohorts with their enrolments, and short-course runs."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from cfa.demo import data
from cfa.demo.calendar import closures_between
from cfa.demo.foundation import _demo_password_hash, _domain, _programme, _slug, get_or_create, valid_siret
from cfa.demo.network.cohorts import (
    CENTRES,
    EMPLOYER_KINDS,
    EMPLOYERS_PER_CENTRE,
    ROOM_NAMES,
    SEED,
    SHORT_RUN_TRAINEES,
    SHORT_RUNS_PER_YEAR,
    TMS,
    TRAINERS_PER_CENTRE,
    YEARS,
    NetCohort,
)
from cfa.extensions import db
from cfa.models import (
    Centre,
    ClosurePeriod,
    Cohort,
    Employer,
    EmployerKind,
    Enrolment,
    EnrolmentStatus,
    HalfDay,
    InterruptionKind,
    ModuleAssignment,
    Programme,
    ProgrammeKind,
    Role,
    Room,
    Session,
    SessionStatus,
    User,
    UserRole,
)
from cfa.services.calendar_generation import french_holidays, monday_of


class _World:
    """The network's centres, teams and employers, created once and shared by its cohorts."""

    def __init__(self, rng: random.Random, today: date, specs: list[NetCohort]):
        self.rng, self.today, self.specs = rng, today, specs
        self.programmes = {p.code: p for p in db.session.scalars(sa.select(Programme))}
        self.programmes["TMS"] = _programme(TMS)
        self.centres = {c.code: c for c in db.session.scalars(sa.select(Centre))}
        self.admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
        self.emails: set[str] = set(db.session.scalars(sa.select(User.email)))
        self.trainers: dict[str, list[User]] = {}
        self.employers: dict[str, list[tuple[Employer, list[User]]]] = {}
        closures = closures_between(min((s.start for s in specs), default=today), today + timedelta(weeks=120))
        for code in dict.fromkeys(s.centre for s in specs):
            self._centre(code, closures)

    def _centre(self, code: str, closures) -> None:
        if code in ("RENNES", "NANTES"):
            centre = self.centres[code]
            # The demo's team and employers: the demo trainer and tutor get the years before the demo's.
            staff = {e: db.session.scalar(sa.select(User).where(User.email == e)) for e, *_ in data.STAFF}
            team = {email for (c, _), teaching in data.TEACHING.items() if c == code for email in teaching.values()}
            domain = f"{_slug(centre.name)[:20]}.cfa-reseau.test"
            self.trainers[code] = [staff[e] for e in sorted(team)] + [
                self._person(domain, [Role.TRAINER], job_title="Formateur·rice")
                for _ in range(TRAINERS_PER_CENTRE - len(team))
            ]
            tutors = sa.select(User).join(UserRole).where(UserRole.role == Role.TUTOR)
            self.employers[code] = [
                (employer, list(db.session.scalars(tutors.where(User.employer_id == employer.id))))
                for employer in db.session.scalars(sa.select(Employer).order_by(Employer.id))
                if any(e[0] == employer.name for e in data.EMPLOYERS)
            ]
        else:
            _, name, postcode = next(c for c in CENTRES if c[0] == code)
            number = CENTRES.index(next(c for c in CENTRES if c[0] == code))
            centre = get_or_create(
                Centre,
                dict(name=name, address=f"{number + 3} place de la Mairie", postcode=postcode, city=name),
                code=code,
            )
            for label, start, end in closures:
                get_or_create(ClosurePeriod, {"label": label, "end_date": end}, centre_id=centre.id, start_date=start)
            domain = f"{_slug(name)}.cfa-reseau.test"
            self.trainers[code] = [
                self._person(domain, [Role.TRAINER], job_title="Formateur·rice") for _ in range(TRAINERS_PER_CENTRE)
            ]
            self.employers[code] = []
            for index, (pattern, kind) in enumerate(EMPLOYER_KINDS[:EMPLOYERS_PER_CENTRE]):
                employer_name = pattern.format(city=name)
                employer = get_or_create(
                    Employer,
                    dict(
                        name=employer_name, kind=EmployerKind(kind), city=name, postcode=postcode, opco="Uniformation"
                    ),
                    siret=valid_siret(10_000 + number * 10 + index),
                )
                tutors = [self._person(_domain(employer_name), [Role.TUTOR], employer_id=employer.id) for _ in (1, 2)]
                self.employers[code].append((employer, tutors))
        for room in ROOM_NAMES:
            get_or_create(Room, {"capacity": 16}, centre_id=centre.id, name=room)
        db.session.flush()
        db.session.refresh(centre)
        self.centres[code] = centre

    def _person(self, domain: str, roles, **fields) -> User:
        """A new account named at random, its address from its name at `domain`, added without a flush."""
        first, last = self.rng.choice(data.FIRST_NAMES), self.rng.choice(data.LAST_NAMES)
        local = f"{_slug(first)}.{_slug(last)}"
        email, suffix = f"{local}@{domain}", 2
        while email in self.emails:
            email, suffix = f"{local}{suffix}@{domain}", suffix + 1
        self.emails.add(email)
        user = User(email=email, first_name=first, last_name=last, **fields)
        user.set_roles(roles)
        user.password_hash = _demo_password_hash()
        user.regenerate_calendar_token()
        db.session.add(user)
        return user

    def cohorts_and_enrolments(self) -> list[Cohort]:
        cohorts = []
        for spec in self.specs:
            centre = self.centres[spec.centre]
            programme = self.programmes[spec.programme]
            team = self.trainers[spec.centre]
            lead = team[spec.slot % len(team)]
            rooms = [r for r in centre.rooms if r.name in ROOM_NAMES]
            cohort = Cohort(
                programme_id=programme.id,
                centre_id=centre.id,
                name=spec.name,
                start_date=spec.start,
                end_date=spec.end,
                lead_trainer_id=lead.id,
                default_room_id=rooms[spec.slot % len(rooms)].id,
            )
            cohort.regenerate_calendar_token()
            for module in programme.modules:
                cohort.module_assignments.append(ModuleAssignment(module_id=module.id, trainer_id=lead.id))
            db.session.add(cohort)
            for _ in range(spec.headcount):
                apprentice = self._person(
                    "apprenti.test",
                    [Role.APPRENTICE],
                    birth_date=date(1985, 1, 1) + timedelta(days=self.rng.randint(0, 21 * 365)),
                )
                employer, tutors = self.rng.choice(self.employers[spec.centre])
                enrolment = Enrolment(
                    apprentice=apprentice,
                    employer_id=employer.id,
                    tutor_id=self.rng.choice(tutors).id if tutors else None,
                    referent_id=lead.id,
                    contract_start=spec.start,
                    contract_end=spec.end,
                )
                if spec.end < self.today:
                    enrolment.status = EnrolmentStatus.COMPLETED
                cohort.enrolments.append(enrolment)
            db.session.flush()
            self._interruption(cohort)
            cohorts.append(cohort)
        return cohorts

    def _interruption(self, cohort: Cohort) -> None:
        """One contract in four cohorts ends early, as the demo's do: the rupture rates have something to count."""
        if self.rng.random() > 0.25:
            return
        enrolment = self.rng.choice(cohort.enrolments)
        on = cohort.start_date + timedelta(days=self.rng.randint(40, 200))
        if on >= min(cohort.end_date, self.today):
            return
        enrolment.status = EnrolmentStatus.ACTIVE
        kind = self.rng.choice([InterruptionKind.RUPTURE, InterruptionKind.DROPOUT])
        enrolment.interrupt(on, kind, "Rupture du contrat d'apprentissage (réseau).")

    def short_courses(self) -> list[Cohort]:
        """Socle runs at every centre, two a year, planned by hand as the demo's are: two days a week for three
        weeks, with trainees employed by the centre's employers."""
        socle = db.session.scalar(
            sa.select(Programme).where(Programme.kind == ProgrammeKind.SHORT_COURSE, Programme.entry_course)
        )
        if socle is None:
            return []
        module_id = socle.modules[0].id
        holidays = french_holidays(self.today - timedelta(weeks=52 * (YEARS + 1)), self.today + timedelta(weeks=60))
        runs, sessions, trainees = [], [], []
        years = sorted({s.start.year for s in self.specs})
        for code in dict.fromkeys(s.centre for s in self.specs):
            centre = self.centres[code]
            for year in years:
                for n in range(SHORT_RUNS_PER_YEAR):
                    monday = monday_of(date(year, 3 + 6 * n, 10))
                    days = [monday + timedelta(weeks=w, days=d) for w in range(3) for d in (0, 1)]
                    days = [d for d in days if d not in holidays]
                    if not days or days[-1] >= self.today:
                        continue
                    trainer = self.trainers[code][(year + n) % len(self.trainers[code])]
                    run = Cohort(
                        programme_id=socle.id,
                        centre_id=centre.id,
                        name=f"{socle.code} – {centre.name} – {days[0]:%d/%m/%Y} (réseau)",
                        start_date=days[0],
                        end_date=days[-1],
                        lead_trainer_id=trainer.id,
                        default_room_id=sorted(centre.rooms, key=lambda r: r.name)[-1].id,
                    )
                    db.session.add(run)
                    runs.append(run)
                    for _ in range(SHORT_RUN_TRAINEES):
                        employer, _tutors = self.rng.choice(self.employers[code])
                        person = self._person(
                            _domain(employer.name),
                            [Role.LEARNER],
                            employer_id=employer.id,
                        )
                        trainees.append((run, person))
                    for day in days:
                        for half_day, start, end in (
                            (HalfDay.AM, socle.morning_start, socle.morning_end),
                            (HalfDay.PM, socle.afternoon_start, socle.afternoon_end),
                        ):
                            sessions.append((run, day, half_day, start, end))
        db.session.flush()
        db.session.execute(
            sa.insert(Session),
            [
                dict(
                    cohort_id=run.id,
                    module_id=module_id,
                    trainer_id=run.lead_trainer_id,
                    room_id=run.default_room_id,
                    date=day,
                    half_day=half_day,
                    start_time=start,
                    end_time=end,
                    status=SessionStatus.PLANNED,
                )
                for run, day, half_day, start, end in sessions
            ],
        )
        db.session.add_all(
            Enrolment(
                apprentice_id=person.id,
                cohort_id=run.id,
                employer_id=person.employer_id,
                contract_start=run.start_date,
                contract_end=run.end_date,
                status=EnrolmentStatus.COMPLETED,
                registered_by_id=self.admin.id,
            )
            for run, person in trainees
        )
        db.session.flush()
        return runs


LARGE_RUN_TRAINEES = 100
LARGE_RUN_NAME = "réseau, 100 agents"


def large_run(today: date) -> Cohort | None:
    """One intra-company socle run for a hundred agents of a city, ended last month at its first centre: the
    benchmark's "100 certificates" (its ZIP of certificats de réalisation). Its sheets are written with the
    others'. Its own seed, so that adding it left the rest of the network as it was."""
    rng = random.Random(SEED + 100)
    socle = db.session.scalar(
        sa.select(Programme).where(Programme.kind == ProgrammeKind.SHORT_COURSE, Programme.entry_course)
    )
    centre = db.session.scalar(sa.select(Centre).order_by(Centre.id))
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    if socle is None or centre is None:
        return None
    client = get_or_create(
        Employer,
        dict(name=f"Ville de {centre.city}", kind=EmployerKind.CITY, city=centre.city, postcode=centre.postcode),
        siret=valid_siret(9_999),
    )
    holidays = french_holidays(today - timedelta(weeks=10), today)
    monday = monday_of(today.replace(day=1) - timedelta(days=20))
    days = [d for d in (monday + timedelta(days=n) for n in range(8)) if d.weekday() < 5 and d not in holidays][:6]
    run = Cohort(
        programme_id=socle.id,
        centre_id=centre.id,
        name=f"{socle.code} – {client.name} – {days[0]:%d/%m/%Y} ({LARGE_RUN_NAME})",
        start_date=days[0],
        end_date=days[-1],
        lead_trainer_id=socle.modules[0].default_trainer_id or admin.id,
        client_id=client.id,
        place=f"Hôtel de ville de {centre.city}",
    )
    db.session.add(run)
    db.session.flush()
    domain = _domain(client.name)
    taken = set(db.session.scalars(sa.select(User.email).where(User.email.like(f"%@{domain}"))))
    for number in range(LARGE_RUN_TRAINEES):
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        email = f"{_slug(first)}.{_slug(last)}.{number}@{domain}"
        if email in taken:
            continue
        person = User(email=email, first_name=first, last_name=last, employer_id=client.id)
        person.set_roles([Role.LEARNER])
        db.session.add(person)
        run.enrolments.append(
            Enrolment(
                apprentice=person,
                employer_id=client.id,
                contract_start=run.start_date,
                contract_end=run.end_date,
                status=EnrolmentStatus.COMPLETED,
                registered_by_id=admin.id,
            )
        )
    for day in days:
        for half_day, start, end in (
            (HalfDay.AM, socle.morning_start, socle.morning_end),
            (HalfDay.PM, socle.afternoon_start, socle.afternoon_end),
        ):
            db.session.add(
                Session(
                    cohort_id=run.id,
                    module_id=socle.modules[0].id,
                    trainer_id=run.lead_trainer_id,
                    date=day,
                    half_day=half_day,
                    start_time=start,
                    end_time=end,
                    status=SessionStatus.PLANNED,
                )
            )
    db.session.flush()
    return run
