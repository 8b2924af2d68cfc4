"""Jury session rules without HTTP: editing a session, convening candidates, reading the results page."""

from datetime import UTC, date, datetime

import pytest

from cfa.extensions import db
from cfa.models import JuryStatus
from cfa.services.assessment import AssessmentError
from cfa.services.juries import add_candidates, edit_refused_reason, save_jury_session
from cfa.services.jury_results import parse_jury_grid, publish_jury, record_jury_grid, record_jury_results
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    JurySessionFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)


def cohort_with_blocks(count: int = 2):
    programme = ProgrammeFactory()
    blocks = [SkillBlockFactory(programme=programme, position=i + 1, code=f"CCP{i + 1}") for i in range(count)]
    db.session.refresh(programme)
    return CohortFactory(programme=programme), blocks


def session_values(cohort, **changes) -> dict:
    return {
        "cohort_id": cohort.id,
        "date": date(2026, 7, 20),
        "start_time": "09:00",
        "place": "Rennes",
        "members": "Présidente",
    } | changes


def published_jury():
    """A jury whose one candidate obtained the title, published the day after the session."""
    cohort, blocks = cohort_with_blocks()
    EnrolmentFactory(cohort=cohort)
    jury = JurySessionFactory(cohort=cohort, date=date(2026, 7, 2))
    add_candidates(jury)
    record_jury_results(jury.candidates[0], {b.id: True for b in blocks}, absent=False, today=jury.date)
    publish_jury(jury, UserFactory.admin(), now=datetime(2026, 7, 3, 9, 0, tzinfo=UTC))
    return jury


def test_a_published_jury_accepts_no_new_candidate():
    jury = published_jury()
    EnrolmentFactory(cohort=jury.cohort)
    with pytest.raises(AssessmentError, match="aucun·e candidat·e ne peut être ajouté·e"):
        add_candidates(jury)
    assert len(jury.candidates) == 1


def test_a_published_jury_session_can_no_longer_be_changed():
    jury = published_jury()
    assert edit_refused_reason(jury) == "Les résultats sont publiés : la session ne peut plus être modifiée."
    with pytest.raises(AssessmentError, match="ne peut plus être modifiée"):
        save_jury_session(jury, {"place": "Nantes"}, UserFactory.admin())
    assert jury.place != "Nantes"


def test_an_unpublished_session_may_be_changed():
    cohort, _ = cohort_with_blocks()
    jury = save_jury_session(None, session_values(cohort), UserFactory.admin())
    assert edit_refused_reason(jury) is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": date(2025, 9, 14)}, "date", "ne peut pas précéder le début de la formation"),
        ({"cohort_id": None}, "cohort_id", "Choisissez une promotion."),
        ({"cohort_id": 987654}, "cohort_id", "Choisissez une promotion."),
    ],
)
def test_a_new_session_is_refused_before_its_training_or_without_cohort(changes, field, message):
    cohort, _ = cohort_with_blocks()
    with pytest.raises(AssessmentError, match=message) as refused:
        save_jury_session(None, session_values(cohort, **changes), UserFactory.admin())
    assert refused.value.field == field


def test_a_session_with_convened_candidates_keeps_its_cohort():
    cohort, _ = cohort_with_blocks()
    EnrolmentFactory(cohort=cohort)
    jury = save_jury_session(None, session_values(cohort), UserFactory.admin())
    other = CohortFactory(programme=cohort.programme)
    with pytest.raises(AssessmentError, match="la promotion ne peut plus changer") as refused:
        save_jury_session(jury, {"cohort_id": other.id}, UserFactory.admin())
    assert refused.value.field == "cohort_id" and jury.cohort_id == cohort.id


def test_the_results_page_is_read_per_candidate_and_blank_ones_are_skipped():
    cohort, (first, second) = cohort_with_blocks()
    EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    jury = JurySessionFactory(cohort=cohort)
    add_candidates(jury)
    a, b, c = jury.candidates
    posted = {
        f"block-{a.id}-{first.id}": "1",
        f"block-{a.id}-{second.id}": "0",
        f"absent-{b.id}": "1",
        f"block-{c.id}-{first.id}": "maybe",
    }
    assert parse_jury_grid(posted, jury) == {a.id: ({first.id: True, second.id: False}, False), b.id: ({}, True)}


def test_the_results_page_reports_incomplete_candidates_and_saves_the_others():
    cohort, (first, second) = cohort_with_blocks()
    EnrolmentFactory(cohort=cohort), EnrolmentFactory(cohort=cohort)
    jury = JurySessionFactory(cohort=cohort, date=date(2026, 7, 2))
    add_candidates(jury)
    done, partial = jury.candidates
    entries = {done.id: ({first.id: True, second.id: True}, False), partial.id: ({first.id: True}, False)}
    errors = record_jury_grid(jury, entries, today=date(2026, 7, 2))
    assert errors == {partial.id: "Indiquez pour chaque CCP s'il est acquis ou non."}
    assert done.decision is not None and jury.status == JuryStatus.HELD
