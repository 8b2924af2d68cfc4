"""The demo's satisfaction surveys: the preloaded questionnaires, past campaigns for every audience with their
answers, and one campaign open on the demo's day to which the demo apprentice is invited.

The short courses' trainees answered in 2025 so that the CFA's published satisfaction comes out exactly: 94 % for
the modules for mediation professionals, 93 % for staff receiving the public, 97 % for the workshops in prisons.
The short-course runs are found by query: a demo without them gets no trainee campaign.

Campaigns are found again by title, so running the demo twice adds nothing.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from cfa.demo.calendar import DemoCalendar
from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import (
    Answer,
    Cohort,
    CourseAudience,
    Enrolment,
    Programme,
    ProgrammeKind,
    QuestionKind,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from cfa.services.satisfaction import OVERALL
from cfa.services.survey_campaigns import Invitee, population
from cfa.services.survey_templates import load_templates, template

# The CFA's 2025 report: satisfaction of the short courses' trainees, per public (Qualiopi indicator 2).
SHORT_COURSE_SATISFACTION_2025 = {
    CourseAudience.MEDIATION_PROFESSIONALS: 94,
    CourseAudience.PUBLIC_RECEPTION: 93,
    CourseAudience.PRISON_WORKSHOPS: 97,
}
PAST_YEARS = (2024, 2025)
FUNDERS = [
    Invitee("c.lemaitre@opco-ep.test", "Cécile Lemaître", "OPCO EP"),
    Invitee("f.bodin@uniformation.test", "François Bodin", "Uniformation"),
    Invitee("m.perrot@akto.test", "Mathilde Perrot", "AKTO"),
]
COMMENTS = [
    "Plus de mises en situation, s'il vous plaît.",
    "Très bonne ambiance dans le groupe.",
    "Le planning est arrivé un peu tard.",
    "Des formateurs de terrain, c'est précieux.",
    "Les salles de Saint-Herblain sont trop petites.",
    "Merci pour l'accompagnement.",
]


@dataclass(frozen=True)
class Target:
    respondents: int
    satisfied: int


def target_for(available: int, percent: int) -> Target:
    """The most answers (at most `available`) of which a whole number satisfied gives `percent` once rounded, with
    no tie to round either way; raises ValueError when no number of answers can."""
    for respondents in range(available, 0, -1):
        satisfied = round(respondents * percent / 100)
        if satisfied <= respondents and abs(100 * satisfied / respondents - percent) < 0.5:
            return Target(respondents, satisfied)
    raise ValueError(f"{percent} % ne peut s'obtenir avec {available} réponses au plus")


def spread(target: Target, capacities: list[int]) -> list[Target]:
    """The answers shared among runs of these sizes, run after run; each run's satisfied among its own answers."""
    shares, left, happy = [], target.respondents, target.satisfied
    for capacity in capacities:
        respondents = min(capacity, left)
        satisfied = min(respondents, happy)
        shares.append(Target(respondents, satisfied))
        left, happy = left - respondents, happy - satisfied
    return shares


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS).astimezone(UTC)


def _answers(rng: random.Random, survey: Survey, satisfied: bool) -> list[Answer]:
    """A plausible answer sheet: the overall question says satisfied (4-5) or not (2-3), the others follow."""
    answers = []
    for q in survey.questions:
        if q.kind == QuestionKind.SCALE:
            happy = satisfied if q.measure == OVERALL else rng.random() < 0.85
            answers.append(Answer(question_id=q.id, value_int=rng.choice((4, 5, 5)) if happy else rng.choice((2, 3))))
        elif q.kind == QuestionKind.NPS:
            answers.append(
                Answer(question_id=q.id, value_int=rng.choice((8, 9, 10, 10)) if satisfied else rng.choice((4, 6, 7)))
            )
        elif q.kind == QuestionKind.YES_NO:
            answers.append(Answer(question_id=q.id, value_int=int(rng.random() < 0.8)))
        elif q.kind == QuestionKind.CHOICE:
            weights = [6, 2, 1.5, 0.5][: len(q.choices)] + [1] * max(0, len(q.choices) - 4)
            answers.append(Answer(question_id=q.id, value_text=rng.choices(q.choices, weights)[0]))
        elif q.kind == QuestionKind.MULTIPLE and rng.random() < 0.7:
            picked = [c for c in q.choices if rng.random() < 0.45] or [q.choices[0]]
            answers.append(Answer(question_id=q.id, value_choices=picked))
        elif q.kind == QuestionKind.TEXT and rng.random() < 0.3:
            answers.append(Answer(question_id=q.id, value_text=rng.choice(COMMENTS)))
    return answers


