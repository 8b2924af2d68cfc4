"""Planning screens: who may see and edit calendars, and what each page shows."""

from datetime import date, time
from unittest import mock

import pytest

from cfa.extensions import db
from cfa.models import HalfDay, Role, SessionStatus
from cfa.services import calendar_queries, planning_edits, replanning
from tests import factories as f

START = date(2026, 9, 14)
TODAY = date(2026, 9, 1)


@pytest.fixture(autouse=True)
def _today():
    """The calendar is in the future for every page of these tests."""
    with (
        mock.patch("cfa.views.planning.calendars.today_paris", return_value=TODAY),
        mock.patch("cfa.views.planning.editing.today_paris", return_value=TODAY),
        mock.patch("cfa.services.replanning.today_paris", return_value=TODAY),
        mock.patch("cfa.services.planning_edits.today_paris", return_value=TODAY),
        mock.patch("cfa.views.me.schedule.today_paris", return_value=TODAY),
        mock.patch("cfa.views.employer.calendar.today_paris", return_value=TODAY),
    ):
        yield


@pytest.fixture
def trainer():
    return f.UserFactory.trainer()


@pytest.fixture
def cohort(trainer):
    programme = f.ProgrammeFactory(total_minutes=70 * 60)
    f.ModuleFactory(programme=programme, minutes=70 * 60, default_trainer=trainer, title="Posture du médiateur")
    room = f.RoomFactory()
    return f.CohortFactory(
        programme=programme, centre=room.centre, default_room=room, start_date=START, end_date=date(2027, 6, 30)
    )


@pytest.fixture
def planned(cohort):
    replanning.apply(replanning.preview(cohort, today=TODAY), actor=None)
    return cohort


def test_an_admin_generates_a_calendar_from_the_preview(login, cohort):
    client = login(f.UserFactory.admin())
    page = client.get(f"/planning/promotions/{cohort.id}/generer")
    assert "70 h planifiées sur 70 h" in page.text and "20 séance(s) à créer" in page.text
    response = client.post(f"/planning/promotions/{cohort.id}/generer", data={"from_date": "2026-09-14"})
    assert response.status_code == 302
    assert len(calendar_queries.cohort_sessions(cohort.id, live_only=True)) == 20
    calendar = client.get(f"/planning/promotions/{cohort.id}")
    assert "lundi 14 septembre 2026" in calendar.text and "Semaine au centre" in calendar.text


def test_a_conflict_is_listed_and_nothing_is_saved_until_the_admin_accepts_it(login, cohort, trainer):
    other = f.CohortFactory(name="AMIS Nantes")
    f.SessionFactory(cohort=other, date=START, half_day=HalfDay.AM, trainer=trainer)
    client = login(f.UserFactory.admin())
    page = client.get(f"/planning/promotions/{cohort.id}/generer")
    assert "1 conflit de réservation" in page.text and "déjà réservé·e pour AMIS Nantes" in page.text
    refused = client.post(f"/planning/promotions/{cohort.id}/generer", data={"from_date": "2026-09-14"})
    assert refused.status_code == 200 and "rien n&#39;a été enregistré" in refused.text
    assert calendar_queries.cohort_sessions(cohort.id) == []
    client.post(f"/planning/promotions/{cohort.id}/generer", data={"from_date": "2026-09-14", "accept_conflicts": "y"})
    assert len(calendar_queries.cohort_sessions(cohort.id)) == 20


def test_an_admin_takes_a_week_out_and_the_hours_move_to_later(login, planned):
    client = login(f.UserFactory.admin())
    response = client.post(
        f"/planning/promotions/{planned.id}/semaines", data={"monday": "2026-09-14", "at_centre": "0"}
    )
    assert response.status_code == 302
    sessions = calendar_queries.cohort_sessions(planned.id, live_only=True)
    assert sessions[0].date == date(2026, 10, 12) and sum(s.minutes for s in sessions) == 70 * 60


