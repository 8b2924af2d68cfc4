"""The API's routes: thin, each one token scope, one read of services/api_reads.py, ETag on every read."""

from flask import g, request
from flask_smorest import abort

from cfa.extensions import db
from cfa.services import api_reads
from cfa.services.enrolments import EnrolmentError, EnrolmentValues
from cfa.urls import public_url
from cfa.views.access import token_required
from cfa.views.api import bp
from cfa.views.api import schemas as s


def _refusals(view):
    """Documents the token's refusals (access.token_required) on a route of the OpenAPI document."""
    view = bp.alt_response(403, description="Le jeton n'a pas le droit demandé")(view)
    return bp.alt_response(401, description="Jeton absent, inconnu ou révoqué")(view)


def _known_version(listing, after: int | None, limit: int, **filters) -> None:
    """The page's ETag from what it holds, before it is loaded: 304 here if the integration has it already."""
    version = api_reads.page_version(listing, after, limit, **filters)
    bp.set_etag([request.host_url, request.full_path, *(str(figure) for figure in version)])


def _page_body(page: api_reads.Page) -> dict:
    """The page and its links (on the public address); the next link keeps the filters and moves the cursor."""
    args = {k: v for k, v in request.args.items() if k != "after"}
    after = {"after": page.next_after} if page.next_after is not None else None
    return {
        "data": page.items,
        "links": {
            "self": public_url(request.endpoint, **request.args),
            "next": public_url(request.endpoint, **args, **after) if after else None,
        },
    }


@bp.route("/programmes")
@token_required("programmes:read")
@_refusals
@bp.etag
@bp.arguments(s.PageArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Programme))
def programmes(limit: int, after: int | None = None):
    """Les formations : titres en apprentissage et formations courtes."""
    _known_version(api_reads.programmes, after, limit)
    return _page_body(api_reads.programmes(after, limit))


@bp.route("/cohorts")
@token_required("cohorts:read")
@_refusals
@bp.etag
@bp.arguments(s.CohortArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Cohort))
def cohorts(limit: int, after: int | None = None, programme_id: int | None = None):
    """Les promotions et sessions de formation, d'une formation si demandé."""
    _known_version(api_reads.cohorts, after, limit, programme_id=programme_id)
    return _page_body(api_reads.cohorts(after, limit, programme_id))


@bp.route("/sessions")
@token_required("sessions:read")
@_refusals
@bp.etag
@bp.arguments(s.SessionArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Session))
def sessions(limit: int, after: int | None = None, cohort_id: int | None = None, changed_since=None):
    """Les séances (demi-journées), annulées comprises ; `changed_since` ne donne que les changements depuis."""
    _known_version(api_reads.sessions, after, limit, cohort_id=cohort_id, changed_since=changed_since)
    return _page_body(api_reads.sessions(after, limit, cohort_id, changed_since))


@bp.route("/enrolments/<int:enrolment_id>/attendance")
@token_required("attendance:read")
@_refusals
@bp.etag
@bp.arguments(s.PeriodArgs, location="query", as_kwargs=True)
@bp.response(200, s.Attendance)
def attendance(enrolment_id: int, start=None, end=None):
    """Les minutes de présence, d'absence justifiée ou non et non renseignées d'une inscription sur une période."""
    rate = api_reads.attendance(enrolment_id, start, end)
    if rate is None:
        abort(404, message="Inscription inconnue.")
    return {"enrolment_id": enrolment_id, "start": start, "end": end, "rate": rate}


@bp.route("/results")
@token_required("results:read")
@_refusals
@bp.etag
@bp.arguments(s.ResultArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Result))
def results(limit: int, after: int | None = None, cohort_id: int | None = None):
    """Les décisions du jury par bloc de compétences, une fois les résultats publiés."""
    return _page_body(api_reads.results(after, limit, cohort_id))


@bp.route("/awards")
@token_required("awards:read")
@_refusals
@bp.etag
@bp.arguments(s.AwardArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Award))
def awards(limit: int, after: int | None = None, learner_id: int | None = None):
    """Les certifications délivrées (CCP, titres, micro-certifications), révoquées comprises."""
    return _page_body(api_reads.awards(after, limit, learner_id))


@bp.route("/enrolments")
@token_required("enrolments:read")
@_refusals
@bp.etag
@bp.arguments(s.EnrolmentArgs, location="query", as_kwargs=True)
@bp.response(200, s.page_of(s.Enrolment))
def enrolments(limit: int, after: int | None = None, cohort_id: int | None = None):
    """Les inscriptions (contrats et places en formation courte), d'une promotion si demandé."""
    _known_version(api_reads.enrolment_page, after, limit, cohort_id=cohort_id)
    return _page_body(api_reads.enrolment_page(after, limit, cohort_id))


@bp.route("/enrolments", methods=["POST"])
@token_required("enrolments:write")
@_refusals
@bp.arguments(s.EnrolmentIn)
@bp.response(201, s.Enrolment)
@bp.alt_response(422, description="Inscription refusée (message en français, champ concerné)")
def create_enrolment(values: dict):
    """Inscrire une personne dans une promotion : mêmes contrôles et même trace d'audit que l'écran de l'admin."""
    try:
        enrolment = api_reads.create_enrolment(g.api_token, EnrolmentValues(**values))
    except EnrolmentError as error:
        db.session.rollback()
        abort(422, message=str(error), errors={error.field or "_schema": [str(error)]})
    db.session.commit()
    return enrolment
