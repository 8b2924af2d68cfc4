"""An apprentice's contracts: a rupture and its consequences, the six months without employer, a new employer
mid-cohort with the history kept, the rates, and the OPCO's milestones."""

from datetime import date

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import (
    AuditEvent,
    EmployerPeriod,
    EnrolmentStatus,
    MilestoneKind,
    RuptureCause,
    RuptureParty,
    SearchOutcome,
)
from cfa.services import contracts
from cfa.services import quality_indicators as qi
from cfa.services.contracts import ContractError, PeriodValues
from tests import factories as f

YEAR = qi.Scope(year=2026)


@pytest.fixture
def admin():
    return f.UserFactory.admin()


@pytest.fixture
def enrolment():
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    return f.EnrolmentFactory(
        cohort=cohort, employer=f.EmployerFactory(opco="OPCO Cohésion sociale"), with_contract=True
    )


def break_contract(admin, enrolment, on=date(2026, 1, 31)):
    return contracts.record_rupture(admin, enrolment, on, RuptureParty.EMPLOYER, RuptureCause.DISMISSAL)


def hire(admin, enrolment, starts_on=date(2026, 3, 2), ends_on=date(2027, 6, 30)):
    employer = f.EmployerFactory(opco="Uniformation")
    tutor = f.UserFactory.tutor(employer=employer)
    return contracts.new_employer(admin, enrolment, PeriodValues(employer.id, tutor.id, starts_on, ends_on))


def test_an_enrolment_opens_its_contract_file_with_the_employers_opco(enrolment):
    [period] = enrolment.employer_periods
    assert (period.employer_id, period.tutor_id) == (enrolment.employer_id, enrolment.tutor_id)
    assert (period.starts_on, period.ends_on, period.opco) == (
        date(2025, 9, 15),
        date(2027, 6, 30),
        "OPCO Cohésion sociale",
    )


def test_a_rupture_ends_the_contract_and_the_employers_link_but_the_apprentice_stays_six_months(admin, enrolment):
    period = break_contract(admin, enrolment)
    assert (period.ended_on, period.ended_by, period.end_cause) == (
        date(2026, 1, 31),
        RuptureParty.EMPLOYER,
        RuptureCause.DISMISSAL,
    )
    assert enrolment.status == EnrolmentStatus.ACTIVE
    assert (enrolment.employer_id, enrolment.tutor_id) == (None, None)
    assert enrolment.without_employer_since == date(2026, 2, 1)
    assert contracts.search_deadline(enrolment) == date(2026, 7, 31)
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == "rupture")).all()
    assert len(actions) == 2  # on the contract and on the enrolment


@pytest.mark.parametrize(
    ("on", "message"),
    [(date(2025, 9, 1), "précède le début"), (date(2027, 6, 30), "doit précéder la fin prévue")],
)
def test_a_rupture_outside_the_contract_is_refused(admin, enrolment, on, message):
    with pytest.raises(ContractError, match=message):
        break_contract(admin, enrolment, on)
    assert enrolment.employer_periods[0].ended_on is None


def test_a_second_rupture_without_a_running_contract_is_refused(admin, enrolment):
    break_contract(admin, enrolment)
    with pytest.raises(ContractError, match="pas de contrat en cours"):
        break_contract(admin, enrolment, date(2026, 2, 15))


def test_six_months_without_employer_end_with_the_apprentice_leaving_by_the_deadline(admin, enrolment):
    break_contract(admin, enrolment)
    with pytest.raises(ContractError, match="31/07/2026"):
        contracts.end_search(admin, enrolment, SearchOutcome.LEFT, date(2026, 8, 1), "Pas d'employeur trouvé")
    contracts.end_search(admin, enrolment, SearchOutcome.LEFT, date(2026, 7, 31), "Pas d'employeur trouvé")
    assert (enrolment.search_outcome, enrolment.search_ended_on) == (SearchOutcome.LEFT, date(2026, 7, 31))
    assert (enrolment.status, enrolment.interrupted_on) == (EnrolmentStatus.INTERRUPTED, date(2026, 7, 31))


