"""The livret d'apprentissage: parts signed per field period, locked once the next one starts, corrections audited."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import ActivityLevel, AuditEvent, SkillBlock
from cfa.services import livret
from cfa.services.livret import ActivityInput, LivretError
from tests import factories as f
from tests.followup_world import FIELD_PERIODS, alternating_enrolment

FIRST, SECOND = FIELD_PERIODS[0][0], FIELD_PERIODS[1][0]


def _block(enrolment):
    return db.session.scalar(sa.select(SkillBlock.id).where(SkillBlock.programme_id == enrolment.cohort.programme_id))


def _sign(enrolment, start, today, reason=None, description="Accueil du public en mairie"):
    period = livret.period_of(enrolment, start)
    activity = ActivityInput(_block(enrolment), description, ActivityLevel.IN_PROGRESS, "Bonne écoute")
    return livret.sign_tutor_part(enrolment.tutor, enrolment, period, [activity], "Période sérieuse", today, reason)


def test_the_field_periods_are_the_cohorts_field_weeks_cut_to_the_contract():
    enrolment = alternating_enrolment(contract_start=date(2025, 10, 1))
    periods = livret.field_periods(enrolment, livret.field_periods_of_cohorts([enrolment.cohort_id]))
    assert [(p.start, p.end) for p in periods] == [(date(2025, 10, 1), date(2025, 10, 10)), *FIELD_PERIODS[1:]]
    assert periods[0].locks_on == SECOND


def test_the_tutor_signs_the_activities_of_a_started_period_against_the_titles_blocks():
    enrolment = alternating_enrolment()
    entry = _sign(enrolment, FIRST, today=date(2025, 10, 8))
    assert entry.tutor_id == enrolment.tutor_id and entry.tutor_signed_at is not None
    assert [(a.description, a.level) for a in entry.activities] == [
        ("Accueil du public en mairie", ActivityLevel.IN_PROGRESS)
    ]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.entity == "livret_entry")) == 0


def test_a_period_not_yet_started_cannot_be_written():
    enrolment = alternating_enrolment()
    with pytest.raises(LivretError, match="pas encore commencé"):
        _sign(enrolment, SECOND, today=date(2025, 10, 8))


def test_an_activity_on_another_titles_block_is_refused():
    enrolment = alternating_enrolment()
    other = f.SkillBlockFactory()
    period = livret.period_of(enrolment, FIRST)
    activity = ActivityInput(other.id, "Veille sociale", ActivityLevel.ACQUIRED)
    with pytest.raises(LivretError, match="bloc de compétences"):
        livret.sign_tutor_part(enrolment.tutor, enrolment, period, [activity], None, date(2025, 10, 8))


def test_an_entry_is_locked_once_the_next_field_period_starts_and_a_correction_needs_a_reason():
    enrolment = alternating_enrolment()
    _sign(enrolment, FIRST, today=date(2025, 10, 8))
    with pytest.raises(LivretError, match="verrouillé"):
        _sign(enrolment, FIRST, today=SECOND, description="Médiation de conflit")
    entry = _sign(enrolment, FIRST, today=SECOND, reason="Activité mal décrite", description="Médiation de conflit")
    assert [a.description for a in entry.activities] == ["Médiation de conflit"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity == "livret_entry"))
    assert event.action == "correct" and event.reason == "Activité mal décrite"
    assert event.before["activities"][0]["activité"] == "Accueil du public en mairie"
    assert event.after["activities"][0]["activité"] == "Médiation de conflit"
    assert (event.context_entity, event.context_id) == ("enrolment", enrolment.id)


def test_the_apprentice_and_the_referent_add_their_signed_comments():
    referent = f.UserFactory.trainer()
    enrolment = alternating_enrolment(referent=referent)
    period = livret.period_of(enrolment, FIRST)
    livret.sign_apprentice_comment(
        enrolment.apprentice, enrolment, period, "J'ai appris à désamorcer", date(2025, 10, 9)
    )
    entry = livret.sign_referent_comment(referent, enrolment, period, "Progrès nets", date(2025, 10, 9))
    assert entry.apprentice_comment == "J'ai appris à désamorcer" and entry.apprentice_signed_at is not None
    assert entry.referent_id == referent.id and entry.referent_signed_at is not None
    with pytest.raises(LivretError):
        livret.sign_referent_comment(referent, enrolment, period, "  ", date(2025, 10, 9))


def test_the_completion_rate_counts_tutor_signed_entries_over_ended_field_periods():
    enrolment = alternating_enrolment()
    f.EnrolmentFactory(cohort=enrolment.cohort)  # a second apprentice, nothing signed
    _sign(enrolment, FIRST, today=date(2025, 10, 8))
    (row,) = [r for r in livret.completion_by_cohort(date(2025, 11, 10)) if r.cohort.id == enrolment.cohort_id]
    # Two ended field periods for each of the two apprentices, one signed.
    assert (row.expected, row.signed) == (4, 1)
    assert row.rate == 0.25
