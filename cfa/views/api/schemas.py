"""The shapes the API reads and writes (marshmallow), from which the OpenAPI document is generated."""

from marshmallow import Schema, fields, validate

from cfa.models import AwardKind, CourseAudience, EnrolmentStatus, HalfDay, ProgrammeKind, SessionStatus
from cfa.services.api_reads import MAX_LIMIT


class PageArgs(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, MAX_LIMIT), metadata={"description": "Taille"})
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "Curseur : dernier id reçu"})


class CohortArgs(PageArgs):
    programme_id = fields.Integer()


class SessionArgs(PageArgs):
    cohort_id = fields.Integer()
    changed_since = fields.AwareDateTime(
        default_timezone=None, metadata={"description": "Séances créées ou modifiées depuis (ISO 8601 avec fuseau)"}
    )


class ResultArgs(PageArgs):
    cohort_id = fields.Integer()


class EnrolmentArgs(PageArgs):
    cohort_id = fields.Integer()


class AwardArgs(PageArgs):
    learner_id = fields.Integer()


class PeriodArgs(Schema):
    start = fields.Date(metadata={"description": "Premier jour inclus"})
    end = fields.Date(metadata={"description": "Dernier jour inclus"})


class Links(Schema):
    self = fields.Url(required=True)
    next = fields.Url(allow_none=True, required=True)


class Programme(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    kind = fields.Enum(ProgrammeKind, by_value=True)
    level = fields.Integer(allow_none=True)
    rncp_code = fields.String(allow_none=True)
    total_minutes = fields.Integer()
    duration_months = fields.Integer(allow_none=True)
    audience = fields.Enum(CourseAudience, by_value=True, allow_none=True)
    entry_course = fields.Boolean()
    price_cents = fields.Integer(allow_none=True)
    updated_at = fields.AwareDateTime()


class Cohort(Schema):
    id = fields.Integer()
    name = fields.String()
    programme_id = fields.Integer()
    centre_id = fields.Integer()
    start_date = fields.Date()
    end_date = fields.Date()
    client_id = fields.Integer(allow_none=True)
    place = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime()


class Session(Schema):
    id = fields.Integer()
    cohort_id = fields.Integer()
    module_id = fields.Integer(allow_none=True)
    trainer_id = fields.Integer(allow_none=True)
    room_id = fields.Integer(allow_none=True)
    date = fields.Date()
    half_day = fields.Enum(HalfDay, by_value=True)
    start_time = fields.Time()
    end_time = fields.Time()
    status = fields.Enum(SessionStatus, by_value=True)
    updated_at = fields.AwareDateTime()


class Result(Schema):
    id = fields.Integer()
    enrolment_id = fields.Integer(attribute="candidate.enrolment_id")
    jury_session_id = fields.Integer(attribute="candidate.jury_session_id")
    jury_date = fields.Date(attribute="candidate.jury_session.date")
    skill_block_id = fields.Integer()
    skill_block_code = fields.String(attribute="skill_block.code")
    acquired = fields.Boolean()


class Award(Schema):
    id = fields.Integer()
    kind = fields.Enum(AwardKind, by_value=True)
    learner_id = fields.Integer()
    programme_id = fields.Integer(allow_none=True)
    micro_certification_id = fields.Integer(allow_none=True)
    skill_block_id = fields.Integer(allow_none=True)
    awarded_on = fields.Date()
    verification_code = fields.String()
    revoked = fields.Function(lambda award: award.revoked_at is not None, metadata={"type": "boolean"})


class Attendance(Schema):
    """Minutes over the period, summed in SQL (attendance_rates.py): the same figures as the CFA's own pages."""

    enrolment_id = fields.Integer()
    start = fields.Date(allow_none=True)
    end = fields.Date(allow_none=True)
    scheduled_minutes = fields.Integer(attribute="rate.scheduled")
    attended_minutes = fields.Integer(attribute="rate.attended")
    absent_justified_minutes = fields.Integer(attribute="rate.absent_justified")
    absent_unjustified_minutes = fields.Integer(attribute="rate.absent_unjustified")
    not_recorded_minutes = fields.Integer(attribute="rate.not_recorded_minutes")
    half_days = fields.Integer(attribute="rate.half_days")
    absences = fields.Integer(attribute="rate.absences")
    lateness = fields.Integer(attribute="rate.lateness")


class EnrolmentIn(Schema):
    apprentice_id = fields.Integer(required=True)
    cohort_id = fields.Integer(required=True)
    employer_id = fields.Integer(allow_none=True, load_default=None)
    tutor_id = fields.Integer(allow_none=True, load_default=None)
    contract_start = fields.Date(required=True)
    contract_end = fields.Date(required=True)


class Enrolment(EnrolmentIn):
    id = fields.Integer()
    status = fields.Enum(EnrolmentStatus, by_value=True)


def page_of(item: type[Schema]) -> type[Schema]:
    """A page of items with its links (the next one is null on the last page)."""
    return type(
        f"{item.__name__}Page",
        (Schema,),
        {"data": fields.List(fields.Nested(item)), "links": fields.Nested(Links)},
    )
