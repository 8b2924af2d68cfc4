"""The quality pages through the client: who may open them, what a person sees of their own complaints only, the
public results without personal data, the audit export from request to download, and the lists' query counts."""

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from cfa import models as m
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Role
from tests import factories as f

STAFF_PAGES = [
    "/qualite/",
    "/qualite/reclamations",
    "/qualite/actions",
    "/qualite/referentiel",
    "/qualite/taux-declares",
    "/qualite/export-audit",
    "/qualite/reclamations/nouvelle",
    "/qualite/actions/nouvelle",
]


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.TRAINER, Role.LEARNER])
def test_only_the_quality_team_and_the_administration_see_the_dashboard_and_the_register(login, role):
    client = login(f.UserFactory(roles=[role]))
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 403, url


def test_a_tutor_is_refused_the_quality_pages(login):
    client = login(f.UserFactory.tutor())
    assert all(client.get(url).status_code == 403 for url in STAFF_PAGES)


@pytest.mark.parametrize("maker", [f.UserFactory.quality, f.UserFactory.admin])
def test_the_quality_team_and_the_administration_open_every_quality_page(login, maker):
    f.ComplaintFactory()
    client = login(maker())
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url


def test_a_person_files_a_complaint_from_their_portal_and_reads_only_their_own(login, client):
    apprentice = f.EnrolmentFactory().apprentice
    someone_elses = f.ComplaintFactory(complainant=f.EnrolmentFactory().apprentice, subject="Pas la mienne")
    login(apprentice)
    response = client.post("/qualite/mes-reclamations", data={"subject": "Salle froide", "description": "Trop froid."})
    mine = db.session.scalar(sa.select(m.Complaint).where(m.Complaint.complainant_id == apprentice.id))
    assert response.status_code == 302 and mine.channel == "portal"
    page = client.get("/qualite/mes-reclamations").text
    assert "Salle froide" in page and "Pas la mienne" not in page
    assert client.get(f"/qualite/reclamations/{mine.id}").status_code == 200
    assert client.get(f"/qualite/reclamations/{someone_elses.id}").status_code == 403


def test_the_complainant_sees_the_answer_but_not_the_internal_analysis(login):
    apprentice = f.EnrolmentFactory().apprentice
    complaint = f.ComplaintFactory(
        complainant=apprentice,
        status=m.ComplaintStatus.ANALYSED,
        acknowledged_on=date(2025, 3, 4),
        answered_on=date(2025, 3, 10),
        response="Nous avons changé de salle.",
        analysed_on=date(2025, 3, 12),
        analysis="Chauffage en panne signalé trop tard au bailleur.",
    )
    page = login(apprentice).get(f"/qualite/reclamations/{complaint.id}").text
    assert "Nous avons changé de salle." in page and "Chauffage en panne" not in page


def test_a_step_is_recorded_by_the_quality_team_and_refused_to_the_complainant(login, client):
    apprentice = f.EnrolmentFactory().apprentice
    complaint = f.ComplaintFactory(complainant=apprentice)
    login(apprentice)
    assert (
        client.post(f"/qualite/reclamations/{complaint.id}/etape/acknowledge", data={"on": "2025-03-04"}).status_code
        == 403
    )
    client.logout()
    login(f.UserFactory.quality())
    client.post(f"/qualite/reclamations/{complaint.id}/etape/answer", data={"on": "2025-03-04", "text": "Réponse"})
    assert db.session.get(m.Complaint, complaint.id).status == m.ComplaintStatus.RECEIVED  # not acknowledged yet
    client.post(f"/qualite/reclamations/{complaint.id}/etape/acknowledge", data={"on": "2025-03-04"})
    assert db.session.get(m.Complaint, complaint.id).acknowledged_on == date(2025, 3, 4)


def test_the_register_lists_its_rows_in_a_fixed_number_of_queries(login, count_queries):
    client = login(f.UserFactory.quality())
    f.ComplaintFactory()
    with count_queries() as few:
        assert client.get("/qualite/reclamations").status_code == 200
    for n in range(20):
        f.ComplaintFactory(subject=f"Réclamation {n}", cohort=f.CohortFactory() if n % 2 else None)
    with count_queries() as many:
        assert client.get("/qualite/reclamations?annee=2025").status_code == 200
    assert len(many) == len(few)


def test_the_actions_list_reads_its_owners_in_one_query(login, count_queries):
    client = login(f.UserFactory.quality())
    f.ImprovementActionFactory(owner=f.UserFactory.quality())
    with count_queries() as few:
        client.get("/qualite/actions")
    for _ in range(10):
        f.ImprovementActionFactory(owner=f.UserFactory.quality())
    with count_queries() as many:
        assert client.get("/qualite/actions?filtre=open").status_code == 200
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "url",
    ["/qualite/?annee=abc", "/qualite/?centre=x", "/qualite/reclamations?statut=perdu", "/qualite/actions?filtre=tout"],
)
def test_a_bad_filter_is_a_french_404_never_a_500(login, url):
    assert login(f.UserFactory.quality()).get(url).status_code == 404


def test_the_public_results_open_without_login_and_show_no_personal_data(client):
    cohort = f.CohortFactory(start_date=date(2024, 9, 2), end_date=date(2025, 8, 29))
    jury = f.JurySessionFactory(
        cohort=cohort,
        date=date(today_year() - 1, 6, 2),
        status=m.JuryStatus.PUBLISHED,
        published_at=datetime(today_year() - 1, 6, 9, tzinfo=UTC),
    )
    candidates = [f.JuryCandidateFactory(jury_session=jury, decision=m.Decision.OBTAINED) for _ in range(3)]
    page = client.get(f"/qualite/resultats/{cohort.programme_id}")
    assert page.status_code == 200
    assert "effectif insuffisant" in page.text  # 3 candidates, below the threshold of 10
    for candidate in candidates:
        person = candidate.enrolment.apprentice
        assert person.last_name not in page.text and person.email not in page.text
    assert "&lt;div class=&#34;cadence-resultats&#34;" in page.text  # the fragment to copy, shown as text