def test_an_admin_moves_a_session_and_bad_times_are_refused_in_french(login, planned, trainer):
    client = login(f.UserFactory.admin())
    session = calendar_queries.cohort_sessions(planned.id)[0]
    bad = client.post(
        f"/planning/seances/{session.id}",
        data={
            "day": "2026-09-19",
            "half_day": "am",
            "start_time": "12:00",
            "end_time": "09:00",
            "trainer_id": trainer.id,
        },
    )
    assert bad.status_code == 200 and "L&#39;heure de fin doit suivre l&#39;heure de début." in bad.text
    assert calendar_queries.cohort_sessions(planned.id)[0].date == START
    move = {"day": "2026-09-21", "half_day": "am", "start_time": "09:00", "end_time": "12:30", "trainer_id": trainer.id}
    unaccepted = client.post(f"/planning/seances/{session.id}", data=move)
    assert unaccepted.status_code == 200 and "semaine en entreprise de la promotion" in unaccepted.text
    assert calendar_queries.cohort_sessions(planned.id)[0].date == START
    good = client.post(f"/planning/seances/{session.id}", data={**move, "accept_warnings": "y"})
    assert good.status_code == 302
    moved = [s for s in calendar_queries.cohort_sessions(planned.id) if s.id == session.id][0]
    assert moved.date == date(2026, 9, 21) and moved.sequence == 1


def test_cancelling_needs_a_reason_and_keeps_the_session(login, planned):
    client = login(f.UserFactory.admin())
    session = calendar_queries.cohort_sessions(planned.id)[0]
    missing = client.post(f"/planning/seances/{session.id}/annuler", data={"annulation-reason": ""})
    assert missing.status_code == 422 and "obligatoire" in missing.text
    client.post(f"/planning/seances/{session.id}/annuler", data={"annulation-reason": "Formatrice malade"})
    cancelled = [s for s in calendar_queries.cohort_sessions(planned.id) if s.id == session.id][0]
    assert cancelled.status == SessionStatus.CANCELLED and cancelled.note == "Formatrice malade"
    page = client.get(f"/planning/promotions/{planned.id}")
    assert "Il manque 3 h 30" in page.text


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.TUTOR, Role.LEARNER])
def test_apprentices_and_tutors_cannot_open_cohort_calendars(login, planned, role):
    client = login(f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None))
    for url in ("/planning/", f"/planning/promotions/{planned.id}", f"/planning/promotions/{planned.id}/semaine"):
        assert client.get(url).status_code == 403, url


def test_a_trainer_sees_the_cohorts_they_teach_and_no_other(login, planned, trainer):
    other = f.CohortFactory(name="Promotion d'un collègue")
    client = login(trainer)
    assert client.get(f"/planning/promotions/{planned.id}").status_code == 200
    assert client.get(f"/planning/promotions/{other.id}").status_code == 403
    listing = client.get("/planning/?annee=toutes")  # every year: the fixture's dates are fixed, the clock is not
    assert planned.name in listing.text and other.name not in listing.text


@pytest.mark.parametrize("role", [Role.QUALITY, Role.TRAINER, Role.APPRENTICE, Role.TUTOR])
def test_only_admins_edit_calendars(login, planned, role):
    client = login(f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None))
    session = calendar_queries.cohort_sessions(planned.id)[0]
    assert client.get(f"/planning/promotions/{planned.id}/generer").status_code == 403
    assert client.post(f"/planning/promotions/{planned.id}/generer", data={}).status_code == 403
    assert (
        client.post(
            f"/planning/promotions/{planned.id}/semaines", data={"monday": "2026-09-14", "at_centre": "0"}
        ).status_code
        == 403
    )
    assert client.post(f"/planning/seances/{session.id}", data={}).status_code == 403
    assert client.post(f"/planning/seances/{session.id}/annuler", data={"annulation-reason": "x"}).status_code == 403
    assert len(calendar_queries.cohort_sessions(planned.id, live_only=True)) == 20


