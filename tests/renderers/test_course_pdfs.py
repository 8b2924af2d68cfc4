"""The documents of a short course as a funder and a trainee read them, parsed back from the PDFs."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from cfa.models import ObjectiveOutcome
from cfa.renderers.pdf.attendance_sheet import render_attendance_sheets
from cfa.renderers.pdf.base import Identity
from cfa.renderers.pdf.certificat_realisation import render_certificats
from cfa.renderers.pdf.course_documents import render_course_convocations, render_end_of_course_attestations
from cfa.renderers.pdf.training_agreement import render_agreement
from cfa.services import agreements
from cfa.services import attendance_documents as sheets
from cfa.services import course_documents as docs
from tests import course_scene as scene
from tests import factories as f

TODAY = date(2025, 10, 8)


def pdf_text(data: bytes) -> str:
    """The text of every page, runs of spaces and line breaks made single spaces (table cells wrap)."""
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


@pytest.fixture
def identity():
    return Identity.from_organisation(f.OrganisationFactory())


def test_the_convention_names_both_parties_with_siret_and_nda_the_action_the_hours_and_the_price(identity):
    cohort, _ = scene.run(intra=True)
    for last in ("Abadie", "Bernard"):
        scene.trainee(cohort, cohort.client, first_name="Léa", last_name=last)
    agreement = agreements.create_agreement(f.UserFactory.admin(), cohort, employer=cohort.client, today=TODAY)
    text = pdf_text(render_agreement(docs.agreement_document(agreement), identity))
    client = cohort.client
    for expected in (
        "Convention de formation professionnelle",
        agreement.number,
        "CFA Médiation sociale Ouest",
        "SIRET 73282932000074",
        "53350812335",  # the NDA
        "Ville de Rennes",
        f"SIRET {client.siret}",
        "Gérer les situations de tension",
        "Situer la médiation sociale dans son cadre",
        "Action de formation",
        "14 h de formation, en 4 demi-journée(s)",
        "du lundi 6 octobre 2025 au mardi 7 octobre 2025",
        "Maison de quartier Maurepas",
        "Présentiel",
        "Léa Abadie",
        "Léa Bernard",
        "1 800,00 €",
        "900,00 €",  # per trainee
        "30 jours",
        "Annulation",
        "Annexe – Programme de la formation",
        "Apports, études de cas",
        "Quiz de positionnement",
    ):
        assert expected.replace("\u202f", " ") in text.replace("\u202f", " ").replace("\xa0", " "), expected


def test_the_contract_with_a_person_states_the_withdrawal_period_and_no_siret_for_them(identity):
    cohort, _ = scene.run()
    alone = scene.trainee(cohort, None, first_name="Marc", last_name="Individuel")
    contract = agreements.create_agreement(f.UserFactory.admin(), cohort, learner=alone.apprentice, today=TODAY)
    text = pdf_text(render_agreement(docs.agreement_document(contract), identity))
    assert "Contrat de formation professionnelle" in text and "L.6353-3" in text
    assert "Délai de rétractation : 10 jours" in text and "rétracter" in text
    assert "Marc Individuel" in text and "à titre individuel" in text
    assert text.count("SIRET") == 2  # the CFA's, in its header and among the parties; a person has none


def test_the_attestation_shows_the_objectives_and_the_hours_attended_late_and_early_minutes_deducted(identity):
    cohort, sessions = scene.run()
    enrolment = scene.trainee(cohort, f.EmployerFactory(name="Bailleur Social"), first_name="Nora", last_name="Ali")
    scene.attend(sessions, enrolment, late=30, early=15)
    enrolment.outcome, enrolment.outcome_note = ObjectiveOutcome.REACHED, "Très bonne implication"
    periods = docs.end_of_course_periods([enrolment], cohort)
    text = pdf_text(render_end_of_course_attestations(periods, identity, TODAY))
    for expected in (
        "Attestation de fin de formation",
        "Nora Ali",
        "Bailleur Social",
        "Situer la médiation sociale dans son cadre",
        "Adopter une posture de tiers",
        "Action de formation",
        "du lundi 6 octobre 2025 au mardi 7 octobre 2025",
        "13 h 15 (retards et départs anticipés déduits)",  # 14 h less 30 and 15 minutes
        "Objectifs atteints – Très bonne implication",
    ):
        assert expected in text, expected


def test_the_certificat_de_realisation_of_a_short_course_ticks_action_de_formation(identity):
    cohort, sessions = scene.run()
    enrolment = scene.trainee(cohort, f.EmployerFactory())
    scene.attend(sessions, enrolment)
    text = pdf_text(render_certificats(docs.end_of_course_periods([enrolment], cohort), identity, TODAY))
    assert "[X] Action de formation [ ] Bilan" in text
    assert "[ ] Action de formation par apprentissage" in text
    assert "Stagiaire" in text and "14 h réalisées" in text


def test_an_apprentice_certificat_still_ticks_the_apprenticeship_nature(identity):
    enrolment = f.EnrolmentFactory()
    period = sheets.Period(
        enrolment,
        enrolment.contract_start,
        enrolment.contract_start,
        sheets.rates_by_enrolment([enrolment.id])[enrolment.id],
    )
    text = pdf_text(render_certificats([period], identity, TODAY))
    assert "[ ] Action de formation [ ] Bilan" in text and "[X] Action de formation par apprentissage" in text


def test_the_sign_in_sheet_of_a_short_course_names_its_nature_and_the_client_site(identity):
    cohort, sessions = scene.run(intra=True)
    scene.attend(sessions[:1], scene.trainee(cohort, cohort.client))
    text = pdf_text(render_attendance_sheets(sheets.sheet_pages(sessions[:1]), identity))
    assert "Action Action de formation" in text and "par apprentissage" not in text
    assert "Maison de quartier Maurepas" in text and f"session {cohort.name}" in text
    assert "Stagiaire Présence Signature" in text


def test_the_convocations_print_each_half_day_the_place_and_the_contact_one_page_per_trainee(identity):
    cohort, _ = scene.run(intra=True)
    enrolments = [scene.trainee(cohort, cohort.client, email=None) for _ in range(2)]
    data = render_course_convocations(docs.convocations(cohort, enrolments, "Accueil 02 99 00 00 00"), identity, TODAY)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    text = pdf_text(data)
    for expected in (
        "Convocation à une action de formation",
        enrolments[0].apprentice.full_name,
        "Lundi 6 octobre 2025, matin : 9 h 00 - 12 h 30",
        "Mardi 7 octobre 2025, après-midi : 13 h 30 - 17 h 00",
        "Maison de quartier Maurepas",
        "Accueil 02 99 00 00 00",
        "Merci d'apporter",
    ):
        assert expected in text, expected


def test_a_trainee_s_attestation_d_assiduite_speaks_of_a_session_not_of_an_apprentice_s_promotion(login):
    from tests.renderers.test_assessment_pdf import pdf_text

    enrolment = f.TraineeEnrolmentFactory()
    response = login(f.UserFactory.admin()).get(f"/emargement/inscriptions/{enrolment.id}/attestation-assiduite.pdf")
    assert response.status_code == 200
    text = " ".join(pdf_text(response.data).split())
    assert "stagiaire de la session" in text and "apprenti" not in text
