"""Results, surveys and livrets of the network's cohorts, inserted in bulk with the demo's distributions."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.batches import batches
from cfa.demo import followup as demo_followup
from cfa.demo import surveys as demo_surveys
from cfa.demo.assessment import ECF_TITLES, JURY_MEMBERS, SUCCESS_RATE, _code
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    ActivityLevel,
    Answer,
    Award,
    AwardKind,
    BlockResult,
    Cohort,
    Decision,
    EnrolmentStatus,
    Evaluation,
    EvaluationOutcome,
    EvaluationResult,
    JuryCandidate,
    JurySession,
    JuryStatus,
    LivretActivity,
    LivretEntry,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from cfa.services import livret
from cfa.services.survey_templates import template


def _insert(model, rows: list[dict]) -> list[int]:
    """Rows inserted in one statement per batch; their ids, in order (for the rows that hang on them)."""
    ids: list[int] = []
    for batch in batches(rows, 5_000):
        statement = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
        ids += db.session.scalars(statement, batch).all()
    return ids


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _results(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """As the demo's assessment step (cfa/demo/assessment.py), in bulk: two ECF per block over a finished cohort's
    training, the first ECF of a running one; then for each finished cohort a published jury, its candidates'
    CCP and the CFA's success rate, and the awards those decisions give."""
    blocks = {c.programme_id: sorted(c.programme.skill_blocks, key=lambda b: b.position) for c in cohorts}
    modules = {c.programme_id: {m.skill_block_id: m.id for m in c.programme.modules} for c in cohorts}
    evaluations, results = [], []
    for cohort in cohorts:
        span = (cohort.end_date - cohort.start_date).days
        if cohort.end_date < today:
            plan = [(block, n) for n in range(2) for block in blocks[cohort.programme_id]]
        elif cohort.start_date + timedelta(weeks=3) < today:
            plan = [(blocks[cohort.programme_id][0], 0)]
        else:
            continue
        for position, (block, n) in enumerate(plan):
            day = cohort.start_date + timedelta(days=int(span * (0.2 + 0.65 * position / len(plan))))
            day = min(day, today - timedelta(days=1))
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            scored = n == 0
            evaluations.append(
                dict(
                    cohort_id=cohort.id,
                    skill_block_id=block.id,
                    module_id=modules[cohort.programme_id].get(block.id),
                    title=f"{block.code} · {ECF_TITLES[(position + n) % len(ECF_TITLES)]}",
                    date=day,
                    trainer_id=cohort.lead_trainer_id,
                    max_score=20 if scored else None,
                )
            )
            for enrolment in sorted(cohort.enrolments, key=lambda e: e.id):
                if not enrolment.is_enrolled_on(day):
                    continue
                draw = rng.random()
                score = None
                if draw < 0.04:
                    outcome = EvaluationOutcome.ABSENT
                else:
                    score = rng.randint(7, 19) if scored else None
                    acquired = score >= 10 if score is not None else draw < 0.8
                    outcome = EvaluationOutcome.ACQUIRED if acquired else EvaluationOutcome.IN_PROGRESS
                results.append(
                    dict(
                        evaluation=len(evaluations) - 1,
                        enrolment_id=enrolment.id,
                        outcome=outcome,
                        score=score,
                        comment=None,
                        assessed_by_id=cohort.lead_trainer_id,
                    )
                )
    ids = _insert(Evaluation, evaluations)
    for row in results:
        row["evaluation_id"] = ids[row.pop("evaluation")]
    _insert(EvaluationResult, results)
    _juries(rng, today, [c for c in cohorts if c.end_date < today], blocks)


