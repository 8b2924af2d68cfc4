"""A network of CFAs for the benchmark (scripts/generate_network.py): the demo, then 40 centres with five years
of history around it.

The demo comes first, untouched, so that its accounts keep their stories (the trainer's sheets of the day, the
apprentice's corrected half-day); the network adds, at its two centres and 38 more, cohorts started every year for
five years, each planned by the planner exactly as an admin would (replanning.preview then apply), with their
enrolments, the closed sheets and marks of every past half-day, evaluations, juries and their awards, satisfaction
campaigns with answers, livrets, and short courses. At the demo's centres the network's cohorts are taught by the
demo's own team and placed with its employers, so that the demo trainer and tutor have years of history too.

Deterministic: one seed, and the same `scale` and day give the same database. Marks, the bulk of it, are written
with COPY on PostgreSQL and in executemany batches on SQLite; everything else goes through the models.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.demo import data, seed_demo
from cfa.demo import followup as demo_followup
from cfa.demo import surveys as demo_surveys
from cfa.demo.assessment import ECF_TITLES, JURY_MEMBERS, SUCCESS_RATE, _code
from cfa.demo.attendance import USER_AGENTS, signature_png
from cfa.demo.calendar import closures_between, contract_end
from cfa.demo.foundation import _demo_password_hash, _domain, _programme, _slug, get_or_create, valid_siret
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    ActivityLevel,
    Answer,
    AttendanceMark,
    AttendanceSheet,
    Award,
    AwardKind,
    BlockResult,
    Centre,
    ClosurePeriod,
    Cohort,
    Decision,
    Employer,
    EmployerKind,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    HalfDay,
    InterruptionKind,
    JuryCandidate,
    JurySession,
    JuryStatus,
    LivretActivity,
    LivretEntry,
    MarkStatus,
    ModuleAssignment,
    Programme,
    ProgrammeKind,
    Role,
    Room,
    Session,
    SessionStatus,
    SignatureMethod,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    User,
    UserRole,
)
from cfa.services import livret, replanning
from cfa.services.calendar_generation import french_holidays, monday_of
from cfa.services.survey_templates import template

SEED = 17
YEARS = 5  # of history before the running year
TRAINERS_PER_CENTRE = 8  # a centre runs up to eight cohorts at once, each with its own trainer
ROOMS_PER_CENTRE = 8
EMPLOYERS_PER_CENTRE = 6
HEADCOUNT = (8, 11)  # apprentices per cohort, drawn in this range
SHORT_RUNS_PER_YEAR = 2  # socle runs per centre and year
SHORT_RUN_TRAINEES = 8
MARK_BATCH = 50_000

# (code, name, postcode): the network's centres besides the demo's two (Rennes, Nantes).
CENTRES = [
    ("BREST", "Brest", "29200"),
    ("QUIMPER", "Quimper", "29000"),
    ("LORIENT", "Lorient", "56100"),
    ("VANNES", "Vannes", "56000"),
    ("STBRIEUC", "Saint-Brieuc", "22000"),
    ("STMALO", "Saint-Malo", "35400"),
    ("LAVAL", "Laval", "53000"),
    ("LEMANS", "Le Mans", "72000"),
    ("ANGERS", "Angers", "49000"),
    ("CHOLET", "Cholet", "49300"),
    ("LAROCHE", "La Roche-sur-Yon", "85000"),
    ("STNAZAIRE", "Saint-Nazaire", "44600"),
    ("CAEN", "Caen", "14000"),
    ("CHERBOURG", "Cherbourg-en-Cotentin", "50100"),
    ("ALENCON", "Alençon", "61000"),
    ("ROUEN", "Rouen", "76000"),
    ("LEHAVRE", "Le Havre", "76600"),
    ("TOURS", "Tours", "37000"),
    ("ORLEANS", "Orléans", "45000"),
    ("BLOIS", "Blois", "41000"),
    ("POITIERS", "Poitiers", "86000"),
    ("NIORT", "Niort", "79000"),
    ("LAROCHELLE", "La Rochelle", "17000"),
    ("ANGOULEME", "Angoulême", "16000"),
    ("LIMOGES", "Limoges", "87000"),
    ("BORDEAUX", "Bordeaux", "33000"),
    ("BOURGES", "Bourges", "18000"),
    ("CHARTRES", "Chartres", "28000"),
    ("EVREUX", "Évreux", "27000"),
    ("AMIENS", "Amiens", "80000"),
    ("LILLE", "Lille", "59000"),
    ("ARRAS", "Arras", "62000"),
    ("REIMS", "Reims", "51100"),
    ("TROYES", "Troyes", "10000"),
    ("DIJON", "Dijon", "21000"),
    ("BESANCON", "Besançon", "25000"),
    ("NANCY", "Nancy", "54000"),
    ("METZ", "Metz", "57000"),
]
ROOM_NAMES = ["Salle A", "Salle B", "Salle C", "Salle D", "Salle E", "Salle F", "Salle G", "Salle numérique"]
EMPLOYER_KINDS = [
    ("Ville de {city}", "city"),
    ("{city} Habitat", "social_landlord"),
    ("Association Trait d'union {city}", "association"),
    ("Centre social de {city}", "association"),
    ("Transports urbains de {city}", "transport"),
    ("Maison France services de {city}", "association"),
]

# A two-year title the network teaches besides the demo's two: a longer history per apprentice.
TMS = dict(
    code="TMS",
    title="Technicien médiation services",
    level=5,
    rncp_code=None,
    rncp_valid_from=None,
    rncp_valid_until=None,
    hours=910,
    duration_months=24,
    first_block_weeks=2,
    blocks=[
        (
            "CCP1",
            "Analyser un territoire et concevoir un projet de médiation",
            "Diagnostic partagé, projet, partenaires.",
        ),
        ("CCP2", "Conduire des médiations et accompagner les publics", "Médiation, accès aux droits, orientation."),
        ("CCP3", "Coordonner une équipe et évaluer l'activité", "Animation d'équipe, bilans, indicateurs."),
    ],
    modules=[
        ("SOCLE", "Socle : cadre et posture de la médiation sociale", None, 70),
        ("TERRITOIRE", "Diagnostic de territoire et conduite de projet", "CCP1", 140),
        ("PARTENAIRES", "Partenariats et financements", "CCP1", 98),
        ("MEDIATION", "Médiation entre personnes et avec les institutions", "CCP2", 154),
        ("DROITS", "Accès aux droits et inclusion numérique", "CCP2", 126),
        ("EQUIPE", "Animation et coordination d'équipe", "CCP3", 112),
        ("EVALUATION", "Évaluation de l'activité et rapports", "CCP3", 91),
        ("PUBLICS", "Publics vulnérables, santé mentale et addictions", None, 63),
        ("TITRE", "Dossier professionnel et préparation au titre", None, 56),
    ],
)
# (programme, weeks after the first Monday of September): each centre opens these cohorts every year.
YEARLY_COHORTS = [("MSADS", 2), ("AMIS", 4), ("TMS", 3), ("MSADS", 18), ("AMIS", 20)]


@dataclass(frozen=True)
class NetCohort:
    programme: str
    centre: str  # centre code
    start: date
    end: date
    headcount: int
    slot: int  # its rank among the centre's cohorts: picks its trainer and room

    @property
    def name(self) -> str:
        return f"{self.programme} {self.centre.title()} {self.start:%Y-%m} (réseau)"


class Progress:
    """Steps and their durations on stderr-like output, so that a long build shows where it is."""

    def __init__(self, say: Callable[[str], None]):
        self.say, self.started, self.timings = say, clock.perf_counter(), {}

    def step(self, name: str, since: float) -> None:
        elapsed = clock.perf_counter() - since
        self.timings[name] = round(elapsed, 1)
        self.say(f"  {name}: {elapsed:.1f} s (total {clock.perf_counter() - self.started:.0f} s)")


def network_cohorts(today: date, scale: float, rng: random.Random) -> list[NetCohort]:
    """The network's cohorts: every centre opens YEARLY_COHORTS each year for five years and the running one.

    `scale` keeps that share of them, taken in turn from each centre, each centre's spread over the years:
    0.1 gives a tenth of the network, 0.01 a hundredth (at least one cohort)."""
    months = {p["code"]: p["duration_months"] for p in data.PROGRAMMES} | {"TMS": TMS["duration_months"]}
    codes = ["RENNES", "NANTES", *[code for code, _, _ in CENTRES]]
    demo_start = min(start for _, _, start, _, _ in data.FINISHED_COHORTS)
    by_centre = []
    for centre in codes:
        cohorts = []
        for year in range(today.year - YEARS, today.year + 1):
            september = monday_of(date(year, 9, 7))
            for programme, weeks in YEARLY_COHORTS:
                start = september + timedelta(weeks=weeks)
                end = contract_end(start, months[programme])
                if start > today or (centre in ("RENNES", "NANTES") and end >= demo_start):
                    continue  # the demo's own cohorts hold its two centres' last two years
                cohorts.append((programme, centre, start, end, rng.randint(*HEADCOUNT)))
        # Spread over the years: one cohort of each year in turn, each centre beginning with another year.
        years = sorted({c[2].year for c in cohorts})
        years = years[len(by_centre) % len(years) :] + years[: len(by_centre) % len(years)] if years else years
        per_year = [[c for c in cohorts if c[2].year == year] for year in years]
        by_centre.append(
            [group[rank] for rank in range(len(YEARLY_COHORTS)) for group in per_year if rank < len(group)]
        )
    # Round robin over the centres: a small scale still has several centres, each with its years.
    everything = [
        c for rank in range(max(map(len, by_centre))) for cohorts in by_centre for c in cohorts[rank : rank + 1]
    ]
    kept = everything[: max(1, round(len(everything) * scale))]
    slots: dict[str, int] = {}
    result = []
    for programme, centre, start, end, headcount in sorted(kept, key=lambda c: (c[1], c[2], c[0])):
        slots[centre] = slots.get(centre, -1) + 1
        result.append(NetCohort(programme, centre, start, end, headcount, slots[centre]))
    return result


def generate_network(scale: float = 1.0, today: date | None = None, say: Callable[[str], None] = print) -> dict:
    """Build the demo then the network in the current database; returns what was added and how long it took."""
    progress = Progress(say)
    started = clock.perf_counter()
    calendar = seed_demo(today)
    db.session.commit()
    progress.step("démo", started)
    today = calendar.today
    rng = random.Random(SEED)
    specs = network_cohorts(today, scale, rng)
    say(f"Réseau : {len(specs)} promotions d'apprentissage, échelle {scale}")

    started = clock.perf_counter()
    world = _World(rng, today, specs)
    cohorts = world.cohorts_and_enrolments()
    db.session.commit()
    progress.step("centres, personnes, promotions et inscriptions", started)

    started = clock.perf_counter()
    for index, cohort in enumerate(cohorts, start=1):
        result = replanning.preview(cohort, today=cohort.start_date)
        replanning.apply(result, actor=None, accept_conflicts=True)
        if index % 50 == 0 or index == len(cohorts):
            db.session.commit()
            say(f"    planifiées : {index}/{len(cohorts)}")
    progress.step("planification (service de planning)", started)

    started = clock.perf_counter()
    runs = world.short_courses()
    db.session.commit()
    progress.step("formations courtes", started)

    started = clock.perf_counter()
    if (large := large_run(today)) is not None:
        runs.append(large)
    cohort_ids = [c.id for c in cohorts] + [r.id for r in runs]
    sheets, marks = _attendance(rng, today, cohort_ids, say)
    db.session.commit()
    progress.step(f"émargement ({sheets} feuilles, {marks} émargements)", started)

    started = clock.perf_counter()
    _results(rng, today, cohorts)
    db.session.commit()
    progress.step("évaluations et jurys", started)

    started = clock.perf_counter()
    _campaigns(rng, today, cohorts)
    db.session.commit()
    progress.step("enquêtes", started)

    started = clock.perf_counter()
    _livrets(rng, today, cohorts)
    db.session.commit()
    progress.step("livrets", started)
    added = {"cohorts": len(cohorts), "short_runs": len(runs), "sheets": sheets, "marks": marks}
    return {"added": added, "totals": counts(), "timings": progress.timings}


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


def _utc_naive(day: date, moment: time) -> datetime:
    """The instant as the database stores it (naive UTC): COPY bypasses the column types."""
    return datetime.combine(day, moment, tzinfo=PARIS).astimezone(UTC).replace(tzinfo=None)


def _attendance(rng: random.Random, today: date, cohort_ids: list[int], say) -> tuple[int, int]:
    """The closed, signed sheet of every past half-day of these cohorts, and a mark per learner enrolled that day."""
    sessions = db.session.execute(
        sa.select(Session.id, Session.cohort_id, Session.date, Session.start_time, Session.end_time, Session.trainer_id)
        .where(Session.cohort_id.in_(cohort_ids), Session.status == SessionStatus.PLANNED, Session.date < today)
        .order_by(Session.date, Session.start_time, Session.cohort_id)
    ).all()
    enrolments: dict[int, list] = {}
    for row in db.session.execute(
        sa.select(
            Enrolment.id, Enrolment.cohort_id, Enrolment.apprentice_id, Enrolment.contract_start, Enrolment.contract_end
        )
        .add_columns(Enrolment.interrupted_on)
        .where(Enrolment.cohort_id.in_(cohort_ids))
        .order_by(Enrolment.id)
    ):
        enrolments.setdefault(row.cohort_id, []).append(row)
    people = sorted(
        {e.apprentice_id for group in enrolments.values() for e in group} | {s.trainer_id for s in sessions}
    )
    signatures = {person: signature_png(rng) for person in people if person is not None}
    sheet_rows = []
    for s in sessions:
        end = datetime.combine(s.date, s.end_time, tzinfo=PARIS).astimezone(UTC)
        sheet_rows.append(
            dict(
                session_id=s.id,
                version=2,
                qr_secret=f"{rng.getrandbits(256):064x}",
                closed_at=end,
                closed_by_id=s.trainer_id,
                trainer_signature=signatures.get(s.trainer_id),
                trainer_signed_at=end,
                trainer_signature_user_agent=USER_AGENTS[SignatureMethod.TRAINER_DEVICE],
                created_at=datetime.combine(s.date, s.start_time, tzinfo=PARIS).astimezone(UTC),
                updated_at=end,
            )
        )
    for first in range(0, len(sheet_rows), 10_000):
        db.session.execute(sa.insert(AttendanceSheet), sheet_rows[first : first + 10_000])
    say(f"    feuilles : {len(sheet_rows)}")
    session_ids = {s.id for s in sessions}
    sheet_ids = {
        session_id: sheet_id
        for session_id, sheet_id in db.session.execute(sa.select(AttendanceSheet.session_id, AttendanceSheet.id))
        if session_id in session_ids
    }
    rows = _marks(rng, sessions, enrolments, sheet_ids, signatures)
    written = _copy_marks(rows, say)
    return len(sheet_rows), written


MARK_COLUMNS = (
    "sheet_id",
    "session_id",
    "enrolment_id",
    "status",
    "minutes_late",
    "minutes_left_early",
    "recorded_by_id",
    "created_at",
    "updated_at",
    "signature",
    "signed_at",
    "signature_method",
    "signature_user_agent",
)


def _marks(rng, sessions, enrolments, sheet_ids, signatures) -> Iterator[tuple]:
    """The demo's mix (cfa/demo/attendance.py): 3.5 % absent, 5 % late, 1.5 % leaving early, the rest present;
    every learner not absent has signed, on the trainer's device or by QR code."""
    for s in sessions:
        start = _utc_naive(s.date, s.start_time)
        for e in enrolments.get(s.cohort_id, ()):
            last_day = e.interrupted_on or e.contract_end
            if not e.contract_start <= s.date <= last_day:
                continue
            roll = rng.random()
            status, late, early = MarkStatus.PRESENT, 0, 0
            if roll < 0.035:
                status = MarkStatus.ABSENT
            elif roll < 0.085:
                status, late = MarkStatus.LATE, rng.choice([5, 10, 15, 20, 25, 35, 45])
            elif roll < 0.10:
                status, early = MarkStatus.LEFT_EARLY, rng.choice([15, 30, 45, 60])
            signature = signed_at = method = agent = None
            if status != MarkStatus.ABSENT:
                method = SignatureMethod.QR if rng.random() < 0.4 else SignatureMethod.TRAINER_DEVICE
                signature = signatures[e.apprentice_id] if method == SignatureMethod.TRAINER_DEVICE else None
                signed_at = start + timedelta(minutes=late + rng.randint(0, 8), seconds=rng.randint(0, 59))
                agent = USER_AGENTS[method]
            yield (
                sheet_ids[s.id],
                s.id,
                e.id,
                status.value,
                late,
                early,
                s.trainer_id,
                start,
                start,
                signature,
                signed_at,
                method.value if method else None,
                agent,
            )


