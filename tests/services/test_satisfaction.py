"""Satisfaction: answers 4 or 5 of 5 to the overall question, over all answers to it, grouped in SQL."""

from datetime import date

import pytest

from cfa import models as m
from cfa.extensions import db
from cfa.services.satisfaction import OVERALL, satisfaction_rates
from tests import factories as f


def _campaign(audience, closes_on, cohort=None, scores=(), measure=OVERALL):
    survey = m.Survey(
        family=f"s-{audience}-{closes_on:%Y%m%d}-{len(measure)}",  # within the column's 40 characters
        title="Fin de formation",
        audience=audience,
        timing=m.SurveyTiming.HOT,
    )
    question = m.SurveyQuestion(
        position=1, text="Globalement, êtes-vous satisfait·e ?", kind=m.QuestionKind.SCALE, measure=measure
    )
    comment = m.SurveyQuestion(position=2, text="Un commentaire ?", kind=m.QuestionKind.TEXT, required=False)
    survey.questions = [question, comment]
    campaign = m.SurveyCampaign(
        survey=survey, cohort=cohort, title="Campagne", opens_on=date(closes_on.year, 1, 1), closes_on=closes_on
    )
    db.session.add(campaign)
    for score in scores:
        response = m.SurveyResponse(campaign=campaign)
        response.answers = [m.Answer(question=question, value_int=score), m.Answer(question=comment, value_text="ok")]
        db.session.add(response)
    db.session.flush()
    return campaign


@pytest.mark.parametrize(
    ("scores", "expected"),
    [((5, 4, 3, 2), (2, 4)), ((5, 5, 5), (3, 3)), ((1,), (0, 1)), ((4, 4, 4, 4, 4, 4, 4, 4, 4, 1), (9, 10))],
)
def test_satisfied_answers_are_4_or_5_of_5_over_every_answer_to_the_overall_question(scores, expected):
    _campaign(m.Audience.LEARNER, date(2025, 6, 30), scores=scores)
    rate = satisfaction_rates("audience", year=2025)[m.Audience.LEARNER]
    assert (rate.numerator, rate.denominator) == expected


def test_a_year_or_a_group_without_answers_has_no_rate_rather_than_zero():
    _campaign(m.Audience.APPRENTICE, date(2025, 6, 30), scores=())
    assert satisfaction_rates("audience", year=2025) == {}
    _campaign(m.Audience.EMPLOYER, date(2024, 6, 30), scores=(5,))
    assert m.Audience.EMPLOYER not in satisfaction_rates("audience", year=2025)


def test_only_the_overall_question_counts_and_short_courses_group_by_their_audience():
    pros = f.ShortCourseRunFactory(programme=f.ShortCourseFactory(audience=m.CourseAudience.MEDIATION_PROFESSIONALS))
    prisons = f.ShortCourseRunFactory(programme=f.ShortCourseFactory(audience=m.CourseAudience.PRISON_WORKSHOPS))
    _campaign(m.Audience.LEARNER, date(2025, 3, 1), cohort=pros, scores=(5, 4, 2))
    _campaign(m.Audience.LEARNER, date(2025, 3, 2), cohort=prisons, scores=(5, 5))
    _campaign(m.Audience.LEARNER, date(2025, 3, 3), cohort=pros, scores=(1, 1), measure="trainer_quality")
    rates = satisfaction_rates("course_audience", year=2025)
    assert (
        rates[m.CourseAudience.MEDIATION_PROFESSIONALS].numerator,
        rates[m.CourseAudience.MEDIATION_PROFESSIONALS].denominator,
    ) == (2, 3)
    assert rates[m.CourseAudience.PRISON_WORKSHOPS].value == 1.0
    assert satisfaction_rates("cohort", cohort_ids=[prisons.id]) == {
        prisons.id: rates[m.CourseAudience.PRISON_WORKSHOPS]
    }