def _juries(rng: random.Random, today: date, finished: list[Cohort], blocks: dict) -> None:
    juries, candidates = [], []
    for index, cohort in enumerate(finished):
        day = cohort.end_date - timedelta(days=cohort.end_date.weekday() + 21)
        published = datetime.combine(day + timedelta(days=8), time(9, 30), tzinfo=UTC)
        if published.date() >= today:
            continue
        juries.append(
            dict(
                cohort_id=cohort.id,
                date=day,
                start_time="09:00",
                place=f"CFA, site de {cohort.centre.name}",
                members=JURY_MEMBERS,
                status=JuryStatus.PUBLISHED,
                published_at=published,
            )
        )
        present = sorted((e for e in cohort.enrolments if e.status != EnrolmentStatus.INTERRUPTED), key=lambda e: e.id)
        rng.shuffle(present)
        absent = 1 if index % 2 == 0 and len(present) > 1 else 0
        obtained = round((len(present) - absent) * SUCCESS_RATE)
        block_ids = [b.id for b in blocks[cohort.programme_id]]
        for position, enrolment in enumerate(present):
            if position < absent:
                decision, acquired = Decision.ABSENT, {}
            elif position < absent + obtained:
                decision, acquired = Decision.OBTAINED, dict.fromkeys(block_ids, True)
            else:
                kept = set(rng.sample(block_ids, rng.randint(0, len(block_ids) - 1)))
                acquired = {b: b in kept for b in block_ids}
                decision = Decision.PARTIAL if kept else Decision.NOT_OBTAINED
            candidates.append((len(juries) - 1, enrolment, decision, acquired, cohort))
    jury_ids = _insert(JurySession, juries)
    candidate_ids = _insert(
        JuryCandidate,
        [
            dict(
                jury_session_id=jury_ids[jury],
                enrolment_id=enrolment.id,
                convened_at=datetime.combine(juries[jury]["date"] - timedelta(days=30), time(8, 0), tzinfo=UTC),
                decision=decision,
            )
            for jury, enrolment, decision, _, _ in candidates
        ],
    )
    block_results, awards = [], []
    for candidate_id, (jury, enrolment, decision, acquired, cohort) in zip(candidate_ids, candidates, strict=True):
        day = juries[jury]["date"]
        common = dict(
            learner_id=enrolment.apprentice_id,
            jury_candidate_id=candidate_id,
            awarded_on=day,
            evidence=f"Session de validation du {day:%d/%m/%Y}, {juries[jury]['place']}",
        )
        for block_id, ok in acquired.items():
            block_results.append(dict(candidate_id=candidate_id, skill_block_id=block_id, acquired=ok, comment=None))
            if ok:
                awards.append(dict(kind=AwardKind.SKILL_BLOCK, skill_block_id=block_id, **common))
        if decision == Decision.OBTAINED:
            awards.append(dict(kind=AwardKind.TITLE, programme_id=cohort.programme_id, **common))
    _insert(BlockResult, block_results)
    for award in awards:
        award.update(verification_code=_code(rng))
        award.setdefault("skill_block_id", None)
        award.setdefault("programme_id", None)
    _insert(Award, awards)