def test_anonymous_users_go_to_the_login_page(client, planned):
    for url in (
        "/planning/",
        f"/planning/promotions/{planned.id}",
        "/planning/mon-agenda",
        "/moi/planning",
        "/employeur/calendrier",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response.location.startswith("/connexion"), url


def test_the_quality_officer_reads_every_calendar(login, planned):
    client = login(f.UserFactory.quality())
    page = client.get(f"/planning/promotions/{planned.id}")
    assert page.status_code == 200 and "Replanifier" not in page.text


def test_a_trainer_agenda_lists_their_sessions_across_cohorts(login, planned, trainer):
    other = f.CohortFactory(name="AMIS Nantes")
    f.SessionFactory(
        cohort=other,
        date=date(2026, 9, 18),
        half_day=HalfDay.PM,
        trainer=trainer,
        start_time=time(14),
        end_time=time(17),
    )
    client = login(trainer)
    page = client.get("/planning/mon-agenda?du=2026-09-14")
    assert planned.name in page.text and "AMIS Nantes" in page.text and "Posture du médiateur" in page.text
    assert "14 h 00 – 17 h 00" in page.text


def test_an_apprentice_sees_their_own_cohort_calendar(login, planned):
    enrolment = f.EnrolmentFactory(cohort=planned)
    page = login(enrolment.apprentice).get("/moi/planning")
    assert planned.name in page.text and "70 h" in page.text and "Posture du médiateur" in page.text


def test_an_apprentice_without_enrolment_is_told_so(login):
    page = login(f.UserFactory.apprentice()).get("/moi/planning")
    assert "aucune promotion" in page.text


def test_a_tutor_sees_the_centre_weeks_of_their_apprentices_only(login, planned):
    mine = f.EnrolmentFactory(cohort=planned)
    other_cohort = f.CohortFactory(
        start_date=START, end_date=date(2027, 6, 30), programme=planned.programme, centre=planned.centre
    )
    replanning.apply(replanning.preview(other_cohort, today=TODAY), actor=None, accept_conflicts=True)
    theirs = f.EnrolmentFactory(cohort=other_cohort)
    page = login(mine.tutor).get("/employeur/calendrier")
    assert mine.apprentice.full_name in page.text and theirs.apprentice.full_name not in page.text
    assert "du 14/09/2026 au 18/09/2026" in page.text


def test_calendar_pages_do_not_issue_one_query_per_row(login, planned, count_queries):
    client = login(f.UserFactory.admin())
    client.get(f"/planning/promotions/{planned.id}")
    with count_queries() as few:
        client.get(f"/planning/promotions/{planned.id}")
    for week in ("2026-10-12", "2026-11-09"):
        planning_edits.set_course_week(planned, date.fromisoformat(week), at_centre=True, actor=None, today=TODAY)
    replanning.apply(replanning.preview(planned, today=TODAY), actor=None)
    with count_queries() as more:
        client.get(f"/planning/promotions/{planned.id}")
    assert len(more) <= len(few) <= 17  # a constant: the page, its cohort, periods, sessions, skill blocks


def test_the_year_plan_pdf_holds_the_cohort_its_hours_and_its_months(login, planned):
    from io import BytesIO

    from pypdf import PdfReader

    response = login(f.UserFactory.admin()).get(f"/planning/promotions/{planned.id}/planning.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    content = page.extract_text()
    for expected in (
        planned.name,
        "70 h au centre sur 70 h",
        "Septembre 2026",
        "Juin 2027",
        "Jour férié",
        "14/09/2026",
    ):
        assert expected in content, expected


def test_the_year_plan_pdf_is_for_the_cohort_s_apprentices_and_their_tutors_only(client, planned):
    enrolment = f.EnrolmentFactory(cohort=planned)
    outsider = f.EnrolmentFactory()
    url = f"/planning/promotions/{planned.id}/planning.pdf"
    for user, status in (
        (enrolment.apprentice, 200),
        (enrolment.tutor, 200),
        (outsider.apprentice, 403),
        (outsider.tutor, 403),
        (f.UserFactory.trainer(), 403),
    ):
        client.login(user)
        assert client.get(url).status_code == status, user.roles
        client.logout()
    assert client.get(url).status_code == 302


def test_a_tutor_downloads_the_copy_of_the_plan_for_their_apprentice_only(client, planned):
    from io import BytesIO

    from pypdf import PdfReader

    mine, other = f.EnrolmentFactory(cohort=planned), f.EnrolmentFactory(cohort=planned)
    client.login(mine.tutor)
    url = f"/planning/promotions/{planned.id}/planning.pdf?inscription="
    text = PdfReader(BytesIO(client.get(url + str(mine.id)).data)).pages[0].extract_text()
    assert mine.apprentice.full_name in text and mine.employer.name in text
    assert client.get(url + str(other.id)).status_code == 404


def test_a_session_added_on_christmas_day_is_refused_until_accepted(login, planned, trainer):
    client = login(f.UserFactory.admin())
    url = f"/planning/promotions/{planned.id}/seances/ajouter"
    assert "Ajouter la séance" in client.get(url + "?du=2026-12-21").text
    data = {"day": "2026-12-25", "half_day": "am", "start_time": "09:00", "end_time": "12:30", "trainer_id": trainer.id}
    refused = client.post(url, data=data)
    assert refused.status_code == 200 and "jour férié (Noël)" in refused.text
    assert not [s for s in calendar_queries.cohort_sessions(planned.id) if s.date == date(2026, 12, 25)]
    accepted = client.post(url, data={**data, "accept_warnings": "y"})
    assert accepted.status_code == 302
    assert [s.manual for s in calendar_queries.cohort_sessions(planned.id) if s.date == date(2026, 12, 25)] == [True]


def test_only_an_admin_may_add_a_session(login, planned, trainer):
    client = login(trainer)
    assert client.get(f"/planning/promotions/{planned.id}/seances/ajouter").status_code == 403


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/planning/mon-agenda?du=pas-une-date", 400, "AAAA-MM-JJ"),
        ("/planning/mon-agenda?du=9999-12-31", 400, "hors des limites"),
        ("/planning/mon-agenda?du=0001-01-01", 400, "hors des limites"),
        ("/planning/promotions/{cohort}/semaine?du=9999-12-27", 400, "hors des limites"),
        ("/planning/promotions/{cohort}/semaine?du=2026-02-30", 400, "AAAA-MM-JJ"),
        ("/planning/promotions/{cohort}/generer?from_date=2026-13-01", 400, "AAAA-MM-JJ"),
        ("/planning/promotions/{cohort}/generer?from_date=9999-01-01", 400, "fin de la promotion"),
        ("/planning/promotions/{cohort}/seances/ajouter?du=99999-01-01", 400, "AAAA-MM-JJ"),
        ("/planning/promotions/99999999999999999999", 404, "introuvable"),
        ("/planning/promotions/2147483647/semaine", 404, "introuvable"),
        ("/planning/seances/99999999999999999999", 404, "introuvable"),
        ("/planning/promotions/{cohort}/planning.pdf?inscription=99999999999999999999", 404, "introuvable"),
        ("/planning/promotions/{cohort}/planning.pdf?inscription=123456", 404, "introuvable"),
    ],
)
def test_bad_values_on_planning_routes_get_a_french_error_never_a_500(login, planned, path, status, words):
    client = login(f.UserFactory.admin())
    response = client.get(path.format(cohort=planned.id))
    assert response.status_code == status and words in response.text


