"""Survey campaigns: whom a questionnaire goes to, its one-time links, reminders and the response rate.

The people invited follow from the questionnaire's audience and the campaign's cohort: a cohort's apprentices or
a short-course run's trainees (their enrolments), the cohort's tutors, the trainers (of the cohort, or all),
and funders' contacts typed in, who have no account. Each gets one invitation, whose link answers once; e-mails
go through the outbox in the same transaction, and people with an account also find them on their portal.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import PARIS, long_date
from cfa.models import (
    Audience,
    Cohort,
    Enrolment,
    OutboxMessage,
    Role,
    Session,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    User,
    UserRole,
)
from cfa.services import audit
from cfa.services.surveys import SurveyError

EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
LinkFor = Callable[[str], str]  # token -> the absolute answering link


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str | None
    organisation: str | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class Participation:
    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None


def create_campaign(
    actor, survey: Survey, title: str, opens_on: date, closes_on: date, anonymous: bool, cohort: Cohort | None
) -> SurveyCampaign:
    title = (title or "").strip()
    if not title:
        raise SurveyError("Donnez un titre à la campagne.", "title")
    if closes_on < opens_on:
        raise SurveyError("La clôture ne peut précéder l'ouverture.", "closes_on")
    if survey.audience in (Audience.APPRENTICE, Audience.EMPLOYER, Audience.LEARNER) and cohort is None:
        raise SurveyError("Choisissez la promotion ou la session dont les personnes sont interrogées.", "cohort_id")
    if survey.audience == Audience.FUNDER and cohort is not None:
        raise SurveyError("Les financeurs ne sont pas rattachés à une promotion : laissez-la vide.", "cohort_id")
    if cohort is not None and (survey.audience == Audience.LEARNER) != cohort.programme.is_short_course:
        raise SurveyError(
            "Les stagiaires sont interrogés sur une session de formation courte, les apprenti·es sur une promotion.",
            "cohort_id",
        )
    campaign = SurveyCampaign(
        survey=survey,
        cohort=cohort,
        title=title,
        opens_on=opens_on,
        closes_on=closes_on,
        anonymous=anonymous,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(campaign)
    db.session.flush()
    audit.record_change(actor, campaign, None)
    return campaign


def update_campaign(
    actor, campaign: SurveyCampaign, title: str, opens_on: date, closes_on: date, anonymous: bool
) -> SurveyCampaign:
    """A draft changes freely; once launched, only its title and closing date, since links and answers exist."""
    title = (title or "").strip()
    if not title:
        raise SurveyError("Donnez un titre à la campagne.", "title")
    if closes_on < opens_on:
        raise SurveyError("La clôture ne peut précéder l'ouverture.", "closes_on")
    if campaign.launched_at is not None and opens_on != campaign.opens_on:
        raise SurveyError("La campagne est lancée : sa date d'ouverture ne change plus.", "opens_on")
    if campaign.launched_at is not None and anonymous != campaign.anonymous:
        raise SurveyError("La campagne est lancée : des réponses ont été promises anonymes ou non.", "anonymous")
    before = audit.snapshot(campaign)
    campaign.title, campaign.opens_on, campaign.closes_on, campaign.anonymous = title, opens_on, closes_on, anonymous
    db.session.flush()
    audit.record_change(actor, campaign, before)
    return campaign


def population(campaign: SurveyCampaign) -> list[Invitee]:
    """The people with an account the campaign is for; those without an address are left to paper."""
    audience, cohort_id = campaign.survey.audience, campaign.cohort_id
    if audience in (Audience.APPRENTICE, Audience.LEARNER):
        stmt = (
            sa.select(User).join(Enrolment, Enrolment.apprentice_id == User.id).where(Enrolment.cohort_id == cohort_id)
        )
    elif audience == Audience.EMPLOYER:
        stmt = sa.select(User).join(Enrolment, Enrolment.tutor_id == User.id).where(Enrolment.cohort_id == cohort_id)
    elif audience == Audience.TRAINER and cohort_id is not None:
        stmt = sa.select(User).join(Session, Session.trainer_id == User.id).where(Session.cohort_id == cohort_id)
    elif audience == Audience.TRAINER:
        stmt = sa.select(User).join(UserRole, UserRole.user_id == User.id).where(UserRole.role == Role.TRAINER)
    else:
        return []  # funders' contacts are typed in
    stmt = stmt.where(User.active.is_(True), User.email.is_not(None)).distinct().order_by(User.last_name, User.id)
    return [Invitee(u.email, u.full_name, None, u.id) for u in db.session.scalars(stmt)]


def parse_contacts(text: str) -> list[Invitee]:
    """One contact per line: « adresse ; nom ; organisme » (name and organisation optional)."""
    contacts = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        email = parts[0].lower()
        if not EMAIL.match(email) or len(email) > 254 or len(parts) > 3:
            raise SurveyError(f"Ligne {number} illisible : écrivez « adresse ; nom ; organisme ».", "contacts")
        name = parts[1][:160] if len(parts) > 1 and parts[1] else None
        organisation = parts[2][:160] if len(parts) > 2 and parts[2] else None
        contacts.append(Invitee(email, name, organisation))
    if not contacts:
        raise SurveyError("Saisissez au moins un contact.", "contacts")
    return contacts


def add_contacts(actor, campaign: SurveyCampaign, contacts: list[Invitee]) -> int:
    """Funders' contacts, invited when the campaign is launched; an address already there is kept once."""
    if campaign.launched_at is not None:
        raise SurveyError("La campagne est lancée : ses destinataires ne changent plus.", "contacts")
    return _invite(campaign, contacts)


