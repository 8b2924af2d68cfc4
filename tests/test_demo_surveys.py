"""The demo's surveys: the short courses' 2025 satisfaction comes out exactly as published (94 %, 93 %, 97 %),
whatever runs the short-course demo holds; every audience has past campaigns with answers; a second run adds
nothing; the demo apprentice has a questionnaire to answer."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.demo.calendar import build_calendar
from cfa.demo.surveys import SHORT_COURSE_SATISFACTION_2025, Target, seed_surveys, spread, target_for
from cfa.extensions import db
from cfa.formatting import percent
from cfa.services.satisfaction import satisfaction_rates
from cfa.services.survey_templates import load_templates
from tests import factories as f


@pytest.mark.parametrize(
    ("available", "wanted", "expected"),
    [
        (17, 94, Target(17, 16)),
        (20, 94, Target(18, 17)),
        (15, 93, Target(15, 14)),
        (33, 97, Target(33, 32)),
        (40, 97, Target(39, 38)),
    ],
)
def test_the_most_answers_that_give_the_published_rate_once_rounded(available, wanted, expected):
    found = target_for(available, wanted)
    assert found == expected
    assert percent(found.satisfied / found.respondents) == percent(wanted / 100)


def test_a_rate_no_number_of_answers_can_give_is_said_so():
    with pytest.raises(ValueError):
        target_for(3, 94)


def test_answers_are_shared_among_runs_without_exceeding_any():
    assert spread(Target(17, 16), [8, 6, 10]) == [Target(8, 8), Target(6, 6), Target(3, 2)]


def _runs(audience, sizes, year=2025):
    runs = []
    for size in sizes:
        run = f.ShortCourseRunFactory(
            programme=f.ShortCourseFactory(audience=audience), start_date=date(year, 5, 12), end_date=date(year, 5, 16)
        )
        for n in range(size):
            trainee = f.UserFactory(
                roles=[m.Role.LEARNER], email=None if n % 3 == 0 else f"stagiaire{run.id}-{n}@exemple.test"
            )
            f.TraineeEnrolmentFactory(cohort=run, apprentice=trainee)
        runs.append(run)
    return runs


def test_the_short_courses_published_satisfaction_of_2025_is_reproduced_on_any_runs():
    _runs(m.CourseAudience.MEDIATION_PROFESSIONALS, [9, 12])
    _runs(m.CourseAudience.PUBLIC_RECEPTION, [8, 8, 7])
    _runs(m.CourseAudience.PRISON_WORKSHOPS, [11, 12, 14])
    _runs(m.CourseAudience.PRISON_WORKSHOPS, [10], year=2024)  # another year: not surveyed by this step

    seed_surveys(None, build_calendar(date(2026, 11, 30)))

    rates = satisfaction_rates("course_audience", year=2025)
    assert {audience: percent(rate.value) for audience, rate in rates.items() if audience} == {
        audience: percent(value / 100) for audience, value in SHORT_COURSE_SATISFACTION_2025.items()
    }
    trainees = satisfaction_rates("audience", year=2025)[m.Audience.LEARNER]
    assert trainees.denominator <= 21 + 23 + 37
    paper = db.session.scalar(
        sa.select(sa.func.count(m.SurveyResponse.id)).where(m.SurveyResponse.invitation_id.is_(None))
    )
    assert paper > 0  # trainees without an address answered on paper, anonymously


def test_the_step_surveys_every_audience_over_two_years_and_runs_twice_without_adding(app):
    load_templates()
    cohort = f.CohortFactory(start_date=date(2024, 9, 16), end_date=date(2025, 6, 27))
    for _ in range(6):
        f.EnrolmentFactory(cohort=cohort)
    for _ in range(3):
        f.UserFactory.trainer()
    _runs(m.CourseAudience.PUBLIC_RECEPTION, [15])
    calendar = build_calendar(date(2026, 11, 30))

    seed_surveys(None, calendar)
    count = db.session.scalar(sa.select(sa.func.count(m.SurveyCampaign.id)))
    seed_surveys(None, calendar)

    assert db.session.scalar(sa.select(sa.func.count(m.SurveyCampaign.id))) == count
    for year in (2024, 2025):
        audiences = set(satisfaction_rates("audience", year=year))
        assert {m.Audience.APPRENTICE, m.Audience.TRAINER, m.Audience.FUNDER} <= audiences, year
    assert set(satisfaction_rates("audience", year=2025)) == set(m.Audience)
    situations = db.session.scalars(
        sa.select(m.Answer.value_text)
        .join(m.SurveyQuestion, m.SurveyQuestion.id == m.Answer.question_id)
        .where(m.SurveyQuestion.measure == "situation_6_months")
    ).all()
    assert situations and set(situations) <= {
        "En emploi",
        "En poursuite d'études",
        "En recherche d'emploi",
        "Autre situation",
    }


def test_runs_too_small_for_the_published_rate_still_get_their_answers_rather_than_breaking_the_demo():
    _runs(m.CourseAudience.MEDIATION_PROFESSIONALS, [5])
    seed_surveys(None, build_calendar(date(2026, 11, 30)))
    rate = satisfaction_rates("course_audience", year=2025)[m.CourseAudience.MEDIATION_PROFESSIONALS]
    assert (rate.numerator, rate.denominator) == (5, 5)  # round(5 x 94 %): the nearest five answers can give
