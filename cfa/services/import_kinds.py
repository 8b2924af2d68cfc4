"""What each kind of import reads and how it matches what Cadence already holds.

People are matched on their e-mail, employers on their SIRET, enrolments on the apprentice and the cohort, and
trainees the way their registration finds them (e-mail, else name within the employer). Everything a kind looks up
is loaded once for the whole file, so that a thousand rows do not cost a thousand queries; enrolments and trainees
go through the services that register them by hand, so they obey the same rules and leave the same audit events.
"""

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import selectinload

from cfa.batches import batches
from cfa.extensions import db
from cfa.formatting import short_date, today_paris
from cfa.models import Cohort, Employer, EmployerKind, Enrolment, Role, User
from cfa.services import audit, enrolments, identifiers, trainees
from cfa.services.import_files import cell_date, cell_text
from cfa.services.imports import CREATE, UNCHANGED, UPDATE, Column, Row, RowProblem
from cfa.services.short_courses import CourseError

NAME = (Column("last_name", "Nom", True, "Martin"), Column("first_name", "Prénom", True, "Léa"))
EMAIL = Column("email", "E-mail", True, "lea.martin@exemple.fr")
PHONE = Column("phone", "Téléphone", False, "06 12 34 56 78")
JOB_TITLE = Column("job_title", "Fonction", False, "Formatrice, accès aux droits")
EMPLOYER_SIRET = Column("employer_siret", "SIRET de l'employeur", False, "356 000 000 00048")


@dataclass
class Context:
    """What a kind found for the whole file, and the keys already seen in it (duplicates are errors)."""

    actor: object
    today: date
    people: dict[str, User] = field(default_factory=dict)
    employers: dict[str, Employer] = field(default_factory=dict)
    cohorts: dict[str, Cohort] = field(default_factory=dict)
    seen: dict[object, int] = field(default_factory=dict)
    existing: dict[object, object] = field(default_factory=dict)  # records found by their key (enrolments)

    def once(self, key, row: Row, column: str, what: str) -> None:
        if key in self.seen:
            raise RowProblem(column, f"{what} figure déjà ligne {self.seen[key]} du fichier.")
        self.seen[key] = row.number


def _text(row: Row, key: str, limit: int | None = None) -> str:
    value = cell_text(row.cells.get(key))
    if limit and len(value) > limit:
        row.error(key, f"{len(value)} caractères : {limit} au plus.")
    return value


def _required(row: Row, key: str, limit: int | None = None) -> str:
    value = _text(row, key, limit)
    if not value:
        row.error(key, "Valeur obligatoire manquante.")
    return value


def _email(row: Row, key: str, required: bool = True) -> str | None:
    value = _text(row, key).lower()
    if not value:
        if required:
            row.error(key, "Valeur obligatoire manquante.")
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        row.error(key, f"« {value} » n'est pas une adresse e-mail valide.")
        return None


def _date(row: Row, key: str) -> date | None:
    raw = row.cells.get(key)
    if raw is None or cell_text(raw) == "":
        row.error(key, "Date obligatoire manquante.")
        return None
    if (value := cell_date(raw)) is None:
        row.error(key, f"« {cell_text(raw)} » n'est pas une date (attendu : JJ/MM/AAAA).")
    return value


def _cells(rows: list[Row], *keys: str) -> set[str]:
    return {cell_text(row.cells.get(key)).lower() for row in rows for key in keys} - {""}


def _load_people(rows: list[Row], *keys: str) -> dict[str, User]:
    emails = list(_cells(rows, *keys))
    found: dict[str, User] = {}
    for batch in batches(emails, 500):  # bounded IN lists, whatever the database
        stmt = sa.select(User).where(User.email.in_(batch))
        found.update({user.email: user for user in db.session.scalars(stmt)})
    return found


def _load_employers(rows: list[Row], key: str) -> dict[str, Employer]:
    sirets = [identifiers.normalise(value) for value in _cells(rows, key)]
    stmt = sa.select(Employer).where(Employer.siret.in_(sirets))
    return {employer.siret: employer for employer in db.session.scalars(stmt)}