def _invite(campaign: SurveyCampaign, invitees: list[Invitee]) -> int:
    known = set(
        db.session.scalars(sa.select(SurveyInvitation.email).where(SurveyInvitation.campaign_id == campaign.id))
    )
    added = 0
    for person in invitees:
        if person.email in known:
            continue
        known.add(person.email)
        db.session.add(
            SurveyInvitation(
                campaign=campaign,
                email=person.email,
                name=person.name,
                organisation=person.organisation,
                user_id=person.user_id,
            )
        )
        added += 1
    db.session.flush()
    return added


def launch(actor, campaign: SurveyCampaign, link_for: LinkFor, now: datetime | None = None) -> int:
    """Invite the campaign's people and queue one e-mail each; the questionnaire's version is frozen from now."""
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    if campaign.launched_at is not None:
        raise SurveyError("Cette campagne est déjà lancée.")
    if campaign.closes_on < today:
        raise SurveyError("La date de clôture est passée : reportez-la avant de lancer la campagne.")
    if not campaign.survey.questions:
        raise SurveyError("Le questionnaire n'a aucune question.")
    _invite(campaign, population(campaign))
    invitations = list(
        db.session.scalars(sa.select(SurveyInvitation).where(SurveyInvitation.campaign_id == campaign.id))
    )
    if not invitations:
        raise SurveyError("Personne à interroger : aucune personne de cette population n'a d'adresse électronique.")
    campaign.launched_at = now
    for invitation in invitations:
        _queue(invitation, campaign, link_for, f"survey:{invitation.id}", max(now, _opening(campaign)), reminder=False)
        invitation.sent_at = now
    db.session.flush()
    audit.record(actor, "survey_campaign", campaign.id, "launch", after={"invitations": len(invitations)})
    return len(invitations)


def _opening(campaign: SurveyCampaign) -> datetime:
    """E-mails of a campaign launched ahead of its opening leave on the opening morning."""
    return datetime.combine(campaign.opens_on, datetime.min.time(), tzinfo=PARIS).replace(hour=8).astimezone(UTC)


def _queue(invitation, campaign, link_for: LinkFor, key: str, send_after: datetime, reminder: bool) -> None:
    hello = f"Bonjour {invitation.name}," if invitation.name else "Bonjour,"
    subject = ("Rappel : " if reminder else "") + f"votre avis sur « {campaign.title} »"
    anonymity = (
        "Vos réponses sont anonymes : elles ne sont pas reliées à votre nom."
        if campaign.anonymous
        else "Vos réponses sont lues par le service qualité du CFA."
    )
    body = (
        f"{hello}\n\nLe CFA vous invite à répondre au questionnaire « {campaign.survey.title} », "
        f"jusqu'au {long_date(campaign.closes_on)}. Quelques minutes suffisent. {anonymity}\n\n"
        f"{link_for(invitation.token)}\n\nCe lien vous est personnel et ne sert qu'une fois.\n\n"
        "Ceci est un message automatique de Cadence."
    )
    db.session.add(
        OutboxMessage(
            dedup_key=key, recipient=invitation.email, subject=subject[:200], body_text=body, send_after=send_after
        )
    )


