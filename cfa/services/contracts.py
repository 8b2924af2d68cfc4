"""An apprentice's contracts: the employer periods of an enrolment, a rupture and its consequences, a new
employer mid-cohort, and the OPCO's funding milestones on each contract (décret 2025-585).

A rupture ends the running contract on its date: the funding stops there, the employer and its tutor stop
following the apprentice (Enrolment.employer_id/tutor_id, which the permissions read, are cleared) and the
apprentice may stay up to six months at the CFA as a trainee without employer (Code du travail, L.6222-18-2).
Every change is audited on the enrolment's history.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.models import (
    Employer,
    EmployerPeriod,
    Enrolment,
    EnrolmentStatus,
    FundingPayment,
    InterruptionKind,
    MilestoneKind,
    RuptureCause,
    RuptureParty,
    SearchOutcome,
    User,
)
from cfa.services import audit

SEARCH_MONTHS = 6
# The OPCO's share of the contract's price at each milestone, and how many months after the start it falls due
# (None: the balance, due on the certificat de réalisation once the contract ends).
MILESTONES: list[tuple[MilestoneKind, int, int | None]] = [
    (MilestoneKind.ADVANCE, 40, 0),
    (MilestoneKind.MONTH_7, 30, 6),
    (MilestoneKind.MONTH_10, 20, 9),
    (MilestoneKind.BALANCE, 10, None),
]
BALANCE_MONTHS = 4  # the balance is claimed within four months of the contract's end


class ContractError(ValueError):
    """A refused change to a contract, with a French message and the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def add_months(day: date, months: int) -> date:
    """The same day `months` later, the month's last day when it has fewer days (31 August + 6 = 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def running_period(enrolment: Enrolment) -> EmployerPeriod | None:
    """The contract not broken yet (at most one: a new one starts only after a rupture)."""
    return next((p for p in enrolment.employer_periods if p.ended_on is None), None)


def search_deadline(enrolment: Enrolment) -> date | None:
    """The last day the apprentice may stay without employer: six months after the rupture."""
    if enrolment.without_employer_since is None:
        return None
    return add_months(enrolment.without_employer_since, SEARCH_MONTHS) - timedelta(days=1)


def sync_running_period(enrolment: Enrolment) -> None:
    """Keep the running contract in step with the enrolment's form (employer, tutor, dates): the first save opens
    it, later saves correct it; a contract already broken is history and stays as it is."""
    if enrolment.cohort.programme.is_short_course or enrolment.employer_id is None:
        return
    period = running_period(enrolment)
    if period is None:
        if enrolment.employer_periods:
            return  # between two contracts: a new employer is recorded with new_employer
        period = EmployerPeriod(opco=db.session.get_one(Employer, enrolment.employer_id).opco)
        enrolment.employer_periods.append(period)
    period.employer_id, period.tutor_id = enrolment.employer_id, enrolment.tutor_id
    if len(enrolment.employer_periods) == 1:
        period.starts_on = enrolment.contract_start
    period.ends_on = enrolment.contract_end


def record_rupture(
    actor: User, enrolment: Enrolment, on: date, by: RuptureParty, cause: RuptureCause, reason: str = ""
) -> EmployerPeriod:
    """Break the running contract on `on` (its last day); the apprentice stays, without employer, if the cohort
    goes on."""
    period = running_period(enrolment)
    if enrolment.status != EnrolmentStatus.ACTIVE or period is None:
        raise ContractError("Cette inscription n'a pas de contrat en cours.", "ended_on")
    if on < period.starts_on:
        raise ContractError("La date de rupture précède le début du contrat.", "ended_on")
    if on >= period.ends_on:
        raise ContractError("La date de rupture doit précéder la fin prévue du contrat.", "ended_on")
    before_period, before = audit.snapshot(period), audit.snapshot(enrolment)
    period.ended_on, period.ended_by, period.end_cause = on, by, cause
    enrolment.employer_id = enrolment.tutor_id = None
    enrolment.without_employer_since = on + timedelta(days=1)
    enrolment.search_outcome = enrolment.search_ended_on = None
    db.session.flush()
    note = reason.strip() or cause.label
    audit.record_change(actor, period, before_period, action="rupture", reason=note, context=_context(enrolment))
    audit.record_change(actor, enrolment, before, action="rupture", reason=note)
    return period


def close_on_rupture(actor: User | None, enrolment: Enrolment, on: date) -> None:
    """A rupture recorded as the enrolment's interruption (the apprentice leaves the CFA with it): the running
    contract ends that day, its cause not detailed."""
    period = running_period(enrolment)
    if period is None or on < period.starts_on:
        return
    before = audit.snapshot(period)
    period.ended_on, period.end_cause = on, RuptureCause.OTHER
    db.session.flush()
    audit.record_change(actor, period, before, action="rupture", context=_context(enrolment))


def reopen_after_interruption(actor: User | None, enrolment: Enrolment, ended_on: date | None, reason: str) -> None:
    """An interruption for rupture undone (entered by mistake): the contract it ended runs again."""
    last = enrolment.employer_periods[-1] if enrolment.employer_periods else None
    if last is None or last.ended_on != ended_on or last.end_cause != RuptureCause.OTHER or last.ended_by:
        return  # a rupture recorded with its cause in the contract file stays: it is undone there
    before = audit.snapshot(last)
    last.ended_on = last.end_cause = None
    db.session.flush()
    audit.record_change(actor, last, before, action="reopen", reason=reason, context=_context(enrolment))


def end_search(actor: User, enrolment: Enrolment, outcome: SearchOutcome, on: date, reason: str) -> None:
    """How the months without employer ended when no new contract came: the apprentice leaves the CFA on `on`."""
    deadline = search_deadline(enrolment)
    if deadline is None or enrolment.search_outcome is not None:
        raise ContractError("Cette personne n'est pas stagiaire sans employeur.", "outcome")
    if outcome == SearchOutcome.NEW_EMPLOYER:
        raise ContractError("Un nouvel employeur s'enregistre avec son contrat.", "outcome")
    if not reason or not reason.strip():
        raise ContractError("Dites comment la recherche s'est terminée.", "reason")
    if not enrolment.without_employer_since <= on <= deadline:
        raise ContractError(
            f"La fin doit tomber entre le début de la recherche et le {deadline:%d/%m/%Y} (six mois au plus).", "on"
        )
    before = audit.snapshot(enrolment)
    enrolment.search_outcome, enrolment.search_ended_on = outcome, on
    if on < enrolment.contract_end:
        enrolment.interrupt(on, InterruptionKind.RUPTURE, reason)
    db.session.flush()
    audit.record_change(actor, enrolment, before, action="end_search", reason=reason.strip())


@dataclass(frozen=True)
class PeriodValues:
    employer_id: int
    tutor_id: int | None
    starts_on: date
    ends_on: date
    salary_scale: str | None = None


def new_employer(actor: User, enrolment: Enrolment, values: PeriodValues) -> EmployerPeriod:
    """A new contract after a rupture: the enrolment keeps its history and follows the new employer's tutor."""
    employer = db.session.get(Employer, values.employer_id)
    last = enrolment.employer_periods[-1] if enrolment.employer_periods else None
    deadline = search_deadline(enrolment)
    if running_period(enrolment) is not None:
        raise ContractError("Enregistrez d'abord la rupture du contrat en cours.", "employer_id")
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise ContractError("L'inscription n'est plus en cours.", "employer_id")
    if employer is None:
        raise ContractError("Choisissez l'employeur.", "employer_id")
    if (
        values.tutor_id is not None
        and getattr(db.session.get(User, values.tutor_id), "employer_id", None) != employer.id
    ):
        raise ContractError("Ce·tte tuteur·rice n'appartient pas à l'employeur choisi.", "tutor_id")
    if last is not None and values.starts_on <= last.last_day:
        raise ContractError("Le nouveau contrat doit commencer après la fin du précédent.", "starts_on")
    if deadline is not None and values.starts_on > deadline + timedelta(days=1):
        raise ContractError(f"Le délai de six mois sans employeur a pris fin le {deadline:%d/%m/%Y}.", "starts_on")
    if values.ends_on <= values.starts_on:
        raise ContractError("La fin du contrat doit suivre son début.", "ends_on")
    before = audit.snapshot(enrolment)
    period = EmployerPeriod(opco=employer.opco, **vars(values))
    enrolment.employer_periods.append(period)
    enrolment.employer_id, enrolment.tutor_id = employer.id, values.tutor_id
    enrolment.contract_end = max(enrolment.contract_end, values.ends_on)
    if enrolment.without_employer_since is not None:
        enrolment.search_outcome = SearchOutcome.NEW_EMPLOYER
        enrolment.search_ended_on = values.starts_on - timedelta(days=1)
    db.session.flush()
    audit.record_change(actor, period, None, action="new_employer", context=_context(enrolment))
    audit.record_change(actor, enrolment, before, action="new_employer")
    return period


