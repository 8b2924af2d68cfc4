"""Assessment rules: ECF results, jury decisions, capitalisation, publication and success rates."""

from datetime import UTC, date, datetime

import pytest

from cfa.extensions import db
from cfa.models import AuditEvent, AwardKind, Decision, EvaluationOutcome, InterruptionKind, JuryStatus
from cfa.services.assessment import AssessmentError
from cfa.services.assessment_rates import success_rates, total
from cfa.services.block_progress import BlockState, enrolment_results
from cfa.services.evaluations import record_evaluation_result
from cfa.services.juries import add_candidates, save_jury_session
from cfa.services.jury_results import (
    capitalised_blocks,
    correct_jury_results,
    decide,
    publish_jury,
    record_jury_results,
)
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    EvaluationFactory,
    JurySessionFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)


def programme_with_blocks(count: int = 3):
    programme = ProgrammeFactory()
    blocks = [SkillBlockFactory(programme=programme, position=i + 1, code=f"CCP{i + 1}") for i in range(count)]
    db.session.refresh(programme)
    return programme, blocks


@pytest.mark.parametrize(
    ("acquired_now", "capitalised", "absent", "expected"),
    [
        ({1, 2, 3}, set(), False, Decision.OBTAINED),
        ({2, 3}, {1}, False, Decision.OBTAINED),  # capitalised CCPs complete the title
        (set(), {1, 2, 3}, False, Decision.OBTAINED),
        ({1}, set(), False, Decision.PARTIAL),
        ({1, 2}, set(), False, Decision.PARTIAL),
        (set(), {2}, False, Decision.PARTIAL),  # nothing new, but a capitalised CCP is held
        (set(), set(), False, Decision.NOT_OBTAINED),
        (set(), set(), True, Decision.ABSENT),
        ({1, 2, 3}, set(), True, Decision.ABSENT),  # absence wins over anything typed
        ({4}, set(), False, Decision.NOT_OBTAINED),  # a block of another title counts for nothing
    ],
)
def test_decision_from_block_results(acquired_now, capitalised, absent, expected):
    assert decide([1, 2, 3], acquired_now, capitalised, absent) == expected


def test_ecf_result_is_recorded_and_its_correction_audited():
    evaluation = EvaluationFactory(max_score=20)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    trainer = UserFactory.trainer()
    record_evaluation_result(evaluation, enrolment, EvaluationOutcome.IN_PROGRESS, score=9, comment="", actor=trainer)
    assert db.session.query(AuditEvent).count() == 0
    result = record_evaluation_result(
        evaluation, enrolment, EvaluationOutcome.ACQUIRED, score=14, comment="Rattrapage réussi", actor=trainer
    )
    assert (result.outcome, result.score) == (EvaluationOutcome.ACQUIRED, 14)
    event = db.session.query(AuditEvent).one()
    assert event.before["score"] == 9 and event.after["score"] == 14 and event.entity == "evaluation_result"


@pytest.mark.parametrize(("max_score", "score"), [(20, 21), (20, -1), (None, 12)])
def test_ecf_score_out_of_range_is_refused(max_score, score):
    evaluation = EvaluationFactory(max_score=max_score)
    enrolment = EnrolmentFactory(cohort=evaluation.cohort)
    with pytest.raises(AssessmentError):
        record_evaluation_result(
            evaluation, enrolment, EvaluationOutcome.ACQUIRED, score=score, comment=None, actor=None
        )


def test_ecf_of_another_cohort_is_refused():
    evaluation = EvaluationFactory()
    with pytest.raises(AssessmentError):
        record_evaluation_result(
            evaluation, EnrolmentFactory(), EvaluationOutcome.ACQUIRED, score=None, comment=None, actor=None
        )


def jury_for(programme, **kw):
    cohort = CohortFactory(programme=programme, **kw)
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(3)]
    jury = JurySessionFactory(cohort=cohort, date=date(2026, 7, 2))
    add_candidates(jury)
    return jury, enrolments


