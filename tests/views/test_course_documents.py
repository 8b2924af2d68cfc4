"""The pages of a session de formation's agreements and documents, as the CFA, a trainee and a client use them."""

import csv
import io
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from cfa.extensions import db
from cfa.models import Agreement, AgreementStatus, ObjectiveOutcome, OutboxMessage
from tests import course_scene as scene
from tests import factories as f


@pytest.fixture
def admin(login):
    f.OrganisationFactory()
    return login(f.UserFactory.admin())


@pytest.fixture
def run():
    """An inter-company session with two employers' trainees and a person on their own."""
    cohort, sessions = scene.run()
    city, landlord = f.EmployerFactory(name="Ville de Brest"), f.EmployerFactory(name="Habitat 29")
    trainees = [scene.trainee(cohort, city), scene.trainee(cohort, city), scene.trainee(cohort, landlord)]
    trainees.append(scene.trainee(cohort, None, first_name="Solo", last_name="Payant", email=None))
    return cohort, sessions, trainees


def _pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)


def test_the_cfa_establishes_then_signs_a_convention_from_the_session_page(admin, run):
    cohort, _, _ = run
    page = admin.get(f"/formations-courtes/sessions/{cohort.id}/conventions")
    assert page.status_code == 200 and "Ville de Brest" in page.text and "Solo Payant" in page.text
    city = db.session.scalar(sa.select(f.m.Employer).where(f.m.Employer.name == "Ville de Brest"))
    created = admin.post(f"/formations-courtes/sessions/{cohort.id}/conventions", data={"employer_id": city.id})
    agreement = db.session.scalar(sa.select(Agreement))
    assert created.location.endswith(f"/conventions/{agreement.id}/modifier")
    assert (agreement.trainee_count, agreement.price_cents) == (2, 90000)
    edit = f"/formations-courtes/sessions/{cohort.id}/conventions/{agreement.id}/modifier"
    form = {
        "trainee_count": "2",
        "price_cents": "850,00",
        "payment_terms": "À 45 jours.",
        "cancellation_terms": "J-15.",
    }
    assert admin.post(edit, data=form).status_code == 302
    assert db.session.get(Agreement, agreement.id).price_cents == 85000
    base = f"/formations-courtes/sessions/{cohort.id}/conventions/{agreement.id}"
    admin.post(f"{base}/envoyee")
    admin.post(f"{base}/signee", data={"signed_on": "2025-09-02"})
    signed = db.session.get(Agreement, agreement.id)
    assert (signed.status, signed.signed_on) == (AgreementStatus.SIGNED, date(2025, 9, 2))
    text = _pdf_text(admin.get(f"{base}.pdf"))
    assert agreement.number in text and "850,00" in text and "le 02/09/2025" in text


def test_a_bad_price_or_a_refused_change_shows_a_french_message_and_changes_nothing(admin, run):
    cohort, _, _ = run
    agreement = f.AgreementFactory(cohort=cohort, status=AgreementStatus.SENT)
    edit = f"/formations-courtes/sessions/{cohort.id}/conventions/{agreement.id}/modifier"
    form = {"trainee_count": "2", "price_cents": "beaucoup", "payment_terms": "a", "cancellation_terms": "b"}
    unreadable = admin.post(edit, data=form)
    assert unreadable.status_code == 200 and "Montant illisible" in unreadable.text
    refused = admin.post(edit, data=dict(form, price_cents="100"))
    assert "ne se modifie plus" in refused.text
    cancelled = admin.post(f"/formations-courtes/sessions/{cohort.id}/conventions/{agreement.id}/annulee", data={})
    assert cancelled.status_code == 302
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.SENT
    assert db.session.get(Agreement, agreement.id).price_cents == 90000


def test_an_agreement_of_another_session_or_an_apprenticeship_cohort_is_not_found(admin, run):
    cohort, _, _ = run
    elsewhere = f.AgreementFactory()
    assert admin.get(f"/formations-courtes/sessions/{cohort.id}/conventions/{elsewhere.id}.pdf").status_code == 404
    assert admin.get(f"/formations-courtes/sessions/{f.CohortFactory().id}/conventions").status_code == 404


