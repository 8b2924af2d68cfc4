"""Campaigns: whom they invite, the one-time links e-mailed through the outbox, reminders at most once a day, the
closing date, the response rate."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from cfa.services import survey_answers
from cfa.services.survey_campaigns import (
    add_contacts,
    create_campaign,
    launch,
    my_invitations,
    parse_contacts,
    participation,
    population,
    send_reminders,
    update_campaign,
)
from cfa.services.surveys import SurveyError
from tests import factories as f

NOW = datetime(2025, 6, 10, 9, tzinfo=UTC)  # 11:00 in Paris


def _link(token):
    return f"https://cfa.test/qualite/questionnaire/{token}"


def _outbox():
    return list(db.session.scalars(sa.select(m.OutboxMessage).order_by(m.OutboxMessage.id)))


def _answer(invitation, score=5, now=NOW):
    question = invitation.campaign.survey.questions[0]
    return survey_answers.submit(invitation.token, {f"q{question.id}": [str(score)]}, now=now)


def test_launching_invites_each_apprentice_of_the_cohort_once_and_mails_their_own_link():
    cohort = f.CohortFactory()
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(3)]
    f.EnrolmentFactory(cohort=cohort, apprentice=f.UserFactory.apprentice(email=None))  # no address: paper
    f.EnrolmentFactory()  # another cohort
    campaign = f.SurveyCampaignFactory(cohort=cohort)

    assert launch(None, campaign, _link, now=NOW) == 3

    invitations = sorted(campaign.invitations, key=lambda i: i.email)
    assert {i.user_id for i in invitations} == {e.apprentice_id for e in enrolments}
    assert all(i.sent_at == NOW for i in invitations) and campaign.launched_at == NOW
    messages = {msg.recipient: msg for msg in _outbox()}
    for invitation in invitations:
        assert _link(invitation.token) in messages[invitation.email].body_text
    assert len({i.token for i in invitations}) == 3
    with pytest.raises(SurveyError, match="déjà lancée"):
        launch(None, campaign, _link, now=NOW)


def test_each_population_follows_the_questionnaire_audience():
    cohort = f.CohortFactory()
    enrolment = f.EnrolmentFactory(cohort=cohort)
    trainer = f.UserFactory.trainer()
    f.SessionFactory(cohort=cohort, trainer=trainer)
    f.SessionFactory(cohort=cohort, trainer=trainer, half_day=m.HalfDay.PM)
    run = f.ShortCourseRunFactory()
    trainee = f.TraineeEnrolmentFactory(cohort=run)

    def people(audience, cohort):
        campaign = f.SurveyCampaignFactory(survey=f.SurveyFactory(audience=audience), cohort=cohort)
        return [p.user_id for p in population(campaign)]

    assert people(m.Audience.APPRENTICE, cohort) == [enrolment.apprentice_id]
    assert people(m.Audience.EMPLOYER, cohort) == [enrolment.tutor_id]
    assert people(m.Audience.TRAINER, cohort) == [trainer.id]
    assert trainer.id in people(m.Audience.TRAINER, None)
    assert people(m.Audience.LEARNER, run) == [trainee.apprentice_id]
    assert people(m.Audience.FUNDER, None) == []


def test_a_campaign_asks_for_the_cohort_its_population_needs():
    apprentices, learners = f.SurveyFactory(), f.SurveyFactory(audience=m.Audience.LEARNER)
    funders = f.SurveyFactory(audience=m.Audience.FUNDER)
    day = date(2025, 6, 1)
    with pytest.raises(SurveyError, match="promotion"):
        create_campaign(None, apprentices, "Fin de formation", day, day, True, None)
    with pytest.raises(SurveyError, match="formation courte"):
        create_campaign(None, learners, "Fin de session", day, day, True, f.CohortFactory())
    with pytest.raises(SurveyError, match="financeurs"):
        create_campaign(None, funders, "Bilan", day, day, True, f.CohortFactory())
    with pytest.raises(SurveyError, match="précéder"):
        create_campaign(None, funders, "Bilan", day, day - timedelta(days=1), True, None)


def test_funders_contacts_are_typed_in_and_invited_without_an_account():
    campaign = f.SurveyCampaignFactory(survey=f.SurveyFactory(audience=m.Audience.FUNDER), cohort=None)
    contacts = parse_contacts("J.Martin@opco.fr ; Julie Martin ; OPCO EP\n\nrh@uniformation.fr\nj.martin@opco.fr")
    assert add_contacts(None, campaign, contacts) == 2
    assert launch(None, campaign, _link, now=NOW) == 2
    julie = next(i for i in campaign.invitations if i.email == "j.martin@opco.fr")
    assert (julie.name, julie.organisation, julie.user_id) == ("Julie Martin", "OPCO EP", None)
    with pytest.raises(SurveyError, match="ne changent plus"):
        add_contacts(None, campaign, parse_contacts("autre@opco.fr"))


@pytest.mark.parametrize("text", ["pas-une-adresse", "a@b.fr ; nom ; orga ; trop", "", "  \n "])
def test_an_unreadable_contact_line_is_refused(text):
    with pytest.raises(SurveyError):
        parse_contacts(text)


def test_nobody_to_invite_or_a_past_closing_date_refuses_the_launch_and_changes_nothing():
    empty = f.SurveyCampaignFactory()
    with pytest.raises(SurveyError, match="Personne"):
        launch(None, empty, _link, now=NOW)
    late = f.SurveyCampaignFactory(closes_on=date(2025, 6, 1), opens_on=date(2025, 5, 1))
    f.EnrolmentFactory(cohort=late.cohort)
    with pytest.raises(SurveyError, match="clôture est passée"):
        launch(None, late, _link, now=NOW)
    assert late.launched_at is None and _outbox() == []


def test_reminders_go_to_those_who_have_not_answered_at_most_once_a_day():
    cohort = f.CohortFactory()
    for _ in range(3):
        f.EnrolmentFactory(cohort=cohort)
    campaign = f.SurveyCampaignFactory(cohort=cohort)
    launch(None, campaign, _link, now=NOW)
    answered, *waiting = campaign.invitations
    _answer(answered)

    assert send_reminders(None, campaign, _link, now=NOW + timedelta(hours=3)) == 0  # sent this very day
    next_day = NOW + timedelta(days=1)
    assert send_reminders(None, campaign, _link, now=next_day) == 2
    assert send_reminders(None, campaign, _link, now=next_day + timedelta(hours=5)) == 0
    assert send_reminders(None, campaign, _link, now=next_day + timedelta(days=1)) == 2
    assert [i.reminders for i in waiting] == [2, 2] and answered.reminders == 0
    reminders = [msg for msg in _outbox() if msg.subject.startswith("Rappel")]
    assert len(reminders) == 4 and answered.email not in {msg.recipient for msg in reminders}
    with pytest.raises(SurveyError, match="close"):
        send_reminders(None, campaign, _link, now=datetime(2026, 1, 2, tzinfo=UTC))


def test_the_response_rate_counts_answered_invitations_over_invitations():
    cohort = f.CohortFactory()
    for _ in range(4):
        f.EnrolmentFactory(cohort=cohort)
    campaign = f.SurveyCampaignFactory(cohort=cohort)
    untouched = f.SurveyCampaignFactory()
    launch(None, campaign, _link, now=NOW)
    _answer(campaign.invitations[0])
    rates = participation([campaign.id, untouched.id])
    assert (rates[campaign.id].responded, rates[campaign.id].invited, rates[campaign.id].rate) == (1, 4, 0.25)
    assert rates[untouched.id].rate is None  # nobody invited: no rate, never a division by zero


def test_a_person_sees_only_their_own_invitations_of_launched_campaigns():
    cohort = f.CohortFactory()
    mine, theirs = f.EnrolmentFactory(cohort=cohort), f.EnrolmentFactory(cohort=cohort)
    launched = f.SurveyCampaignFactory(cohort=cohort)
    launch(None, launched, _link, now=NOW)
    draft = f.SurveyCampaignFactory(cohort=cohort)
    add_contacts(None, draft, parse_contacts(mine.apprentice.email))
    found = my_invitations(mine.apprentice)
    assert [i.campaign_id for i in found] == [launched.id]
    assert all(i.user_id == mine.apprentice_id for i in found)
    assert theirs.apprentice_id not in {i.user_id for i in found}


def test_a_launched_campaign_may_be_renamed_or_extended_but_keeps_its_opening_and_anonymity():
    campaign = f.SurveyCampaignFactory()
    f.EnrolmentFactory(cohort=campaign.cohort)
    update_campaign(None, campaign, "Fin du module 2", date(2025, 6, 2), date(2025, 12, 20), False)
    assert (campaign.opens_on, campaign.anonymous) == (date(2025, 6, 2), False)
    launch(None, campaign, _link, now=NOW)
    update_campaign(None, campaign, "Fin du module 2 (prolongée)", date(2025, 6, 2), date(2026, 1, 15), False)
    assert campaign.closes_on == date(2026, 1, 15)
    with pytest.raises(SurveyError, match="ouverture ne change plus") as refused:
        update_campaign(None, campaign, "x", date(2025, 6, 1), date(2026, 1, 15), False)
    assert refused.value.field == "opens_on"
    with pytest.raises(SurveyError, match="anonymes ou non"):
        update_campaign(None, campaign, "x", date(2025, 6, 2), date(2026, 1, 15), True)
    with pytest.raises(SurveyError, match="précéder"):
        update_campaign(None, campaign, "x", date(2025, 6, 2), date(2025, 6, 1), False)