def test_jury_results_decision_and_publication_issue_awards():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    admin = UserFactory.admin()
    first, second, third = jury.candidates
    assert record_jury_results(first, {b.id: True for b in blocks}, absent=False) == Decision.OBTAINED
    assert (
        record_jury_results(second, {blocks[0].id: True, blocks[1].id: False, blocks[2].id: False}, absent=False)
        == Decision.PARTIAL
    )
    assert record_jury_results(third, {}, absent=True) == Decision.ABSENT
    assert jury.status == JuryStatus.HELD
    awards = publish_jury(jury, admin)
    kinds = sorted((a.learner_id, a.kind.value) for a in awards)
    learner1, learner2 = first.enrolment.apprentice_id, second.enrolment.apprentice_id
    assert kinds == sorted([(learner1, "skill_block")] * 3 + [(learner1, "title"), (learner2, "skill_block")])
    assert jury.status == JuryStatus.PUBLISHED and jury.published_at is not None
    with pytest.raises(AssessmentError):
        record_jury_results(first, {b.id: False for b in blocks}, absent=False)
    with pytest.raises(AssessmentError):
        publish_jury(jury, admin)


def test_publication_refused_while_a_candidate_has_no_result():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    record_jury_results(jury.candidates[0], {b.id: True for b in blocks}, absent=False)
    with pytest.raises(AssessmentError, match="sans résultat"):
        publish_jury(jury, UserFactory.admin())


def test_a_verdict_is_needed_for_every_block_not_yet_held():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    with pytest.raises(AssessmentError):
        record_jury_results(jury.candidates[0], {blocks[0].id: True}, absent=False)


def test_capitalised_ccps_are_carried_to_a_new_enrolment():
    programme, blocks = programme_with_blocks()
    admin = UserFactory.admin()
    first_jury, enrolments = jury_for(
        programme, name="Promotion 2025", start_date=date(2025, 9, 1), end_date=date(2026, 8, 1)
    )
    person = enrolments[0].apprentice
    candidate = next(c for c in first_jury.candidates if c.enrolment.apprentice_id == person.id)
    record_jury_results(candidate, {blocks[0].id: True, blocks[1].id: False, blocks[2].id: False}, absent=False)
    for other in first_jury.candidates:
        if other is not candidate:
            record_jury_results(other, {}, absent=True)
    publish_jury(first_jury, admin)
    assert set(capitalised_blocks(person.id, programme.id)) == {blocks[0].id}

    # A year later the same person enrols again: CCP1 shows as acquired before any evaluation ...
    later = CohortFactory(programme=programme, start_date=date(2026, 9, 1), end_date=date(2027, 8, 1))
    new_enrolment = EnrolmentFactory(cohort=later, apprentice=person)
    (progress,) = enrolment_results([new_enrolment])
    states = {p.block.code: p.state for p in progress.blocks}
    assert states == {"CCP1": BlockState.ACQUIRED, "CCP2": BlockState.NOT_STARTED, "CCP3": BlockState.NOT_STARTED}

    # ... and at the next jury only CCP2 and CCP3 are judged; CCP1 completes the title.
    second_jury = JurySessionFactory(cohort=later, date=date(2027, 7, 1))
    add_candidates(second_jury)
    (again,) = second_jury.candidates
    decision = record_jury_results(
        again, {blocks[1].id: True, blocks[2].id: True}, absent=False, today=date(2027, 7, 1)
    )
    assert decision == Decision.OBTAINED
    assert {r.skill_block_id for r in again.block_results} == {blocks[1].id, blocks[2].id}
    awards = publish_jury(second_jury, admin, now=datetime(2027, 7, 8, 9, 0, tzinfo=UTC))
    assert sorted(a.kind.value for a in awards) == ["skill_block", "skill_block", "title"]


def test_unpublished_jury_results_are_not_in_the_progress():
    programme, blocks = programme_with_blocks()
    jury, enrolments = jury_for(programme)
    for candidate in jury.candidates:
        record_jury_results(candidate, {b.id: True for b in blocks}, absent=False)
    (progress,) = enrolment_results([enrolments[0]])
    assert progress.jury is None and all(p.state == BlockState.NOT_STARTED for p in progress.blocks)
    publish_jury(jury, UserFactory.admin())
    db.session.expire_all()
    (progress,) = enrolment_results([enrolments[0]])
    assert progress.decision == Decision.OBTAINED and all(p.state == BlockState.ACQUIRED for p in progress.blocks)


