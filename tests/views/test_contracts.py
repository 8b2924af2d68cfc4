"""After a rupture the old employer stops following the apprentice, and the documents split per contract."""

from datetime import date
from io import BytesIO
from unittest import mock

from pypdf import PdfReader

from cfa.models import MarkStatus, RuptureCause, RuptureParty
from cfa.services import contracts
from cfa.services.contracts import PeriodValues
from tests import factories as f

RUPTURE = date(2026, 1, 30)
LATER = date(2026, 2, 16)


def apprentice_with_two_employers():
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(
        cohort=cohort, employer=f.EmployerFactory(name="Régie de quartier"), with_contract=True
    )
    first_tutor = enrolment.tutor
    admin = f.UserFactory.admin()
    contracts.record_rupture(admin, enrolment, RUPTURE, RuptureParty.BOTH, RuptureCause.MUTUAL_AGREEMENT)
    employer = f.EmployerFactory(name="Maison de la médiation")
    tutor = f.UserFactory.tutor(employer=employer)
    contracts.new_employer(admin, enrolment, PeriodValues(employer.id, tutor.id, date(2026, 3, 2), date(2027, 6, 30)))
    return enrolment, first_tutor, tutor


def absent_on(enrolment, day):
    sheet = f.AttendanceSheetFactory(session=f.SessionFactory(cohort=enrolment.cohort, date=day))
    return f.AttendanceMarkFactory(sheet=sheet, enrolment=enrolment, status=MarkStatus.ABSENT)


def test_the_old_tutor_sees_what_happened_before_the_rupture_and_nothing_after(login):
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=cohort, with_contract=True)
    tutor = enrolment.tutor
    colleague = f.UserFactory.tutor(employer=enrolment.employer)
    absent_on(enrolment, date(2026, 1, 12))
    contracts.record_rupture(
        f.UserFactory.admin(), enrolment, RUPTURE, RuptureParty.APPRENTICE, RuptureCause.RESIGNATION
    )
    absent_on(enrolment, LATER)
    name = enrolment.apprentice.full_name
    for person in (tutor, colleague):
        client = login(person)
        with mock.patch("cfa.views.employer.absences.today_paris", return_value=LATER):
            absences = client.get("/employeur/absences").text
        assert "12/01/2026" in absences and "16/02/2026" not in absences
        assert name not in client.get("/suivi/mes-apprentis").text
        assert name not in client.get("/employeur/resultats").text
        assert client.get(f"/suivi/apprentis/{enrolment.id}").status_code in (403, 404)
        assert client.get(f"/employeur/resultats/{enrolment.id}").status_code == 404
        client.logout()


def test_another_employers_tutor_sees_nothing_of_the_former_apprentice(login):
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=cohort, with_contract=True)
    absent_on(enrolment, date(2026, 1, 12))
    contracts.record_rupture(f.UserFactory.admin(), enrolment, RUPTURE, RuptureParty.BOTH, RuptureCause.OTHER)
    with mock.patch("cfa.views.employer.absences.today_paris", return_value=LATER):
        page = login(f.UserFactory.tutor()).get("/employeur/absences").text
    assert enrolment.apprentice.full_name not in page and "12/01/2026" not in page


def test_the_new_tutor_follows_the_apprentice(login):
    enrolment, _, tutor = apprentice_with_two_employers()
    assert enrolment.apprentice.full_name in login(tutor).get("/suivi/mes-apprentis").text


def test_the_certificat_de_realisation_splits_across_the_two_employers(login):
    enrolment, _, _ = apprentice_with_two_employers()
    f.OrganisationFactory()
    client = login(f.UserFactory.admin())
    response = client.get(
        f"/emargement/inscriptions/{enrolment.id}/certificat-realisation.pdf?du=2026-01-01&au=2026-03-31"
    )
    pages = [p.extract_text() for p in PdfReader(BytesIO(response.data)).pages]
    certificats = [p for p in pages if "Certificat de réalisation" in p and "Apprenti" in p]
    assert len(certificats) == 3  # the first contract, the month without employer, the second contract
    first, between, second = certificats
    assert "Régie de quartier" in first and "01/01/2026" in first and "30/01/2026" in first
    assert "sans employeur" in between and "31/01/2026" in between and "01/03/2026" in between
    assert "Maison de la médiation" in second and "02/03/2026" in second and "31/03/2026" in second
    assert "Régie de quartier" not in second


def test_the_attestation_names_each_employer_for_its_dates(login):
    enrolment, _, _ = apprentice_with_two_employers()
    f.OrganisationFactory()
    client = login(f.UserFactory.admin())
    response = client.get(
        f"/emargement/inscriptions/{enrolment.id}/attestation-assiduite.pdf?du=2025-09-15&au=2026-03-31"
    )
    text = " ".join(PdfReader(BytesIO(response.data)).pages[0].extract_text().split())
    assert "Régie de quartier du 15/09/2025 au 30/01/2026" in text
    assert "puis par Maison de la médiation du 02/03/2026 au 31/03/2026" in text


def test_the_cfa_records_a_rupture_then_a_new_employer_from_the_enrolment_page(login):
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=cohort, with_contract=True)
    client = login(f.UserFactory.admin())
    url = f"/admin/inscriptions/{enrolment.id}"
    assert "Rupture du contrat" in client.get(url).text
    refused = client.post(
        f"{url}/rupture", data={"ended_on": "2025-01-01", "ended_by": "employer", "end_cause": "dismissal"}
    )
    assert refused.status_code == 422 and "précède le début du contrat" in refused.text
    client.post(f"{url}/rupture", data={"ended_on": "2026-01-30", "ended_by": "employer", "end_cause": "dismissal"})
    page = client.get(url).text
    assert "Rompu le 30/01/2026" in page and "30 juillet 2026" in page and "Nouvel employeur" in page
    employer = f.EmployerFactory(name="Maison de la médiation")
    data = {"employer_id": employer.id, "tutor_id": "", "starts_on": "2026-03-02", "ends_on": "2027-06-30"}
    assert client.post(f"{url}/nouvel-employeur", data=data).status_code == 302
    page = client.get(url).text
    assert "Maison de la médiation" in page and "Nouvel employeur trouvé" in page


def test_the_due_list_shows_each_opcos_invoices_and_the_trainees_without_employer(login):
    cohort = f.CohortFactory(start_date=date(2025, 9, 15), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=cohort, employer=f.EmployerFactory(opco="Akto"), with_contract=True)
    tutor = enrolment.tutor
    contracts.record_rupture(f.UserFactory.admin(), enrolment, RUPTURE, RuptureParty.BOTH, RuptureCause.TRIAL_PERIOD)
    assert login(tutor).get("/admin/contrats/echeances").status_code == 403
    login(tutor).logout()
    page = login(f.UserFactory.admin()).get("/admin/contrats/echeances?mois=2026-01").text
    assert "Akto" in page and "Certificat de réalisation, avant le 30/05/2026" in page
    assert "Dépassé : 30/07/2026" in page  # the six months are over and nothing was recorded