def _campaign(
    rng, survey, title, cohort, opens_on, closes_on, invitees, answered: int, satisfied: int, anonymous=True
) -> SurveyCampaign | None:
    """A launched campaign with its invitations; `answered` of them answered, `satisfied` of those satisfied.
    Answers beyond the invitations (trainees without an address) were typed in from paper."""
    if db.session.scalar(sa.select(SurveyCampaign.id).where(SurveyCampaign.title == title)) is not None:
        return None
    campaign = SurveyCampaign(
        survey=survey,
        cohort=cohort,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        anonymous=anonymous,
        launched_at=_at(opens_on, 8),
    )
    db.session.add(campaign)
    invitations = [
        SurveyInvitation(
            campaign=campaign,
            email=p.email,
            name=p.name,
            organisation=p.organisation,
            user_id=p.user_id,
            sent_at=campaign.launched_at,
        )
        for p in invitees
    ]
    db.session.add_all(invitations)
    db.session.flush()
    span = max((min(closes_on, opens_on + timedelta(days=10)) - opens_on).days, 1)
    for index in range(answered):
        moment = _at(opens_on + timedelta(days=rng.randrange(span)), 9 + rng.randrange(9))
        invitation = invitations[index] if index < len(invitations) else None
        if invitation is not None:
            invitation.responded_at = moment
        response = SurveyResponse(
            campaign=campaign,
            submitted_at=moment,
            invitation_id=invitation.id if invitation is not None and not anonymous else None,
            answers=_answers(rng, survey, index < satisfied),
        )
        db.session.add(response)
    for invitation in invitations[answered:]:
        if rng.random() < 0.6:
            invitation.reminders, invitation.reminded_at = 1, _at(opens_on + timedelta(days=5), 9)
    return campaign


def _cohorts(kind: ProgrammeKind):
    return db.session.scalars(
        sa.select(Cohort)
        .join(Programme, Programme.id == Cohort.programme_id)
        .where(Programme.kind == kind)
        .order_by(Cohort.start_date, Cohort.name)
    ).all()


def _with_rate(rng, survey, title, cohort, opens_on, closes_on, invitees, rate=0.75, happy=0.9, anonymous=True):
    answered = round(len(invitees) * rate)
    satisfied = round(answered * happy)
    return _campaign(rng, survey, title, cohort, opens_on, closes_on, invitees, answered, satisfied, anonymous)


def _probe(survey: Survey, cohort: Cohort | None) -> list[Invitee]:
    """The people the preloaded questionnaire would invite (the service's own population rule)."""
    return population(SurveyCampaign(survey=survey, cohort=cohort, cohort_id=cohort.id if cohort else None))


def _apprentice_campaigns(rng, cutoff: date) -> None:
    hot, cold, tutors = template("apprentis-a-chaud"), template("apprentis-a-froid"), template("tuteurs-employeurs")
    for cohort in _cohorts(ProgrammeKind.APPRENTICESHIP):
        apprentices, their_tutors = _probe(hot, cohort), _probe(tutors, cohort)
        module_end = cohort.start_date + timedelta(weeks=10)
        steps = [
            (
                hot,
                f"{cohort.name} : fin du premier module",
                module_end,
                module_end + timedelta(days=14),
                apprentices,
                0.8,
            ),
            (
                hot,
                f"{cohort.name} : fin de formation",
                cohort.end_date,
                cohort.end_date + timedelta(days=21),
                apprentices,
                0.7,
            ),
            (
                tutors,
                f"{cohort.name} : tuteur·rices, fin de formation",
                cohort.end_date,
                cohort.end_date + timedelta(days=28),
                their_tutors,
                0.55,
            ),
        ]
        cold_open = cohort.end_date + timedelta(days=183)
        steps.append(
            (cold, f"{cohort.name} : six mois après", cold_open, cold_open + timedelta(days=21), apprentices, 0.5)
        )
        for survey, title, opens_on, closes_on, invitees, rate in steps:
            if closes_on < cutoff and invitees:
                _with_rate(rng, survey, title, cohort, opens_on, closes_on, invitees, rate)


