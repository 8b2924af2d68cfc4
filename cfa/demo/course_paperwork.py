"""Demo step (with cfa/demo/short_courses.py): the agreements of the demo's short courses and the
micro-certification requests of its trainees, at every stage.

- each intra-company run has its convention with the client; each inter-company run one per employer (the CFA's own
  association trains its mediators without one), and a trainee who pays for herself signs a contrat de formation;
  runs in the past are signed, the coming ones sent;
- most requests come from trainees who completed the socle in 2025: assessed with success (the award is issued by
  the award service, as in production), assessed with a domain not acquired, scheduled, requested, withdrawn; one
  comes from a professional who never followed the socle.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa

from cfa.demo import course_data as facts
from cfa.demo.assessment import _code
from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.models import (
    Agreement,
    AgreementStatus,
    CourseAudience,
    Employer,
    Enrolment,
    EnrolmentStatus,
    MicroCertification,
    MicroCertRequest,
    MicroCertRequestDomain,
    RequestStatus,
    User,
)
from cfa.services.assessment_awards import award_micro_certification

if TYPE_CHECKING:
    from cfa.demo.short_courses import Run

PAYMENT = "Paiement à réception de facture, à 30 jours, par virement."
CANCELLATION = (
    "Annulation sans frais jusqu'à 10 jours ouvrés avant le début ; au-delà, 50 % du prix reste dû, sauf force "
    "majeure dûment justifiée. Une absence non remplacée est facturée."
)
EVIDENCE = "Mise en situation professionnelle filmée à l'issue du socle, grille d'observation signée"


def seed_paperwork(rng: random.Random, calendar: DemoCalendar, runs: list[Run], admin: User) -> None:
    _agreements(calendar, runs, admin)
    _micro_requests(rng, calendar, runs, admin)
    db.session.flush()


def _agreements(calendar: DemoCalendar, runs: list[Run], admin: User) -> None:
    own = db.session.scalar(sa.select(Employer.id).where(Employer.name == facts.OWN_ASSOCIATION))
    numbers: Counter[int] = Counter()
    agreements = []
    for run in sorted(runs, key=lambda r: (r.days[0], r.cohort.name)):
        start, price = run.days[0], run.action["price"] * 100
        if run.cohort.client_id:
            parties = [(dict(employer_id=run.cohort.client_id), len(run.trainees), run.cohort.price_cents)]
        else:
            employers = Counter(t.employer_id for t in run.trainees if t.employer_id not in (None, own))
            parties = [(dict(employer_id=e), n, n * price) for e, n in sorted(employers.items())]
            parties += [(dict(learner_id=t.id), 1, price) for t in run.trainees if t.employer_id is None]
        for party, count, amount in parties:
            numbers[start.year] += 1
            signed = start <= calendar.today
            agreements.append(
                Agreement(
                    number=f"CF-{start.year}-{numbers[start.year]:04d}",
                    cohort_id=run.cohort.id,
                    trainee_count=count,
                    price_cents=amount,
                    payment_terms=PAYMENT,
                    cancellation_terms=CANCELLATION,
                    signed_at_distance="learner_id" in party,
                    status=AgreementStatus.SIGNED if signed else AgreementStatus.SENT,
                    sent_at=datetime.combine(start - timedelta(days=30), time(9, 0), tzinfo=UTC),
                    signed_on=start - timedelta(days=21) if signed else None,
                    created_by_id=admin.id,
                    **party,
                )
            )
    db.session.add_all(agreements)


def _micro_requests(rng: random.Random, calendar: DemoCalendar, runs: list[Run], admin: User) -> None:
    micros = {m.domain: m for m in db.session.scalars(sa.select(MicroCertification).order_by(MicroCertification.id))}
    socle_2025 = [r for r in runs if r.action.get("entry_course") and r.days[-1].year == 2025]
    completed = db.session.scalars(
        sa.select(Enrolment)
        .where(
            Enrolment.cohort_id.in_([r.cohort.id for r in socle_2025]),
            Enrolment.status == EnrolmentStatus.COMPLETED,
        )
        .order_by(Enrolment.cohort_id, Enrolment.id)
    ).all()
    ends = {r.cohort.id: r.days[-1] for r in socle_2025}
    assessor = socle_2025[0].cohort.lead_trainer
    picked = rng.sample(completed, 15)
    # (domains asked, what happens: the domains acquired, "scheduled", "requested" or "withdrawn")
    stories = [
        ((1,), {1}),
        ((1, 2), {1, 2}),
        ((1, 2, 3), {1, 2, 3}),
        ((2,), {2}),
        ((1, 3), {1, 3}),
        ((3,), {3}),
        ((2,), set()),  # not acquired: may ask again later
        ((1, 3), {1}),
        ((1, 2), "scheduled"),
        ((3,), "scheduled"),
        ((1, 2, 3), "scheduled"),
        ((1,), "requested"),
        ((2, 3), "requested"),
        ((1, 2), "requested"),
        ((2,), "withdrawn"),
    ]
    for position, (enrolment, (domains, fate)) in enumerate(zip(picked, stories, strict=True)):
        finished = ends[enrolment.cohort_id]
        request = MicroCertRequest(
            learner_id=enrolment.apprentice_id,
            requested_by_id=admin.id,
            requested_on=finished + timedelta(days=3) if fate != "requested" else calendar.today - timedelta(days=4),
            source_enrolment_id=enrolment.id,
            status=RequestStatus.REQUESTED,
            domains=[MicroCertRequestDomain(micro_certification_id=micros[d].id) for d in domains],
        )
        db.session.add(request)
        if fate == "withdrawn":
            request.withdraw("A quitté son poste de médiateur avant l'évaluation.")
        elif fate == "scheduled":
            request.schedule(calendar.demo_day + timedelta(days=14 + 7 * (position % 2)), assessor.id)
        elif fate != "requested":
            _assessed(rng, request, enrolment.apprentice, finished + timedelta(days=35), assessor, fate, calendar)
    # An employee who never followed the socle may ask too, through the CFA.
    professional = next(
        t for r in runs for t in r.trainees if r.action["audience"] == CourseAudience.MEDIATION_PROFESSIONALS
    )
    db.session.add(
        MicroCertRequest(
            learner_id=professional.id,
            requested_by_id=admin.id,
            requested_on=calendar.today - timedelta(days=9),
            domains=[MicroCertRequestDomain(micro_certification_id=micros[3].id)],
        )
    )


def _assessed(rng, request, learner: User, on: date, assessor: User, acquired: set[int], calendar) -> None:
    request.schedule(on, assessor.id)
    request.mark_assessed(datetime.combine(on, time(16, 0), tzinfo=UTC))
    db.session.flush()
    for line in request.domains:
        line.acquired = line.micro_certification.domain in acquired
        if not line.acquired:
            line.comment = "Posture de tiers encore fragile lors de la mise en situation : à représenter."
            continue
        award = award_micro_certification(
            learner, line.micro_certification, awarded_on=on, assessor=assessor, evidence=EVIDENCE, today=calendar.today
        )
        award.verification_code = _code(rng)
        line.award_id = award.id