def _context(enrolment: Enrolment) -> tuple[str, int]:
    return ("enrolment", enrolment.id)


@dataclass(frozen=True)
class Milestone:
    kind: MilestoneKind
    percent: int
    due_on: date  # when the OPCO owes it (the balance: the contract's last day, claimed within four months)
    payment: FundingPayment | None

    @property
    def claim_by(self) -> date:
        return add_months(self.due_on, BALANCE_MONTHS) if self.kind == MilestoneKind.BALANCE else self.due_on


def milestones(period: EmployerPeriod, payments: list[FundingPayment] = ()) -> list[Milestone]:
    """The contract's milestones with their expected dates; those falling after a rupture are not owed (the
    balance then comes on the certificat de réalisation of the months done)."""
    paid = {p.kind: p for p in payments}
    found = []
    for kind, percent, months in MILESTONES:
        due = period.last_day if months is None else add_months(period.starts_on, months)
        if months is not None and period.broken and due > period.ended_on:
            continue
        found.append(Milestone(kind, percent, due, paid.get(kind)))
    return found


def payments_by_period(period_ids: list[int]) -> dict[int, list[FundingPayment]]:
    found: dict[int, list[FundingPayment]] = defaultdict(list)
    stmt = sa.select(FundingPayment).where(FundingPayment.employer_period_id.in_(period_ids))
    for payment in db.session.scalars(stmt):
        found[payment.employer_period_id].append(payment)
    return found


