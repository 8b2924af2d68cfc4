"""ECF pages through the client: editing an evaluation, correcting a result with a reason, who is refused."""

import io
import zipfile

import pytest
import sqlalchemy as sa
from flask import url_for

from cfa.extensions import db
from cfa.models import AuditEvent, EvaluationOutcome, ModuleAssignment, Role
from cfa.services.evaluations import record_evaluation_result
from cfa.services.juries import add_candidates
from cfa.services.jury_results import publish_jury, record_jury_results
from tests.factories import (
    EmployerFactory,
    EnrolmentFactory,
    EvaluationFactory,
    JurySessionFactory,
    ModuleFactory,
    SkillBlockFactory,
    UserFactory,
)


def marked_evaluation():
    """An ECF on 20 whose one apprentice got 15."""
    evaluation = EvaluationFactory(max_score=20)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    result = record_evaluation_result(
        evaluation, enrolment, EvaluationOutcome.ACQUIRED, score=15, comment=None, actor=None
    )
    return evaluation, result


def trainer_of(evaluation):
    trainer = UserFactory.trainer()
    module = ModuleFactory(programme=evaluation.cohort.programme)
    db.session.add(ModuleAssignment(cohort_id=evaluation.cohort_id, module_id=module.id, trainer_id=trainer.id))
    db.session.flush()
    return trainer


def edit_form(evaluation, **changes) -> dict:
    return {
        "title": evaluation.title,
        "skill_block_id": evaluation.skill_block_id,
        "module_id": "",
        "date": evaluation.date.isoformat(),
        "max_score": evaluation.max_score or "",
    } | changes


def someone(role: str):
    return UserFactory(roles=[Role(role)], employer=EmployerFactory() if role == "tutor" else None)


# --- Editing an ECF -------------------------------------------------------------------------------------


def test_the_trainer_of_the_cohort_edits_an_ecf(login):
    evaluation, _ = marked_evaluation()
    client = login(trainer_of(evaluation))
    page = client.get(f"/evaluation/{evaluation.id}")
    assert f"/evaluation/{evaluation.id}/modifier" in page.get_data(as_text=True)
    assert client.get(f"/evaluation/{evaluation.id}/modifier").status_code == 200
    response = client.post(
        f"/evaluation/{evaluation.id}/modifier", data=edit_form(evaluation, title="Oral", max_score=40)
    )
    assert response.status_code == 302
    db.session.refresh(evaluation)
    assert (evaluation.title, evaluation.max_score) == ("Oral", 40)


def test_an_edit_lowering_the_scale_under_a_recorded_score_is_shown_and_changes_nothing(login):
    evaluation, _ = marked_evaluation()
    client = login(UserFactory.admin())
    response = client.post(
        f"/evaluation/{evaluation.id}/modifier", data=edit_form(evaluation, title="Oral", max_score=10)
    )
    assert response.status_code == 200 and "Une note saisie atteint 15" in response.get_data(as_text=True)
    db.session.refresh(evaluation)
    assert (evaluation.title, evaluation.max_score) == ("Étude de cas", 20)


def test_an_edit_naming_a_module_of_another_block_is_refused(login):
    evaluation, _ = marked_evaluation()
    other_block = SkillBlockFactory(programme=evaluation.cohort.programme, position=9)
    module = ModuleFactory(programme=evaluation.cohort.programme, skill_block=other_block)
    client = login(UserFactory.admin())
    response = client.post(f"/evaluation/{evaluation.id}/modifier", data=edit_form(evaluation, module_id=module.id))
    assert "Ce module prépare un autre bloc de compétences." in response.get_data(as_text=True)
    db.session.refresh(evaluation)
    assert evaluation.module_id is None


@pytest.mark.parametrize("role", ["trainer", "quality", "apprentice", "tutor"])
def test_an_ecf_is_not_edited_by_someone_outside_its_cohort(login, role):
    evaluation, _ = marked_evaluation()
    client = login(someone(role))
    assert client.get(f"/evaluation/{evaluation.id}/modifier").status_code == 403
    assert (
        client.post(f"/evaluation/{evaluation.id}/modifier", data=edit_form(evaluation, title="X")).status_code == 403
    )
    db.session.refresh(evaluation)
    assert evaluation.title == "Étude de cas"


def test_anonymous_users_go_to_login_before_editing(client):
    evaluation, result = marked_evaluation()
    for url in (f"/evaluation/{evaluation.id}/modifier", f"/evaluation/{evaluation.id}/resultats/{result.id}/corriger"):
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


# --- Correcting a result ----------------------------------------------------------------------------------


def correction(**changes) -> dict:
    return {"outcome": "acquired", "score": "17", "comment": "", "reason": "Erreur de report"} | changes