def _employer(context: Context, row: Row, key: str, required: bool) -> Employer | None:
    raw = _text(row, key)
    if not raw:
        if required:
            row.error(key, "Valeur obligatoire manquante.")
        return None
    if message := identifiers.siret_error(raw):
        row.error(key, message)
        return None
    employer = context.employers.get(identifiers.normalise(raw))
    if employer is None:
        row.error(key, f"Aucun employeur n'a le SIRET {raw} : importez d'abord les employeurs.")
    return employer


def _apply(record, values: dict) -> tuple[str, dict | None]:
    """Set the values that differ; an empty cell keeps what is known. (action, the record's state before)."""
    before = audit.snapshot(record)
    changed = False
    for name, value in values.items():
        if value not in (None, "") and getattr(record, name) != value:
            setattr(record, name, value)
            changed = True
    return (UPDATE if changed else UNCHANGED), before


class PersonKind:
    """People with one role, matched on their e-mail; new ones have no password until an admin invites them."""

    def __init__(self, name: str, title: str, role: Role, extra: tuple[Column, ...] = ()):
        self.name, self.title, self.role = name, title, role
        self.columns = (*NAME, EMAIL, PHONE, *extra)

    def context(self, actor, rows: list[Row]) -> Context:
        context = Context(actor, today_paris(), people=_load_people(rows, "email"))
        if any(column.key == "employer_siret" for column in self.columns):
            context.employers = _load_employers(rows, "employer_siret")
        return context

    def values(self, context: Context, row: Row) -> dict:
        values = {
            "last_name": _required(row, "last_name", 80),
            "first_name": _required(row, "first_name", 80),
            "phone": _text(row, "phone", 20) or None,
        }
        if "birth_date" in row.cells and cell_text(row.cells["birth_date"]):
            values["birth_date"] = _date(row, "birth_date")
        if "job_title" in row.cells:
            values["job_title"] = _text(row, "job_title", 120) or None
        if "employer_siret" in row.cells:
            employer = _employer(context, row, "employer_siret", required=True)
            values["employer_id"] = employer.id if employer else None
        return values

    def handle(self, context: Context, row: Row):
        email = _email(row, "email")
        values = self.values(context, row)
        if email:
            context.once(email, row, "E-mail", f"L'adresse {email}")
        if row.errors:
            return None
        person = context.people.get(email)
        if person is None:
            person = User(email=email, password_hash=None, active=True, **values)
            person.set_roles([self.role])
            db.session.add(person)
            context.people[email] = person
            return CREATE, f"{values['first_name']} {values['last_name']} ({email})", person, None
        if not person.has_role(self.role):
            roles = ", ".join(role.label for role in sorted(person.roles)) or "aucun rôle"
            raise RowProblem("E-mail", f"{email} est déjà le compte d'une autre personne ({roles}).")
        if values.get("employer_id") and person.employer_id not in (None, values["employer_id"]):
            raise RowProblem("SIRET de l'employeur", f"{person.full_name} est rattaché·e à un autre employeur.")
        action, before = _apply(person, values)
        return action, f"{person.full_name} ({email})", person, before


