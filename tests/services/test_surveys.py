"""Questionnaire templates: questions of every kind, checked; a sent version is never edited; the preloaded set."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from cfa.services import survey_answers, survey_campaigns, survey_templates
from cfa.services.surveys import (
    QuestionInput,
    SurveyError,
    add_question,
    remove_question,
    update_question,
    update_survey,
)
from tests import factories as f

K = m.QuestionKind
NOW = datetime(2025, 6, 10, 9, tzinfo=UTC)


def _link(token):
    return f"https://cfa.test/qualite/questionnaire/{token}"


def _launched_with_an_answer():
    enrolment = f.EnrolmentFactory()
    campaign = f.SurveyCampaignFactory(cohort=enrolment.cohort)
    survey_campaigns.launch(None, campaign, _link, now=NOW)
    invitation = campaign.invitations[0]
    q1, q2 = campaign.survey.questions
    survey_answers.submit(invitation.token, {f"q{q1.id}": ["5"], f"q{q2.id}": ["Très bien"]}, now=NOW)
    return campaign


def test_a_version_nobody_was_sent_is_edited_in_place():
    survey = f.SurveyFactory()
    question = add_question(None, survey, QuestionInput("Le rythme vous convient-il ?", K.YES_NO))
    assert question.survey is survey and question.position == 3
    assert update_survey(None, survey, "Nouveau titre", m.SurveyTiming.HOT, None) is survey


def test_editing_a_sent_version_makes_the_next_version_and_past_answers_keep_their_questions():
    campaign = _launched_with_an_answer()
    first = campaign.survey
    old_question = first.questions[0]
    draft = f.SurveyCampaignFactory(survey=first, cohort=campaign.cohort)

    changed = update_question(
        None, old_question, QuestionInput("Êtes-vous satisfait·e ?", K.SCALE, measure="overall_satisfaction")
    )

    second = changed.survey
    assert (second.family, second.version) == (first.family, 2)
    assert old_question.text == "Globalement, êtes-vous satisfait·e ?"  # what was answered stays as it was asked
    answer = db.session.scalar(sa.select(m.Answer).where(m.Answer.question_id == old_question.id))
    assert answer.value_int == 5
    assert [q.position for q in second.questions] == [1, 2] and changed.text == "Êtes-vous satisfait·e ?"
    assert campaign.survey_id == first.id  # launched: keeps what it sent
    db.session.refresh(draft)
    assert draft.survey_id == second.id  # a draft follows the template
    assert not first.active


def test_only_the_newest_version_can_be_changed():
    campaign = _launched_with_an_answer()
    first = campaign.survey
    add_question(None, first, QuestionInput("Autre chose ?", K.TEXT, required=False))
    with pytest.raises(SurveyError, match="dernière version"):
        add_question(None, first, QuestionInput("Encore ?", K.TEXT))


def test_removing_a_question_of_a_sent_version_removes_it_from_the_new_version_only():
    campaign = _launched_with_an_answer()
    first = campaign.survey
    second = remove_question(None, first.questions[0])
    assert second.version == 2 and [(q.position, q.kind) for q in second.questions] == [(1, K.TEXT)]
    assert len(first.questions) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (QuestionInput("  ", K.SCALE), "text", "Écrivez"),
        (QuestionInput("Quel statut ?", K.CHOICE, choices=("Salarié",)), "choices", "au moins deux"),
        (QuestionInput("Quels outils ?", K.MULTIPLE, choices=("A", "A", " ")), "choices", "au moins deux"),
        (QuestionInput("Satisfait ?", K.YES_NO, measure="overall_satisfaction"), "measure", "échelle"),
        (QuestionInput("Recommanderiez-vous ?", K.SCALE, measure="recommendation"), "measure", "0 à 10"),
        (QuestionInput("Satisfait ?", K.SCALE, measure="inconnu"), "measure", "n'existe pas"),
        (QuestionInput("Encore la satisfaction ?", K.SCALE, measure="overall_satisfaction"), "measure", "déjà"),
    ],
)
def test_a_question_that_cannot_be_answered_or_read_is_refused(data, field, message):
    survey = f.SurveyFactory()
    with pytest.raises(SurveyError, match=message) as refused:
        add_question(None, survey, data)
    assert refused.value.field == field
    assert len(survey.questions) == 2


def test_choices_are_kept_only_for_questions_with_choices():
    survey = f.SurveyFactory()
    choice = add_question(
        None, survey, QuestionInput("Situation ?", K.CHOICE, choices=("Emploi", " Études ", "Emploi"))
    )
    scale = add_question(None, survey, QuestionInput("Clarté ?", K.SCALE, choices=("x", "y")))
    assert choice.choices == ["Emploi", "Études"] and scale.choices is None


def test_the_preloaded_questionnaires_cover_every_population_and_load_once():
    created = survey_templates.load_templates()
    assert {s.audience for s in created} == set(m.Audience)
    for survey in created:
        measures = {q.measure: q.kind for q in survey.questions}
        assert measures["overall_satisfaction"] == K.SCALE
        assert measures["recommendation"] == K.NPS
    cold = survey_templates.template("apprentis-a-froid")
    situation = next(q for q in cold.questions if q.measure == "situation_6_months")
    assert situation.kind == K.CHOICE and "En recherche d'emploi" in situation.choices
    assert cold.timing == m.SurveyTiming.COLD
    assert survey_templates.load_templates() == []
    assert db.session.scalar(sa.select(sa.func.count(m.Survey.id))) == len(created)
