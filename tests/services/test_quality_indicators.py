"""The quality dashboard's figures on hand-computed cases: each a numerator over a denominator, and an empty
population has no value ("pas de données") rather than 0 % or a division by zero."""

from datetime import UTC, date, datetime, timedelta

import pytest

from cfa import models as m
from cfa.extensions import db
from cfa.services import quality_indicators as qi
from cfa.services.complaints import advance, record_complaint
from cfa.services.survey_templates import SITUATIONS
from tests import factories as f

YEAR = qi.Scope(2025)


def _jury(cohort, decisions, on=date(2025, 6, 20)):
    jury = f.JurySessionFactory(
        cohort=cohort,
        date=on,
        status=m.JuryStatus.PUBLISHED,
        published_at=datetime(on.year, on.month, on.day, 12, tzinfo=UTC),
    )
    for decision in decisions:
        f.JuryCandidateFactory(jury_session=jury, decision=decision)
    return jury


D = m.Decision


@pytest.mark.parametrize(
    ("decisions", "success", "partial"),
    [
        ([D.OBTAINED, D.OBTAINED, D.PARTIAL, D.NOT_OBTAINED], (2, 4), (1, 4)),
        ([D.OBTAINED, D.ABSENT], (1, 1), (0, 1)),  # an absent candidate was not presented
        ([D.ABSENT], (0, 0), (0, 0)),
        ([], (0, 0), (0, 0)),
    ],
)
def test_exam_success_counts_the_full_title_and_the_partial_over_the_candidates_presented(decisions, success, partial):
    _jury(f.CohortFactory(), decisions)
    got_success, got_partial = qi.success(YEAR)
    assert (got_success.rate.numerator, got_success.rate.denominator) == success
    assert (got_partial.rate.numerator, got_partial.rate.denominator) == partial
    if success[1] == 0:
        assert got_success.value is None and got_success.percent is None


def test_exam_success_follows_the_filters_and_the_year():
    rennes, nantes = f.CohortFactory(), f.CohortFactory()
    _jury(rennes, [D.OBTAINED, D.NOT_OBTAINED])
    _jury(nantes, [D.OBTAINED])
    _jury(nantes, [D.NOT_OBTAINED], on=date(2024, 6, 1))
    assert qi.success(qi.Scope(2025, cohort_id=rennes.id))[0].rate.numerator == 1
    assert qi.success(qi.Scope(2025, centre_id=nantes.centre_id))[0].percent == 100
    assert qi.success(qi.Scope(2024))[0].percent == 0


@pytest.mark.parametrize(
    ("leavers", "stayers", "interruption", "rupture"),
    [
        ([m.InterruptionKind.RUPTURE, m.InterruptionKind.DROPOUT], 2, (2, 4), (1, 4)),
        ([m.InterruptionKind.REORIENTATION], 0, (1, 1), (0, 1)),
        ([], 3, (0, 3), (0, 3)),
        ([], 0, (0, 0), (0, 0)),
    ],
)
def test_interruption_counts_every_early_leaver_and_rupture_the_broken_contracts(
    leavers, stayers, interruption, rupture
):
    cohort = f.CohortFactory(start_date=date(2024, 9, 1), end_date=date(2025, 8, 31))
    for _ in range(stayers):
        f.EnrolmentFactory(cohort=cohort)
    for kind in leavers:
        f.EnrolmentFactory(
            cohort=cohort,
            status=m.EnrolmentStatus.INTERRUPTED,
            interrupted_on=date(2025, 2, 1),
            interruption_kind=kind,
            interruption_reason="Départ",
        )
    got_interruption, got_rupture = qi.interruption_and_rupture(YEAR)
    assert (got_interruption.rate.numerator, got_interruption.rate.denominator) == interruption
    assert (got_rupture.rate.numerator, got_rupture.rate.denominator) == rupture


def test_short_course_trainees_hold_no_contract_and_stay_out_of_interruption_and_rupture():
    f.TraineeEnrolmentFactory(cohort=f.ShortCourseRunFactory(start_date=date(2025, 3, 3), end_date=date(2025, 3, 4)))
    assert qi.interruption_and_rupture(YEAR)[0].rate.denominator == 0


def test_a_learner_who_left_the_year_before_is_not_counted_in_this_years_population():
    cohort = f.CohortFactory(start_date=date(2023, 9, 1), end_date=date(2025, 8, 31))
    f.EnrolmentFactory(
        cohort=cohort,
        status=m.EnrolmentStatus.INTERRUPTED,
        interrupted_on=date(2024, 5, 1),
        interruption_kind=m.InterruptionKind.DROPOUT,
        interruption_reason="Départ",
    )
    assert qi.interruption_and_rupture(YEAR)[0].rate.denominator == 0
    assert qi.interruption_and_rupture(qi.Scope(2024))[0].rate.numerator == 1