def test_interrupted_enrolments_are_not_convened():
    programme, _ = programme_with_blocks()
    cohort = CohortFactory(programme=programme)
    EnrolmentFactory(cohort=cohort)
    gone = EnrolmentFactory(cohort=cohort)
    gone.interrupt(date(2025, 12, 1), InterruptionKind.RUPTURE, "Rupture pendant la période d'essai")
    jury = JurySessionFactory(cohort=cohort)
    assert add_candidates(jury) == 1
    assert add_candidates(jury) == 0


def test_success_rates_follow_the_published_definitions():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    extra = EnrolmentFactory(cohort=jury.cohort)
    add_candidates(jury)
    first, second, third, fourth = jury.candidates
    record_jury_results(first, {b.id: True for b in blocks}, absent=False)
    record_jury_results(second, {b.id: True for b in blocks}, absent=False)
    record_jury_results(third, {blocks[0].id: True, blocks[1].id: False, blocks[2].id: False}, absent=False)
    record_jury_results(fourth, {}, absent=True)
    assert success_rates("cohort") == []  # not published yet
    publish_jury(jury, UserFactory.admin())
    (row,) = success_rates("cohort")
    assert (row.presented, row.obtained, row.partial, row.not_obtained, row.absent) == (3, 2, 1, 0, 1)
    assert (row.success.numerator, row.success.denominator) == (2, 3)
    assert row.partial_success.value == pytest.approx(1 / 3)
    (by_year,) = success_rates("year", year=2026)
    assert by_year.label == "2026" and by_year.presented == 3
    assert success_rates("year", year=2025) == []
    assert total(success_rates("programme")).obtained == 2
    assert extra.id in {c.enrolment_id for c in jury.candidates}


def test_awards_kinds_for_a_title():
    programme, blocks = programme_with_blocks(2)
    jury, _ = jury_for(programme)
    for candidate in jury.candidates:
        record_jury_results(candidate, {b.id: True for b in blocks}, absent=False)
    awards = publish_jury(jury, UserFactory.admin())
    assert sum(a.kind == AwardKind.TITLE for a in awards) == 3


def test_correcting_a_published_result_is_audited_and_awards_follow():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    admin = UserFactory.admin()
    first, *others = jury.candidates
    record_jury_results(first, {blocks[0].id: True, blocks[1].id: True, blocks[2].id: False}, absent=False)
    for other in others:
        record_jury_results(other, {}, absent=True)
    publish_jury(jury, admin)
    assert first.decision == Decision.PARTIAL
    with pytest.raises(AssessmentError, match="motif"):
        correct_jury_results(first, {b.id: True for b in blocks}, absent=False, actor=admin, reason=" ")

    # An entry error: CCP3 was acquired; the title follows.
    issued, revoked = correct_jury_results(
        first, {b.id: True for b in blocks}, absent=False, actor=admin, reason="Erreur de saisie, procès-verbal du jury"
    )
    assert first.decision == Decision.OBTAINED and revoked == []
    assert sorted(a.kind.value for a in issued) == ["skill_block", "title"]
    event = db.session.query(AuditEvent).filter_by(entity="jury_candidate").one()
    assert event.before["decision"] == "partial" and event.after["decision"] == "obtained"
    assert event.before["blocks"]["CCP3"] is False and event.reason.startswith("Erreur de saisie")

    # And back: the title and CCP3 awards are revoked, never deleted.
    issued, revoked = correct_jury_results(
        first,
        {blocks[0].id: True, blocks[1].id: True, blocks[2].id: False},
        absent=False,
        actor=admin,
        reason="Recours rejeté",
    )
    assert issued == [] and sorted(a.kind.value for a in revoked) == ["skill_block", "title"]
    assert all(a.revocation_reason.endswith("Recours rejeté") for a in revoked)
    assert set(capitalised_blocks(first.enrolment.apprentice_id, programme.id)) == {blocks[0].id, blocks[1].id}