def _copy_marks(rows: Iterator[tuple], say) -> int:
    """COPY on PostgreSQL (a million rows in a minute or two), executemany batches on SQLite."""
    connection = db.session.connection()
    written = 0
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        statement = f"COPY attendance_mark ({', '.join(MARK_COLUMNS)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % 250_000 == 0:
                    say(f"    émargements : {written}")
        return written
    table = AttendanceMark.__table__
    statement = sa.text(
        f"INSERT INTO {table.name} ({', '.join(MARK_COLUMNS)}) VALUES ({', '.join(':' + c for c in MARK_COLUMNS)})"
    )
    batch = []
    for row in rows:
        batch.append(dict(zip(MARK_COLUMNS, row, strict=True)))
        if len(batch) == MARK_BATCH:
            connection.execute(statement, batch)
            written += len(batch)
            batch = []
            if written % 250_000 == 0:
                say(f"    émargements : {written}")
    if batch:
        connection.execute(statement, batch)
        written += len(batch)
    return written


def _insert(model, rows: list[dict]) -> list[int]:
    """Rows inserted in one statement per batch; their ids, in order (for the rows that hang on them)."""
    ids: list[int] = []
    for first in range(0, len(rows), 5_000):
        statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
        ids += db.session.scalars(statement, rows[first : first + 5_000]).all()
    return ids


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _results(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """As the demo's assessment step (cfa/demo/assessment.py), in bulk: two ECF per block over a finished cohort's
    training, the first ECF of a running one; then for each finished cohort a published jury, its candidates'
    CCP and the CFA's success rate, and the awards those decisions give."""
    blocks = {c.programme_id: sorted(c.programme.skill_blocks, key=lambda b: b.position) for c in cohorts}
    modules = {c.programme_id: {m.skill_block_id: m.id for m in c.programme.modules} for c in cohorts}
    evaluations, results = [], []
    for cohort in cohorts:
        span = (cohort.end_date - cohort.start_date).days
        if cohort.end_date < today:
            plan = [(block, n) for n in range(2) for block in blocks[cohort.programme_id]]
        elif cohort.start_date + timedelta(weeks=3) < today:
            plan = [(blocks[cohort.programme_id][0], 0)]
        else:
            continue
        for position, (block, n) in enumerate(plan):
            day = cohort.start_date + timedelta(days=int(span * (0.2 + 0.65 * position / len(plan))))
            day = min(day, today - timedelta(days=1))
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            scored = n == 0
            evaluations.append(
                dict(
                    cohort_id=cohort.id,
                    skill_block_id=block.id,
                    module_id=modules[cohort.programme_id].get(block.id),
                    title=f"{block.code} · {ECF_TITLES[(position + n) % len(ECF_TITLES)]}",
                    date=day,
                    trainer_id=cohort.lead_trainer_id,
                    max_score=20 if scored else None,
                )
            )
            for enrolment in sorted(cohort.enrolments, key=lambda e: e.id):
                if not enrolment.is_enrolled_on(day):
                    continue
                draw = rng.random()
                score = None
                if draw < 0.04:
                    outcome = EvaluationOutcome.ABSENT
                else:
                    score = rng.randint(7, 19) if scored else None
                    acquired = score >= 10 if score is not None else draw < 0.8
                    outcome = EvaluationOutcome.ACQUIRED if acquired else EvaluationOutcome.IN_PROGRESS
                results.append(
                    dict(
                        evaluation=len(evaluations) - 1,
                        enrolment_id=enrolment.id,
                        outcome=outcome,
                        score=score,
                        comment=None,
                        assessed_by_id=cohort.lead_trainer_id,
                    )
                )
    ids = _insert(Evaluation, evaluations)
    for row in results:
        row["evaluation_id"] = ids[row.pop("evaluation")]
    _insert(EvaluationResult, results)
    _juries(rng, today, [c for c in cohorts if c.end_date < today], blocks)


def _juries(rng: random.Random, today: date, finished: list[Cohort], blocks: dict) -> None:
    juries, candidates = [], []
    for index, cohort in enumerate(finished):
        day = cohort.end_date - timedelta(days=cohort.end_date.weekday() + 21)
        published = datetime.combine(day + timedelta(days=8), time(9, 30), tzinfo=UTC)
        if published.date() >= today:
            continue
        juries.append(
            dict(
                cohort_id=cohort.id,
                date=day,
                start_time="09:00",
                place=f"CFA, site de {cohort.centre.name}",
                members=JURY_MEMBERS,
                status=JuryStatus.PUBLISHED,
                published_at=published,
            )
        )
        present = sorted((e for e in cohort.enrolments if e.status != EnrolmentStatus.INTERRUPTED), key=lambda e: e.id)
        rng.shuffle(present)
        absent = 1 if index % 2 == 0 and len(present) > 1 else 0
        obtained = round((len(present) - absent) * SUCCESS_RATE)
        block_ids = [b.id for b in blocks[cohort.programme_id]]
        for position, enrolment in enumerate(present):
            if position < absent:
                decision, acquired = Decision.ABSENT, {}
            elif position < absent + obtained:
                decision, acquired = Decision.OBTAINED, dict.fromkeys(block_ids, True)
            else:
                kept = set(rng.sample(block_ids, rng.randint(0, len(block_ids) - 1)))
                acquired = {b: b in kept for b in block_ids}
                decision = Decision.PARTIAL if kept else Decision.NOT_OBTAINED
            candidates.append((len(juries) - 1, enrolment, decision, acquired, cohort))
    jury_ids = _insert(JurySession, juries)
    candidate_ids = _insert(
        JuryCandidate,
        [
            dict(
                jury_session_id=jury_ids[jury],
                enrolment_id=enrolment.id,
                convened_at=datetime.combine(juries[jury]["date"] - timedelta(days=30), time(8, 0), tzinfo=UTC),
                decision=decision,
            )
            for jury, enrolment, decision, _, _ in candidates
        ],
    )
    block_results, awards = [], []
    for candidate_id, (jury, enrolment, decision, acquired, cohort) in zip(candidate_ids, candidates, strict=True):
        day = juries[jury]["date"]
        common = dict(
            learner_id=enrolment.apprentice_id,
            jury_candidate_id=candidate_id,
            awarded_on=day,
            evidence=f"Session de validation du {day:%d/%m/%Y}, {juries[jury]['place']}",
        )
        for block_id, ok in acquired.items():
            block_results.append(dict(candidate_id=candidate_id, skill_block_id=block_id, acquired=ok, comment=None))
            if ok:
                awards.append(dict(kind=AwardKind.SKILL_BLOCK, skill_block_id=block_id, **common))
        if decision == Decision.OBTAINED:
            awards.append(dict(kind=AwardKind.TITLE, programme_id=cohort.programme_id, **common))
    _insert(BlockResult, block_results)
    for award in awards:
        award.update(verification_code=_code(rng))
        award.setdefault("skill_block_id", None)
        award.setdefault("programme_id", None)
    _insert(Award, awards)


def _campaigns(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """Each finished cohort's end-of-training questionnaires, apprentices' and tutors', answered at the demo's
    rates (its cfa/demo/surveys.py), in bulk: campaigns, invitations, anonymous responses and their answers."""
    hot, tutors = template("apprentis-a-chaud"), template("tuteurs-employeurs")
    campaigns, invitations, responses = [], [], []
    for cohort in cohorts:
        opens_on, closes_on = cohort.end_date, cohort.end_date + timedelta(days=28)
        if closes_on >= today:
            continue
        apprentices = sorted({e.apprentice for e in cohort.enrolments}, key=lambda u: u.id)
        their_tutors = sorted({e.tutor for e in cohort.enrolments if e.tutor is not None}, key=lambda u: u.id)
        for survey, title, invitees, rate in (
            (hot, f"{cohort.name} : fin de formation", apprentices, 0.7),
            (tutors, f"{cohort.name} : tuteur·rices, fin de formation", their_tutors, 0.55),
        ):
            campaigns.append(
                dict(
                    survey_id=survey.id,
                    cohort_id=cohort.id,
                    title=title,
                    opens_on=opens_on,
                    closes_on=closes_on,
                    anonymous=True,
                    launched_at=_at(opens_on, 8),
                )
            )
            answered = round(len(invitees) * rate)
            for index, person in enumerate(invitees):
                moment = _at(opens_on + timedelta(days=rng.randrange(10)), 9 + rng.randrange(9))
                invitations.append(
                    dict(
                        campaign=len(campaigns) - 1,
                        user_id=person.id,
                        email=person.email,
                        name=person.full_name,
                        organisation=None,
                        token=f"{rng.getrandbits(192):048x}",
                        sent_at=campaigns[-1]["launched_at"],
                        responded_at=moment if index < answered else None,
                    )
                )
                if index < answered:
                    satisfied = rng.random() < 0.9
                    responses.append((len(campaigns) - 1, moment, demo_surveys._answers(rng, survey, satisfied)))
    campaign_ids = _insert(SurveyCampaign, campaigns)
    for row in invitations:
        row["campaign_id"] = campaign_ids[row.pop("campaign")]
    _insert(SurveyInvitation, invitations)
    response_ids = _insert(
        SurveyResponse,
        [dict(campaign_id=campaign_ids[c], submitted_at=moment, invitation_id=None) for c, moment, _ in responses],
    )
    answers = [
        dict(
            response_id=response_id,
            question_id=a.question_id,
            value_int=a.value_int,
            value_text=a.value_text,
            value_choices=a.value_choices,
        )
        for response_id, (_, _, given) in zip(response_ids, responses, strict=True)
        for a in given
    ]
    for first in range(0, len(answers), 20_000):
        db.session.execute(sa.insert(Answer), answers[first : first + 20_000])


def _livrets(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """The livret of every apprentice with a tutor, each ended field period written and signed by the tutor with
    three activities (the demo's wording, cfa/demo/followup.py); one cohort in seven has its last period unwritten."""
    periods = livret.field_periods_of_cohorts([c.id for c in cohorts])
    blocks = {c.programme_id: sorted(c.programme.skill_blocks, key=lambda b: b.position) for c in cohorts}
    entries, activities = [], []
    for index, cohort in enumerate(cohorts):
        for enrolment in sorted(cohort.enrolments, key=lambda e: e.id):
            if enrolment.tutor_id is None:
                continue
            ended = [p for p in livret.field_periods(enrolment, periods) if p.ended(today)]
            if index % 7 == 2:
                ended = ended[:-1]
            for number, period in enumerate(ended):
                entries.append(
                    dict(
                        enrolment_id=enrolment.id,
                        period_start=period.start,
                        period_end=period.end,
                        tutor_comment=demo_followup.COMMENTS[number % len(demo_followup.COMMENTS)],
                        tutor_id=enrolment.tutor_id,
                        tutor_signed_at=_at(period.end, 17),
                    )
                )
                for position, description in enumerate(rng.sample(demo_followup.ACTIVITIES, 3), start=1):
                    level = [ActivityLevel.IN_PROGRESS, ActivityLevel.ACQUIRED, ActivityLevel.NOT_SEEN][
                        (number + position) % 3
                    ]
                    block = blocks[cohort.programme_id][(number + position) % len(blocks[cohort.programme_id])]
                    activities.append(
                        dict(
                            entry=len(entries) - 1,
                            position=position,
                            skill_block_id=block.id,
                            description=description,
                            level=level,
                            comment=None,
                        )
                    )
    entry_ids = _insert(LivretEntry, entries)
    for row in activities:
        row["entry_id"] = entry_ids[row.pop("entry")]
    for first in range(0, len(activities), 20_000):
        db.session.execute(sa.insert(LivretActivity), activities[first : first + 20_000])


def counts() -> dict[str, int]:
    """What the database holds, by the names the generator reports."""
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {
        "centres": count(Centre),
        "cohorts": count(Cohort),
        "enrolments": count(Enrolment),
        "sessions": count(Session),
        "sheets": count(AttendanceSheet),
        "marks": count(AttendanceMark),
        "people": count(User),
        "roles": count(UserRole),
    }