def test_convocations_go_by_email_and_those_without_an_address_are_printed(admin, run):
    cohort, _, trainees = run
    response = admin.post(f"/formations-courtes/sessions/{cohort.id}/convocations", follow_redirects=True)
    assert "3 convocation(s) envoyée(s)" in response.text and "Solo Payant" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3
    paper = admin.get(f"/formations-courtes/sessions/{cohort.id}/convocations.pdf?papier=1")
    assert len(PdfReader(io.BytesIO(paper.data)).pages) == 1 and "Solo Payant" in _pdf_text(paper)


def test_the_end_of_course_page_records_outcomes_and_hands_out_every_document(admin, run, monkeypatch):
    cohort, sessions, trainees = run
    monkeypatch.setattr("cfa.views.courses.documents.today_paris", lambda: date(2025, 10, 8))
    scene.attend(sessions, trainees[0], late=20)
    page = admin.get(f"/formations-courtes/sessions/{cohort.id}/documents")
    assert page.status_code == 200 and "13 h 40" in page.text
    form = {f"outcome-{t.id}": "reached" for t in trainees} | {f"note-{trainees[0].id}": "Très impliquée"}
    assert admin.post(f"/formations-courtes/sessions/{cohort.id}/bilan", data=form).status_code == 302
    assert db.session.get(f.m.Enrolment, trainees[0].id).outcome == ObjectiveOutcome.REACHED
    bad = admin.post(f"/formations-courtes/sessions/{cohort.id}/bilan", data={f"outcome-{trainees[0].id}": "génial"})
    assert bad.status_code == 302 and db.session.get(f.m.Enrolment, trainees[0].id).outcome == ObjectiveOutcome.REACHED
    for kind in ("attestations", "certificats"):
        archive = zipfile.ZipFile(io.BytesIO(admin.get(f"/formations-courtes/sessions/{cohort.id}/{kind}.zip").data))
        assert len(archive.namelist()) == 4


def test_a_trainee_downloads_their_own_documents_and_no_one_else_s(login, run, monkeypatch):
    cohort, _, trainees = run
    monkeypatch.setattr("cfa.views.courses.documents.today_paris", lambda: date(2025, 10, 8))
    f.OrganisationFactory()
    mine, colleague = scene.trainee(cohort, trainees[0].employer, account=True), trainees[0]
    client = login(mine.apprentice)
    base = f"/formations-courtes/sessions/{cohort.id}/stagiaires"
    assert mine.apprentice.full_name in _pdf_text(client.get(f"{base}/{mine.id}/convocation.pdf"))
    assert "Attestation de fin de formation" in _pdf_text(client.get(f"{base}/{mine.id}/attestation.pdf"))
    assert client.get(f"{base}/{colleague.id}/convocation.pdf").status_code == 403
    assert (
        client.get(f"{base}/{mine.id}/convocation.pdf".replace(str(cohort.id), str(cohort.id + 999))).status_code == 404
    )
    assert client.get(f"/formations-courtes/sessions/{cohort.id}/documents").status_code == 403


def test_the_attestation_waits_for_the_last_day(login, run, monkeypatch):
    cohort, _, trainees = run
    monkeypatch.setattr("cfa.views.courses.documents.today_paris", lambda: date(2025, 10, 6))
    client = login(f.UserFactory.admin())
    assert (
        client.get(f"/formations-courtes/sessions/{cohort.id}/stagiaires/{trainees[0].id}/attestation.pdf").status_code
        == 404
    )


