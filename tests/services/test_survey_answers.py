"""Answering by the one-time link: every kind of question checked, required ones enforced, one answer per
invitation, and an anonymous answer that cannot be traced back to whoever gave it."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from cfa.services.survey_answers import AnswerErrors, enter_paper_answers, invitation_by_token, submit
from cfa.services.survey_campaigns import launch
from cfa.services.survey_results import campaign_results, nps_score
from cfa.services.surveys import SurveyError
from tests import factories as f

K = m.QuestionKind
NOW = datetime(2025, 6, 10, 9, 17, tzinfo=UTC)
CHOICES = ["En emploi", "En poursuite d'études", "En recherche d'emploi"]


def _every_kind():
    return f.SurveyFactory(
        questions=[
            m.SurveyQuestion(position=1, text="Satisfait·e ?", kind=K.SCALE, measure="overall_satisfaction"),
            m.SurveyQuestion(position=2, text="Oui ou non ?", kind=K.YES_NO),
            m.SurveyQuestion(position=3, text="Recommanderiez-vous ?", kind=K.NPS, required=False),
            m.SurveyQuestion(position=4, text="Situation ?", kind=K.CHOICE, choices=CHOICES),
            m.SurveyQuestion(position=5, text="Outils ?", kind=K.MULTIPLE, choices=["A", "B", "C"], required=False),
            m.SurveyQuestion(position=6, text="Commentaire ?", kind=K.TEXT, required=False),
        ]
    )


def _launched(people=2, anonymous=True, survey=None):
    cohort = f.CohortFactory()
    for _ in range(people):
        f.EnrolmentFactory(cohort=cohort)
    campaign = f.SurveyCampaignFactory(cohort=cohort, anonymous=anonymous, survey=survey or _every_kind())
    launch(None, campaign, lambda token: token, now=NOW)
    return campaign


def _form(campaign, *values):
    return {f"q{q.id}": v for q, v in zip(campaign.survey.questions, values, strict=False) if v is not None}


def _full(campaign, scale="5"):
    return _form(campaign, [scale], ["1"], ["9"], ["En emploi"], ["A", "C"], ["Très utile"])


def test_an_answer_of_every_kind_is_stored_with_its_value():
    campaign = _launched(anonymous=False)
    invitation = campaign.invitations[0]
    response = submit(invitation.token, _full(campaign), now=NOW)
    stored = {a.question.position: (a.value_int, a.value_text, a.value_choices) for a in response.answers}
    assert stored == {
        1: (5, None, None),
        2: (1, None, None),
        3: (9, None, None),
        4: (None, "En emploi", None),
        5: (None, None, ["A", "C"]),
        6: (None, "Très utile", None),
    }
    assert response.invitation_id == invitation.id and invitation.responded_at == NOW


@pytest.mark.parametrize(
    ("values", "wrong"),
    [
        ((None, ["1"], None, ["En emploi"]), 1),  # required scale left empty
        ((["6"], ["1"], None, ["En emploi"]), 1),  # off the scale
        ((["cinq"], ["1"], None, ["En emploi"]), 1),
        ((["5"], ["2"], None, ["En emploi"]), 2),
        ((["5"], ["1"], ["11"], ["En emploi"]), 3),
        ((["5"], ["1"], None, ["Retraité"]), 4),  # not one of the choices
        ((["5"], ["1"], None, ["En emploi", "En poursuite d'études"]), 4),
        ((["5"], ["1"], None, ["En emploi"], ["A", "Z"]), 5),
        ((["5"], ["1"], None, ["En emploi"], None, ["x" * 5001]), 6),
    ],
)
def test_a_wrong_or_missing_answer_is_refused_and_nothing_is_stored(values, wrong):
    campaign = _launched()
    invitation = campaign.invitations[0]
    with pytest.raises(AnswerErrors) as refused:
        submit(invitation.token, _form(campaign, *values), now=NOW)
    assert list(refused.value.errors) == [campaign.survey.questions[wrong - 1].id]
    assert invitation.responded_at is None
    assert db.session.scalar(sa.select(sa.func.count(m.SurveyResponse.id))) == 0


def test_an_anonymous_answer_keeps_no_link_to_its_invitation_nor_its_time_yet_answers_once():
    campaign = _launched(anonymous=True)
    invitation = campaign.invitations[0]
    response = submit(invitation.token, _full(campaign), now=NOW)
    assert response.invitation_id is None
    assert response.submitted_at.date() == NOW.date() and response.submitted_at != NOW
    assert invitation.responded_at == NOW
    with pytest.raises(SurveyError, match="déjà répondu"):
        submit(invitation.token, _full(campaign, scale="1"), now=NOW + timedelta(minutes=1))
    assert db.session.scalar(sa.select(sa.func.count(m.SurveyResponse.id))) == 1


def test_a_closed_not_yet_open_or_unknown_link_refuses_the_answer():
    campaign = _launched()
    token = campaign.invitations[0].token
    with pytest.raises(SurveyError, match="clos"):
        submit(token, _full(campaign), now=datetime(2026, 1, 1, 8, tzinfo=UTC))
    with pytest.raises(SurveyError, match="ouvre le"):
        submit(token, _full(campaign), now=datetime(2025, 5, 1, tzinfo=UTC))
    with pytest.raises(SurveyError, match="pas valide"):
        submit("inconnu", _full(campaign), now=NOW)
    draft = f.SurveyCampaignFactory()
    draft_invitation = m.SurveyInvitation(campaign=draft, email="x@exemple.test")
    db.session.add(draft_invitation)
    db.session.flush()
    assert invitation_by_token(draft_invitation.token) is None
    assert invitation_by_token("x" * 500) is None


def test_paper_answer_sheets_add_answers_without_touching_the_links():
    campaign = _launched()
    enter_paper_answers(None, campaign, _full(campaign), now=NOW)
    results = campaign_results(campaign)
    assert results.responses == 1 and all(i.responded_at is None for i in campaign.invitations)
    with pytest.raises(SurveyError, match="Lancez"):
        enter_paper_answers(None, f.SurveyCampaignFactory(), {}, now=NOW)


def test_results_count_each_answer_per_question_with_shares_averages_and_the_nps():
    campaign = _launched(people=4)
    scores = [("5", "10", ["A"]), ("4", "9", ["A", "B"]), ("2", "3", None), ("5", "7", ["C"])]
    for invitation, (scale, nps, tools) in zip(campaign.invitations, scores, strict=True):
        form = _form(campaign, [scale], ["1"], [nps], ["En emploi"], tools, ["Bien"] if scale == "5" else None)
        submit(invitation.token, form, now=NOW)

    results = campaign_results(campaign)
    scale, yes_no, nps, choice, multiple, text = results.questions
    assert [c.count for c in scale.counts] == [0, 1, 0, 1, 2]
    assert scale.average == 4.0 and scale.counts[4].share == 0.5
    assert (results.satisfaction.numerator, results.satisfaction.denominator) == (3, 4)
    assert [c.count for c in yes_no.counts] == [4, 0]
    assert nps.nps == 25 and nps.average == 7.25  # 2 promoters, 1 detractor, out of 4
    assert [(c.label, c.count) for c in choice.counts][0] == ("En emploi", 4)
    assert (multiple.answered, [c.count for c in multiple.counts]) == (3, [2, 1, 1])
    assert text.texts == ["Bien", "Bien"] and not text.charted


def test_a_campaign_without_answers_has_no_data_rather_than_zero():
    campaign = _launched()
    results = campaign_results(campaign)
    assert results.responses == 0 and results.satisfaction is None
    assert all(r.answered == 0 and r.average is None and not r.charted for r in results.questions)
    assert results.questions[0].counts[0].share is None


@pytest.mark.parametrize(
    ("counts", "score"),
    [({10: 3}, 100), ({0: 1, 6: 1}, -100), ({9: 1, 8: 1, 5: 1, 7: 1}, 0), ({}, None), ({8: 2}, 0)],
)
def test_the_nps_is_promoters_minus_detractors_in_points(counts, score):
    assert nps_score(counts) == score
