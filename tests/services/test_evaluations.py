"""ECF rules without HTTP: creating and editing an evaluation, reading the results grid, correcting a result."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, EvaluationOutcome, Role
from cfa.services.assessment import AssessmentError
from cfa.services.evaluations import (
    EvaluationValues,
    GridEntry,
    correct_evaluation_result,
    parse_grid,
    record_evaluation_result,
    record_grid,
    save_evaluation,
)
from cfa.services.permissions import can_assess_cohort
from tests.factories import (
    CohortFactory,
    EmployerFactory,
    EnrolmentFactory,
    EvaluationFactory,
    ModuleFactory,
    SessionFactory,
    SkillBlockFactory,
    UserFactory,
)


def values(evaluation_or_block, **changes) -> EvaluationValues:
    block_id = getattr(evaluation_or_block, "skill_block_id", None) or evaluation_or_block.id
    base = {
        "title": "Jeu de rôle",
        "skill_block_id": block_id,
        "module_id": None,
        "date": date(2026, 1, 15),
        "max_score": 20,
    }
    return EvaluationValues(**(base | changes))


def scored(max_score: int = 20, score: int = 15):
    """An ECF with one apprentice's result already recorded."""
    evaluation = EvaluationFactory(max_score=max_score)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    result = record_evaluation_result(
        evaluation, enrolment, EvaluationOutcome.ACQUIRED, score=score, comment=None, actor=None
    )
    return evaluation, enrolment, result


# --- Creating and editing an ECF ----------------------------------------------------------------------


def test_a_trainer_creates_an_ecf_of_their_cohort():
    cohort = CohortFactory()
    block = SkillBlockFactory(programme=cohort.programme)
    trainer = UserFactory.trainer()
    evaluation = save_evaluation(None, cohort, values(block), trainer)
    assert (evaluation.cohort_id, evaluation.trainer_id, evaluation.title) == (cohort.id, trainer.id, "Jeu de rôle")


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        ("date before the training", "date", "La date doit être comprise dans la formation"),
        ("date after the training", "date", "La date doit être comprise dans la formation"),
        ("module of another block", "module_id", "Ce module prépare un autre bloc"),
        ("module of another programme", "module_id", "Ce module n'appartient pas à la formation"),
        ("block of another programme", "skill_block_id", "n'appartient pas à la formation"),
    ],
)
def test_an_ecf_outside_its_training_is_refused(case, field, message):
    cohort = CohortFactory()
    block, other_block = (SkillBlockFactory(programme=cohort.programme, position=i) for i in (1, 2))
    changes = {
        "date before the training": {"date": date(2025, 9, 14)},
        "date after the training": {"date": date(2026, 8, 15)},
        "module of another block": {"module_id": ModuleFactory(programme=cohort.programme, skill_block=other_block).id},
        "module of another programme": {"module_id": ModuleFactory().id},
        "block of another programme": {"skill_block_id": SkillBlockFactory().id},
    }[case]
    with pytest.raises(AssessmentError, match=message) as refused:
        save_evaluation(None, cohort, values(block, **changes), UserFactory.trainer())
    assert refused.value.field == field


def test_an_ecf_is_edited_and_the_change_of_a_marked_one_is_audited():
    evaluation, _, _ = scored()
    admin = UserFactory.admin()
    save_evaluation(evaluation, evaluation.cohort, values(evaluation, title="Étude de cas n° 2", max_score=40), admin)
    assert (evaluation.title, evaluation.max_score) == ("Étude de cas n° 2", 40)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "evaluation")).one()
    assert (event.action, event.actor_id, event.before["max_score"], event.after["max_score"]) == (
        "edit",
        admin.id,
        20,
        40,
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"max_score": 10}, "max_score", "Une note saisie atteint 15"),
        ({"max_score": None}, "max_score", "Des notes sont déjà saisies"),
    ],
)
def test_an_edit_that_would_orphan_a_recorded_score_is_refused(changes, field, message):
    evaluation, _, result = scored(score=15)
    with pytest.raises(AssessmentError, match=message) as refused:
        save_evaluation(evaluation, evaluation.cohort, values(evaluation, **changes), UserFactory.admin())
    assert refused.value.field == field
    assert (evaluation.max_score, result.score) == (20, 15)


def test_an_edit_moving_the_ecf_to_a_day_a_marked_apprentice_was_not_enrolled_is_refused():
    evaluation, enrolment, _ = scored()
    enrolment.contract_start = date(2026, 1, 10)
    with pytest.raises(AssessmentError, match="non inscrites à cette date"):
        save_evaluation(evaluation, evaluation.cohort, values(evaluation, date=date(2026, 1, 5)), UserFactory.admin())