def test_bad_week_posts_get_a_french_400(login, planned):
    client = login(f.UserFactory.admin())
    for monday in ("lundi", "9999-12-27"):
        response = client.post(f"/planning/promotions/{planned.id}/semaines", data={"monday": monday, "at_centre": "1"})
        assert response.status_code == 400 and "Date" in response.text


def test_the_preview_warns_of_a_year_without_closure_and_of_the_title_registration_end(login, cohort):
    cohort.programme.rncp_code, cohort.programme.rncp_valid_until = "RNCP36241", date(2027, 5, 16)
    db.session.flush()
    client = login(f.UserFactory.admin())
    page = client.get(f"/planning/promotions/{cohort.id}/generer")
    assert "Aucune fermeture du centre" in page.text and "2026, 2027" in page.text
    assert "RNCP36241" in page.text and "16 mai 2027" in page.text
    replanning.apply(replanning.preview(cohort, today=TODAY), actor=None)
    assert "prend fin le dimanche 16 mai 2027" in client.get(f"/planning/promotions/{cohort.id}").text


def test_the_staff_year_plan_pdf_flags_the_title_registration_end_and_says_what_is_notified(login, planned):
    from io import BytesIO

    from pypdf import PdfReader

    planned.programme.rncp_code, planned.programme.rncp_valid_until = "RNCP36241", date(2027, 5, 16)
    db.session.flush()
    response = login(f.UserFactory.admin()).get(f"/planning/promotions/{planned.id}/planning.pdf")
    content = " ".join(PdfReader(BytesIO(response.data)).pages[0].extract_text().split())
    assert "titre enregistré au RNCP jusqu'au 16/05/2027 seulement" in content
    assert "huit semaines à venir déplacée ou annulée est notifiée par e-mail" in content
    assert len(PdfReader(BytesIO(response.data)).pages) == 1