class EmployerImport:
    name, title = "employers", "Employeurs"
    columns = (
        Column("name", "Raison sociale", True, "Ville de Rennes"),
        Column("siret", "SIRET", True, "213 502 388 00019"),
        Column("kind", "Type", True, EmployerKind.CITY.label, ", ".join(k.label for k in EmployerKind)),
        Column("address", "Adresse", False, "Place de la Mairie"),
        Column("postcode", "Code postal", False, "35000"),
        Column("city", "Ville", False, "Rennes"),
        Column("opco", "OPCO", False, "CNFPT"),
        Column("contact_name", "Contact", False, "Service RH"),
        Column("contact_email", "E-mail du contact", False, "rh@exemple.fr"),
        Column("phone", "Téléphone", False, "02 99 00 00 00"),
    )
    LIMITS = {"address": 200, "postcode": 5, "city": 100, "opco": 80, "contact_name": 120, "phone": 20}

    def context(self, actor, rows: list[Row]) -> Context:
        return Context(actor, today_paris(), employers=_load_employers(rows, "siret"))

    def handle(self, context: Context, row: Row):
        raw = _required(row, "siret")
        if raw and (message := identifiers.siret_error(raw)):
            row.error("siret", message)
        values = {"name": _required(row, "name", 160), "kind": self._kind(row)}
        values |= {key: _text(row, key, limit) or None for key, limit in self.LIMITS.items()}
        values["contact_email"] = _email(row, "contact_email", required=False)
        siret = identifiers.normalise(raw)
        if siret and not row.errors:
            context.once(siret, row, "SIRET", f"Le SIRET {raw}")
        if row.errors:
            return None
        employer = context.employers.get(siret)
        if employer is None:
            employer = Employer(siret=siret, **values)
            db.session.add(employer)
            context.employers[siret] = employer
            return CREATE, f"{values['name']} (SIRET {siret})", employer, None
        action, before = _apply(employer, values)
        return action, f"{employer.name} (SIRET {siret})", employer, before

    def _kind(self, row: Row) -> EmployerKind | None:
        text = _required(row, "kind").lower()
        for kind in EmployerKind:
            if text in (kind.value, kind.label.lower()):
                return kind
        if text:
            row.error("kind", f"Type « {text} » inconnu : {', '.join(k.label for k in EmployerKind)}.")
        return None


def _load_cohorts(rows: list[Row], key: str) -> dict[str, Cohort]:
    names = _cells(rows, key)
    stmt = sa.select(Cohort).where(sa.func.lower(Cohort.name).in_(names)).options(selectinload(Cohort.programme))
    return {cohort.name.lower(): cohort for cohort in db.session.scalars(stmt)}


def _cohort(context: Context, row: Row, key: str, short_course: bool) -> Cohort | None:
    name = _required(row, key)
    cohort = context.cohorts.get(name.lower())
    if name and cohort is None:
        row.error(key, f"Aucune promotion ou session ne s'appelle « {name} ».")
    elif cohort is not None and cohort.programme.is_short_course != short_course:
        expected = "une session de formation courte" if short_course else "une promotion d'apprentissage"
        row.error(key, f"« {name} » n'est pas {expected}.")
        return None
    return cohort


class EnrolmentImport:
    name, title = "enrolments", "Inscriptions d'apprenti·es"
    columns = (
        Column("apprentice_email", "E-mail de l'apprenti·e", True, "lea.martin@exemple.fr"),
        Column("cohort", "Promotion", True, "MSADS Rennes 2025-2026"),
        EMPLOYER_SIRET,
        Column("tutor_email", "E-mail du tuteur", False, "tuteur@exemple.fr"),
        Column("contract_start", "Début du contrat", True, "15/09/2025"),
        Column("contract_end", "Fin du contrat", True, "14/09/2026"),
    )

    def context(self, actor, rows: list[Row]) -> Context:
        context = Context(actor, today_paris(), people=_load_people(rows, "apprentice_email", "tutor_email"))
        context.employers = _load_employers(rows, "employer_siret")
        context.cohorts = _load_cohorts(rows, "cohort")
        if context.people and context.cohorts:
            stmt = sa.select(Enrolment).where(
                Enrolment.apprentice_id.in_([person.id for person in context.people.values()]),
                Enrolment.cohort_id.in_([cohort.id for cohort in context.cohorts.values()]),
            )
            context.existing = {(e.apprentice_id, e.cohort_id): e for e in db.session.scalars(stmt)}
        return context

    def _person(self, context: Context, row: Row, key: str, role: Role, required: bool) -> User | None:
        email = _email(row, key, required)
        person = context.people.get(email) if email else None
        if email and (person is None or not person.has_role(role)):
            row.error(key, f"Aucun·e {role.label.lower()} n'a l'adresse {email} : importez d'abord les personnes.")
            return None
        return person

    def handle(self, context: Context, row: Row):
        apprentice = self._person(context, row, "apprentice_email", Role.APPRENTICE, True)
        cohort = _cohort(context, row, "cohort", short_course=False)
        employer = _employer(context, row, "employer_siret", required=False)
        tutor = self._person(context, row, "tutor_email", Role.TUTOR, False)
        start, end = _date(row, "contract_start"), _date(row, "contract_end")
        if cohort and start and end and (end < cohort.start_date or start > cohort.end_date):
            period = f"du {short_date(cohort.start_date)} au {short_date(cohort.end_date)}"
            row.error("contract_start", f"Le contrat ne recouvre pas la promotion ({period}).")
        if apprentice and cohort:
            context.once((apprentice.id, cohort.id), row, "E-mail de l'apprenti·e", "Cette inscription")
        if row.errors:
            return None
        existing = context.existing.get((apprentice.id, cohort.id))
        # As for people, an empty cell keeps what is known: a file without tutors does not take them away.
        values = enrolments.EnrolmentValues(
            apprentice.id,
            cohort.id,
            employer.id if employer else existing and existing.employer_id,
            tutor.id if tutor else existing and existing.tutor_id,
            start,
            end,
            existing.referent_id if existing else None,
        )
        label = f"{apprentice.full_name} dans {cohort.name}"
        if existing is not None and all(getattr(existing, k) == v for k, v in vars(values).items()):
            return UNCHANGED, label, None, None
        try:
            enrolments.save(context.actor, existing, values)  # its own rules and audit event
        except enrolments.EnrolmentError as error:
            raise RowProblem(self._label(error.field), str(error)) from error
        return (CREATE if existing is None else UPDATE), label, None, None

    def _label(self, field_name: str | None) -> str | None:
        return {"tutor_id": "E-mail du tuteur", "contract_end": "Fin du contrat"}.get(field_name or "")


