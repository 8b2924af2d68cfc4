"""The tutor's "Mes apprentis", the référent's list, the apprentice's follow-up page, the livret and visits through
the browser's requests: each person sees their own apprentices only."""

from datetime import date
from io import BytesIO
from unittest.mock import patch

import sqlalchemy as sa
from pypdf import PdfReader

from cfa.extensions import db
from cfa.models import ActivityLevel, LivretEntry, OnboardingCheck, SkillBlock, Visit, VisitAction
from tests import factories as f
from tests.followup_world import FIELD_PERIODS, alternating_enrolment

TODAY = date(2025, 10, 14)
FIRST = FIELD_PERIODS[0][0]


def _today():
    return patch("cfa.views.followup.apprentices.today_paris", return_value=TODAY)


def _livret_today():
    return patch("cfa.views.followup.livret.today_paris", return_value=TODAY)


def _block_id(enrolment):
    return db.session.scalar(sa.select(SkillBlock.id).where(SkillBlock.programme_id == enrolment.cohort.programme_id))


def _tutor_post(enrolment, **extra):
    return {
        "activities-0-skill_block_id": str(_block_id(enrolment)),
        "activities-0-activity": "Accueil du public à la mairie annexe",
        "activities-0-level": ActivityLevel.ACQUIRED.value,
        "activities-0-comment": "Très à l'aise",
        "tutor_comment": "Une période sérieuse.",
        **extra,
    }


def test_the_tutor_sees_their_apprentices_and_never_another_employers(login):
    mine = alternating_enrolment()
    other = alternating_enrolment()
    client = login(mine.tutor)
    with _today():
        page = client.get("/suivi/mes-apprentis").get_data(as_text=True)
    assert mine.apprentice.full_name in page and other.apprentice.full_name not in page
    assert "Au centre de formation" in page and "En entreprise" in page
    for url in (f"/suivi/apprentis/{other.id}", f"/suivi/apprentis/{other.id}/livret.pdf"):
        assert client.get(url).status_code == 404
    assert client.get(f"/suivi/apprentis/{other.id}/livret?periode={FIRST}").status_code == 404
    assert client.post(f"/suivi/apprentis/{other.id}/accueil/welcome").status_code == 404


def test_my_apprentices_runs_a_fixed_number_of_queries_whatever_the_number_of_apprentices(login, count_queries):
    first = alternating_enrolment()
    client = login(first.tutor)
    with _today(), count_queries() as one:
        assert client.get("/suivi/mes-apprentis").status_code == 200
    for _ in range(3):
        alternating_enrolment(employer=first.employer, tutor=first.tutor)
    with _today(), count_queries() as four:
        assert client.get("/suivi/mes-apprentis").status_code == 200
    assert len(four) == len(one)


def test_the_tutor_signs_the_livret_and_the_apprentice_adds_a_comment(login, client):
    enrolment = alternating_enrolment()
    login(enrolment.tutor)
    with _livret_today():
        response = client.post(f"/suivi/apprentis/{enrolment.id}/livret?periode={FIRST}", data=_tutor_post(enrolment))
    assert response.status_code == 302
    entry = db.session.scalar(sa.select(LivretEntry).where(LivretEntry.enrolment_id == enrolment.id))
    assert entry.tutor_id == enrolment.tutor_id and entry.activities[0].level == ActivityLevel.ACQUIRED
    client.logout()
    login(enrolment.apprentice)
    with patch("cfa.views.me.livret.today_paris", return_value=TODAY):
        assert "Accueil du public à la mairie annexe" in client.get("/moi/livret").get_data(as_text=True)
        client.post(f"/moi/livret?periode={FIRST}", data={"comment": "J'ai aimé cette période."})
    db.session.refresh(entry)
    assert entry.apprentice_comment == "J'ai aimé cette période."
    assert client.get(f"/suivi/apprentis/{enrolment.id}").status_code == 404  # the tutor's and CFA's page


def test_a_locked_entry_is_not_changed_without_a_reason(login):
    enrolment = alternating_enrolment()
    client = login(enrolment.tutor)
    with patch("cfa.views.followup.livret.today_paris", return_value=FIELD_PERIODS[1][0]):
        page = client.post(f"/suivi/apprentis/{enrolment.id}/livret?periode={FIRST}", data=_tutor_post(enrolment))
    assert "verrouillé" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(LivretEntry.id))) == 0


def test_the_referent_lists_their_apprentices_with_what_needs_action_and_another_trainer_sees_none(login, client):
    referent, other_trainer = f.UserFactory.trainer(), f.UserFactory.trainer()
    enrolment = alternating_enrolment(referent=referent)
    login(referent)
    with patch("cfa.views.followup.apprentices.today_paris", return_value=date(2025, 12, 1)):
        page = client.get("/suivi/referent").get_data(as_text=True)
    assert enrolment.apprentice.full_name in page and "Livret non rempli" in page and "Visite en retard" in page
    client.logout()
    login(other_trainer)
    assert enrolment.apprentice.full_name not in client.get("/suivi/referent").get_data(as_text=True)
    assert client.get(f"/suivi/apprentis/{enrolment.id}").status_code == 404


