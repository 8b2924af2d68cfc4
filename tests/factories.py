"""factory-boy factories for every model: tests read as sentences of the domain."""

from datetime import date, time, timedelta

import factory
import faker
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory
from werkzeug.security import generate_password_hash

from cfa import models as m
from cfa.demo.foundation import valid_siret
from cfa.extensions import db

TEST_PASSWORD = "motdepasse-test"
# One cheap hash for every test account: scrypt per user would make the suite slow for nothing.
_TEST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1")


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session = db.session
        sqlalchemy_session_persistence = "flush"


class EmployerFactory(Base):
    class Meta:
        model = m.Employer

    name = factory.Sequence(lambda n: f"Employeur {n}")
    siret = factory.Sequence(lambda n: valid_siret(100_000 + n))  # numbers the demo's employers do not use
    kind = m.EmployerKind.ASSOCIATION
    city = "Rennes"
    postcode = "35000"


_FAKE = faker.Faker("fr_FR")


def _letters(n: int) -> str:
    """Four letters that no other number gives ("Aaaa", "Aaab"…), so that no name is a prefix of another."""
    letters = ""
    for _ in range(4):
        n, rest = divmod(n, 26)
        letters = chr(ord("a") + rest) + letters
    return letters.capitalize()


class UserFactory(Base):
    class Meta:
        model = m.User

    email = factory.Sequence(lambda n: f"personne{n}@exemple.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    # A random surname made unique: a test that checks someone else's name is absent from a page must not meet it by
    # chance, as the trainer's own or a second learner's drawn from the same few hundred names (seen failing CI).
    last_name = factory.Sequence(lambda n: f"{_FAKE.last_name()} {_letters(n)}")
    password_hash = _TEST_HASH
    active = True

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or [])
        if create:
            db.session.flush()  # requests run in their own session: they must see the roles

    @classmethod
    def admin(cls, **kw):
        return cls(roles=[m.Role.ADMIN], **kw)

    @classmethod
    def quality(cls, **kw):
        return cls(roles=[m.Role.QUALITY], **kw)

    @classmethod
    def trainer(cls, **kw):
        return cls(roles=[m.Role.TRAINER], **kw)

    @classmethod
    def apprentice(cls, **kw):
        return cls(roles=[m.Role.APPRENTICE], **kw)

    @classmethod
    def tutor(cls, employer=None, **kw):
        return cls(roles=[m.Role.TUTOR], employer=employer or EmployerFactory(), **kw)


class CentreFactory(Base):
    class Meta:
        model = m.Centre

    name = factory.Sequence(lambda n: f"Centre {n}")
    code = factory.Sequence(lambda n: f"C{n}")
    city = "Rennes"


class RoomFactory(Base):
    class Meta:
        model = m.Room

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 16


class ClosurePeriodFactory(Base):
    class Meta:
        model = m.ClosurePeriod

    centre = factory.SubFactory(CentreFactory)
    label = "Vacances de Noël"
    start_date = date(2025, 12, 22)
    end_date = date(2026, 1, 2)


class OrganisationFactory(Base):
    class Meta:
        model = m.Organisation

    name = "CFA Médiation sociale Ouest"
    legal_representative = "Hélène Le Goff"
    legal_representative_title = "Directrice"
    siret = "73282932000074"
    nda = "53350812335"
    uai = "0352976V"
    address = "12 rue de la Médiation"
    postcode = "35000"
    city = "Rennes"


class ProgrammeFactory(Base):
    class Meta:
        model = m.Programme

    code = factory.Sequence(lambda n: f"P{n}")
    title = factory.Sequence(lambda n: f"Titre professionnel {n}")
    level = 4
    total_minutes = 441 * 60
    duration_months = 11
    course_weeks = 1
    field_weeks = 3
    first_block_weeks = 1
    centre_days = "12345"
    morning_start = time(9, 0)
    morning_end = time(12, 30)
    afternoon_start = time(13, 30)
    afternoon_end = time(17, 0)


class ShortCourseFactory(ProgrammeFactory):
    """A short training action (formation courte): no level, no rhythm in months."""

    kind = m.ProgrammeKind.SHORT_COURSE
    code = factory.Sequence(lambda n: f"FC{n}")
    title = factory.Sequence(lambda n: f"Formation courte {n}")
    level = None
    duration_months = None
    total_minutes = 42 * 60
    audience = m.CourseAudience.MEDIATION_PROFESSIONALS
    objectives = "Situer la médiation sociale dans son cadre\nAdopter une posture de tiers"
    content = "Cadre déontologique, posture, communication."
    teaching_methods = "Apports, études de cas, mises en situation."
    assessment_methods = "Quiz de positionnement et mise en situation finale."
    prerequisites = "Aucun"
    price_cents = 90000
    modality = m.ParticipationForm.ON_SITE


class SkillBlockFactory(Base):
    class Meta:
        model = m.SkillBlock

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"CCP{n + 1}")
    title = factory.Sequence(lambda n: f"Bloc de compétences {n + 1}")


