"""The survey pages through the client: the quality officer builds, sends and reads; everyone else is refused;
a person answers by their link and sees only their own questionnaires."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.services.survey_campaigns import launch
from cfa.services.survey_templates import load_templates, template
from tests import factories as f


@pytest.fixture
def quality(login):
    return login(f.UserFactory.quality())


def _open_campaign(people=2, anonymous=True, survey=None):
    today = today_paris()
    cohort = f.CohortFactory()
    enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(people)]
    campaign = f.SurveyCampaignFactory(
        cohort=cohort,
        anonymous=anonymous,
        survey=survey or f.SurveyFactory(),
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=10),
    )
    launch(None, campaign, lambda token: token)
    return campaign, enrolments


def _answer(client, campaign, invitation, score="4", comment="Merci"):
    scale, text = campaign.survey.questions
    return client.post(
        f"/qualite/questionnaire/{invitation.token}", data={f"q{scale.id}": score, f"q{text.id}": comment}
    )


def test_the_quality_officer_builds_a_questionnaire_and_a_change_after_sending_makes_a_new_version(quality):
    response = quality.post(
        "/qualite/questionnaires/nouveau", data={"title": "Fin de module", "audience": "apprentice", "timing": "hot"}
    )
    survey = db.session.scalar(sa.select(m.Survey).where(m.Survey.title == "Fin de module"))
    assert response.status_code == 302 and survey.version == 1
    quality.post(
        f"/qualite/questionnaires/{survey.id}/questions/nouvelle",
        data={"text": "Satisfait·e ?", "kind": "scale", "mandatory": "y", "measure": "overall_satisfaction"},
    )
    refused = quality.post(
        f"/qualite/questionnaires/{survey.id}/questions/nouvelle",
        data={"text": "Statut ?", "kind": "choice", "choices": "Un"},
    )
    assert refused.status_code == 200 and "au moins deux réponses" in refused.text
    db.session.refresh(survey)
    assert [q.text for q in survey.questions] == ["Satisfait·e ?"] and survey.questions[0].required
    campaign, _ = _open_campaign(survey=survey)
    question = survey.questions[0]

    response = quality.post(
        f"/qualite/questionnaires/{survey.id}/questions/{question.id}",
        data={"text": "Globalement satisfait·e ?", "kind": "scale", "measure": "overall_satisfaction"},
    )

    second = db.session.scalar(sa.select(m.Survey).where(m.Survey.family == survey.family, m.Survey.version == 2))
    assert response.location.endswith(f"/qualite/questionnaires/{second.id}")
    assert [q.text for q in second.questions] == ["Globalement satisfait·e ?"]
    db.session.refresh(question)
    assert question.text == "Satisfait·e ?" and campaign.survey_id == survey.id
    page = quality.get(f"/qualite/questionnaires/{survey.id}")
    assert "Ce n'est pas la dernière version" in page.text


def test_preloaded_questionnaires_are_added_from_the_page(quality):
    quality.post("/qualite/questionnaires/modeles")
    page = quality.get("/qualite/questionnaires")
    assert "Apprenti·es : six mois après la formation" in page.text and "Financeurs (OPCO)" in page.text


def test_a_campaign_is_prepared_launched_and_its_rate_shown_live(quality):
    load_templates()
    cohort = f.CohortFactory()
    apprentices = [f.EnrolmentFactory(cohort=cohort).apprentice for _ in range(2)]
    today = today_paris()
    response = quality.post(
        "/qualite/campagnes/nouvelle",
        data={
            "survey_id": template("apprentis-a-chaud").id,
            "cohort_id": cohort.id,
            "title": "Fin du module 1",
            "opens_on": today.isoformat(),
            "closes_on": (today + timedelta(days=14)).isoformat(),
            "anonymous": "y",
        },
    )
    campaign = db.session.scalar(sa.select(m.SurveyCampaign).where(m.SurveyCampaign.title == "Fin du module 1"))
    assert response.location.endswith(f"/qualite/campagnes/{campaign.id}")
    quality.post(f"/qualite/campagnes/{campaign.id}/lancer")
    messages = db.session.scalars(sa.select(m.OutboxMessage)).all()
    assert {msg.recipient for msg in messages} == {a.email for a in apprentices}
    assert all("http://localhost/qualite/questionnaire/" in msg.body_text for msg in messages)
    page = quality.get(f"/qualite/campagnes/{campaign.id}")
    assert "0 réponse(s) sur 2 invitation(s)" in page.text
    again = quality.post(f"/qualite/campagnes/{campaign.id}/relancer", follow_redirects=True)
    assert "0 relance(s)" in again.text


def test_funders_contacts_are_typed_in_on_the_campaign_page(quality):
    load_templates()
    campaign = f.SurveyCampaignFactory(survey=template("financeurs"), cohort=None)
    quality.post(f"/qualite/campagnes/{campaign.id}/contacts", data={"contacts": "a@opco.fr ; Anne ; OPCO EP\nmauvais"})
    assert campaign.invitations == []  # one bad line: nothing added
    quality.post(f"/qualite/campagnes/{campaign.id}/contacts", data={"contacts": "a@opco.fr ; Anne ; OPCO EP"})
    db.session.refresh(campaign)
    assert [(i.email, i.organisation) for i in campaign.invitations] == [("a@opco.fr", "OPCO EP")]


def test_a_person_answers_once_by_their_link_without_an_account(client):
    campaign, _ = _open_campaign()
    invitation = campaign.invitations[0]
    form = client.get(f"/qualite/questionnaire/{invitation.token}")
    assert form.status_code == 200 and campaign.survey.questions[0].text in form.text
    missing = _answer(client, campaign, invitation, score="")
    assert missing.status_code == 422 and "Cette question demande une réponse." in missing.text
    assert "Merci ! Votre réponse est enregistrée." in _answer(client, campaign, invitation).text
    again = client.get(f"/qualite/questionnaire/{invitation.token}")
    assert again.status_code == 200 and "déjà répondu" in again.text
    assert "déjà répondu" in _answer(client, campaign, invitation, score="1").text
    assert db.session.scalar(sa.select(sa.func.count(m.SurveyResponse.id))) == 1


@pytest.mark.parametrize("token", ["inconnu", "x" * 300, "%00", "' OR 1=1 --"])
def test_a_bad_link_answers_a_french_page_never_an_error(client, token):
    response = client.get(f"/qualite/questionnaire/{token}")
    assert response.status_code in (400, 404)
    assert "<h1>" in response.text


def test_a_closed_campaign_refuses_answers_with_a_clear_page(client):
    campaign, _ = _open_campaign()
    campaign.closes_on = today_paris() - timedelta(days=1)
    campaign.opens_on = campaign.closes_on - timedelta(days=5)
    db.session.flush()
    response = _answer(client, campaign, campaign.invitations[0])
    assert "est clos depuis le" in response.text
    assert db.session.scalar(sa.select(sa.func.count(m.SurveyResponse.id))) == 0


def test_a_person_lists_only_their_own_questionnaires(login):
    campaign, (mine, theirs) = _open_campaign()
    client = login(mine.apprentice)
    page = client.get("/qualite/mes-questionnaires")
    own = next(i for i in campaign.invitations if i.user_id == mine.apprentice_id)
    other = next(i for i in campaign.invitations if i.user_id == theirs.apprentice_id)
    assert own.token in page.text and other.token not in page.text
    client.logout()
    tutor_page = login(mine.tutor).get("/qualite/mes-questionnaires")
    assert "Aucun questionnaire" in tutor_page.text


@pytest.mark.parametrize("role", ["apprentice", "tutor", "trainer"])
def test_only_quality_and_admin_read_templates_campaigns_and_results(client, login, role):
    campaign, (enrolment, _) = _open_campaign(anonymous=False)
    _answer(client, campaign, campaign.invitations[0])
    person = {"apprentice": enrolment.apprentice, "tutor": enrolment.tutor, "trainer": f.UserFactory.trainer()}[role]
    client = login(person)
    question = campaign.survey.questions[0]
    for url in (
        "/qualite/questionnaires",
        f"/qualite/questionnaires/{campaign.survey_id}",
        "/qualite/campagnes",
        f"/qualite/campagnes/{campaign.id}",
        f"/qualite/campagnes/{campaign.id}/resultats",
        f"/qualite/campagnes/{campaign.id}/resultats/{question.id}.svg",
        f"/qualite/campagnes/{campaign.id}/saisie-papier",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/qualite/campagnes/{campaign.id}/relancer").status_code == 403
    assert (
        client.post(f"/qualite/campagnes/{campaign.id}/saisie-papier", data={f"q{question.id}": "1"}).status_code == 403
    )
    assert db.session.scalar(sa.select(sa.func.count(m.SurveyResponse.id))) == 1


def test_results_show_counts_averages_texts_and_a_chart_without_naming_anyone(client, login):
    campaign, enrolments = _open_campaign(people=3, anonymous=False)
    for invitation, score in zip(campaign.invitations, ("5", "4", "2"), strict=True):
        _answer(client, campaign, invitation, score=score, comment=f"Avis {score}")
    admin = login(f.UserFactory.admin())
    page = admin.get(f"/qualite/campagnes/{campaign.id}/resultats")
    assert page.status_code == 200
    assert "2 réponses 4 ou 5 sur 3" in page.text and "moyenne 3,7" in page.text and "Avis 2" in page.text
    assert not any(e.apprentice.last_name in page.text for e in enrolments)
    chart = admin.get(f"/qualite/campagnes/{campaign.id}/resultats/{campaign.survey.questions[0].id}.svg")
    assert chart.mimetype == "image/svg+xml" and b"<svg" in chart.data and b"script" not in chart.data
    text_chart = admin.get(f"/qualite/campagnes/{campaign.id}/resultats/{campaign.survey.questions[1].id}.svg")
    assert text_chart.status_code == 404


def test_the_quality_officer_types_in_a_paper_answer_sheet(quality):
    campaign, _ = _open_campaign()
    scale, text = campaign.survey.questions
    response = quality.post(f"/qualite/campagnes/{campaign.id}/saisie-papier", data={f"q{scale.id}": "5"})
    assert response.status_code == 302
    page = quality.get(f"/qualite/campagnes/{campaign.id}")
    assert "dont 1 saisi(s) sur papier" in page.text


def test_the_campaigns_list_counts_in_a_fixed_number_of_queries(quality, count_queries):
    def listing():
        with count_queries() as queries:
            response = quality.get("/qualite/campagnes?annee=2026")
        assert response.status_code == 200
        return len(queries)

    _open_campaign()
    few = listing()
    for _ in range(4):
        campaign, enrolments = _open_campaign(people=2)
        _answer(quality, campaign, campaign.invitations[0])
    assert listing() == few
    assert quality.get("/qualite/campagnes?annee=abc").status_code == 404


def test_a_named_answer_is_read_by_the_quality_officer_only_and_an_anonymous_one_never(client, login):
    named, (enrolment, _) = _open_campaign(anonymous=False)
    anonymous, _ = _open_campaign(anonymous=True)
    for campaign in (named, anonymous):
        _answer(client, campaign, campaign.invitations[0], score="2", comment="Trop de théorie")
    named_url = f"/qualite/campagnes/{named.id}/invitations/{named.invitations[0].id}/reponse"
    anonymous_url = f"/qualite/campagnes/{anonymous.id}/invitations/{anonymous.invitations[0].id}/reponse"
    apprentice = login(enrolment.apprentice)
    assert apprentice.get(named_url).status_code == 403
    apprentice.logout()
    quality = login(f.UserFactory.quality())
    page = quality.get(named_url)
    assert page.status_code == 200 and "Trop de théorie" in page.text and "2 / 5" in page.text
    assert quality.get(anonymous_url).status_code == 404
    assert "/reponse" not in quality.get(f"/qualite/campagnes/{anonymous.id}").text


def test_campaigns_are_filtered_by_public_and_a_draft_is_edited(quality):
    trainers = f.SurveyCampaignFactory(
        survey=f.SurveyFactory(audience=m.Audience.TRAINER), cohort=None, title="Bilan formateurs"
    )
    f.SurveyCampaignFactory(title="Bilan apprentis")
    listing = quality.get("/qualite/campagnes?public=trainer&annee=2025")
    assert "Bilan formateurs" in listing.text and "Bilan apprentis" not in listing.text
    assert quality.get("/qualite/campagnes?public=nimporte").status_code == 200
    response = quality.post(
        f"/qualite/campagnes/{trainers.id}/modifier",
        data={"title": "Bilan 2025", "opens_on": "2025-11-24", "closes_on": "2025-11-01"},
    )
    assert response.status_code == 200 and "La clôture ne peut précéder" in response.text
    quality.post(
        f"/qualite/campagnes/{trainers.id}/modifier",
        data={"title": "Bilan 2025", "opens_on": "2025-11-24", "closes_on": "2025-12-15"},
    )
    db.session.refresh(trainers)
    assert (trainers.title, trainers.anonymous) == ("Bilan 2025", False)