def test_the_end_of_a_search_needs_a_reason_and_a_search(admin, enrolment):
    with pytest.raises(ContractError, match="pas stagiaire sans employeur"):
        contracts.end_search(admin, enrolment, SearchOutcome.LEFT, date(2026, 3, 1), "Départ")
    break_contract(admin, enrolment)
    with pytest.raises(ContractError, match="Dites comment"):
        contracts.end_search(admin, enrolment, SearchOutcome.OTHER, date(2026, 3, 1), " ")


def test_a_new_employer_keeps_the_first_contract_in_the_history(admin, enrolment):
    first_employer = enrolment.employer_id
    break_contract(admin, enrolment)
    second = hire(admin, enrolment)
    first, again = enrolment.employer_periods
    assert again is second
    assert (first.employer_id, first.last_day) == (first_employer, date(2026, 1, 31))
    assert (enrolment.employer_id, enrolment.tutor_id) == (second.employer_id, second.tutor_id)
    assert second.opco == "Uniformation"
    assert (enrolment.search_outcome, enrolment.search_ended_on) == (SearchOutcome.NEW_EMPLOYER, date(2026, 3, 1))


def test_a_new_employer_is_refused_while_the_contract_runs_or_after_the_six_months(admin, enrolment):
    with pytest.raises(ContractError, match="rupture du contrat en cours"):
        hire(admin, enrolment)
    break_contract(admin, enrolment)
    with pytest.raises(ContractError, match="délai de six mois"):
        hire(admin, enrolment, starts_on=date(2026, 8, 3))
    with pytest.raises(ContractError, match="après la fin du précédent"):
        hire(admin, enrolment, starts_on=date(2026, 1, 15))
    assert len(enrolment.employer_periods) == 1


def test_a_new_employers_tutor_must_belong_to_it(admin, enrolment):
    break_contract(admin, enrolment)
    stranger = f.UserFactory.tutor()
    values = PeriodValues(f.EmployerFactory().id, stranger.id, date(2026, 3, 2), date(2027, 6, 30))
    with pytest.raises(ContractError, match="n'appartient pas"):
        contracts.new_employer(admin, enrolment, values)


def test_rupture_counts_contracts_and_interruption_counts_learners(admin, enrolment):
    break_contract(admin, enrolment)
    hire(admin, enrolment)
    f.EnrolmentFactory(cohort=enrolment.cohort, with_contract=True)
    interruption, rupture = qi.interruption_and_rupture(YEAR)
    assert (rupture.rate.numerator, rupture.rate.denominator) == (1, 3)  # 3 contracts, 1 broken
    assert (interruption.rate.numerator, interruption.rate.denominator) == (0, 2)  # 2 learners, none left


def test_a_learner_who_leaves_after_a_rupture_counts_once_in_each_rate(admin, enrolment):
    break_contract(admin, enrolment)
    contracts.end_search(admin, enrolment, SearchOutcome.LEFT, date(2026, 5, 4), "Pas d'employeur trouvé")
    interruption, rupture = qi.interruption_and_rupture(YEAR)
    assert (rupture.rate.numerator, rupture.rate.denominator) == (1, 1)
    assert (interruption.rate.numerator, interruption.rate.denominator) == (1, 1)


def test_milestones_fall_at_the_start_month_7_month_10_and_the_end(enrolment):
    [period] = enrolment.employer_periods
    got = [(m.kind, m.percent, m.due_on) for m in contracts.milestones(period)]
    assert got == [
        (MilestoneKind.ADVANCE, 40, date(2025, 9, 15)),
        (MilestoneKind.MONTH_7, 30, date(2026, 3, 15)),
        (MilestoneKind.MONTH_10, 20, date(2026, 6, 15)),
        (MilestoneKind.BALANCE, 10, date(2027, 6, 30)),
    ]
    assert contracts.milestones(period)[-1].claim_by == date(2027, 10, 30)


def test_a_rupture_stops_the_milestones_and_brings_the_balance_to_its_date(admin, enrolment):
    period = break_contract(admin, enrolment)
    got = [(m.kind, m.due_on) for m in contracts.milestones(period)]
    assert got == [(MilestoneKind.ADVANCE, date(2025, 9, 15)), (MilestoneKind.BALANCE, date(2026, 1, 31))]
    with pytest.raises(ContractError, match="pas due"):
        contracts.record_payment(admin, period, MilestoneKind.MONTH_7, date(2026, 3, 20), 300_000)