def _yearly_campaigns(rng) -> None:
    trainers, funders = template("formateurs"), template("financeurs")
    every_trainer = _probe(trainers, None)
    for year in PAST_YEARS:
        opens_on, closes_on = date(year, 11, 24), date(year, 12, 15)
        _with_rate(
            rng, trainers, f"Formateur·rices : bilan {year}", None, opens_on, closes_on, every_trainer, 0.8, 0.85
        )
        _with_rate(
            rng, funders, f"Financeurs : bilan {year}", None, opens_on, closes_on, FUNDERS, 0.67, 1.0, anonymous=False
        )


def _short_course_campaigns(rng) -> None:
    """The 2025 runs of each public, answered so that the year's satisfaction is the published one."""
    learners = template("stagiaires-fin-de-formation")
    runs = [c for c in _cohorts(ProgrammeKind.SHORT_COURSE) if c.end_date.year == 2025]
    sizes = dict(
        db.session.execute(
            sa.select(Enrolment.cohort_id, sa.func.count(Enrolment.id))
            .where(Enrolment.cohort_id.in_([r.id for r in runs]))
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    for audience, percent in SHORT_COURSE_SATISFACTION_2025.items():
        own = [r for r in runs if r.programme.audience == audience and sizes.get(r.id)]
        if not own or any(_exists(_short_title(r)) for r in own):
            continue
        capacities = [sizes[r.id] for r in own]
        try:
            target = target_for(sum(capacities), percent)
        except ValueError:
            # Too few trainees for the published rate (94 % needs 16 answers, 93 % 14, 97 % 29): the nearest.
            target = Target(sum(capacities), round(sum(capacities) * percent / 100))
        for run, share in zip(own, spread(target, capacities), strict=True):
            closes_on = min(run.end_date + timedelta(days=7), date(2025, 12, 31))
            invitees = _probe(learners, run)
            _campaign(
                rng,
                learners,
                _short_title(run),
                run,
                run.end_date,
                closes_on,
                invitees,
                share.respondents,
                share.satisfied,
            )


def _short_title(run: Cohort) -> str:
    return f"{run.name} : fin de formation"


def _exists(title: str) -> bool:
    return db.session.scalar(sa.select(SurveyCampaign.id).where(SurveyCampaign.title == title)) is not None


def _open_campaign(rng, calendar: DemoCalendar) -> None:
    """The running demo cohort's mid-course survey, open on the demo's day; the demo apprentice has not answered."""
    cohort = db.session.scalar(sa.select(Cohort).where(Cohort.name == calendar.demo_cohort.name))
    if cohort is None:
        return
    survey = template("apprentis-a-chaud")
    invitees = sorted(_probe(survey, cohort), key=lambda p: p.email == "apprenti@cadence.test")
    today = calendar.today
    title = f"{cohort.name} : bilan du premier trimestre"
    _campaign(
        rng,
        survey,
        title,
        cohort,
        today - timedelta(days=6),
        today + timedelta(days=14),
        invitees,
        len(invitees) // 2,
        len(invitees) // 2 - 1,
    )


def seed_surveys(rng: random.Random, calendar: DemoCalendar) -> None:
    own = random.Random(30)  # its own generator: other steps' draws never change the answers
    load_templates()
    # Campaigns closed before the running year's tenth week: the same set whatever later day the demo is completed on.
    cutoff = min(calendar.today, calendar.demo_cohort.start + timedelta(weeks=9))
    _apprentice_campaigns(own, cutoff)
    _yearly_campaigns(own)
    _short_course_campaigns(own)
    _open_campaign(own, calendar)
    db.session.flush()