def test_correcting_an_unpublished_result_is_refused():
    programme, blocks = programme_with_blocks()
    jury, _ = jury_for(programme)
    with pytest.raises(AssessmentError):
        correct_jury_results(
            jury.candidates[0], {b.id: True for b in blocks}, absent=False, actor=UserFactory.admin(), reason="x"
        )


# --- The session's date: convocations and results ------------------------------------------------


def test_a_convocation_carries_the_moment_its_candidate_was_convened():
    programme, _ = programme_with_blocks()
    jury = JurySessionFactory(cohort=CohortFactory(programme=programme), date=date(2026, 7, 20))
    EnrolmentFactory(cohort=jury.cohort)
    issued = datetime(2026, 6, 15, 8, 0, tzinfo=UTC)
    add_candidates(jury, now=issued)
    EnrolmentFactory(cohort=jury.cohort)
    add_candidates(jury, now=datetime(2026, 6, 30, 8, 0, tzinfo=UTC))
    assert sorted(c.convened_at for c in jury.candidates) == [issued, datetime(2026, 6, 30, 8, 0, tzinfo=UTC)]


def test_moving_the_session_issues_new_convocations_and_is_audited():
    programme, _ = programme_with_blocks()
    admin = UserFactory.admin()
    cohort = CohortFactory(programme=programme)
    EnrolmentFactory(cohort=cohort)
    first = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    jury = save_jury_session(
        None,
        {
            "cohort_id": cohort.id,
            "date": date(2026, 7, 20),
            "start_time": "09:00",
            "place": "Rennes",
            "members": "Présidente",
        },
        admin,
        now=first,
    )
    (candidate,) = jury.candidates
    save_jury_session(jury, {"members": "Présidente\nAssesseur"}, admin, now=datetime(2026, 6, 5, tzinfo=UTC))
    assert candidate.convened_at == first  # the members are not on the convocation
    moved = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
    save_jury_session(jury, {"date": date(2026, 7, 21)}, admin, now=moved)
    assert candidate.convened_at == moved
    event = db.session.query(AuditEvent).filter_by(entity="jury_session", action="reconvene").one()
    assert event.before["date"] == "2026-07-20" and event.after["date"] == "2026-07-21"


@pytest.mark.parametrize(
    ("today", "allowed"), [(date(2026, 7, 19), False), (date(2026, 7, 20), True), (date(2026, 7, 24), True)]
)
def test_results_are_entered_from_the_session_day_only(today, allowed):
    programme, blocks = programme_with_blocks()
    jury = JurySessionFactory(cohort=CohortFactory(programme=programme), date=date(2026, 7, 20))
    EnrolmentFactory(cohort=jury.cohort)
    add_candidates(jury)
    (candidate,) = jury.candidates
    verdicts = {b.id: True for b in blocks}
    if allowed:
        assert record_jury_results(candidate, verdicts, absent=False, today=today) == Decision.OBTAINED
    else:
        with pytest.raises(AssessmentError, match="a lieu le 20/07/2026"):
            record_jury_results(candidate, verdicts, absent=False, today=today)
        assert candidate.decision is None and jury.status == JuryStatus.PLANNED and not candidate.block_results


@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (datetime(2026, 7, 19, 21, 59, tzinfo=UTC), False),  # 23:59 in Paris, the eve of the session
        (datetime(2026, 7, 19, 22, 0, tzinfo=UTC), True),  # midnight in Paris: the session's day
    ],
)
def test_results_are_published_from_the_session_day_only(now, allowed):
    programme, blocks = programme_with_blocks()
    jury = JurySessionFactory(cohort=CohortFactory(programme=programme), date=date(2026, 7, 20))
    EnrolmentFactory(cohort=jury.cohort)
    add_candidates(jury)
    record_jury_results(jury.candidates[0], {b.id: True for b in blocks}, absent=False, today=date(2026, 7, 20))
    if allowed:
        assert publish_jury(jury, UserFactory.admin(), now=now)
    else:
        with pytest.raises(AssessmentError, match="ni saisis ni publiés avant cette date"):
            publish_jury(jury, UserFactory.admin(), now=now)
        assert jury.status == JuryStatus.HELD and jury.published_at is None
