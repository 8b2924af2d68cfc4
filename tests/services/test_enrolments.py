"""Enrolments change only through the service, and every change leaves its before, after and reason."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, Enrolment, EnrolmentStatus, InterruptionKind
from cfa.services import enrolments
from cfa.services.enrolments import EnrolmentError, EnrolmentValues
from tests import factories as f


def events(enrolment) -> list[AuditEvent]:
    stmt = (
        sa.select(AuditEvent)
        .where(AuditEvent.entity == "enrolment", AuditEvent.entity_id == enrolment.id)
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(stmt))


def values_for(cohort, apprentice, employer, tutor, **changes) -> EnrolmentValues:
    fields = dict(
        apprentice_id=apprentice.id,
        cohort_id=cohort.id,
        employer_id=employer.id,
        tutor_id=tutor.id if tutor else None,
        contract_start=cohort.start_date,
        contract_end=cohort.end_date,
    )
    fields.update(changes)
    return EnrolmentValues(**fields)


@pytest.fixture
def admin():
    return f.UserFactory.admin()


def test_creating_an_enrolment_records_who_created_it_and_its_contract(admin):
    cohort, apprentice, employer = f.CohortFactory(), f.UserFactory.apprentice(), f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    enrolment = enrolments.save(admin, None, values_for(cohort, apprentice, employer, tutor))
    [created] = events(enrolment)
    assert (created.action, created.actor_id, created.before) == ("create", admin.id, None)
    assert created.after["contract_start"] == cohort.start_date.isoformat()
    assert created.after["status"] == "active"


def test_editing_the_contract_records_only_what_changed():
    admin = f.UserFactory.admin()
    enrolment = f.EnrolmentFactory()
    old_end = enrolment.contract_end
    values = values_for(
        enrolment.cohort, enrolment.apprentice, enrolment.employer, enrolment.tutor, contract_end=date(2027, 6, 30)
    )
    enrolments.save(admin, enrolment, values)
    [edit] = events(enrolment)
    assert edit.action == "update"
    assert edit.before == {"contract_end": old_end.isoformat()}
    assert edit.after == {"contract_end": "2027-06-30"}


def test_saving_unchanged_values_records_nothing():
    enrolment = f.EnrolmentFactory()
    values = values_for(enrolment.cohort, enrolment.apprentice, enrolment.employer, enrolment.tutor)
    enrolments.save(f.UserFactory.admin(), enrolment, values)
    assert events(enrolment) == []


@pytest.mark.parametrize(
    "case, field, message",
    [
        ("twice in the cohort", "apprentice_id", "déjà inscrite dans cette promotion"),
        ("tutor of another employer", "tutor_id", "n'appartient pas à l'employeur choisi"),
        ("contract ending before it starts", "contract_end", "La fin du contrat doit suivre son début."),
    ],
)
def test_refused_enrolments_say_why_and_write_nothing(admin, case, field, message):
    existing = f.EnrolmentFactory()
    cohort, employer = existing.cohort, existing.employer
    apprentice = existing.apprentice if case == "twice in the cohort" else f.UserFactory.apprentice()
    tutor = f.UserFactory.tutor() if case == "tutor of another employer" else existing.tutor
    changes = {"contract_end": cohort.start_date} if case == "contract ending before it starts" else {}
    count = db.session.scalar(sa.select(sa.func.count(Enrolment.id)))
    with pytest.raises(EnrolmentError, match=message) as refused:
        enrolments.save(admin, None, values_for(cohort, apprentice, employer, tutor, **changes))
    assert refused.value.field == field
    assert db.session.scalar(sa.select(sa.func.count(Enrolment.id))) == count
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_an_interruption_is_audited_with_its_reason(admin):
    enrolment = f.EnrolmentFactory()
    enrolments.interrupt(admin, enrolment, date(2026, 1, 16), InterruptionKind.RUPTURE, " Rupture en période d'essai ")
    [event] = events(enrolment)
    assert event.action == "interrupt" and event.reason == "Rupture en période d'essai"
    assert event.before["status"] == "active"
    assert event.after == {
        "status": "interrupted",
        "interrupted_on": "2026-01-16",
        "interruption_kind": "rupture",
        "interruption_reason": "Rupture en période d'essai",
    }


def test_an_interruption_outside_the_contract_is_refused(admin):
    enrolment = f.EnrolmentFactory()
    with pytest.raises(EnrolmentError, match="précède le début du contrat") as refused:
        enrolments.interrupt(admin, enrolment, date(2000, 1, 1), InterruptionKind.DROPOUT, "Abandon")
    assert refused.value.field == "interrupted_on"
    assert enrolment.status == EnrolmentStatus.ACTIVE and events(enrolment) == []


def test_reopening_needs_a_reason_and_keeps_the_erased_interruption_in_the_trail(admin):
    enrolment = f.EnrolmentFactory()
    enrolments.interrupt(admin, enrolment, date(2026, 1, 16), InterruptionKind.RUPTURE, "Rupture")
    with pytest.raises(EnrolmentError, match="pourquoi"):
        enrolments.reopen(admin, enrolment, "  ")
    assert enrolment.status == EnrolmentStatus.INTERRUPTED

    enrolments.reopen(admin, enrolment, "Rupture saisie sur le mauvais contrat")
    assert enrolment.status == EnrolmentStatus.ACTIVE and enrolment.interrupted_on is None
    reopened = events(enrolment)[-1]
    assert reopened.action == "reopen" and reopened.reason == "Rupture saisie sur le mauvais contrat"
    assert reopened.before["interrupted_on"] == "2026-01-16"
    assert reopened.before["interruption_kind"] == "rupture"
    assert reopened.before["interruption_reason"] == "Rupture"


def test_an_edit_cannot_move_the_contract_off_its_recorded_interruption(admin):
    enrolment = f.EnrolmentFactory()
    enrolments.interrupt(admin, enrolment, date(2026, 1, 16), InterruptionKind.RUPTURE, "Rupture")
    values = values_for(
        enrolment.cohort, enrolment.apprentice, enrolment.employer, enrolment.tutor, contract_end=date(2026, 1, 10)
    )
    with pytest.raises(EnrolmentError, match="couvrir la date d'interruption"):
        enrolments.save(admin, enrolment, values)
