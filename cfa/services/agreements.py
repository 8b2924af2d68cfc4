"""Agreements of short courses: the convention de formation with a client organisation (Code du travail L.6353-1,
D.6353-1) and the contrat de formation with a person paying for themselves (L.6353-3 to L.6353-7).

An inter-company session gets one convention per employer, for the number of its employees enrolled at the
programme's price per trainee; an intra-company session one convention with its client at the session's price.
Numbers ("CF-2025-0007") are unique, found under the database's unique constraint so that two people creating
agreements at once never share one. Every change of a convention is audited: it is what the funder pays on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import euros
from cfa.models import Agreement, AgreementStatus, Cohort, Employer, Enrolment, EnrolmentStatus, User
from cfa.services import audit

NUMBER_ATTEMPTS = 5
# L.6353-6: after the withdrawal period, at most 30 % of the price may be asked before the course goes on.
CONTRACT_ADVANCE_SHARE = 30

CONVENTION_PAYMENT = (
    "Facture émise à l'issue de la formation, payable à 30 jours à réception, par virement. "
    "En cas de prise en charge par un financeur (OPCO), le client fait son affaire de la demande de prise en "
    "charge avant le début de la formation et en informe l'organisme."
)
CONVENTION_CANCELLATION = (
    "Annulation ou report par le client sans frais jusqu'à 10 jours calendaires avant le début de la formation ; "
    "au-delà, 50 % du prix restent dus à titre de dédommagement, qui ne peuvent être imputés sur la participation "
    "au développement de la formation professionnelle. Un stagiaire empêché peut être remplacé sans frais. "
    "Si l'organisme annule ou reporte la session, aucune somme n'est due et le client en est informé au plus tôt."
)


class AgreementError(ValueError):
    """A refused agreement or change, with its French message and the form field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Party:
    """Someone of a session who needs an agreement: an employer with its trainees, or a person paying alone."""

    employer: Employer | None
    learner: User | None
    trainee_count: int

    @property
    def name(self) -> str:
        return self.employer.name if self.employer else self.learner.full_name


def contract_payment_terms(price_cents: int, withdrawal_days: int) -> str:
    advance = price_cents * CONTRACT_ADVANCE_SHARE // 100
    return (
        f"Aucune somme ne peut être exigée avant l'expiration du délai de rétractation de {withdrawal_days} jours "
        f"(article L.6353-6 du Code du travail). À son expiration, un premier versement de {CONTRACT_ADVANCE_SHARE} % "
        f"du prix au plus ({euros(advance)}) ; le solde est payé en versements échelonnés au fur et à mesure du "
        "déroulement de la formation, sur facture."
    )


def contract_cancellation_terms(withdrawal_days: int) -> str:
    return (
        f"Dans un délai de {withdrawal_days} jours à compter de la signature du présent contrat, le stagiaire peut "
        "se rétracter par lettre recommandée avec avis de réception (article L.6353-5). Si, par suite de force "
        "majeure dûment reconnue, le stagiaire est empêché de suivre la formation, il peut rompre le contrat : seules "
        "les prestations effectivement dispensées sont dues, au prorata temporis de leur valeur prévue au contrat "
        "(article L.6353-7)."
    )


def _live(cohort_id: int):
    return sa.select(Agreement).where(Agreement.cohort_id == cohort_id, Agreement.status != AgreementStatus.CANCELLED)


def run_agreements(cohort_id: int) -> list[Agreement]:
    """The agreements of a session, cancelled ones included (they keep their number), in number order."""
    stmt = (
        sa.select(Agreement)
        .where(Agreement.cohort_id == cohort_id)
        .options(selectinload(Agreement.employer), selectinload(Agreement.learner))
        .order_by(Agreement.number)
    )
    return list(db.session.scalars(stmt))


def parties_without_agreement(cohort: Cohort) -> list[Party]:
    """Who in the session has no live agreement yet: its employers with their number of trainees (the client
    alone for an intra-company session), and the trainees enrolled without an employer (three queries)."""
    live = list(db.session.scalars(_live(cohort.id)))
    agreed_employers = {a.employer_id for a in live if a.employer_id}
    agreed_learners = {a.learner_id for a in live if a.learner_id}
    enrolled = sa.select(Enrolment).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.INTERRUPTED
    )
    counts = dict(
        db.session.execute(
            sa.select(Enrolment.employer_id, sa.func.count())
            .where(Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.INTERRUPTED)
            .where(Enrolment.employer_id.is_not(None))
            .group_by(Enrolment.employer_id)
        ).all()
    )
    parties = []
    if cohort.is_intra:
        if cohort.client_id not in agreed_employers:
            parties.append(Party(cohort.client, None, max(sum(counts.values()), 1)))
    else:
        employers = db.session.scalars(
            sa.select(Employer).where(Employer.id.in_(set(counts) - agreed_employers)).order_by(Employer.name)
        )
        parties += [Party(employer, None, counts[employer.id]) for employer in employers]
    alone = db.session.scalars(
        enrolled.where(Enrolment.employer_id.is_(None)).options(selectinload(Enrolment.apprentice))
    )
    parties += [Party(None, e.apprentice, 1) for e in alone if e.apprentice_id not in agreed_learners]
    return parties


