"""Demo step 1: the organisation, centres, programmes, people, employers, cohorts and enrolments."""

import functools
import random
import unicodedata
from datetime import date, timedelta

import sqlalchemy as sa
from stdnum import luhn
from werkzeug.security import generate_password_hash

from cfa.demo import data
from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import (
    Centre,
    ClosurePeriod,
    Cohort,
    Employer,
    EmployerKind,
    Enrolment,
    EnrolmentStatus,
    InterruptionKind,
    MicroCertification,
    Module,
    ModuleAssignment,
    Organisation,
    Programme,
    Role,
    Room,
    SkillBlock,
    User,
)


def seed_foundation(rng: random.Random, calendar: DemoCalendar) -> None:
    _organisation()
    centres = {c["code"]: _centre(c, calendar.closures) for c in data.CENTRES}
    programmes = {p["code"]: _programme(p) for p in data.PROGRAMMES}
    _micro_certifications(programmes)
    staff = {email: _person(email, first, last, roles, job_title=job) for email, first, last, roles, job in data.STAFF}
    _assign_trainers(programmes, staff)
    employers, tutors = _employers(rng)
    _cohorts_and_enrolments(rng, calendar, programmes, centres, staff, employers, tutors)
    db.session.flush()


def get_or_create(model, defaults=None, **keys):
    """The row with these natural keys, created with the defaults if it does not exist yet."""
    obj = db.session.scalar(sa.select(model).filter_by(**keys))
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def valid_siret(seed: int) -> str:
    """A SIRET whose SIREN and SIRET both carry their Luhn key, derived from a number (one number, one SIRET)."""
    siren8 = f"{(seed * 7919 + 21000000) % 100000000:08d}"
    siret13 = siren8 + luhn.calc_check_digit(siren8) + f"{seed % 1000 + 10:04d}"
    return siret13 + luhn.calc_check_digit(siret13)


def _organisation() -> None:
    if db.session.scalar(sa.select(Organisation.id)) is None:
        fields = dict(data.ORGANISATION, siret=valid_siret(4198))
        db.session.add(Organisation(**fields))


def _centre(spec: dict, closures) -> Centre:
    fields = {k: v for k, v in spec.items() if k not in ("code", "rooms")}
    centre = get_or_create(Centre, fields, code=spec["code"])
    for name, capacity in spec["rooms"]:
        get_or_create(Room, {"capacity": capacity}, centre_id=centre.id, name=name)
    for label, start, end in closures:
        get_or_create(ClosurePeriod, {"label": label, "end_date": end}, centre_id=centre.id, start_date=start)
    return centre


def _programme(spec: dict) -> Programme:
    fields = {
        k: spec[k] for k in ("title", "level", "rncp_code", "rncp_valid_from", "rncp_valid_until", "duration_months")
    }
    fields.update(total_minutes=spec["hours"] * 60, first_block_weeks=spec.get("first_block_weeks", 1))
    programme = get_or_create(Programme, fields, code=spec["code"])
    blocks = {}
    for position, (code, title, description) in enumerate(spec["blocks"], start=1):
        blocks[code] = get_or_create(
            SkillBlock,
            {"title": title, "description": description, "position": position},
            programme_id=programme.id,
            code=code,
        )
    for position, (code, title, block_code, hours) in enumerate(spec["modules"], start=1):
        get_or_create(
            Module,
            {
                "title": title,
                "position": position,
                "minutes": hours * 60,
                "skill_block_id": blocks[block_code].id if block_code else None,
            },
            programme_id=programme.id,
            code=code,
        )
    return programme


def _micro_certifications(programmes: dict) -> None:
    for spec in data.MICRO_CERTIFICATIONS:
        micro = get_or_create(
            MicroCertification,
            dict(
                title=spec["title"],
                domain=spec["domain"],
                learning_outcomes="\n".join(spec["outcomes"]),
                workload_minutes=spec["hours"] * 60,
                eqf_level=spec["eqf"],
                description="Micro-certification délivrée à l'issue de la formation socle de 6 jours.",
                assessment_method="Mise en situation professionnelle filmée et entretien avec un évaluateur",
                prerequisites="Exercer ou se destiner à une fonction d'accueil ou de médiation",
            ),
            code=spec["code"],
        )
        if not micro.skill_blocks:
            micro.skill_blocks = [
                block
                for programme_code, block_code in spec["blocks"]
                for block in programmes[programme_code].skill_blocks
                if block.code == block_code
            ]


def _person(email: str, first: str, last: str, roles, **fields) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = _new_person(email, first, last, roles, **fields)
        db.session.flush()
    return user


def _new_person(email: str, first: str, last: str, roles, **fields) -> User:
    """A person known not to exist yet, added without a flush: a cohort's apprentices are inserted together."""
    user = User(email=email, first_name=first, last_name=last, **fields)
    user.set_roles(roles)
    user.password_hash = _demo_password_hash()
    user.regenerate_calendar_token()
    db.session.add(user)
    return user


@functools.cache
def _demo_password_hash() -> str:
    """Every demo account shares one password: hash it once (scrypt is slow on purpose)."""
    return generate_password_hash(data.DEMO_PASSWORD)