def test_an_ecf_never_changes_cohort():
    evaluation = EvaluationFactory()
    other = CohortFactory(programme=evaluation.cohort.programme)
    with pytest.raises(AssessmentError, match="ne change pas de promotion"):
        save_evaluation(evaluation, other, values(evaluation), UserFactory.admin())


# --- The results grid ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("posted", "entry", "error"),
    [
        ({}, None, None),  # a blank row is no entry
        ({"outcome-1": "acquired"}, GridEntry(EvaluationOutcome.ACQUIRED, None, ""), None),
        (
            {"outcome-1": "not_acquired", "score-1": " 8 ", "comment-1": "À revoir"},
            GridEntry(EvaluationOutcome.NOT_ACQUIRED, 8, "À revoir"),
            None,
        ),
        ({"score-1": "12"}, None, "Choisissez un résultat."),
        ({"comment-1": "Bien"}, None, "Choisissez un résultat."),
        ({"outcome-1": "brilliant"}, None, "Résultat inconnu."),
        ({"outcome-1": "acquired", "score-1": "12,5"}, None, "La note est un nombre entier."),
        ({"outcome-1": "acquired", "score-1": "douze"}, None, "La note est un nombre entier."),
    ],
)
def test_the_grid_is_read_row_by_row(posted, entry, error):
    entries, errors = parse_grid(posted, [1])
    assert entries.get(1) == entry
    assert errors.get(1) == error


def test_a_grid_comment_is_cut_at_its_maximum_length():
    entries, _ = parse_grid({"outcome-1": "acquired", "comment-1": "x" * 3000}, [1])
    assert len(entries[1].comment) == 2000


def test_the_grid_reports_the_rows_the_rules_refuse():
    evaluation = EvaluationFactory(max_score=20)
    good, bad = EnrolmentFactory(cohort=evaluation.cohort), EnrolmentFactory(cohort=evaluation.cohort)
    entries = {
        good.id: GridEntry(EvaluationOutcome.ACQUIRED, 12, ""),
        bad.id: GridEntry(EvaluationOutcome.ACQUIRED, 21, ""),
    }
    errors = record_grid(evaluation, {good.id: good, bad.id: bad}, entries, UserFactory.admin())
    assert errors == {bad.id: "La note doit être comprise entre 0 et 20."}


# --- Correcting a recorded result ----------------------------------------------------------------------


def test_a_result_is_corrected_with_its_reason_in_the_trail():
    _, _, result = scored(score=15)
    trainer = UserFactory.trainer()
    correct_evaluation_result(
        result,
        EvaluationOutcome.ACQUIRED,
        score=17,
        comment="Seconde correction",
        actor=trainer,
        reason="Erreur de report de la note",
    )
    assert (result.score, result.comment, result.assessed_by_id) == (17, "Seconde correction", trainer.id)
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "evaluation_result")).one()
    assert (event.reason, event.before["score"], event.after["score"]) == ("Erreur de report de la note", 15, 17)


@pytest.mark.parametrize(
    ("score", "reason", "field", "message"),
    [
        (17, "  ", "reason", "Le motif de la correction est obligatoire."),
        (15, "Vérification", "outcome", "Rien n'a changé"),
        (25, "Erreur", "score", "La note doit être comprise entre 0 et 20."),
    ],
)
def test_a_correction_is_refused_without_reason_change_or_valid_score(score, reason, field, message):
    _, _, result = scored(score=15)
    with pytest.raises(AssessmentError, match=message) as refused:
        correct_evaluation_result(
            result, EvaluationOutcome.ACQUIRED, score=score, comment=None, actor=UserFactory.admin(), reason=reason
        )
    assert refused.value.field == field
    assert result.score == 15
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


# --- Who may assess a cohort ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("admin", True),
        ("trainer teaching a session", True),
        ("trainer leading the cohort", True),
        ("trainer of another cohort", False),
        ("quality", False),
        ("apprentice of the cohort", False),
        ("tutor", False),
    ],
)
def test_who_may_assess_a_cohort(who, allowed):
    cohort = CohortFactory()
    user = {
        "admin": lambda: UserFactory.admin(),
        "trainer teaching a session": lambda: SessionFactory(cohort=cohort, trainer=UserFactory.trainer()).trainer,
        "trainer leading the cohort": lambda: cohort_led_by(cohort, UserFactory.trainer()),
        "trainer of another cohort": lambda: SessionFactory(trainer=UserFactory.trainer()).trainer,
        "quality": lambda: UserFactory.quality(),
        "apprentice of the cohort": lambda: EnrolmentFactory(cohort=cohort).apprentice,
        "tutor": lambda: UserFactory(roles=[Role.TUTOR], employer=EmployerFactory()),
    }[who]()
    assert can_assess_cohort(user, cohort.id) is allowed


def cohort_led_by(cohort, trainer):
    cohort.lead_trainer_id = trainer.id
    db.session.flush()
    return trainer