class TraineeImport:
    name, title = "trainees", "Stagiaires de formations courtes"
    columns = (
        *NAME,
        Column("email", "E-mail", False, "lea.martin@exemple.fr", "Facultatif : sans adresse, documents papier."),
        Column("employer_siret", "SIRET de l'employeur", False, "356 000 000 00048", "Vide : à titre individuel."),
        Column("run", "Session", True, "Socle médiation Rennes mars 2026"),
    )

    def context(self, actor, rows: list[Row]) -> Context:
        context = Context(actor, today_paris(), employers=_load_employers(rows, "employer_siret"))
        context.cohorts = _load_cohorts(rows, "run")
        return context

    def handle(self, context: Context, row: Row):
        values = trainees.TraineeValues(
            _required(row, "first_name", 80),
            _required(row, "last_name", 80),
            _email(row, "email", required=False),
            None,
        )
        employer = _employer(context, row, "employer_siret", required=False)
        run = _cohort(context, row, "run", short_course=True)
        if row.errors:
            return None
        values = trainees.TraineeValues(values.first_name, values.last_name, values.email, employer and employer.id)
        key = (values.email or f"{values.first_name} {values.last_name} {values.employer_id}".lower(), run.id)
        context.once(key, row, "Nom", f"{values.first_name} {values.last_name}")
        label = f"{values.first_name} {values.last_name} dans {run.name}"
        person = trainees.find_person(values, values.employer_id)
        taken = person is not None and db.session.scalar(
            sa.select(Enrolment.id).where(Enrolment.apprentice_id == person.id, Enrolment.cohort_id == run.id)
        )
        if taken:
            return UNCHANGED, label, None, None
        try:
            trainees.register(context.actor, run, values, context.today)  # its own rules and audit events
        except CourseError as error:
            raise RowProblem(None, str(error)) from error
        return CREATE, label, None, None


KINDS = {
    kind.name: kind
    for kind in (
        EmployerImport(),
        PersonKind(
            "apprentices",
            "Apprenti·es",
            Role.APPRENTICE,
            (Column("birth_date", "Date de naissance", False, "14/03/2005"),),
        ),
        PersonKind(
            "tutors",
            "Tuteur·rices",
            Role.TUTOR,
            (
                Column("employer_siret", "SIRET de l'employeur", True, "356 000 000 00048"),
                JOB_TITLE,
            ),
        ),
        PersonKind("trainers", "Formateur·rices", Role.TRAINER, (JOB_TITLE,)),
        EnrolmentImport(),
        TraineeImport(),
    )
}