@pytest.mark.parametrize(
    ("answer_after", "expected"),
    [
        ([3, 15, 20], (2, 3)),  # the CFA's target is 15 days
        ([None], (0, 1)),  # received long ago, never answered: due and late
        ([], (0, 0)),
    ],
)
def test_complaints_answered_within_the_cfas_target_over_those_whose_answer_is_due(answer_after, expected):
    actor = f.UserFactory.quality()
    for days in answer_after:
        complaint = record_complaint(
            actor,
            received_on=date(2025, 3, 1),
            channel="email",
            complainant_name="M. Durand",
            complainant_kind=m.Audience.EMPLOYER,
            subject="Retard de convocation",
            description="La convocation est arrivée tard.",
        )
        if days is not None:
            advance(actor, complaint, "acknowledge", date(2025, 3, 1))
            advance(actor, complaint, "answer", date(2025, 3, 1) + timedelta(days=days), "Réponse écrite.")
    got = qi.complaints_within_target(YEAR, today=date(2025, 12, 31))
    assert (got.rate.numerator, got.rate.denominator) == expected


def test_a_complaint_received_yesterday_is_not_yet_due():
    record_complaint(
        f.UserFactory.quality(),
        received_on=date(2025, 12, 30),
        channel="phone",
        complainant_name="Mme Roux",
        complainant_kind=m.Audience.APPRENTICE,
        subject="Salle",
        description="Salle trop froide.",
    )
    assert qi.complaints_within_target(YEAR, today=date(2025, 12, 31)).rate.denominator == 0


def _add_action(**values):
    db.session.add(m.ImprovementAction(title="Action", description="…", source=m.ActionSource.TEAM, **values))
    db.session.flush()


def test_actions_open_late_and_done_are_counted():
    _add_action(due_on=date(2025, 1, 1))
    _add_action(due_on=date(2026, 6, 1))
    _add_action(status=m.ActionStatus.DONE, done_on=date(2026, 1, 5), evidence="Compte rendu")
    _add_action(status=m.ActionStatus.ABANDONED)
    counts = qi.action_counts(qi.Scope(2026), today=date(2026, 1, 10))
    assert counts == {"open": 2, "late": 1, "done": 1, "abandoned": 1}
    assert (qi.actions_figure(counts).rate.numerator, qi.actions_figure(counts).rate.denominator) == (1, 4)


def _cold_survey(answers, closes_on=date(2025, 6, 30)):
    survey = m.Survey(
        family=f"froid-{closes_on}", title="À froid", audience=m.Audience.APPRENTICE, timing=m.SurveyTiming.COLD
    )
    question = m.SurveyQuestion(
        position=1,
        text="Votre situation ?",
        kind=m.QuestionKind.CHOICE,
        measure=qi.SITUATION,
        choices=list(SITUATIONS[:3]),
    )
    survey.questions = [question]
    campaign = m.SurveyCampaign(survey=survey, title="À froid", opens_on=date(2025, 1, 1), closes_on=closes_on)
    db.session.add(campaign)
    for text in answers:
        response = m.SurveyResponse(campaign=campaign)
        response.answers = [m.Answer(question=question, value_text=text)]
        db.session.add(response)
    db.session.flush()
    return campaign


@pytest.mark.parametrize(
    ("answers", "integration", "continuation"),
    [
        ([SITUATIONS[0], SITUATIONS[0], SITUATIONS[1], SITUATIONS[2]], (2, 4), (1, 4)),
        (["En recherche d'emploi"], (0, 1), (0, 1)),
        ([], (0, 0), (0, 0)),
    ],
)
def test_cadences_own_estimates_read_the_cold_surveys_situation_answers(answers, integration, continuation):
    _cold_survey(answers)
    got_integration, got_continuation = qi.situation_estimates(YEAR)
    assert (got_integration.rate.numerator, got_integration.rate.denominator) == integration
    assert (got_continuation.rate.numerator, got_continuation.rate.denominator) == continuation


def test_response_rate_is_invitations_answered_over_invitations_sent():
    campaign = _cold_survey([])
    for n, answered in enumerate((True, False, False, True, True)):
        db.session.add(
            m.SurveyInvitation(
                campaign=campaign,
                email=f"p{n}@exemple.test",
                sent_at=datetime(2025, 6, 1, tzinfo=UTC),
                responded_at=datetime(2025, 6, 2, tzinfo=UTC) if answered else None,
            )
        )
    db.session.add(m.SurveyInvitation(campaign=campaign, email="pas-envoye@exemple.test"))
    db.session.flush()
    rate = qi.response_rates(YEAR)[m.Audience.APPRENTICE]
    assert (rate.numerator, rate.denominator) == (3, 5)
    assert qi.response_rates(qi.Scope(2024)) == {}


def test_an_empty_year_gives_a_dashboard_without_a_single_value():
    board = qi.dashboard(qi.Scope(2019), today=date(2026, 1, 1))
    assert all(fig.value is None for fig in board.rates)
    assert board.satisfaction == {} and board.responses == {}