def test_a_session_whose_trainer_is_booked_elsewhere_names_the_clash_and_is_saved_only_once_accepted(
    login, planned, trainer
):
    other = f.CohortFactory(name="AMIS Nantes")
    f.SessionFactory(cohort=other, date=START, half_day=HalfDay.AM, start_time=time(10, 0), trainer=trainer)
    client = login(f.UserFactory.admin())
    session = calendar_queries.cohort_sessions(planned.id)[0]
    change = {
        "day": "2026-09-14",
        "half_day": "am",
        "start_time": "09:30",
        "end_time": "12:30",
        "trainer_id": trainer.id,
    }
    refused = client.post(f"/planning/seances/{session.id}", data=change)
    assert refused.status_code == 200 and "déjà réservé·e pour AMIS Nantes" in refused.text
    assert calendar_queries.cohort_sessions(planned.id)[0].start_time == time(9, 0)
    accepted = client.post(
        f"/planning/seances/{session.id}", data={**change, "accept_conflicts": "y"}, follow_redirects=True
    )
    assert "Séance modifiée malgré un conflit de réservation." in accepted.text
    changed = calendar_queries.cohort_sessions(planned.id)[0]
    assert changed.start_time == time(9, 30) and changed.conflict_accepted


def test_no_planning_page_writes_when_it_is_only_read(login, planned, trainer, count_queries):
    admin_pages = [
        f"/planning/promotions/{planned.id}",
        f"/planning/promotions/{planned.id}/semaine?du=2026-09-14",
        f"/planning/promotions/{planned.id}/generer?from_date=2026-10-01",
        f"/planning/promotions/{planned.id}/seances/ajouter?du=2026-10-12",
        f"/planning/seances/{calendar_queries.cohort_sessions(planned.id)[0].id}",
        f"/planning/promotions/{planned.id}/planning.pdf",
        "/planning/",
    ]
    writes = ("INSERT", "UPDATE", "DELETE")
    for user, pages in ((f.UserFactory.admin(), admin_pages), (trainer, ["/planning/mon-agenda"])):
        client = login(user)
        for page in pages:
            with count_queries() as statements:
                assert client.get(page).status_code == 200, page
            assert [s for s in statements if s.lstrip().upper().startswith(writes)] == [], page
