"""Every list exports what it shows, as filtered, to CSV and XLSX; only to those who may open the list."""

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from cfa.models import ActionStatus, EnrolmentStatus, HalfDay, InterruptionKind, JustificationStatus, MarkStatus
from tests import factories as f


@pytest.fixture
def admin(login):
    return login(f.UserFactory.admin())


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def status_as(client, person, path: str) -> int:
    """The status `path` answers `person` (logged in for this request only)."""
    client.login(person)
    status = client.get(path).status_code
    client.logout()
    return status


def read_xlsx(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    header, *rows = load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_enrolment_list_exports_its_filter_with_contract_dates_as_dates(admin):
    cohort = f.CohortFactory()
    kept = f.EnrolmentFactory(cohort=cohort, contract_start=date(2026, 9, 1), contract_end=date(2028, 8, 31))
    f.EnrolmentFactory(
        cohort=cohort,
        status=EnrolmentStatus.INTERRUPTED,
        interrupted_on=date(2026, 1, 16),
        interruption_kind=InterruptionKind.DROPOUT,
        interruption_reason="Abandon",
    )
    f.EnrolmentFactory()  # another cohort
    query = f"cohort={cohort.id}&status=active"
    page = admin.get(f"/admin/inscriptions?{query}")
    assert f"/admin/inscriptions.xlsx?cohort={cohort.id}&amp;status=active" in page.text

    rows = read_xlsx(admin.get(f"/admin/inscriptions.xlsx?{query}"))
    assert [r["Nom"] for r in rows] == [kept.apprentice.last_name]
    assert rows[0]["Début du contrat"] == datetime(2026, 9, 1) and rows[0]["Fin du contrat"] == datetime(2028, 8, 31)
    assert rows[0]["Statut"] == "En cours"

    rows = read_csv(admin.get(f"/admin/inscriptions.csv?{query}"))
    assert [(r["Nom"], r["Début du contrat"]) for r in rows] == [(kept.apprentice.last_name, "01/09/2026")]


def test_the_people_list_export_honours_the_search_and_neutralises_formulas(admin):
    f.UserFactory.tutor(last_name='=HYPERLINK("http://x")', first_name="Piège")
    f.UserFactory.tutor(last_name="Martin")
    rows = read_csv(admin.get("/admin/personnes.csv?q=Piège"))
    assert [r["Nom"] for r in rows] == ['\'=HYPERLINK("http://x")']
    rows = read_xlsx(admin.get("/admin/personnes.xlsx?q=Piège"))
    assert [r["Nom"] for r in rows] == ['\'=HYPERLINK("http://x")']


def test_the_employer_export_keeps_the_siret_as_text_and_counts_tutors_as_numbers(admin):
    employer = f.EmployerFactory(name="Ville de Brest", siret="73282932000074")
    f.UserFactory.tutor(employer=employer)
    rows = read_xlsx(admin.get("/admin/employeurs.xlsx?q=Brest"))
    assert rows == [rows[0]] and rows[0]["SIRET"] == "73282932000074" and rows[0]["Tuteur·rices"] == 1


def test_the_cohort_export_gives_its_dates_and_a_file_name(admin):
    cohort = f.CohortFactory(name="BTS 2026", start_date=date(2026, 9, 1), end_date=date(2028, 6, 30))
    response = admin.get("/admin/promotions.csv?q=BTS 2026")
    assert "Promotions.csv" in response.headers["Content-Disposition"]
    assert [(r["Promotion"], r["Début"]) for r in read_csv(response)] == [(cohort.name, "01/09/2026")]


def test_an_unknown_export_format_is_not_found(admin):
    assert admin.get("/admin/employeurs.pdf").status_code == 404


@pytest.mark.parametrize("person", ["apprentice", "tutor", "trainer", "quality"])
def test_only_those_who_may_open_a_list_may_export_it(login, person):
    f.EnrolmentFactory()
    client = login(getattr(f.UserFactory, person)())
    for path in ("/admin/inscriptions.csv", "/admin/personnes.xlsx", "/admin/employeurs.csv"):
        assert client.get(path).status_code == 403


def test_the_csv_export_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(admin, count_queries):
    for _ in range(3):
        f.EnrolmentFactory()
    with count_queries() as queries:
        assert len(read_csv(admin.get("/admin/inscriptions.csv"))) == 3
    few = len(queries)
    for _ in range(12):
        f.EnrolmentFactory()
    with count_queries() as queries:
        assert len(read_csv(admin.get("/admin/inscriptions.csv"))) == 15
    assert len(queries) == few


def test_the_complaints_register_exports_the_chosen_year_with_its_dated_steps(login):
    quality = login(f.UserFactory.quality())
    f.ComplaintFactory(received_on=date(2025, 3, 3), acknowledged_on=date(2025, 3, 4), subject="+ convocation")
    f.ComplaintFactory(received_on=date(2024, 5, 2), subject="L'an passé")
    assert "/qualite/reclamations.csv?annee=2025" in quality.get("/qualite/reclamations?annee=2025").text
    rows = read_xlsx(quality.get("/qualite/reclamations.xlsx?annee=2025"))
    assert [(r["Objet"], r["Reçue le"], r["Accusé de réception le"]) for r in rows] == [
        ("'+ convocation", datetime(2025, 3, 3), datetime(2025, 3, 4))
    ]
    assert [r["Objet"] for r in read_csv(quality.get("/qualite/reclamations.csv?annee=2024"))] == ["L'an passé"]
    assert quality.get("/qualite/reclamations.csv?statut=inconnu").status_code == 404


def test_improvement_actions_export_their_filter(login, count_queries):
    quality = login(f.UserFactory.quality())
    f.ImprovementActionFactory(title="Ouverte", complaint=f.ComplaintFactory())
    f.ImprovementActionFactory(title="Faite", status=ActionStatus.DONE, done_on=date(2025, 6, 1))
    rows = read_csv(quality.get("/qualite/actions.csv?filtre=closed"))
    assert [(r["Action"], r["Réalisée le"]) for r in rows] == [("Faite", "01/06/2025")]
    with count_queries() as queries:
        read_xlsx(quality.get("/qualite/actions.xlsx"))
    few = len(queries)
    for n in range(5):
        f.ImprovementActionFactory(title=f"Action {n}", complaint=f.ComplaintFactory())
    with count_queries() as queries:
        assert len(read_xlsx(quality.get("/qualite/actions.xlsx"))) == 7
    assert len(queries) == few


@pytest.mark.parametrize("path", ["/qualite/reclamations.csv", "/qualite/actions.xlsx"])
def test_the_quality_registers_are_exported_only_for_the_quality_team(client, path):
    for person in (f.UserFactory.apprentice(), f.UserFactory.tutor(), f.UserFactory.trainer()):
        assert status_as(client, person, path) == 403


def test_the_short_course_runs_export_their_year_with_trainees_and_hours_as_numbers(admin, count_queries):
    run = f.ShortCourseRunFactory(start_date=date(2025, 10, 6), end_date=date(2025, 10, 6))
    f.SessionFactory(cohort=run, date=date(2025, 10, 6))
    f.TraineeEnrolmentFactory(cohort=run)
    f.ShortCourseRunFactory(start_date=date(2024, 3, 4), end_date=date(2024, 3, 4))
    assert "/formations-courtes/sessions.xlsx?annee=2025" in admin.get("/formations-courtes/?annee=2025").text
    with count_queries() as queries:
        rows = read_xlsx(admin.get("/formations-courtes/sessions.xlsx?annee=2025"))
    assert [(r["Session"], r["Début"], r["Stagiaires"], r["Demi-journées"]) for r in rows] == [
        (run.name, datetime(2025, 10, 6), 1, 1)
    ]
    assert isinstance(rows[0]["Heures planifiées"], float) and rows[0]["Heures prévues"] == 42
    few = len(queries)
    for _ in range(4):
        other = f.ShortCourseRunFactory(start_date=date(2025, 11, 3), end_date=date(2025, 11, 3))
        f.SessionFactory(cohort=other, date=date(2025, 11, 3))
        f.TraineeEnrolmentFactory(cohort=other)
    with count_queries() as queries:
        assert len(read_csv(admin.get("/formations-courtes/sessions.csv?annee=2025"))) == 5
    assert len(queries) == few


def test_a_runs_trainees_export_lists_its_trainees_only(admin):
    run = f.ShortCourseRunFactory()
    trainee = f.TraineeEnrolmentFactory(cohort=run)
    f.TraineeEnrolmentFactory()  # another run
    assert (
        f"/formations-courtes/sessions/{run.id}/stagiaires.csv"
        in admin.get(f"/formations-courtes/sessions/{run.id}").text
    )
    rows = read_csv(admin.get(f"/formations-courtes/sessions/{run.id}/stagiaires.csv"))
    assert [(r["Nom"], r["SIRET"]) for r in rows] == [(trainee.apprentice.last_name, trainee.employer.siret)]
    assert admin.get(f"/formations-courtes/sessions/{f.CohortFactory().id}/stagiaires.csv").status_code == 404


def test_short_course_exports_are_refused_to_a_client_and_a_trainer(client):
    run = f.ShortCourseRunFactory()
    for person in (f.UserFactory.tutor(), f.UserFactory.trainer()):
        assert status_as(client, person, "/formations-courtes/sessions.csv") == 403
        assert status_as(client, person, f"/formations-courtes/sessions/{run.id}/stagiaires.xlsx") == 403


def test_a_cohorts_month_of_attendance_exports_each_apprentices_hours_as_numbers(login):
    quality = login(f.UserFactory.quality())
    session = f.SessionFactory(date=date(2025, 9, 15))  # 3 h 30
    sheet = f.AttendanceSheetFactory(session=session)
    present = f.AttendanceMarkFactory(sheet=sheet, status=MarkStatus.LATE, minutes_late=30)
    f.AttendanceMarkFactory(sheet=sheet, enrolment=f.EnrolmentFactory(cohort=session.cohort), status=MarkStatus.ABSENT)
    f.SessionFactory(cohort=session.cohort, date=date(2025, 10, 6))  # another month
    cohort_id = session.cohort_id
    assert f"/emargement/promotions/{cohort_id}/assiduite-" in quality.get("/emargement/").text

    rows = read_xlsx(quality.get(f"/emargement/promotions/{cohort_id}/assiduite-2025-09.xlsx"))
    by_name = {r["Nom"]: r for r in rows}
    mine = by_name[present.enrolment.apprentice.last_name]
    assert (mine["Heures émargées"], mine["Heures de présence"], mine["Retards (h)"]) == (3.5, 3, 0.5)
    assert mine["Taux d'assiduité (%)"] == 85.7
    assert sum(r["Absences non justifiées (h)"] for r in rows) == 3.5
    csv_rows = read_csv(quality.get(f"/emargement/promotions/{cohort_id}/assiduite-2025-09.csv"))
    assert {r["Heures émargées"] for r in csv_rows} == {"3,50"}
    assert quality.get(f"/emargement/promotions/{cohort_id}/assiduite-2025-13.csv").status_code == 404
    assert quality.get(f"/emargement/promotions/{cohort_id}/assiduite-9999-12.csv").status_code == 404


def test_justifications_export_all_or_those_of_one_status(login):
    quality = login(f.UserFactory.quality())
    waiting = f.JustificationFactory(reason="=cmd|' /C calc'!A0")
    f.JustificationFactory(status=JustificationStatus.REFUSED, refusal_reason="Illisible")
    rows = read_csv(quality.get("/emargement/justificatifs.csv?statut=pending"))
    assert [(r["Nom"], r["Motif"], r["Du"]) for r in rows] == [
        (waiting.enrolment.apprentice.last_name, "'=cmd|' /C calc'!A0", "16/09/2025")
    ]
    assert len(read_xlsx(quality.get("/emargement/justificatifs.xlsx"))) == 2


@pytest.mark.parametrize(
    "path", ["/emargement/justificatifs.csv", "/emargement/promotions/{cohort}/assiduite-2025-09.xlsx"]
)
def test_attendance_exports_are_refused_to_apprentices_tutors_and_trainers(client, path):
    enrolment = f.EnrolmentFactory()
    for person in (enrolment.apprentice, f.UserFactory.tutor(), f.UserFactory.trainer()):
        assert status_as(client, person, path.format(cohort=enrolment.cohort_id)) == 403


def test_a_trainer_exports_only_the_awards_they_may_read(login):
    trainer = f.UserFactory.trainer()
    mine = f.AwardFactory(assessor=trainer, awarded_on=date(2026, 3, 1))
    f.AwardFactory()  # assessed by someone else, for a learner the trainer does not teach
    rows = read_xlsx(login(trainer).get("/evaluation/certifications.xlsx"))
    assert [(r["Nom"], r["Certification"], r["Délivrée le"], r["Statut"]) for r in rows] == [
        (mine.learner.last_name, mine.micro_certification.title, datetime(2026, 3, 1), "Valide")
    ]
    assert "/evaluation/certifications.csv" in login(trainer).get("/evaluation/certifications").text


def test_the_awards_export_honours_the_search(admin):
    kept = f.AwardFactory()
    f.AwardFactory()
    rows = read_csv(admin.get(f"/evaluation/certifications.csv?q={kept.verification_code}"))
    assert [r["Code de vérification"] for r in rows] == [kept.verification_code]


def test_apprentices_and_tutors_may_not_export_the_awards(client):
    for person in (f.UserFactory.apprentice(), f.UserFactory.tutor()):
        assert status_as(client, person, "/evaluation/certifications.csv") == 403


def test_a_jury_sessions_results_export_one_column_per_ccp(login):
    from cfa.extensions import db
    from cfa.models import BlockResult, Decision

    quality = login(f.UserFactory.quality())
    jury = f.JurySessionFactory()
    first, second = (f.SkillBlockFactory(programme=jury.cohort.programme) for _ in range(2))
    candidate = f.JuryCandidateFactory(jury_session=jury, decision=Decision.PARTIAL)
    db.session.add_all(
        [
            BlockResult(candidate=candidate, skill_block_id=first.id, acquired=True),
            BlockResult(candidate=candidate, skill_block_id=second.id, acquired=False),
        ]
    )
    db.session.flush()
    assert f"/evaluation/jurys/{jury.id}/resultats.xlsx" in quality.get(f"/evaluation/jurys/{jury.id}").text
    rows = read_xlsx(quality.get(f"/evaluation/jurys/{jury.id}/resultats.xlsx"))
    assert [
        (r["Nom"], r[f"{first.code} – {first.title}"], r[f"{second.code} – {second.title}"], r["Décision"])
        for r in rows
    ] == [(candidate.enrolment.apprentice.last_name, "Acquis", "Non acquis", "Obtention partielle (CCP)")]
    quality.logout()
    for person in (f.UserFactory.trainer(), candidate.enrolment.apprentice):
        assert status_as(quality, person, f"/evaluation/jurys/{jury.id}/resultats.csv") == 403


def test_a_cohorts_half_days_export_with_times_and_hours_for_those_who_read_its_planning(client, count_queries):
    from datetime import time

    trainer = f.UserFactory.trainer()
    session = f.SessionFactory(trainer=trainer, date=date(2025, 9, 15))
    f.SessionFactory(cohort=session.cohort, date=date(2025, 9, 16), half_day=HalfDay.PM)
    f.SessionFactory(date=date(2025, 9, 15))  # another cohort
    path = f"/planning/promotions/{session.cohort_id}/seances"
    client.login(trainer)
    assert f"{path}.xlsx" in client.get(f"/planning/promotions/{session.cohort_id}").text
    rows = read_xlsx(client.get(f"{path}.xlsx"))
    assert [(r["Date"], r["Demi-journée"], r["Début"], r["Heures"]) for r in rows] == [
        (datetime(2025, 9, 15), "Matin", time(9, 0), 3.5),
        (datetime(2025, 9, 16), "Après-midi", time(13, 30), 3.5),
    ]
    with count_queries() as queries:
        assert [r["Début"] for r in read_csv(client.get(f"{path}.csv"))] == ["09:00", "13:30"]
    few = len(queries)
    for day in range(17, 27):
        f.SessionFactory(cohort=session.cohort, trainer=trainer, date=date(2025, 9, day))
    with count_queries() as queries:
        assert len(read_csv(client.get(f"{path}.csv"))) == 12
    assert len(queries) == few
    client.logout()
    for person in (f.UserFactory.trainer(), f.UserFactory.tutor()):
        assert status_as(client, person, f"{path}.csv") == 403


def test_a_campaigns_answers_export_scores_as_numbers_and_names_only_when_not_anonymous(client, login):
    from tests.views.test_surveys import _answer, _open_campaign

    named, _ = _open_campaign(anonymous=False)
    anonymous, _ = _open_campaign(anonymous=True)
    for campaign in (named, anonymous):
        _answer(client, campaign, campaign.invitations[0], score="2", comment="=Trop de théorie")
        _answer(client, campaign, campaign.invitations[1], score="5", comment="Parfait")
    quality = login(f.UserFactory.quality())
    scale, text = named.survey.questions
    assert (
        f"/qualite/campagnes/{named.id}/reponses.xlsx" in quality.get(f"/qualite/campagnes/{named.id}/resultats").text
    )

    rows = read_xlsx(quality.get(f"/qualite/campagnes/{named.id}/reponses.xlsx"))
    assert sorted((r[f"{scale.position}. {scale.text}"], r[f"{text.position}. {text.text}"]) for r in rows) == [
        (2, "'=Trop de théorie"),
        (5, "Parfait"),
    ]
    assert {r["Personne"] for r in rows} == {i.name or i.email for i in named.invitations}

    rows = read_csv(quality.get(f"/qualite/campagnes/{anonymous.id}/reponses.csv"))
    assert len(rows) == 2 and "Personne" not in rows[0]
    quality.logout()
    assert (
        status_as(
            client, named.invitations[0].user or f.UserFactory.trainer(), f"/qualite/campagnes/{named.id}/reponses.csv"
        )
        == 403
    )
