"""The yearly figures page of short courses: for the administration and the quality officer only, with its export."""

import io
from datetime import date, time, timedelta

import pytest
from openpyxl import load_workbook

from cfa.models import CourseAudience, EnrolmentStatus, HalfDay, MarkStatus, Role
from tests import factories as f


@pytest.fixture
def year_2025():
    """One module for professionals in October 2025: two half-days, two trainees, one of them absent one morning."""
    action = f.ShortCourseFactory(title="Gestion des conflits", audience=CourseAudience.MEDIATION_PROFESSIONALS)
    run = f.ShortCourseRunFactory(programme=action, start_date=date(2025, 10, 6), end_date=date(2025, 10, 6))
    morning = f.SessionFactory(cohort=run, date=date(2025, 10, 6))
    afternoon = f.SessionFactory(cohort=run, date=date(2025, 10, 6), half_day=HalfDay.PM, end_time=time(16, 30))
    for status in (MarkStatus.PRESENT, MarkStatus.ABSENT):
        enrolment = f.TraineeEnrolmentFactory(
            cohort=run, contract_start=run.start_date, contract_end=run.end_date, status=EnrolmentStatus.COMPLETED
        )
        for lesson in (morning, afternoon):
            sheet = f.m.AttendanceSheet.query.filter_by(session_id=lesson.id).first()
            f.AttendanceMarkFactory(
                sheet=sheet or f.AttendanceSheetFactory(session=lesson),
                enrolment=enrolment,
                status=status if lesson is morning else MarkStatus.PRESENT,
            )
    return action


def test_the_quality_officer_reads_a_year_per_audience_and_per_action(login, year_2025):
    page = login(f.UserFactory(roles=[Role.QUALITY])).get("/formations-courtes/bilan?annee=2025").text
    assert "Bilan des formations courtes 2025" in page and "Professionnels de la médiation" in page
    assert "Gestion des conflits" in page and "6 h 30" in page  # 3 h 30 + 3 h delivered
    assert "9 h 30" in page  # trainee-hours: 6 h 30 and 3 h (absent one morning)
    assert '<option value="2025" selected>' in page


def test_a_year_without_short_courses_says_so(login, year_2025):
    page = login(f.UserFactory(roles=[Role.ADMIN])).get("/formations-courtes/bilan?annee=2024").text
    assert "Aucune formation courte n'a eu lieu en 2024." in page


@pytest.mark.parametrize("year", ["20x5", "99999", "1999", "-2025"])
def test_a_year_out_of_range_is_a_french_404(login, year):
    response = login(f.UserFactory(roles=[Role.ADMIN])).get(f"/formations-courtes/bilan?annee={year}")
    assert response.status_code == 404 and "Année invalide" in response.text


def test_the_export_is_a_spreadsheet_with_durations_that_add_up(login, year_2025):
    response = login(f.UserFactory(roles=[Role.ADMIN])).get("/formations-courtes/bilan.xlsx?annee=2025")
    assert (
        response.status_code == 200 and "bilan-formations-courtes-2025.xlsx" in response.headers["Content-Disposition"]
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Public", "Action de formation", "Sessions", "Heures réalisées", "Stagiaires")
    action = next(r for r in rows if r[1] == "Gestion des conflits")
    assert action[2:5] == (1, timedelta(minutes=390), 2)  # read back as durations
    assert action[5:] == (timedelta(minutes=570), 1, "–")
    assert sheet["D2"].number_format == "[h]:mm"
    assert rows[-1][1] == "Total 2025"


@pytest.mark.parametrize("role", [Role.TRAINER, Role.TUTOR, Role.APPRENTICE, Role.LEARNER])
@pytest.mark.parametrize("url", ["/formations-courtes/bilan", "/formations-courtes/bilan.xlsx"])
def test_trainers_tutors_and_learners_are_refused(login, role, url, year_2025):
    assert login(f.UserFactory(roles=[role])).get(url).status_code == 403


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get("/formations-courtes/bilan.xlsx")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_the_page_takes_as_many_queries_for_many_runs_as_for_one(login, count_queries, year_2025):
    client = login(f.UserFactory(roles=[Role.QUALITY]))
    with count_queries() as one:
        client.get("/formations-courtes/bilan?annee=2025")
    for audience in CourseAudience:
        for day in (3, 10):
            run = f.ShortCourseRunFactory(
                programme=f.ShortCourseFactory(audience=audience),
                start_date=date(2025, 3, day),
                end_date=date(2025, 3, day),
            )
            f.TraineeEnrolmentFactory(cohort=run, contract_start=run.start_date, contract_end=run.end_date)
            f.SessionFactory(cohort=run, date=run.start_date)
    with count_queries() as many:
        page = client.get("/formations-courtes/bilan?annee=2025").text
    assert len(many) == len(one) and "Ateliers du Vivre Ensemble en détention" in page