def test_the_due_list_groups_unpaid_milestones_of_the_month_per_opco(admin, enrolment, count_queries):
    other = f.EnrolmentFactory(
        cohort=enrolment.cohort, employer=f.EmployerFactory(opco="Uniformation"), with_contract=True
    )
    [paid] = other.employer_periods
    contracts.record_payment(admin, paid, MilestoneKind.MONTH_7, date(2026, 3, 16), 270_000)
    f.EnrolmentFactory(cohort=enrolment.cohort, employer=f.EmployerFactory(opco="Akto"), with_contract=True)
    with count_queries() as queries:
        due = contracts.due_in_month(date(2026, 3, 1))
    assert len(queries) <= 6  # contracts, employers, enrolments, apprentices, payments: whatever their number
    assert list(due) == ["Akto", "OPCO Cohésion sociale"]  # Uniformation's was paid
    [item] = due["OPCO Cohésion sociale"]
    assert (item.milestone.kind, item.milestone.due_on) == (MilestoneKind.MONTH_7, date(2026, 3, 15))


def test_the_due_list_brings_the_balance_of_a_broken_contract(admin, enrolment):
    break_contract(admin, enrolment)
    due = contracts.due_in_month(date(2026, 1, 1))
    assert [i.milestone.kind for i in due["OPCO Cohésion sociale"]] == [MilestoneKind.BALANCE]


def test_editing_the_enrolment_corrects_only_the_running_contract(admin, enrolment):
    from cfa.services import enrolments
    from cfa.services.enrolments import EnrolmentValues

    break_contract(admin, enrolment)
    second = hire(admin, enrolment)
    values = EnrolmentValues(
        enrolment.apprentice_id,
        enrolment.cohort_id,
        second.employer_id,
        None,
        enrolment.contract_start,
        date(2027, 5, 31),
    )
    enrolments.save(admin, enrolment, values)
    first, again = db.session.scalars(
        sa.select(EmployerPeriod).where(EmployerPeriod.enrolment_id == enrolment.id).order_by(EmployerPeriod.starts_on)
    )
    assert (first.ends_on, first.ended_on) == (date(2027, 6, 30), date(2026, 1, 31))
    assert (again.starts_on, again.ends_on, again.tutor_id) == (date(2026, 3, 2), date(2027, 5, 31), None)


def test_the_enrolment_form_does_not_overwrite_the_employer_of_a_contract(admin, enrolment):
    from cfa.services import enrolments
    from cfa.services.enrolments import EnrolmentError, EnrolmentValues

    other = f.EmployerFactory()
    values = EnrolmentValues(
        enrolment.apprentice_id, enrolment.cohort_id, other.id, None, enrolment.contract_start, enrolment.contract_end
    )
    with pytest.raises(EnrolmentError, match="rupture puis un nouvel employeur"):
        enrolments.save(admin, enrolment, values)
    assert enrolment.employer_periods[0].employer_id != other.id


def test_a_rupture_entered_as_an_interruption_ends_the_contract_too(admin, enrolment):
    from cfa.models import InterruptionKind
    from cfa.services import enrolments

    enrolments.interrupt(admin, enrolment, date(2026, 2, 13), InterruptionKind.RUPTURE, "Rupture, quitte le CFA")
    [period] = enrolment.employer_periods
    assert (period.ended_on, period.end_cause) == (date(2026, 2, 13), RuptureCause.OTHER)
    interruption, rupture = qi.interruption_and_rupture(YEAR)
    assert (rupture.rate.numerator, interruption.rate.numerator) == (1, 1)
    enrolments.reopen(admin, enrolment, "Saisie erronée")
    assert period.ended_on is None and period.end_cause is None


def test_a_dropout_leaves_the_contract_as_it_was(admin, enrolment):
    from cfa.models import InterruptionKind
    from cfa.services import enrolments

    enrolments.interrupt(admin, enrolment, date(2026, 2, 13), InterruptionKind.DROPOUT, "Abandon")
    assert enrolment.employer_periods[0].ended_on is None
    assert qi.interruption_and_rupture(YEAR)[1].rate.numerator == 0
