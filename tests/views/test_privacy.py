"""Personal data pages: each person downloads their own data; only the admin downloads someone else's, runs the
retention and prints the register of processing."""

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest

from cfa.extensions import db
from cfa.models import EnrolmentStatus, MarkStatus
from tests import factories as f
from tests.services.test_attendance_rates import mark


@pytest.fixture
def apprentice_with_records(app):
    f.OrganisationFactory()
    enrolment = f.EnrolmentFactory()
    mark(enrolment, date(2025, 9, 15))
    mark(enrolment, date(2025, 9, 16), MarkStatus.LATE, late=30)
    upload = app.config["UPLOAD_DIR"]
    proof = f"justificatifs/{enrolment.id}/certificat.pdf"
    Path(upload, proof).parent.mkdir(parents=True, exist_ok=True)
    Path(upload, proof).write_bytes(b"%PDF-1.4 medical")
    f.JustificationFactory(enrolment=enrolment, proof_path=proof, proof_filename="certificat.pdf")
    f.AwardFactory(learner=enrolment.apprentice)
    f.ComplaintFactory(complainant=enrolment.apprentice)
    f.VisitFactory(enrolment=enrolment, held_on=date(2025, 10, 1))
    db.session.commit()
    return enrolment


def test_a_person_downloads_everything_held_about_them_as_json(login, apprentice_with_records):
    person = apprentice_with_records.apprentice
    response = login(person).get("/donnees-personnelles/moi/donnees.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["account"]["email"] == person.email and "password_hash" not in data["account"]
    assert [m["attended_minutes"] for m in data["attendance"]] == [210, 180]
    assert data["justifications"][0]["proof_filename"] == "certificat.pdf"
    assert "proof_path" not in data["justifications"][0]
    assert len(data["awards"]) == 1 and len(data["complaints"]) == 1 and len(data["visits"]) == 1
    assert data["enrolments"][0]["cohort"] == apprentice_with_records.cohort.name


def test_the_zip_holds_the_json_the_proofs_and_the_certificates(login, apprentice_with_records):
    response = login(apprentice_with_records.apprentice).get("/donnees-personnelles/moi/documents.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert "donnees.json" in names
    (proof,) = [n for n in names if n.startswith("justificatifs/")]
    assert archive.read(proof) == b"%PDF-1.4 medical"
    (certificate,) = [n for n in names if n.startswith("certificats/")]
    assert archive.read(certificate).startswith(b"%PDF")


def test_a_short_course_trainee_gets_their_attestation_once_the_course_ended(login, app):
    f.OrganisationFactory()
    enrolment = f.TraineeEnrolmentFactory(status=EnrolmentStatus.ACTIVE)
    enrolment.apprentice.email = "stagiaire@example.test"
    enrolment.apprentice.set_password(f.TEST_PASSWORD)
    db.session.commit()
    archive = zipfile.ZipFile(
        io.BytesIO(login(enrolment.apprentice).get("/donnees-personnelles/moi/documents.zip").data)
    )
    assert any(n.startswith("attestations/") for n in archive.namelist())


def test_every_account_reaches_its_own_page_from_the_menu(login):
    tutor = f.UserFactory.tutor()
    page = login(tutor).get("/donnees-personnelles/moi").get_data(as_text=True)
    assert "Mes données personnelles" in page and "/donnees-personnelles/moi/donnees.json" in page


def test_the_admin_downloads_a_persons_data_from_their_page(login, apprentice_with_records):
    person = apprentice_with_records.apprentice
    client = login(f.UserFactory.admin())
    assert f"/donnees-personnelles/personnes/{person.id}/documents.zip" in client.get(
        f"/admin/personnes/{person.id}"
    ).get_data(as_text=True)
    data = json.loads(client.get(f"/donnees-personnelles/personnes/{person.id}/donnees.json").data)
    assert data["account"]["id"] == person.id


@pytest.mark.parametrize("who", ["apprentice", "tutor", "trainer", "quality"])
def test_nobody_but_the_admin_downloads_another_persons_data(login, apprentice_with_records, who):
    other = {"apprentice": f.EnrolmentFactory().apprentice, "tutor": apprentice_with_records.tutor}.get(who)
    other = other or getattr(f.UserFactory, who)()
    db.session.commit()
    client = login(other)
    person = apprentice_with_records.apprentice
    for url in (
        f"/donnees-personnelles/personnes/{person.id}/donnees.json",
        f"/donnees-personnelles/personnes/{person.id}/documents.zip",
        "/donnees-personnelles/conservation",
        "/donnees-personnelles/registre",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post("/donnees-personnelles/conservation").status_code == 403
    own = json.loads(client.get("/donnees-personnelles/moi/donnees.json").data)
    assert own["account"]["id"] == other.id and person.email not in json.dumps(own)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get("/donnees-personnelles/moi/donnees.json")
    assert response.status_code == 302 and "/connexion" in response.location


def test_the_admin_sees_the_dry_run_then_anonymises_exactly_what_it_listed(login, app):
    old = f.CohortFactory(start_date=date(2015, 9, 1), end_date=date(2016, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=old, status=EnrolmentStatus.COMPLETED)
    name = enrolment.apprentice.sort_name
    db.session.commit()
    client = login(f.UserFactory.admin())
    page = client.get("/donnees-personnelles/conservation").get_data(as_text=True)
    assert name in page and "Personnes à anonymiser (1)" in page

    client.post("/donnees-personnelles/conservation", data={"personne": ["abc", str(enrolment.apprentice_id + 999)]})
    assert enrolment.apprentice.sort_name == name  # not in what was confirmed: untouched

    response = client.post("/donnees-personnelles/conservation", data={"personne": str(enrolment.apprentice_id)})
    assert response.status_code == 302
    assert enrolment.apprentice.first_name == "Personne" and enrolment.apprentice.email is None


def test_the_register_of_processing_names_purposes_legal_bases_and_durations(login):
    page = login(f.UserFactory.admin()).get("/donnees-personnelles/registre").get_data(as_text=True)
    for words in ("Émargement et assiduité", "Base légale", "6 ans après la période", "5 ans après la fin"):
        assert words in page