def _enrolled_count(cohort: Cohort, employer_id: int | None) -> int:
    stmt = sa.select(sa.func.count()).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.INTERRUPTED
    )
    if employer_id is not None:
        stmt = stmt.where(Enrolment.employer_id == employer_id)
    return db.session.scalar(stmt)


def _terms_of_party(cohort: Cohort, employer: Employer | None, learner: User | None) -> tuple[int, int]:
    """(trainee count, price) of the party's agreement, or the refusal saying why there can be none."""
    if not cohort.programme.is_short_course:
        raise AgreementError("Les conventions de formation concernent les formations courtes.")
    if (employer is None) == (learner is None):
        raise AgreementError("Une convention est passée avec un employeur ou un contrat avec une personne.")
    price_each = cohort.programme.price_cents
    if learner is not None:
        enrolment = db.session.scalar(
            sa.select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.apprentice_id == learner.id)
        )
        if enrolment is None:
            raise AgreementError(f"{learner.full_name} n'est pas inscrit·e à cette session.")
        if enrolment.employer_id is not None:
            raise AgreementError(
                f"{learner.full_name} est inscrit·e par son employeur : c'est avec lui que se passe la convention."
            )
        count = 1
    elif cohort.is_intra:
        if employer.id != cohort.client_id:
            raise AgreementError("Une session intra-entreprise se conventionne avec son seul client.")
        count = max(_enrolled_count(cohort, None), 1)
        if cohort.price_cents is not None:
            return count, cohort.price_cents
    else:
        count = _enrolled_count(cohort, employer.id)
        if count == 0:
            raise AgreementError(f"{employer.name} n'a aucun salarié inscrit à cette session.")
    if price_each is None:
        raise AgreementError("Le prix de la formation n'est pas renseigné : complétez la fiche de la formation.")
    return count, price_each * count


def _next_number(year: int) -> str:
    prefix = f"CF-{year}-"
    last = db.session.scalar(sa.select(sa.func.max(Agreement.number)).where(Agreement.number.like(f"{prefix}%")))
    return f"{prefix}{int(last.removeprefix(prefix)) + 1 if last else 1:04d}"


def create_agreement(
    actor: User,
    cohort: Cohort,
    *,
    employer: Employer | None = None,
    learner: User | None = None,
    signed_at_distance: bool = False,
    today: date,
) -> Agreement:
    """A draft agreement for a party of the session, priced and with default terms, under the next free number
    of the year (another one taken meanwhile: the unique constraint refuses it and the next is tried)."""
    count, price = _terms_of_party(cohort, employer, learner)
    live = _live(cohort.id).where(
        Agreement.employer_id == employer.id if employer else Agreement.learner_id == learner.id
    )
    if db.session.scalar(sa.select(live.exists())):
        raise AgreementError("Cette partie a déjà une convention en cours pour cette session : modifiez-la.")
    days = 14 if signed_at_distance else 10
    agreement = Agreement(
        cohort=cohort,
        employer=employer,
        learner=learner,
        trainee_count=count,
        price_cents=price,
        payment_terms=contract_payment_terms(price, days) if learner else CONVENTION_PAYMENT,
        cancellation_terms=contract_cancellation_terms(days) if learner else CONVENTION_CANCELLATION,
        signed_at_distance=signed_at_distance if learner else False,
        created_by=actor,
    )
    for _ in range(NUMBER_ATTEMPTS):
        agreement.number = _next_number(today.year)
        try:
            with db.session.begin_nested():
                db.session.add(agreement)
        except IntegrityError:
            continue  # the savepoint's rollback took the agreement out of the session: it is added again
        audit.record_change(actor, agreement, None, context=("cohort", cohort.id))
        return agreement
    raise AgreementError("Numérotation impossible pour l'instant (conventions créées en même temps) : réessayez.")


@dataclass(frozen=True)
class AgreementValues:
    trainee_count: int
    price_cents: int
    payment_terms: str
    cancellation_terms: str
    signed_at_distance: bool = False