class ModuleFactory(Base):
    class Meta:
        model = m.Module

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    code = factory.Sequence(lambda n: f"M{n + 1}")
    title = factory.Sequence(lambda n: f"Module {n + 1}")
    minutes = 35 * 60


class MicroCertificationFactory(Base):
    class Meta:
        model = m.MicroCertification

    code = factory.Sequence(lambda n: f"MC{n}")
    title = factory.Sequence(lambda n: f"Micro-certification {n}")
    domain = 1
    learning_outcomes = "Situer la médiation sociale dans son cadre\nAdopter une posture de tiers"
    workload_minutes = 14 * 60
    eqf_level = 3
    assessment_method = "Mise en situation professionnelle"


class CohortFactory(Base):
    class Meta:
        model = m.Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    start_date = date(2025, 9, 15)
    end_date = date(2026, 8, 14)


class EnrolmentFactory(Base):
    class Meta:
        model = m.Enrolment

    apprentice = factory.SubFactory(UserFactory, roles=[m.Role.APPRENTICE])
    cohort = factory.SubFactory(CohortFactory)
    employer = factory.SubFactory(EmployerFactory)
    tutor = factory.LazyAttribute(lambda o: UserFactory(roles=[m.Role.TUTOR], employer=o.employer))
    contract_start = factory.LazyAttribute(lambda o: o.cohort.start_date)
    contract_end = factory.LazyAttribute(lambda o: o.cohort.end_date)
    status = m.EnrolmentStatus.ACTIVE

    @factory.post_generation
    def with_contract(obj, create, extracted, **kwargs):
        """`with_contract=True`: the contract's file opened as the enrolment form does (its employer period)."""
        if create and extracted:
            from cfa.services.contracts import sync_running_period

            sync_running_period(obj)
            db.session.flush()


class ShortCourseRunFactory(CohortFactory):
    """A session de formation of a short course: a cohort of a short-course programme, lasting days."""

    programme = factory.SubFactory(ShortCourseFactory)
    name = factory.Sequence(lambda n: f"Session courte {n}")
    start_date = date(2025, 10, 6)
    end_date = date(2025, 10, 17)


class TraineeEnrolmentFactory(EnrolmentFactory):
    """A trainee of a short course: an employee of a client, without an account or a tutor."""

    apprentice = factory.LazyAttribute(lambda o: UserFactory(roles=[m.Role.LEARNER], employer=o.employer))
    cohort = factory.SubFactory(ShortCourseRunFactory)
    tutor = None


class AgreementFactory(Base):
    class Meta:
        model = m.Agreement

    number = factory.Sequence(lambda n: f"CF-2025-{n + 1:04d}")
    cohort = factory.SubFactory(ShortCourseRunFactory)
    employer = factory.SubFactory(EmployerFactory)
    trainee_count = 1
    price_cents = 90000
    payment_terms = "À réception de facture, à 30 jours."
    cancellation_terms = "Annulation sans frais jusqu'à 10 jours avant le début."


class MicroCertRequestFactory(Base):
    class Meta:
        model = m.MicroCertRequest

    learner = factory.SubFactory(UserFactory, roles=[m.Role.LEARNER])
    requested_by = factory.LazyAttribute(lambda o: o.learner)
    requested_on = date(2025, 11, 3)


class SurveyFactory(Base):
    """A questionnaire with the overall question (1-5) and a free comment."""

    class Meta:
        model = m.Survey

    family = factory.Sequence(lambda n: f"questionnaire-{n}")
    title = factory.Sequence(lambda n: f"Questionnaire {n}")
    audience = m.Audience.APPRENTICE
    timing = m.SurveyTiming.HOT

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        self.questions = extracted or [
            m.SurveyQuestion(
                position=1,
                text="Globalement, êtes-vous satisfait·e ?",
                kind=m.QuestionKind.SCALE,
                measure="overall_satisfaction",
            ),
            m.SurveyQuestion(position=2, text="Un commentaire ?", kind=m.QuestionKind.TEXT, required=False),
        ]
        if create:
            db.session.flush()


class SurveyCampaignFactory(Base):
    """A campaign not launched yet, closing at the end of 2025."""

    class Meta:
        model = m.SurveyCampaign

    survey = factory.SubFactory(SurveyFactory)
    cohort = factory.SubFactory(CohortFactory)
    title = factory.Sequence(lambda n: f"Campagne {n}")
    opens_on = date(2025, 6, 1)
    closes_on = date(2025, 12, 31)
    anonymous = True


class SessionFactory(Base):
    class Meta:
        model = m.Session

    cohort = factory.SubFactory(CohortFactory)
    date = date(2025, 9, 15)
    half_day = m.HalfDay.AM
    start_time = factory.LazyAttribute(lambda o: time(9, 0) if o.half_day == m.HalfDay.AM else time(13, 30))
    end_time = factory.LazyAttribute(lambda o: time(12, 30) if o.half_day == m.HalfDay.AM else time(17, 0))
    status = m.SessionStatus.PLANNED