def test_a_client_contact_gets_the_documents_of_its_employees_only(login, run):
    cohort, _, trainees = run
    f.OrganisationFactory()
    contact = login(f.UserFactory.tutor(employer=trainees[0].employer))
    base = f"/formations-courtes/sessions/{cohort.id}/stagiaires"
    assert contact.get(f"{base}/{trainees[1].id}/convocation.pdf").status_code == 200  # a colleague, same employer
    assert contact.get(f"{base}/{trainees[2].id}/convocation.pdf").status_code == 403  # another employer's
    assert contact.get(f"{base}/{trainees[3].id}/convocation.pdf").status_code == 403  # a person on their own
    assert contact.get(f"/formations-courtes/sessions/{cohort.id}/conventions").status_code == 403


def test_the_people_to_survey_are_listed_and_exported_in_a_fixed_number_of_queries(login, count_queries):
    for _ in range(3):
        cohort, _ = scene.run()
        for _ in range(4):
            scene.trainee(cohort, f.EmployerFactory())
    client = login(f.UserFactory.quality())
    with count_queries() as queries:
        page = client.get("/formations-courtes/a-interroger")
    assert page.status_code == 200 and page.text.count("Gérer les situations de tension") == 12
    assert len(queries) <= 6
    exported = client.get("/formations-courtes/a-interroger.csv?annee=2025")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Stagiaire", "E-mail", "Employeur"] and len(rows) == 13


def test_the_agreements_page_counts_its_queries_whatever_the_number_of_parties(admin, count_queries):
    def queries_for(employers: int) -> int:
        cohort, _ = scene.run()
        for index in range(employers):
            employer = f.EmployerFactory()
            scene.trainee(cohort, employer)
            if index % 2:
                f.AgreementFactory(cohort=cohort, employer=employer)
        with count_queries() as queries:
            assert admin.get(f"/formations-courtes/sessions/{cohort.id}/conventions").status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(8)


def test_the_end_of_course_page_counts_its_queries_whatever_the_number_of_trainees(admin, count_queries):
    def queries_for(trainees: int) -> int:
        cohort, sessions = scene.run()
        for _ in range(trainees):
            scene.attend(sessions, scene.trainee(cohort, f.EmployerFactory()), late=5)
        with count_queries() as queries:
            assert admin.get(f"/formations-courtes/sessions/{cohort.id}/documents").status_code == 200
        return len(queries)

    assert queries_for(2) == queries_for(7)


@pytest.mark.parametrize(
    "data",
    [{}, {"employer_id": "999999"}, {"learner_id": "abc"}, {"employer_id": "99999999999999"}],
    ids=["nobody", "unknown employer", "unreadable id", "id out of range"],
)
def test_a_new_agreement_for_nobody_or_a_stranger_is_refused_without_an_error_page(admin, run, data):
    cohort, _, _ = run
    response = admin.post(f"/formations-courtes/sessions/{cohort.id}/conventions", data=data)
    assert response.status_code in (302, 404)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0


def test_a_signature_without_a_date_is_refused_in_french(admin, run):
    cohort, _, _ = run
    agreement = f.AgreementFactory(cohort=cohort)
    url = f"/formations-courtes/sessions/{cohort.id}/conventions/{agreement.id}/signee"
    response = admin.post(url, data={"signed_on": ""}, follow_redirects=True)
    assert "Indiquez la date de signature" in response.text
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.DRAFT


def test_the_pieces_other_pages_include_link_to_the_documents(app, run):
    """`_run_documents.html` for the session's page, `_trainee_documents.html` for the trainee's and employer's."""
    from flask import render_template

    cohort, _, trainees = run
    with app.test_request_context():
        pieces = render_template("courses/_run_documents.html", cohort=cohort)
        before = render_template("courses/_trainee_documents.html", enrolment=trainees[0], today=date(2025, 10, 6))
        after = render_template("courses/_trainee_documents.html", enrolment=trainees[0], today=date(2025, 10, 7))
    assert f"/formations-courtes/sessions/{cohort.id}/conventions" in pieces and "certificats.zip" in pieces
    assert "convocation.pdf" in before and "attestation.pdf" not in before and "disponible le 07/10/2025" in before
    assert f"/stagiaires/{trainees[0].id}/attestation.pdf" in after