def today_year() -> int:
    from cfa.formatting import today_paris

    return today_paris().year


def test_a_rate_above_the_threshold_is_published_with_its_population(client):
    cohort = f.CohortFactory()
    jury = f.JurySessionFactory(
        cohort=cohort,
        date=date(today_year() - 1, 6, 2),
        status=m.JuryStatus.PUBLISHED,
        published_at=datetime(today_year() - 1, 6, 9, tzinfo=UTC),
    )
    for decision in [m.Decision.OBTAINED] * 9 + [m.Decision.NOT_OBTAINED] * 3:
        f.JuryCandidateFactory(jury_session=jury, decision=decision)
    page = client.get(f"/qualite/resultats/{cohort.programme_id}").text
    assert "75 %" in page and ">12<" in page


def test_an_unknown_programme_has_no_public_page(client):
    assert client.get("/qualite/resultats/999999").status_code == 404


def test_the_audit_export_runs_inline_without_redis_and_its_file_is_downloaded(app, login, client, tmp_path):
    app.config["EXPORT_DIR"] = str(tmp_path)
    officer = f.UserFactory.quality()
    login(officer)
    assert client.post("/qualite/export-audit", data={"year": "2025"}).status_code == 302
    jobs = db.session.scalars(sa.select(m.ExportJob).order_by(m.ExportJob.id)).all()
    assert [(j.kind, j.status, j.progress) for j in jobs] == [
        ("audit_xlsx", m.ExportStatus.DONE, 100),
        ("audit_pdf", m.ExportStatus.DONE, 100),
    ]
    download = client.get(f"/qualite/export-audit/{jobs[0].id}/fichier")
    assert download.status_code == 200
    assert "Ind. 31" in load_workbook(BytesIO(download.data)).sheetnames
    client.logout()
    other = login(f.UserFactory.quality())  # any quality officer may fetch it
    assert other.get(f"/qualite/export-audit/{jobs[1].id}/fichier").data.startswith(b"%PDF")
    client.logout()
    assert login(f.UserFactory.trainer()).get(f"/qualite/export-audit/{jobs[1].id}/fichier").status_code == 403


def test_the_quality_team_reads_the_attendance_follow_up_and_jury_results_but_changes_nothing(login, client):
    jury = f.JurySessionFactory()
    candidate = f.JuryCandidateFactory(jury_session=jury)
    justification = f.JustificationFactory()
    login(f.UserFactory.quality())
    follow_up = client.get("/emargement/")
    assert follow_up.status_code == 200 and "Accepter" not in follow_up.text
    results = client.get(f"/evaluation/jurys/{jury.id}")
    assert results.status_code == 200 and "Enregistrer les résultats" not in results.text
    assert client.get("/evaluation/jurys").status_code == 200
    assert client.post(f"/evaluation/jurys/{jury.id}", data={f"absent-{candidate.id}": "1"}).status_code == 403
    assert client.post(f"/emargement/justificatifs/{justification.id}/accepter").status_code == 403
    assert client.post(f"/evaluation/jurys/{jury.id}/publier").status_code == 403
    assert db.session.get(m.Justification, justification.id).status == m.JustificationStatus.PENDING
    assert db.session.get(m.JuryCandidate, candidate.id).decision is None


def test_the_complaint_targets_and_the_public_threshold_are_set_on_the_organisation_page(login):
    from tests.views.test_admin_setup import organisation_form

    client = login(f.UserFactory.admin())
    form = organisation_form(complaint_answer_days="10", public_rate_threshold="20")
    assert client.post("/admin/organisme", data=form).status_code == 302
    organisation = db.session.scalar(sa.select(m.Organisation))
    assert (organisation.complaint_ack_days, organisation.complaint_answer_days) == (2, 10)
    assert organisation.public_rate_threshold == 20
    assert client.post("/admin/organisme", data=organisation_form(complaint_close_days="0")).status_code == 200
    assert db.session.scalar(sa.select(m.Organisation.complaint_close_days)) == 30


def test_the_dashboard_says_when_closed_years_attendance_was_computed_and_recalculer_computes_it_again(login):
    day = date(today_paris().year - 1, 3, 3)
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=f.SessionFactory(date=day)))
    client = login(f.UserFactory.quality())
    page = client.get("/qualite/").text
    assert "Assiduité des années closes calculée le" in page
    kept = set(db.session.scalars(sa.select(m.AttendanceSnapshot.key)))
    assert f"{day.year}/-/-/-" in kept

    response = client.post(f"/qualite/recalculer?annee={day.year}")

    assert response.status_code == 302 and response.location.endswith(f"/qualite/?annee={day.year}")
    assert not set(db.session.scalars(sa.select(m.AttendanceSnapshot.key))) & {
        f"{year}/-/-/-" for year in range(day.year - 3, day.year + 1)
    }


@pytest.mark.parametrize("role", [Role.TRAINER, Role.APPRENTICE, Role.TUTOR])
def test_only_the_quality_officer_recomputes_the_dashboard(login, role):
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=f.SessionFactory(date=date(2025, 3, 3))))
    db.session.add(m.AttendanceSnapshot(key="2025/-/-/-", year=2025, attended=1, scheduled=2))
    db.session.flush()
    person = f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None)
    assert login(person).post("/qualite/recalculer?annee=2025").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(m.AttendanceSnapshot.id))) == 1