def test_a_result_is_corrected_with_a_reason_kept_in_the_history(login):
    evaluation, result = marked_evaluation()
    trainer = trainer_of(evaluation)
    client = login(trainer)
    url = f"/evaluation/{evaluation.id}/resultats/{result.id}/corriger"
    assert url in client.get(f"/evaluation/{evaluation.id}").get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert client.post(url, data=correction()).status_code == 302
    db.session.refresh(result)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "evaluation_result")).one()
    assert (result.score, event.actor_id, event.reason) == (17, trainer.id, "Erreur de report")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "Ce champ est obligatoire"),
        ({"score": "15"}, "Rien n&#39;a changé"),
        ({"score": "30"}, "La note doit être comprise entre 0 et 20."),
    ],
)
def test_a_correction_without_reason_change_or_valid_score_changes_nothing(login, changes, message):
    evaluation, result = marked_evaluation()
    client = login(UserFactory.admin())
    response = client.post(f"/evaluation/{evaluation.id}/resultats/{result.id}/corriger", data=correction(**changes))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    db.session.refresh(result)
    assert result.score == 15
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.entity == "evaluation_result")) == 0


@pytest.mark.parametrize("role", ["trainer", "quality", "apprentice", "tutor"])
def test_a_result_is_not_corrected_by_someone_outside_its_cohort(login, role):
    evaluation, result = marked_evaluation()
    client = login(someone(role))
    url = f"/evaluation/{evaluation.id}/resultats/{result.id}/corriger"
    assert client.get(url).status_code == 403
    assert client.post(url, data=correction()).status_code == 403
    db.session.refresh(result)
    assert result.score == 15


def test_a_result_of_another_ecf_is_a_404(login):
    evaluation, _ = marked_evaluation()
    _, other = marked_evaluation()
    client = login(UserFactory.admin())
    assert client.get(f"/evaluation/{evaluation.id}/resultats/{other.id}/corriger").status_code == 404


# --- Juries: a published session, the award certificates of a cohort --------------------------------------


def published_jury():
    evaluation = EvaluationFactory()
    cohort = evaluation.cohort
    EnrolmentFactory(cohort=cohort)
    jury = JurySessionFactory(cohort=cohort)
    add_candidates(jury)
    record_jury_results(jury.candidates[0], {evaluation.skill_block_id: True}, absent=False)
    publish_jury(jury, UserFactory.admin())
    return jury


def test_no_candidate_is_added_to_a_published_jury(login):
    jury = published_jury()
    EnrolmentFactory(cohort=jury.cohort)
    client = login(UserFactory.admin())
    response = client.post(f"/evaluation/jurys/{jury.id}/candidats", follow_redirects=True)
    assert "aucun·e candidat·e ne peut être ajouté·e" in response.get_data(as_text=True)
    db.session.refresh(jury)
    assert len(jury.candidates) == 1


def test_the_award_certificates_of_a_cohort_have_their_own_endpoint_name(app, login):
    jury = published_jury()
    with app.test_request_context():
        url = url_for("assessment.cohort_award_certificates", cohort_id=jury.cohort_id)
    assert "assessment.cohort_certificates" not in app.view_functions
    response = login(UserFactory.admin()).get(url)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(response.data)).namelist()) == 2  # the CCP and the title


@pytest.mark.parametrize("role", ["trainer", "quality", "apprentice", "tutor"])
def test_the_award_certificates_of_a_cohort_are_refused_to_other_roles(login, role):
    jury = published_jury()
    assert login(someone(role)).get(f"/evaluation/promotions/{jury.cohort_id}/certificats.zip").status_code == 403


def test_every_assessment_route_declares_the_abilities_it_requires(app):
    undeclared = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint.startswith("assessment.") and not getattr(view, "required_abilities", None)
    ]
    assert undeclared == []


def test_an_ungraded_ecf_result_is_corrected_without_a_score_field(login):
    evaluation = EvaluationFactory(max_score=None)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    result = record_evaluation_result(
        evaluation, enrolment, EvaluationOutcome.IN_PROGRESS, score=None, comment=None, actor=None
    )
    client = login(UserFactory.admin())
    url = f"/evaluation/{evaluation.id}/resultats/{result.id}/corriger"
    assert 'name="score"' not in client.get(url).get_data(as_text=True)
    assert client.post(url, data=correction(score="", reason="Seconde lecture")).status_code == 302
    db.session.refresh(result)
    assert (result.outcome, result.score) == (EvaluationOutcome.ACQUIRED, None)


def test_the_ecf_list_and_the_grid_run_as_many_queries_for_one_row_as_for_six(login, count_queries):
    """Counts are summed in SQL and the grid loads its rows together: no query per evaluation or apprentice."""
    admin = UserFactory.admin()
    counts = []
    for rows in (1, 6):
        evaluation = EvaluationFactory(max_score=20)
        for _ in range(rows):
            enrolment = EnrolmentFactory(cohort=evaluation.cohort)
            record_evaluation_result(
                evaluation, enrolment, EvaluationOutcome.ACQUIRED, score=12, comment=None, actor=None
            )
        for _ in range(rows - 1):
            EvaluationFactory(cohort=evaluation.cohort, skill_block=evaluation.skill_block)
        client = login(admin)
        with count_queries() as queries:
            assert client.get(f"/evaluation/?cohort={evaluation.cohort_id}").status_code == 200
            assert client.get(f"/evaluation/{evaluation.id}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