def record_payment(
    actor: User, period: EmployerPeriod, kind: MilestoneKind, received_on: date, amount_cents: int
) -> FundingPayment:
    """The CFA enters a milestone the OPCO paid; a milestone not owed (after a rupture) is refused."""
    if kind not in {m.kind for m in milestones(period)}:
        raise ContractError("Cette échéance n'est pas due : le contrat a été rompu avant.", "kind")
    if amount_cents <= 0:
        raise ContractError("Le montant reçu doit être positif.", "amount")
    payment = db.session.scalar(
        sa.select(FundingPayment).where(FundingPayment.employer_period_id == period.id, FundingPayment.kind == kind)
    )
    before = audit.snapshot(payment) if payment else None
    if payment is None:
        payment = FundingPayment(employer_period_id=period.id, kind=kind)
        db.session.add(payment)
    payment.received_on, payment.amount_cents = received_on, amount_cents
    db.session.flush()
    audit.record_change(actor, payment, before, action="payment", context=("enrolment", period.enrolment_id))
    return payment


@dataclass(frozen=True)
class DueItem:
    period: EmployerPeriod
    milestone: Milestone


def due_in_month(first: date) -> dict[str, list[DueItem]]:
    """Per OPCO, the milestones not yet paid that fall due in the month of `first`: invoices for the advance and
    the 7th and 10th months, certificats de réalisation for the balances. One query for the contracts that may
    have one (started before the month's end, ended less than four months before its start), one for payments."""
    first = first.replace(day=1)
    last = add_months(first, 1) - timedelta(days=1)
    last_day = sa.func.coalesce(EmployerPeriod.ended_on, EmployerPeriod.ends_on)
    stmt = (
        sa.select(EmployerPeriod)
        .where(EmployerPeriod.starts_on <= last, last_day >= add_months(first, -BALANCE_MONTHS))
        .options(
            selectinload(EmployerPeriod.employer),
            selectinload(EmployerPeriod.enrolment).selectinload(Enrolment.apprentice),
        )
    )
    periods = list(db.session.scalars(stmt))
    payments = payments_by_period([p.id for p in periods])
    found: dict[str, list[DueItem]] = defaultdict(list)
    for period in periods:
        for milestone in milestones(period, payments.get(period.id, [])):
            if milestone.payment is None and first <= milestone.due_on <= last:
                found[period.opco or "OPCO non renseigné"].append(DueItem(period, milestone))
    return dict(sorted(found.items()))


@dataclass(frozen=True)
class ContractLine:
    period: EmployerPeriod
    milestones: list[Milestone]


def contract_file(enrolment: Enrolment) -> list[ContractLine]:
    """The enrolment's contracts, oldest first, each with its milestones and what the OPCO paid (two queries)."""
    stmt = (
        sa.select(EmployerPeriod)
        .where(EmployerPeriod.enrolment_id == enrolment.id)
        .options(selectinload(EmployerPeriod.employer), selectinload(EmployerPeriod.tutor))
        .order_by(EmployerPeriod.starts_on)
    )
    periods = list(db.session.scalars(stmt))
    payments = payments_by_period([p.id for p in periods])
    return [ContractLine(p, milestones(p, payments.get(p.id, []))) for p in periods]


def searching(today: date) -> list[Enrolment]:
    """The trainees without employer whose search is still open, nearest deadline first (the CFA's list)."""
    stmt = (
        sa.select(Enrolment)
        .where(
            Enrolment.without_employer_since.is_not(None),
            Enrolment.search_outcome.is_(None),
            Enrolment.status == EnrolmentStatus.ACTIVE,
        )
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort))
        .order_by(Enrolment.without_employer_since)
    )
    return list(db.session.scalars(stmt))


def former_contracts(user: User, current_ids: set[int]) -> dict[int, EmployerPeriod]:
    """The broken contracts of the tutor's side (theirs, their employer's) of apprentices they no longer follow:
    enrolment id -> the contract, whose rupture date bounds what they still see (what happened before it)."""
    mine = [EmployerPeriod.tutor_id == user.id]
    if user.employer_id is not None:
        mine.append(EmployerPeriod.employer_id == user.employer_id)
    stmt = (
        sa.select(EmployerPeriod)
        .where(EmployerPeriod.ended_on.is_not(None), sa.or_(*mine))
        .options(selectinload(EmployerPeriod.enrolment).selectinload(Enrolment.apprentice))
        .order_by(EmployerPeriod.ended_on)
    )
    return {p.enrolment_id: p for p in db.session.scalars(stmt) if p.enrolment_id not in current_ids}