def _assign_trainers(programmes: dict, staff: dict) -> None:
    """Module defaults follow the Rennes team; each cohort's own team is set by module assignments."""
    for programme in programmes.values():
        rennes = data.TEACHING["RENNES", programme.code]
        for module in programme.modules:
            if module.default_trainer_id is None:
                module.default_trainer_id = staff[rennes.get(module.code, rennes["default"])].id


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() else "-" for c in ascii_text.lower()).strip("-").replace("--", "-")


def _domain(name: str) -> str:
    """An e-mail domain from an employer's name: cut to 30 characters, never ending with a hyphen (not a valid
    domain label, which an import or the account form would refuse)."""
    return f"{_slug(name)[:30].rstrip('-')}.test"


def _employers(rng: random.Random):
    employers, tutors = {}, {}
    for index, (name, kind, city, postcode, opco) in enumerate(data.EMPLOYERS):
        employer = get_or_create(
            Employer,
            dict(
                name=name,
                kind=EmployerKind(kind),
                city=city,
                postcode=postcode,
                opco=opco,
                address=f"{rng.randint(1, 80)} {rng.choice(['rue', 'avenue', 'boulevard'])} "
                f"{rng.choice(['de la République', 'Jean Jaurès', 'des Lices', 'du Général de Gaulle', 'Victor Hugo'])}",
                contact_name=f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
                contact_email=f"contact@{_domain(name)}",
                phone=f"02 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            ),
            siret=valid_siret(index + 1),
        )
        employers[name] = employer
        emails = ["tuteur@cadence.test"] if name == data.DEMO_EMPLOYER else []
        emails += [f"tuteur{n}@{_domain(name)}" for n in (1, 2)]
        tutors[name] = []
        for email in emails:
            first, last = (
                ("Gwenaël", "Le Corre")
                if email == "tuteur@cadence.test"
                else (rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES))
            )
            tutors[name].append(
                _person(
                    email,
                    first,
                    last,
                    [Role.TUTOR],
                    employer_id=employer.id,
                    job_title="Responsable d'équipe de médiation",
                )
            )
    return employers, tutors


def _cohorts_and_enrolments(rng, calendar, programmes, centres, staff, employers, tutors) -> None:
    used_names: set[str] = set(db.session.scalars(sa.select(User.email).where(User.email.like("%@apprenti.test"))))
    employer_names = list(employers)
    local = {"RENNES": employer_names[:7] + employer_names[14:], "NANTES": employer_names[7:]}
    for spec in calendar.cohorts:
        centre = centres[spec.centre]
        teaching = data.TEACHING[spec.centre, spec.programme]
        cohort = get_or_create(
            Cohort,
            dict(
                programme_id=programmes[spec.programme].id,
                centre_id=centre.id,
                start_date=spec.start,
                end_date=spec.end,
                lead_trainer_id=staff[teaching["default"]].id,
                default_room_id=centre.rooms[0].id if spec.programme == "MSADS" else centre.rooms[1].id,
            ),
            name=spec.name,
        )
        if cohort.calendar_token is None:
            cohort.regenerate_calendar_token()
        if not cohort.module_assignments:
            for module in programmes[spec.programme].modules:
                trainer = staff[teaching.get(module.code, teaching["default"])]
                cohort.module_assignments.append(ModuleAssignment(module_id=module.id, trainer_id=trainer.id))
        if cohort.enrolments:
            continue
        for position in range(spec.headcount):
            if spec.is_demo and position == 0:
                apprentice = _person(
                    data.DEMO_APPRENTICE,
                    "Inès",
                    "Marchand",
                    [Role.APPRENTICE],
                    birth_date=date(2001, 4, 12),
                    phone="06 12 34 56 78",
                )
                employer_name = data.DEMO_EMPLOYER
                tutor = tutors[employer_name][0]
            else:
                first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
                email = f"{_slug(first)}.{_slug(last)}@apprenti.test"
                suffix = 2
                while email in used_names:
                    email = f"{_slug(first)}.{_slug(last)}{suffix}@apprenti.test"
                    suffix += 1
                used_names.add(email)
                birth = date(1985, 1, 1) + timedelta(days=rng.randint(0, 21 * 365))
                apprentice = _new_person(email, first, last, [Role.APPRENTICE], birth_date=birth)
                employer_name = rng.choice(local[spec.centre])
                tutor = rng.choice(tutors[employer_name])
            enrolment = Enrolment(
                apprentice=apprentice,
                employer_id=employers[employer_name].id,
                tutor_id=tutor.id,
                contract_start=spec.start,
                contract_end=spec.end,
            )
            cohort.enrolments.append(enrolment)
            if spec.end < calendar.today:
                enrolment.status = EnrolmentStatus.COMPLETED
        db.session.flush()
        if spec.finished:
            _interruptions(rng, cohort)


def _interruptions(rng: random.Random, cohort: Cohort) -> None:
    """A few contracts end early, as they do in every year: published as rupture and interruption rates."""
    candidates = [e for e in cohort.enrolments if e.apprentice.email.endswith("@apprenti.test")]
    kinds = [
        (InterruptionKind.RUPTURE, "Rupture à l'initiative de l'apprenti·e pendant la période d'essai."),
        (InterruptionKind.DROPOUT, "Abandon de la formation pour raisons personnelles."),
    ]
    for enrolment, (kind, reason) in zip(rng.sample(candidates, 1), kinds[cohort.id % 2 :], strict=False):
        enrolment.status = EnrolmentStatus.ACTIVE
        enrolment.interrupt(cohort.start_date + timedelta(days=rng.randint(40, 200)), kind, reason)