def running_session(day: date) -> m.Session:
    """A morning of a cohort running from September 2026 to August 2027, with its trainer: the sheet most
    attendance tests take and sign."""
    cohort = CohortFactory(start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    return SessionFactory(cohort=cohort, date=day, trainer=UserFactory.trainer())


class CalendarPeriodFactory(Base):
    class Meta:
        model = m.CalendarPeriod

    cohort = factory.SubFactory(CohortFactory)
    kind = m.PeriodKind.COURSE
    start_date = date(2025, 9, 15)
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=4))


class AttendanceSheetFactory(Base):
    class Meta:
        model = m.AttendanceSheet

    session = factory.SubFactory(SessionFactory)


class AttendanceMarkFactory(Base):
    class Meta:
        model = m.AttendanceMark

    sheet = factory.SubFactory(AttendanceSheetFactory)
    session = factory.LazyAttribute(lambda o: o.sheet.session)
    enrolment = factory.LazyAttribute(lambda o: EnrolmentFactory(cohort=o.sheet.session.cohort))
    status = m.MarkStatus.PRESENT


class EvaluationFactory(Base):
    class Meta:
        model = m.Evaluation

    cohort = factory.SubFactory(CohortFactory)
    skill_block = factory.LazyAttribute(lambda o: SkillBlockFactory(programme=o.cohort.programme))
    title = "Étude de cas"
    date = date(2026, 1, 15)


class JurySessionFactory(Base):
    class Meta:
        model = m.JurySession

    cohort = factory.SubFactory(CohortFactory)
    date = date(2026, 7, 2)
    place = "CFA, site de Rennes"
    members = "Présidente du jury\nProfessionnel du secteur"


class JuryCandidateFactory(Base):
    class Meta:
        model = m.JuryCandidate

    jury_session = factory.SubFactory(JurySessionFactory)
    enrolment = factory.LazyAttribute(lambda o: EnrolmentFactory(cohort=o.jury_session.cohort))


class AwardFactory(Base):
    class Meta:
        model = m.Award

    kind = m.AwardKind.MICRO_CERTIFICATION
    learner = factory.SubFactory(UserFactory, roles=[m.Role.APPRENTICE])
    micro_certification = factory.SubFactory(MicroCertificationFactory)
    awarded_on = date(2026, 3, 1)


class JustificationFactory(Base):
    class Meta:
        model = m.Justification

    enrolment = factory.SubFactory(EnrolmentFactory)
    start_date = date(2025, 9, 16)
    end_date = date(2025, 9, 16)
    reason = "Arrêt maladie"
    submitted_by = factory.LazyAttribute(lambda o: o.enrolment.apprentice)
    status = m.JustificationStatus.PENDING


class ComplaintFactory(Base):
    """A complaint recorded by the quality team (give `complainant` for one filed from a portal)."""

    class Meta:
        model = m.Complaint

    received_on = date(2025, 3, 3)
    channel = "email"
    complainant = None
    complainant_name = factory.LazyAttribute(lambda o: o.complainant.full_name if o.complainant else "M. Durand")
    complainant_kind = m.Audience.EMPLOYER
    subject = "Convocation reçue tardivement"
    description = "La convocation est arrivée la veille de l'épreuve."


class ImprovementActionFactory(Base):
    class Meta:
        model = m.ImprovementAction

    title = "Envoyer les convocations quinze jours avant"
    description = "Planifier l'envoi des convocations dès la date de jury connue."
    source = m.ActionSource.TEAM
    due_on = date(2025, 6, 30)


class ExportJobFactory(Base):
    class Meta:
        model = m.ExportJob

    kind = "audit_xlsx"
    parameters = factory.LazyFunction(lambda: {"year": 2025, "centre_id": None})
    requested_by_id = factory.LazyFunction(lambda: UserFactory.quality().id)


class VisitFactory(Base):
    class Meta:
        model = m.Visit

    enrolment = factory.SubFactory(EnrolmentFactory)
    kind = m.VisitKind.COMPANY_VISIT
    planned_on = date(2025, 10, 1)
    place = "Sur le lieu de travail"
    observations = "Intégration réussie dans l'équipe."


class VisitActionFactory(Base):
    class Meta:
        model = m.VisitAction

    visit = factory.SubFactory(VisitFactory)
    description = "Transmettre la fiche de poste"
    owner = "Tuteur·rice"
    due_on = date(2025, 10, 15)


def closed_flags_disagreeing() -> int:
    """Half-days whose `sheet_closed` flag says otherwise than their sheet: none, whatever wrote them."""
    closed = sa.exists().where(m.AttendanceSheet.session_id == m.Session.id, m.AttendanceSheet.closed_at.is_not(None))
    return db.session.scalar(
        sa.select(sa.func.count(m.Session.id)).where(m.Session.sheet_closed != sa.case((closed, True), else_=False))
    )