def test_the_referent_plans_and_holds_a_visit_which_the_apprentice_reads_once_held(login, client):
    referent = f.UserFactory.trainer()
    enrolment = alternating_enrolment(referent=referent)
    login(referent)
    client.post(
        f"/suivi/apprentis/{enrolment.id}/visites/nouvelle", data={"kind": "company_visit", "planned_on": "2025-10-01"}
    )
    (visit,) = db.session.scalars(sa.select(Visit)).all()
    client.logout()
    login(enrolment.apprentice)
    assert client.get(f"/suivi/visites/{visit.id}").status_code == 404  # planned only: nothing to read yet
    client.logout()
    login(referent)
    report = {"held_on": "2025-10-01", "place": "Mairie", "observations": "Bonne intégration.", "decisions": "RAS"}
    assert client.post(f"/suivi/visites/{visit.id}", data=report).status_code == 302
    client.post(f"/suivi/visites/{visit.id}/actions", data={"description": "Fiche de poste", "owner": "Tuteur"})
    (action,) = db.session.scalars(sa.select(VisitAction)).all()
    assert client.post(f"/suivi/visites/{visit.id}/actions/{action.id}/faite").status_code == 302
    db.session.refresh(action)
    assert action.done_on is not None
    client.logout()
    login(enrolment.apprentice)
    page = client.get(f"/suivi/visites/{visit.id}").get_data(as_text=True)
    assert "Bonne intégration." in page and "Fiche de poste" in page and "Enregistrer le compte rendu" not in page
    assert client.post(f"/suivi/visites/{visit.id}/actions", data={"description": "x", "owner": "y"}).status_code == 403


def test_the_tutor_ticks_the_welcome_checklist_and_the_page_says_who(login):
    enrolment = alternating_enrolment()
    client = login(enrolment.tutor)
    assert client.post(f"/suivi/apprentis/{enrolment.id}/accueil/welcome").status_code == 302
    assert client.post(f"/suivi/apprentis/{enrolment.id}/accueil/nope").status_code == 404
    check = db.session.scalar(sa.select(OnboardingCheck))
    assert check.ticked_by_id == enrolment.tutor_id
    with _today():
        assert f"coché par {enrolment.tutor.full_name}" in client.get(f"/suivi/apprentis/{enrolment.id}").get_data(
            as_text=True
        )


def test_the_livret_pdf_reads_back_the_signed_periods(login):
    enrolment = alternating_enrolment()
    client = login(enrolment.tutor)
    with _livret_today():
        client.post(f"/suivi/apprentis/{enrolment.id}/livret?periode={FIRST}", data=_tutor_post(enrolment))
        response = client.get(f"/suivi/apprentis/{enrolment.id}/livret.pdf")
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(response.data)).pages)
    assert "Livret d'apprentissage" in text and enrolment.apprentice.full_name in text
    assert "Accueil du public à la mairie annexe" in text and "Acquis" in text
    assert f"signé par {enrolment.tutor.full_name}" in text
    assert "Période en entreprise du 20/10/2025" not in text  # not started yet: nothing to print


def test_the_completion_page_is_for_the_cfa_only(login, client):
    enrolment = alternating_enrolment()
    login(enrolment.tutor)
    assert client.get("/suivi/livret").status_code == 403
    client.logout()
    login(f.UserFactory.quality())
    assert enrolment.cohort.name in client.get("/suivi/livret").get_data(as_text=True)


def test_the_referents_list_runs_a_fixed_number_of_queries_whatever_the_number_of_apprentices(login, count_queries):
    referent = f.UserFactory.trainer()
    alternating_enrolment(referent=referent)
    client = login(referent)
    with count_queries() as one:
        assert client.get("/suivi/referent?a_traiter=1").status_code == 200
    for _ in range(4):
        alternating_enrolment(referent=referent)
    with count_queries() as five:
        assert client.get("/suivi/referent?a_traiter=1").status_code == 200
    assert len(five) == len(one)


def test_a_referent_who_does_not_teach_the_cohort_opens_the_apprentices_year_plan(login, client):
    referent = f.UserFactory.trainer()
    enrolment = alternating_enrolment(referent=referent)
    url = f"/planning/promotions/{enrolment.cohort_id}/planning.pdf?inscription={enrolment.id}"
    login(f.UserFactory.trainer())
    assert client.get(url).status_code == 403
    client.logout()
    login(referent)
    assert client.get(url).mimetype == "application/pdf"