def _campaigns(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """Each finished cohort's end-of-training questionnaires, apprentices' and tutors', answered at the demo's
    rates (its cfa/demo/surveys.py), in bulk: campaigns, invitations, anonymous responses and their answers."""
    hot, tutors = template("apprentis-a-chaud"), template("tuteurs-employeurs")
    campaigns, invitations, responses = [], [], []
    for cohort in cohorts:
        opens_on, closes_on = cohort.end_date, cohort.end_date + timedelta(days=28)
        if closes_on >= today:
            continue
        apprentices = sorted({e.apprentice for e in cohort.enrolments}, key=lambda u: u.id)
        their_tutors = sorted({e.tutor for e in cohort.enrolments if e.tutor is not None}, key=lambda u: u.id)
        for survey, title, invitees, rate in (
            (hot, f"{cohort.name} : fin de formation", apprentices, 0.7),
            (tutors, f"{cohort.name} : tuteur·rices, fin de formation", their_tutors, 0.55),
        ):
            campaigns.append(
                dict(
                    survey_id=survey.id,
                    cohort_id=cohort.id,
                    title=title,
                    opens_on=opens_on,
                    closes_on=closes_on,
                    anonymous=True,
                    launched_at=_at(opens_on, 8),
                )
            )
            answered = round(len(invitees) * rate)
            for index, person in enumerate(invitees):
                moment = _at(opens_on + timedelta(days=rng.randrange(10)), 9 + rng.randrange(9))
                invitations.append(
                    dict(
                        campaign=len(campaigns) - 1,
                        user_id=person.id,
                        email=person.email,
                        name=person.full_name,
                        organisation=None,
                        token=f"{rng.getrandbits(192):048x}",
                        sent_at=campaigns[-1]["launched_at"],
                        responded_at=moment if index < answered else None,
                    )
                )
                if index < answered:
                    satisfied = rng.random() < 0.9
                    responses.append((len(campaigns) - 1, moment, demo_surveys._answers(rng, survey, satisfied)))
    campaign_ids = _insert(SurveyCampaign, campaigns)
    for row in invitations:
        row["campaign_id"] = campaign_ids[row.pop("campaign")]
    _insert(SurveyInvitation, invitations)
    response_ids = _insert(
        SurveyResponse,
        [dict(campaign_id=campaign_ids[c], submitted_at=moment, invitation_id=None) for c, moment, _ in responses],
    )
    answers = [
        dict(
            response_id=response_id,
            question_id=a.question_id,
            value_int=a.value_int,
            value_text=a.value_text,
            value_choices=a.value_choices,
        )
        for response_id, (_, _, given) in zip(response_ids, responses, strict=True)
        for a in given
    ]
    for batch in batches(answers, 20_000):
        db.session.execute(sa.insert(Answer), batch)


def _livrets(rng: random.Random, today: date, cohorts: list[Cohort]) -> None:
    """The livret of every apprentice with a tutor, each ended field period written and signed by the tutor with
    three activities (the demo's wording, cfa/demo/followup.py); one cohort in seven has its last period unwritten."""
    periods: dict[int, list] = {}  # by cohort: field_periods() scans the list it is given, for each enrolment
    for period in livret.field_periods_of_cohorts([c.id for c in cohorts]):
        periods.setdefault(period.cohort_id, []).append(period)
    blocks = {c.programme_id: sorted(c.programme.skill_blocks, key=lambda b: b.position) for c in cohorts}
    entries, activities = [], []
    for index, cohort in enumerate(cohorts):
        for enrolment in sorted(cohort.enrolments, key=lambda e: e.id):
            if enrolment.tutor_id is None:
                continue
            ended = [p for p in livret.field_periods(enrolment, periods.get(cohort.id, [])) if p.ended(today)]
            if index % 7 == 2:
                ended = ended[:-1]
            for number, period in enumerate(ended):
                entries.append(
                    dict(
                        enrolment_id=enrolment.id,
                        period_start=period.start,
                        period_end=period.end,
                        tutor_comment=demo_followup.COMMENTS[number % len(demo_followup.COMMENTS)],
                        tutor_id=enrolment.tutor_id,
                        tutor_signed_at=_at(period.end, 17),
                    )
                )
                for position, description in enumerate(rng.sample(demo_followup.ACTIVITIES, 3), start=1):
                    level = [ActivityLevel.IN_PROGRESS, ActivityLevel.ACQUIRED, ActivityLevel.NOT_SEEN][
                        (number + position) % 3
                    ]
                    block = blocks[cohort.programme_id][(number + position) % len(blocks[cohort.programme_id])]
                    activities.append(
                        dict(
                            entry=len(entries) - 1,
                            position=position,
                            skill_block_id=block.id,
                            description=description,
                            level=level,
                            comment=None,
                        )
                    )
    entry_ids = _insert(LivretEntry, entries)
    for row in activities:
        row["entry_id"] = entry_ids[row.pop("entry")]
    for batch in batches(activities, 20_000):
        db.session.execute(sa.insert(LivretActivity), batch)
