"""Demo step: ECF results, the published jury sessions of the finished cohorts, micro-certification awards.

Deterministic with the rng it is given and idempotent: a cohort that already has evaluations or a jury session is
left alone, an award held already is not given again. Nothing is assessed on or after the demo's today.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from cfa.demo import data
from cfa.demo.calendar import DemoCalendar
from cfa.demo.foundation import _person
from cfa.extensions import db
from cfa.models import (
    Award,
    AwardKind,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    JurySession,
    MicroCertification,
    Programme,
    ProgrammeKind,
    Role,
    Session,
    SessionStatus,
    User,
)
from cfa.services.assessment_awards import revoke_award
from cfa.services.assessment_credentials import create_signing_key
from cfa.services.juries import add_candidates
from cfa.services.jury_results import publish_jury, record_jury_results

SUCCESS_RATE = 0.79  # 2025 activity report: 79 % exam success
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ECF_TITLES = ["Étude de cas écrite", "Mise en situation filmée", "Jeu de rôle en binôme", "Dossier d'analyse"]
# Jury sessions of the finished cohorts: (days before the end of the contracts, place by centre code).
JURY_PLACES = {"RENNES": "CFA, site de Rennes – 12 rue de la Médiation", "NANTES": "CFA, site de Saint-Herblain"}
JURY_MEMBERS = "Présidente : Anne Le Dantec, médiatrice sociale, jury habilitée DREETS\nMembre : Karim Haddou, chef de service médiation"
LEARNERS = [  # employees in short training (socle), who may request a micro-certification too
    ("c.lebreton@ville-rennes.test", "Corinne", "Le Breton", "Agente d'accueil, mairie de quartier"),
    ("y.mahe@archipel-habitat.test", "Yoann", "Mahé", "Gardien d'immeuble"),
    ("f.sy@ccas-saint-nazaire.test", "Fatoumata", "Sy", "Conseillère d'accueil"),
]


def seed_assessment(rng: random.Random, calendar: DemoCalendar) -> None:
    create_signing_key(current_app.config["KEYS_DIR"])
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    trainer = db.session.scalar(sa.select(User).where(User.email == data.DEMO_TRAINER))
    # Evaluations and juries are the apprenticeship titles'; short courses end with an attestation instead.
    titles_taught = sa.select(Cohort).join(Programme).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
    cohorts = db.session.scalars(titles_taught.order_by(Cohort.start_date, Cohort.name)).all()
    for cohort in cohorts:
        _evaluations(rng, cohort, calendar.today)
    finished = [c for c in cohorts if c.end_date < calendar.today]
    titles = _titles_to_award(finished)
    for index, cohort in enumerate(finished):
        _jury(rng, cohort, admin, index, titles[cohort.id])
    _micro_certifications(rng, trainer, admin, calendar.today)
    db.session.flush()


def _absent(index: int) -> int:
    return 1 if index % 2 == 0 else 0  # one candidate absent at every other session


def _titles_to_award(cohorts: list[Cohort]) -> dict[int, int]:
    """Titles obtained per cohort so that the year's success rate is the CFA's published 79 %.

    Largest remainder: each cohort gets its share rounded down, the leftover titles go to the largest fractions.
    """
    presented = {
        c.id: sum(1 for e in c.enrolments if e.status != EnrolmentStatus.INTERRUPTED) - _absent(i)
        for i, c in enumerate(cohorts)
    }
    target = round(sum(presented.values()) * SUCCESS_RATE)
    shares = {cid: n * SUCCESS_RATE for cid, n in presented.items()}
    titles = {cid: int(share) for cid, share in shares.items()}
    for cid in sorted(shares, key=lambda k: (shares[k] - titles[k], k), reverse=True)[: target - sum(titles.values())]:
        titles[cid] += 1
    return titles


def _code(rng: random.Random) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(12))


def _evaluations(rng: random.Random, cohort: Cohort, today: date) -> None:
    """Two ECF per block over the training for a finished cohort; for a running one, the ECF that closes its first
    week at the centre, once that week is over."""
    if db.session.scalar(sa.select(Evaluation.id).where(Evaluation.cohort_id == cohort.id).limit(1)):
        return
    blocks = cohort.programme.skill_blocks
    span = (cohort.end_date - cohort.start_date).days
    finished = cohort.end_date < today
    if finished:
        plan = [(block, n) for n in range(2) for block in blocks]
    else:
        first_week = _nth_course_day(cohort, 5)
        if first_week is None or first_week >= today:
            return
        plan = [(blocks[0], 0)]
    modules = {m.skill_block_id: m for m in cohort.programme.modules if m.skill_block_id}
    for position, (block, n) in enumerate(plan):
        if finished:
            day = cohort.start_date + timedelta(days=int(span * (0.2 + 0.65 * position / len(plan))))
        else:
            day = first_week
        while day.weekday() >= 5:  # evaluations happen on weekdays
            day -= timedelta(days=1)
        evaluation = Evaluation(
            cohort_id=cohort.id,
            skill_block_id=block.id,
            module_id=modules[block.id].id if block.id in modules else None,
            title=f"{block.code} · {ECF_TITLES[(position + n) % len(ECF_TITLES)]}",
            date=day,
            trainer_id=cohort.lead_trainer_id,
            max_score=20 if n == 0 else None,
        )
        db.session.add(evaluation)
        for enrolment in sorted(cohort.enrolments, key=lambda e: e.id):
            if not enrolment.is_enrolled_on(day):
                continue
            draw = rng.random()
            if draw < 0.04:
                outcome, score = EvaluationOutcome.ABSENT, None
            else:
                score = rng.randint(7, 19) if evaluation.max_score else None
                acquired = score >= 10 if score is not None else draw < 0.8
                outcome = EvaluationOutcome.ACQUIRED if acquired else EvaluationOutcome.IN_PROGRESS
            comment = rng.choice(
                [
                    None,
                    None,
                    "Bonne posture, à consolider à l'écrit.",
                    "Très bonne analyse du territoire.",
                    "Reformulation à travailler.",
                ]
            )
            evaluation.results.append(
                EvaluationResult(
                    enrolment=enrolment,
                    outcome=outcome,
                    score=score,
                    comment=comment,
                    assessed_by_id=cohort.lead_trainer_id,
                )
            )
    db.session.flush()


def _jury(rng: random.Random, cohort: Cohort, admin: User, index: int, obtained: int) -> None:
    if db.session.scalar(sa.select(JurySession.id).where(JurySession.cohort_id == cohort.id).limit(1)):
        return
    jury = JurySession(
        cohort_id=cohort.id,
        date=cohort.end_date - timedelta(days=cohort.end_date.weekday() + 21),  # a Monday three weeks before the end
        start_time="09:00",
        place=JURY_PLACES.get(cohort.centre.code, f"CFA, site de {cohort.centre.name}"),  # network: any centre
        members=JURY_MEMBERS,
    )
    db.session.add(jury)
    db.session.flush()
    add_candidates(jury)
    for candidate in jury.candidates:
        candidate.convened_at = datetime.combine(jury.date - timedelta(days=30), time(8, 0), tzinfo=UTC)
    candidates = sorted(jury.candidates, key=lambda c: c.enrolment_id)
    rng.shuffle(candidates)
    blocks = [b.id for b in cohort.programme.skill_blocks]
    absent = _absent(index)
    presented = len(candidates) - absent
    for position, candidate in enumerate(candidates):
        if position < absent:
            record_jury_results(candidate, {}, absent=True)
        elif position < absent + obtained:
            record_jury_results(candidate, dict.fromkeys(blocks, True), absent=False)
        elif position == len(candidates) - 1 and presented - obtained >= 2:
            record_jury_results(candidate, dict.fromkeys(blocks, False), absent=False)
        else:
            kept = set(rng.sample(blocks, rng.randint(1, len(blocks) - 1)))
            record_jury_results(candidate, {b: b in kept for b in blocks}, absent=False)
    published_at = datetime.combine(jury.date + timedelta(days=8), time(9, 30), tzinfo=UTC)
    for award in publish_jury(jury, admin, now=published_at):
        award.verification_code = _code(rng)
    db.session.flush()


def _give(rng, learner: User, micro: MicroCertification, day: date, assessor: User, evidence: str) -> Award | None:
    held = db.session.scalar(
        sa.select(Award).where(Award.learner_id == learner.id, Award.micro_certification_id == micro.id)
    )
    if held is not None:
        return None
    award = Award(
        kind=AwardKind.MICRO_CERTIFICATION,
        learner_id=learner.id,
        micro_certification_id=micro.id,
        awarded_on=day,
        assessor_id=assessor.id,
        evidence=evidence,
        verification_code=_code(rng),
    )
    db.session.add(award)
    return award


def _micro_certifications(rng: random.Random, trainer: User, admin: User, today: date) -> None:
    micros = {m.code: m for m in db.session.scalars(sa.select(MicroCertification))}
    evidence = "Mise en situation professionnelle filmée à l'issue du socle, grille d'observation signée"
    # The demo apprentice: the framework and posture, at the end of her 6-day entry training (the socle).
    ines = db.session.scalar(sa.select(User).where(User.email == data.DEMO_APPRENTICE))
    if ines is not None:
        cohort = db.session.scalar(sa.select(Cohort).join(Enrolment).where(Enrolment.apprentice_id == ines.id))
        socle_done = _nth_course_day(cohort, 6)
        if socle_done is not None and socle_done < today:
            _give(rng, ines, micros["MC-CADRE"], socle_done, trainer, evidence)
    # Employees in short training, who are not apprentices.
    for position, (email, first, last, job) in enumerate(LEARNERS):
        learner = _person(email, first, last, [Role.LEARNER], job_title=job)
        for code in list(micros)[: position + 1]:
            _give(rng, learner, micros[code], date(2025, 3, 14) + timedelta(days=7 * position), trainer, evidence)
    # A few 2024-2025 apprentices requested one too.
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .join(Cohort)
        .join(Programme)
        .where(Cohort.end_date < today, Programme.kind == ProgrammeKind.APPRENTICESHIP)
        .order_by(Enrolment.id)
    ).all()
    for enrolment in enrolments[::9]:
        _give(
            rng,
            enrolment.apprentice,
            micros[sorted(micros)[enrolment.id % len(micros)]],
            enrolment.contract_start + timedelta(days=10),
            trainer,
            evidence,
        )
    db.session.flush()
    # One award revoked, as happens when a certificate was issued to the wrong person.
    first_learner = db.session.scalar(sa.select(User).where(User.email == LEARNERS[2][0]))
    wrong = db.session.scalar(
        sa.select(Award).where(Award.learner_id == first_learner.id).order_by(Award.awarded_on.desc(), Award.id.desc())
    )
    if wrong is not None and not _any_revoked():
        revoke_award(
            wrong,
            admin,
            "Délivrée par erreur : l'évaluation portait sur un autre domaine.",
            now=datetime(2025, 4, 11, 14, 0, tzinfo=UTC),
        )


def _nth_course_day(cohort: Cohort, n: int) -> date | None:
    """The cohort's n-th day at the centre (1 for the first), from its planned sessions."""
    return db.session.scalar(
        sa.select(Session.date)
        .where(Session.cohort_id == cohort.id, Session.status == SessionStatus.PLANNED)
        .group_by(Session.date)
        .order_by(Session.date)
        .offset(n - 1)
        .limit(1)
    )


def _any_revoked() -> bool:
    return db.session.scalar(sa.select(Award.id).where(Award.revoked_at.is_not(None)).limit(1)) is not None
