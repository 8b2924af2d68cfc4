"""Conventions and contrats de formation: who gets one, at what price, under which number, through which states."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AgreementStatus, AuditEvent, EnrolmentStatus, InterruptionKind
from cfa.services import agreements
from cfa.services.agreements import AgreementError, AgreementValues
from tests import course_scene as scene
from tests import factories as f

TODAY = date(2025, 9, 20)


@pytest.fixture
def admin():
    return f.UserFactory.admin()


def test_an_inter_company_session_gets_one_convention_per_employer_priced_per_trainee(admin):
    cohort, _ = scene.run()
    city, landlord = f.EmployerFactory(name="Ville"), f.EmployerFactory(name="Bailleur")
    for _ in range(3):
        scene.trainee(cohort, city)
    scene.trainee(cohort, landlord)
    convention = agreements.create_agreement(admin, cohort, employer=city, today=TODAY)
    assert (convention.trainee_count, convention.price_cents) == (3, 3 * 45000)
    assert not convention.is_contract and "30 jours" in convention.payment_terms
    left = agreements.parties_without_agreement(cohort)
    assert [(p.name, p.trainee_count) for p in left] == [("Bailleur", 1)]


def test_an_intra_company_session_is_agreed_with_its_client_at_the_session_price(admin):
    cohort, _ = scene.run(intra=True)
    for _ in range(8):
        scene.trainee(cohort, cohort.client)
    (party,) = agreements.parties_without_agreement(cohort)
    assert party.employer == cohort.client and party.trainee_count == 8
    convention = agreements.create_agreement(admin, cohort, employer=cohort.client, today=TODAY)
    assert (convention.trainee_count, convention.price_cents) == (8, 180000)
    with pytest.raises(AgreementError, match="seul client"):
        agreements.create_agreement(admin, cohort, employer=f.EmployerFactory(), today=TODAY)


def test_a_person_paying_alone_gets_a_contract_with_the_withdrawal_period_and_the_thirty_percent_cap(admin):
    cohort, _ = scene.run()
    alone = scene.trainee(cohort, None)
    contract = agreements.create_agreement(
        admin, cohort, learner=alone.apprentice, today=TODAY, signed_at_distance=True
    )
    assert contract.is_contract and contract.withdrawal_days == 14
    assert contract.price_cents == 45000
    assert "14 jours" in contract.payment_terms and "30 %" in contract.payment_terms
    assert "135,00" in contract.payment_terms  # 30 % of 450 euros, at most
    assert "L.6353-5" in contract.cancellation_terms
    assert agreements.parties_without_agreement(cohort) == []


def test_numbers_follow_each_other_within_the_year_and_never_come_back(admin):
    f.AgreementFactory(number="CF-2025-0041")
    cohort, _ = scene.run()
    employers = [f.EmployerFactory() for _ in range(2)]
    for employer in employers:
        scene.trainee(cohort, employer)
    first = agreements.create_agreement(admin, cohort, employer=employers[0], today=TODAY)
    agreements.cancel(admin, first, "Le client a reporté à la session suivante.")
    second = agreements.create_agreement(admin, cohort, employer=employers[1], today=TODAY)
    again = agreements.create_agreement(admin, cohort, employer=employers[0], today=TODAY)
    assert [first.number, second.number, again.number] == ["CF-2025-0042", "CF-2025-0043", "CF-2025-0044"]


def test_a_number_taken_meanwhile_is_skipped_rather_than_shared(admin, monkeypatch):
    """Another request took the number between the look-up and the insert: the unique constraint refuses it and
    the next number is tried, in a savepoint, without losing the rest of the transaction."""
    f.AgreementFactory(number="CF-2026-0001")
    cohort, _ = scene.run()
    employer = f.EmployerFactory()
    scene.trainee(cohort, employer)
    looked_up = iter(["CF-2026-0001", "CF-2026-0002"])
    monkeypatch.setattr(agreements, "_next_number", lambda year: next(looked_up))
    created = agreements.create_agreement(admin, cohort, employer=employer, today=date(2026, 1, 5))
    assert created.number == "CF-2026-0002" and created.id is not None
    assert db.session.scalar(sa.select(sa.func.count()).where(f.m.Agreement.number.like("CF-2026-%"))) == 2


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("apprenticeship", "formations courtes"),
        ("no_trainee", "aucun salarié"),
        ("employee_as_person", "par son employeur"),
        ("twice", "déjà une convention"),
        ("no_price", "prix de la formation"),
    ],
)
def test_an_agreement_is_refused_with_the_reason(admin, case, message):
    cohort, _ = scene.run()
    employer = f.EmployerFactory()
    employee = scene.trainee(cohort, employer)
    kwargs = {"employer": employer}
    if case == "apprenticeship":
        cohort = f.CohortFactory()
    elif case == "no_trainee":
        kwargs = {"employer": f.EmployerFactory()}
    elif case == "employee_as_person":
        kwargs = {"learner": employee.apprentice}
    elif case == "twice":
        agreements.create_agreement(admin, cohort, employer=employer, today=TODAY)
    elif case == "no_price":
        cohort.programme.price_cents = None
    with pytest.raises(AgreementError, match=message):
        agreements.create_agreement(admin, cohort, today=TODAY, **kwargs)


def test_an_interrupted_trainee_is_not_counted_in_the_convention(admin):
    cohort, _ = scene.run()
    employer = f.EmployerFactory()
    scene.trainee(cohort, employer)
    gone = scene.trainee(cohort, employer)
    gone.interrupt(cohort.start_date, InterruptionKind.DROPOUT, "Arrêt maladie")
    assert gone.status == EnrolmentStatus.INTERRUPTED
    assert agreements.create_agreement(admin, cohort, employer=employer, today=TODAY).trainee_count == 1


def test_a_draft_is_edited_then_sent_then_signed_each_step_audited(admin):
    agreement = f.AgreementFactory()
    agreements.update_agreement(
        admin, agreement, AgreementValues(2, 80000, "Paiement à 45 jours.", "Sans frais jusqu'à J-15.")
    )
    agreements.mark_sent(admin, agreement, now=datetime(2025, 9, 1, 8, tzinfo=UTC))
    with pytest.raises(AgreementError, match="ne se modifie plus"):
        agreements.update_agreement(admin, agreement, AgreementValues(3, 1, "x", "y"))
    with pytest.raises(AgreementError, match="futur"):
        agreements.mark_signed(admin, agreement, date(2025, 9, 30), today=TODAY)
    agreements.mark_signed(admin, agreement, date(2025, 9, 3), today=TODAY)
    assert (agreement.status, agreement.signed_on, agreement.price_cents) == (
        AgreementStatus.SIGNED,
        date(2025, 9, 3),
        80000,
    )
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "agreement", AuditEvent.entity_id == agreement.id)
    ).all()
    assert [e.action for e in events] == ["update", "send", "sign"]
    assert (events[0].before["price_cents"], events[0].after["price_cents"]) == (90000, 80000)
    with pytest.raises(AgreementError, match="déjà signée"):
        agreements.mark_signed(admin, agreement, TODAY, TODAY)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (AgreementValues(0, 100, "a", "b"), "trainee_count"),
        (AgreementValues(1, -1, "a", "b"), "price_cents"),
        (AgreementValues(1, 100, " ", "b"), "payment_terms"),
    ],
)
def test_bad_terms_are_refused_and_nothing_changes(admin, values, field):
    agreement = f.AgreementFactory()
    with pytest.raises(AgreementError) as refused:
        agreements.update_agreement(admin, agreement, values)
    assert refused.value.field == field and agreement.price_cents == 90000


def test_a_cancellation_needs_a_reason_and_happens_once(admin):
    agreement = f.AgreementFactory()
    with pytest.raises(AgreementError, match="motif"):
        agreements.cancel(admin, agreement, "  ")
    agreements.cancel(admin, agreement, "Session annulée faute de participants.")
    with pytest.raises(AgreementError, match="déjà annulée"):
        agreements.cancel(admin, agreement, "encore")
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "cancel"))
    assert event.reason == "Session annulée faute de participants."


def test_a_contract_signed_at_a_distance_gets_fourteen_days_in_its_default_terms_but_hand_written_terms_stay(admin):
    cohort, _ = scene.run()
    contract = agreements.create_agreement(admin, cohort, learner=scene.trainee(cohort, None).apprentice, today=TODAY)
    values = AgreementValues(1, 60000, contract.payment_terms, contract.cancellation_terms, signed_at_distance=True)
    agreements.update_agreement(admin, contract, values)
    assert contract.withdrawal_days == 14
    assert "14 jours" in contract.payment_terms and "180,00" in contract.payment_terms  # 30 % of the new price
    assert "délai de 14 jours" in contract.cancellation_terms
    agreements.update_agreement(admin, contract, AgreementValues(1, 60000, "Payé par chèque.", "Selon accord.", False))
    assert (contract.payment_terms, contract.cancellation_terms, contract.withdrawal_days) == (
        "Payé par chèque.",
        "Selon accord.",
        10,
    )
