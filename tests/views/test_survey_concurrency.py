"""The same one-time link submitted twice at the same instant (a double click, two tabs): one answer counts,
the other gets the "already answered" page, never an error.

Like tests/views/test_attendance_concurrency.py, the data is committed in an app of its own and removed afterwards,
and each pair of requests starts together behind a barrier, from two threads with two real connections.
"""

from datetime import timedelta
from functools import partial

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import SurveyInvitation, SurveyResponse
from cfa.services.survey_campaigns import launch
from tests import factories as f
from tests.views.test_attendance_concurrency import _together, shared_app

__all__ = ["shared_app"]  # the fixture, imported to be used here

PAIRS = 6


@pytest.mark.parametrize("anonymous", [True, False], ids=["anonymous", "named"])
def test_two_simultaneous_submissions_of_one_link_count_once(shared_app, anonymous):
    for _ in range(PAIRS):
        with shared_app.app_context():
            today = today_paris()
            cohort = f.CohortFactory()
            f.EnrolmentFactory(cohort=cohort)
            campaign = f.SurveyCampaignFactory(
                cohort=cohort,
                anonymous=anonymous,
                opens_on=today - timedelta(days=1),
                closes_on=today + timedelta(days=9),
            )
            launch(None, campaign, lambda token: token)
            invitation = campaign.invitations[0]
            token, question_id, campaign_id = invitation.token, campaign.survey.questions[0].id, campaign.id
            db.session.commit()
            db.session.remove()
        one, two = shared_app.test_client(), shared_app.test_client()
        url = f"/qualite/questionnaire/{token}"
        responses = _together(
            partial(one.post, url, data={f"q{question_id}": "5"}), partial(two.post, url, data={f"q{question_id}": "1"})
        )
        assert all(not isinstance(r, Exception) and r.status_code < 500 for r in responses), responses
        texts = sorted(r.get_data(as_text=True) for r in responses)
        assert sum("Merci ! Votre réponse est enregistrée." in t for t in texts) == 1
        assert sum("déjà répondu" in t for t in texts) == 1
        with shared_app.app_context():
            stored = db.session.scalar(
                sa.select(sa.func.count(SurveyResponse.id)).where(SurveyResponse.campaign_id == campaign_id)
            )
            answered = db.session.scalar(
                sa.select(SurveyInvitation.responded_at).where(SurveyInvitation.campaign_id == campaign_id)
            )
            assert stored == 1 and answered is not None
