"""Every page (each GET route of the URL map) opened by every kind of person, own ids and others': the answer
follows the route's declared access (cfa/views/access.py), never a 500, and nobody opens another person's record.

The expected answer is read from each route's declaration, so a new route is covered the day it is written; the
declaration itself is checked by tests/test_code_shape.py.
"""

from datetime import date

import pytest
from flask import url_for

from cfa.services.api_tokens import create_token
from cfa.services.permissions import can
from cfa.services.survey_templates import load_templates
from tests import factories as f

PEOPLE = [
    "anonymous",
    "apprentice",
    "other_apprentice",
    "tutor",
    "other_tutor",
    "trainer",
    "other_trainer",
    "quality",
    "admin",
]
# A person's own records: what the "other" people of the same role must never open.
PRIVATE_ARGUMENTS = {"enrolment_id", "justification_id", "award_id", "request_id", "complaint_id", "visit_id"}


@pytest.fixture
def world():
    """One cohort with its apprentice, tutor and trainer, their records, and people who have nothing to do with them."""
    employer = f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    trainer = f.UserFactory.trainer()
    cohort = f.CohortFactory()
    enrolment = f.EnrolmentFactory(cohort=cohort, employer=employer, tutor=tutor, referent=trainer, with_contract=True)
    session = f.SessionFactory(cohort=cohort, trainer=trainer)
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment)
    jury = f.JurySessionFactory(cohort=cohort)
    candidate = f.JuryCandidateFactory(jury_session=jury, enrolment=enrolment)
    micro = f.MicroCertificationFactory()
    visit = f.VisitFactory(enrolment=enrolment, held_on=date(2025, 10, 1))
    award = f.AwardFactory(learner=enrolment.apprentice, micro_certification=micro)
    micro_request = f.MicroCertRequestFactory(learner=enrolment.apprentice)
    micro_request.schedule(micro_request.requested_on, trainer.id)
    survey = load_templates()[0]
    campaign = f.SurveyCampaignFactory(survey=survey, cohort=cohort)
    records = {
        "session_id": session.id,
        "enrolment_id": enrolment.id,
        "cohort_id": cohort.id,
        "justification_id": f.JustificationFactory(enrolment=enrolment).id,
        "evaluation_id": f.EvaluationFactory(cohort=cohort).id,
        "jury_id": jury.id,
        "candidate_id": candidate.id,
        "award_id": award.id,
        "request_id": micro_request.id,
        "visit_id": visit.id,
        "centre_id": cohort.centre_id,
        "room_id": f.RoomFactory(centre=cohort.centre).id,
        "closure_id": f.ClosurePeriodFactory(centre=cohort.centre).id,
        "programme_id": cohort.programme_id,
        "result_id": 1,
        "code": award.verification_code,
        "token": "pas-un-jeton",
        "month": "2026-11",
        "fmt": "csv",
        "number": 0,
        "purpose": "reset",
        "agreement_id": f.AgreementFactory().id,  # of a short course's session, not of the world's cohort
        "survey_id": survey.id,
        "question_id": survey.questions[0].id,
        "campaign_id": campaign.id,
        "invitation_id": 1,
        "complaint_id": f.ComplaintFactory(complainant=enrolment.apprentice).id,
        "action_id": f.ImprovementActionFactory().id,
        "job_id": f.ExportJobFactory().id,
        "step": "acknowledge",
        "item": "welcome",
        "import_kind": "apprentices",
        "api_token_id": create_token(f.UserFactory.admin(), "Site web", ["programmes:read"])[0].id,
        "period_id": enrolment.employer_periods[0].id,
    }
    people = {
        "apprentice": enrolment.apprentice,
        "other_apprentice": f.EnrolmentFactory().apprentice,
        "tutor": tutor,
        "other_tutor": f.UserFactory.tutor(),
        "trainer": trainer,
        "other_trainer": f.UserFactory.trainer(),
        "quality": f.UserFactory.quality(),
        "admin": f.UserFactory.admin(),
    }
    by_kind = {
        "users": people["apprentice"].id,
        "enrolments": enrolment.id,
        "cohorts": cohort.id,
        "employers": employer.id,
        "programmes": cohort.programme_id,
        "centres": cohort.centre_id,
        "micro_certifications": micro.id,
    }
    return records, people, by_kind


def _pages(app, records, by_kind):
    """(endpoint, url, arguments) of every GET route, its ids pointing to the world's records."""
    pages = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            values = {name: records[name] for name in rule.arguments if name != "obj_id"}
            if "obj_id" in rule.arguments:
                kind = next((k for k in by_kind if k.rstrip("s") in rule.endpoint), None)
                values["obj_id"] = by_kind[kind] if kind else 1
            pages.append((rule.endpoint, url_for(rule.endpoint, **values), set(rule.arguments)))
    return pages


def _declared(app, endpoint):
    """(public, abilities one of which is needed, or None when any account will do)."""
    view = app.view_functions[endpoint]
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    needed = [getattr(view, "required_abilities", ()), getattr(blueprint, "required_abilities", ())]
    return getattr(view, "public", False), [abilities for abilities in needed if abilities]


def test_every_page_answers_every_person_as_its_declared_access_says(app, client, world):
    records, people, by_kind = world
    pages = _pages(app, records, by_kind)
    seen = []
    for person in PEOPLE:
        user = people.get(person)
        if user is not None:
            client.login(user)
        for endpoint, url, arguments in pages:
            response = client.get(url)
            status = response.status_code
            seen.append(status)
            public, needed = _declared(app, endpoint)
            where = f"{person} GET {url} ({endpoint})"
            assert status < 500, f"{where}: {status}"
            if hasattr(app.view_functions[endpoint], "token_scope"):
                # The API answers a token, never a browser's session: everybody here is refused alike.
                assert status == 401 and response.is_json, f"{where}: {status}"
                continue
            if user is None:
                if not public:
                    assert status == 302 and "/connexion" in response.location, f"{where}: {status}"
                continue
            if any(not any(can(user, ability) for ability in abilities) for abilities in needed):
                assert status == 403, f"{where}: {status}, although the route needs {needed}"
            if person.startswith("other_") and arguments & PRIVATE_ARGUMENTS and not public:
                assert status in (302, 403, 404), f"{where}: another person's record answered {status}"
        if user is not None:
            client.logout()
    assert len(seen) == len(PEOPLE) * len(pages) and seen.count(200) > len(pages)