def send_reminders(actor, campaign: SurveyCampaign, link_for: LinkFor, now: datetime | None = None) -> int:
    """Remind those who have not answered, at most once a day each; returns how many were reminded."""
    now = now or datetime.now(UTC)
    today = now.astimezone(PARIS).date()
    if campaign.launched_at is None:
        raise SurveyError("Lancez la campagne avant de relancer.")
    if campaign.closes_on < today:
        raise SurveyError("La campagne est close : plus de relance possible.")
    waiting = db.session.scalars(
        sa.select(SurveyInvitation)
        .where(SurveyInvitation.campaign_id == campaign.id, SurveyInvitation.responded_at.is_(None))
        .with_for_update()
    )
    reminded = 0
    for invitation in waiting:
        last = invitation.reminded_at or invitation.sent_at
        if last is not None and last.astimezone(PARIS).date() >= today:
            continue
        invitation.reminders += 1
        invitation.reminded_at = now
        _queue(invitation, campaign, link_for, f"survey:{invitation.id}:reminder:{invitation.reminders}", now, True)
        reminded += 1
    db.session.flush()
    if reminded:
        audit.record(actor, "survey_campaign", campaign.id, "remind", after={"reminded": reminded})
    return reminded


def participation(campaign_ids: list[int]) -> dict[int, Participation]:
    """Invited and answered per campaign, counted in one GROUP BY."""
    if not campaign_ids:
        return {}
    stmt = (
        sa.select(
            SurveyInvitation.campaign_id,
            sa.func.count(SurveyInvitation.id),
            sa.func.count(SurveyInvitation.responded_at),
        )
        .where(SurveyInvitation.campaign_id.in_(campaign_ids))
        .group_by(SurveyInvitation.campaign_id)
    )
    found = {cid: Participation(int(invited), int(responded)) for cid, invited, responded in db.session.execute(stmt)}
    return {cid: found.get(cid, Participation(0, 0)) for cid in campaign_ids}


def responses_count(campaign_ids: list[int]) -> dict[int, int]:
    """Answers stored per campaign, paper ones included."""
    stmt = (
        sa.select(SurveyResponse.campaign_id, sa.func.count(SurveyResponse.id))
        .where(SurveyResponse.campaign_id.in_(campaign_ids))
        .group_by(SurveyResponse.campaign_id)
    )
    return dict(db.session.execute(stmt).all()) if campaign_ids else {}


def campaigns_listing(
    year: int | None = None, state: str | None = None, today: date | None = None, audience: Audience | None = None
):
    """The statement of the campaigns list, newest closing first."""
    stmt = sa.select(SurveyCampaign).options(selectinload(SurveyCampaign.survey), selectinload(SurveyCampaign.cohort))
    if audience is not None:
        stmt = stmt.join(Survey, Survey.id == SurveyCampaign.survey_id).where(Survey.audience == audience)
    if year is not None:
        stmt = stmt.where(SurveyCampaign.closes_on.between(date(year, 1, 1), date(year, 12, 31)))
    if state == "draft":
        stmt = stmt.where(SurveyCampaign.launched_at.is_(None))
    elif state == "open" and today is not None:
        stmt = stmt.where(SurveyCampaign.launched_at.is_not(None), SurveyCampaign.closes_on >= today)
    elif state == "closed" and today is not None:
        stmt = stmt.where(SurveyCampaign.closes_on < today)
    return stmt.order_by(SurveyCampaign.closes_on.desc(), SurveyCampaign.id.desc())


def campaign_state(campaign: SurveyCampaign, today: date) -> str:
    if campaign.launched_at is None:
        return "Brouillon"
    if campaign.closes_on < today:
        return "Close"
    if campaign.opens_on > today:
        return "Programmée"
    return "Ouverte"


def my_invitations(user: User) -> list[SurveyInvitation]:
    """A person's own invitations of launched campaigns, newest first; nobody else's."""
    return list(
        db.session.scalars(
            sa.select(SurveyInvitation)
            .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
            .where(SurveyInvitation.user_id == user.id, SurveyCampaign.launched_at.is_not(None))
            .options(selectinload(SurveyInvitation.campaign).selectinload(SurveyCampaign.survey))
            .order_by(SurveyCampaign.closes_on.desc(), SurveyInvitation.id.desc())
        )
    )