def update_agreement(actor: User, agreement: Agreement, values: AgreementValues) -> None:
    """Terms are edited while the agreement is a draft; once sent, a new one replaces it."""
    if agreement.status != AgreementStatus.DRAFT:
        raise AgreementError(
            "Une convention envoyée ou signée ne se modifie plus : annulez-la et établissez-en une nouvelle."
        )
    if values.trainee_count < 1:
        raise AgreementError("Le nombre de stagiaires est d'au moins 1.", "trainee_count")
    if values.price_cents < 0:
        raise AgreementError("Le prix ne peut pas être négatif.", "price_cents")
    for name in ("payment_terms", "cancellation_terms"):
        if not getattr(values, name).strip():
            raise AgreementError("Les modalités de paiement et d'annulation sont obligatoires.", name)
    before = audit.snapshot(agreement)
    payment, cancellation = _contract_defaults_followed(agreement, values)
    agreement.trainee_count = values.trainee_count
    agreement.price_cents = values.price_cents
    agreement.payment_terms = payment
    agreement.cancellation_terms = cancellation
    agreement.signed_at_distance = values.signed_at_distance and agreement.is_contract
    db.session.flush()
    audit.record_change(actor, agreement, before, context=("cohort", agreement.cohort_id))


def _contract_defaults_followed(agreement: Agreement, values: AgreementValues) -> tuple[str, str]:
    """The terms to store: a contract's default terms left as they were follow a change of price or of the
    withdrawal period (10 or 14 days, with the 30 % amount they quote); terms written by hand are kept."""
    payment, cancellation = values.payment_terms.strip(), values.cancellation_terms.strip()
    if not agreement.is_contract:
        return payment, cancellation
    old_days, new_days = agreement.withdrawal_days, 14 if values.signed_at_distance else 10
    if payment == contract_payment_terms(agreement.price_cents, old_days):
        payment = contract_payment_terms(values.price_cents, new_days)
    if cancellation == contract_cancellation_terms(old_days):
        cancellation = contract_cancellation_terms(new_days)
    return payment, cancellation


def mark_sent(actor: User, agreement: Agreement, now: datetime | None = None) -> None:
    if agreement.status != AgreementStatus.DRAFT:
        raise AgreementError("Seule une convention en brouillon peut être marquée comme envoyée.")
    before = audit.snapshot(agreement)
    agreement.status = AgreementStatus.SENT
    agreement.sent_at = now or datetime.now(UTC)
    db.session.flush()
    audit.record_change(actor, agreement, before, action="send", context=("cohort", agreement.cohort_id))


def mark_signed(actor: User, agreement: Agreement, signed_on: date | None, today: date) -> None:
    if agreement.status not in (AgreementStatus.DRAFT, AgreementStatus.SENT):
        raise AgreementError("Cette convention est déjà signée ou annulée.")
    if signed_on is None:
        raise AgreementError("Indiquez la date de signature.", "signed_on")
    if signed_on > today:
        raise AgreementError("La date de signature ne peut pas être dans le futur.", "signed_on")
    before = audit.snapshot(agreement)
    agreement.status = AgreementStatus.SIGNED
    agreement.signed_on = signed_on
    db.session.flush()
    audit.record_change(actor, agreement, before, action="sign", context=("cohort", agreement.cohort_id))


def cancel(actor: User, agreement: Agreement, reason: str) -> None:
    """A cancelled agreement keeps its number (numbers never come back), and says why it was cancelled."""
    if agreement.status == AgreementStatus.CANCELLED:
        raise AgreementError("Cette convention est déjà annulée.")
    if not (reason or "").strip():
        raise AgreementError("Le motif de l'annulation est obligatoire.", "reason")
    before = audit.snapshot(agreement)
    agreement.status = AgreementStatus.CANCELLED
    db.session.flush()
    audit.record_change(
        actor, agreement, before, action="cancel", reason=reason.strip(), context=("cohort", agreement.cohort_id)
    )


def agreement_trainees(agreement: Agreement) -> list[User]:
    """The trainees the agreement covers: the person of a contract, the party's employees in the session."""
    if agreement.is_contract:
        return [agreement.learner]
    stmt = (
        sa.select(User)
        .join(Enrolment, Enrolment.apprentice_id == User.id)
        .where(Enrolment.cohort_id == agreement.cohort_id, Enrolment.status != EnrolmentStatus.INTERRUPTED)
        .order_by(User.last_name, User.first_name)
    )
    if not agreement.cohort.is_intra:
        stmt = stmt.where(Enrolment.employer_id == agreement.employer_id)
    return list(db.session.scalars(stmt))
