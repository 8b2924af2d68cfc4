"""The CFA's follow-up page and the trainer's sheets to finish, through the client, refusals included."""

from datetime import UTC, date, datetime

import pytest

from cfa.models import MarkStatus, Role
from tests import factories as f


@pytest.fixture
def cohort():
    return f.CohortFactory(name="AMIS Nantes 2026", start_date=date(2026, 1, 5), end_date=date(2027, 1, 8))


def past_sessions(cohort, trainer, days):
    return [f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2026, 2, day)) for day in days]


def test_a_sheet_never_taken_months_ago_is_still_to_regularise_on_the_follow_up(login, cohort):
    trainer = f.UserFactory.trainer(first_name="Inès", last_name="Morel")
    (old,) = past_sessions(cohort, trainer, [2])
    closed = f.SessionFactory(cohort=cohort, date=date(2026, 2, 3))
    f.AttendanceSheetFactory(session=closed, closed_at=datetime(2026, 2, 3, 11, tzinfo=UTC))
    f.EnrolmentFactory(cohort=cohort)
    page = login(f.UserFactory.admin()).get("/emargement/?annee=2026")  # the fixture's year, whatever the clock
    assert page.status_code == 200
    assert "Feuilles à régulariser (1)" in page.text and "02/02/2026" in page.text and "Jamais prise" in page.text
    assert f"/emargement/seances/{old.id}" in page.text and f"/emargement/seances/{closed.id}" not in page.text
    # Neither half-day holds a mark for the apprentice: 7 h shown apart, not dropped from the figures.
    assert "Non renseigné" in page.text and '<a href="#a-regulariser">7 h</a>' in page.text


def test_the_follow_up_page_runs_a_fixed_number_of_queries_and_shows_one_page(login, cohort, count_queries, app):
    trainer = f.UserFactory.trainer()
    enrolment = f.EnrolmentFactory(cohort=cohort)
    for session in past_sessions(cohort, trainer, [2, 3]):
        f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment)
    client = login(f.UserFactory.admin())
    with count_queries() as few:
        client.get("/emargement/")
    size = app.config["PAGE_SIZE"]
    for other in [f.CohortFactory(start_date=date(2026, 1, 5), end_date=date(2027, 1, 8)) for _ in range(3)]:
        learner = f.EnrolmentFactory(cohort=other)
        for session in past_sessions(other, f.UserFactory.trainer(), range(1, size // 2 + 2)):
            sheet = f.AttendanceSheetFactory(session=session)
            f.AttendanceMarkFactory(sheet=sheet, enrolment=learner, status=MarkStatus.LATE, minutes_late=20)
    with count_queries() as more:
        page = client.get("/emargement/")
    assert len(more) == len(few)
    assert not any("FROM attendance_mark" in q and "GROUP BY" not in q and "EXISTS" not in q for q in more)
    assert page.text.count("/emargement/seances/") == size  # one page of the list, not all of it
    second = client.get("/emargement/?page=2")
    assert second.status_code == 200 and "Page 2 sur" in second.text


@pytest.mark.parametrize("page", ["0", "99999999999999999999"])
def test_a_page_number_out_of_range_is_not_found(login, page):
    assert login(f.UserFactory.admin()).get(f"/emargement/?page={page}").status_code == 404


@pytest.mark.parametrize("role", [Role.TRAINER, Role.APPRENTICE, Role.TUTOR])
def test_only_the_cfa_s_attendance_managers_and_quality_team_see_the_follow_up(login, role):
    assert login(f.UserFactory(roles=[role])).get("/emargement/").status_code == 403


def test_a_trainer_sees_all_their_own_sheets_to_finish_on_their_day_page(login, cohort):
    trainer = f.UserFactory.trainer()
    mine = past_sessions(cohort, trainer, [2, 9])
    others = past_sessions(cohort, f.UserFactory.trainer(), [10])
    page = login(trainer).get("/emargement/aujourdhui")
    assert "Mes feuilles à terminer (2)" in page.text
    assert all(f"/emargement/seances/{s.id}" in page.text for s in mine)
    assert f"/emargement/seances/{others[0].id}" not in page.text


def test_a_trainer_with_every_sheet_closed_sees_no_list(login, cohort):
    trainer = f.UserFactory.trainer()
    (session,) = past_sessions(cohort, trainer, [2])
    f.AttendanceSheetFactory(session=session, closed_at=datetime(2026, 2, 2, 11, tzinfo=UTC))
    assert "feuilles à terminer" not in login(trainer).get("/emargement/aujourdhui").text


@pytest.fixture
def flagged_session():
    """A sheet closed at 9:05 for a 9:00-12:30 half-day."""
    session = f.SessionFactory(date=date(2026, 3, 2), trainer=f.UserFactory.trainer())
    f.AttendanceSheetFactory(
        session=session,
        closed_at=datetime(2026, 3, 2, 8, 5, tzinfo=UTC),
        closed_by=session.trainer,
        trainer_signature=b"\x89PNG\r\n\x1a\n",
        trainer_signed_at=datetime(2026, 3, 2, 8, 5, tzinfo=UTC),
    )
    return session


@pytest.mark.parametrize("role", [Role.ADMIN, Role.QUALITY])
def test_the_cfa_and_its_quality_team_read_the_controls_and_each_finding_links_to_its_sheet(
    login, flagged_session, role
):
    client = login(f.UserFactory(roles=[role]))
    page = client.get("/emargement/controles?depuis=2026-01-01")
    assert page.status_code == 200
    assert "Feuilles closes avant la fin de la demi-journée (1)" in page.text
    assert "close à 9 h 05, fin prévue à 12 h 30" in page.text
    pdf = f"/emargement/seances/{flagged_session.id}/feuille.pdf"
    assert pdf in page.text and client.get(pdf).status_code == 200
    assert ('href="/emargement/controles"' in page.text) and ("Contrôles" in page.text)


@pytest.mark.parametrize("role", [Role.TRAINER, Role.APPRENTICE, Role.TUTOR])
def test_trainers_apprentices_and_tutors_may_not_read_the_controls(login, flagged_session, role):
    client = login(f.UserFactory(roles=[role]))
    assert client.get("/emargement/controles").status_code == 403
    assert 'href="/emargement/controles"' not in client.get("/").text


def test_a_trainer_still_prints_only_the_sheets_they_teach(login, flagged_session):
    client = login(f.UserFactory.trainer())
    assert client.get(f"/emargement/seances/{flagged_session.id}/feuille.pdf").status_code == 403


def test_the_apprentice_and_the_tutor_see_an_absence_recorded_after_the_decision_as_justified(login, cohort):
    enrolment = f.EnrolmentFactory(cohort=cohort, contract_end=date(2027, 1, 8))
    f.JustificationFactory(
        enrolment=enrolment,
        start_date=date(2026, 11, 2),
        end_date=date(2026, 11, 6),
        status=f.m.JustificationStatus.ACCEPTED,
    )
    session = f.SessionFactory(cohort=cohort, date=date(2026, 11, 4))
    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment, status=MarkStatus.ABSENT
    )
    for user in (enrolment.apprentice, enrolment.tutor):
        page = login(user).get("/moi/presences" if user is enrolment.apprentice else "/employeur/absences")
        assert page.status_code == 200 and "Justifiée" in page.text and "non justifiée" not in page.text
        login(user).logout()


def test_a_bad_start_date_for_the_controls_is_not_found(login):
    assert login(f.UserFactory.admin()).get("/emargement/controles?depuis=2026-13-45").status_code == 404
