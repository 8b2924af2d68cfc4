"""Short courses through the pages: the CFA sets up actions and runs and registers trainees, a client's contact
registers only their own employees, a trainee reads only their own runs, a trainer takes their sheets."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import CourseAudience, Enrolment, HalfDay, Programme, ProgrammeKind, Role, Session, User
from tests import factories as f


def next_monday(weeks: int = 2) -> date:
    today = today_paris()
    return today + timedelta(days=7 * weeks - today.weekday())


@pytest.fixture
def run():
    start = next_monday()
    return f.ShortCourseRunFactory(start_date=start, end_date=start + timedelta(days=20), name="Socle Rennes")


def test_the_cfa_creates_a_short_course_with_its_own_fields_and_sees_them_on_its_page(login):
    client = login(f.UserFactory.admin())
    assert "Nouvelle formation courte" in client.get("/admin/formations").text
    form = client.get("/admin/formations/nouveau?type=courte").text
    assert "Objectifs" in form and "Code RNCP" not in form and "Semaines au centre" not in form
    response = client.post(
        "/admin/formations/nouveau?type=courte",
        data={
            "code": "SOCLE",
            "title": "Formation socle des médiateurs",
            "audience": "new_mediators",
            "entry_course": "y",
            "objectives": "Situer la médiation sociale\nAdopter une posture de tiers",
            "total_minutes": "42 h",
            "price_cents": "1 250",
            "modality": "on_site",
            "morning_start": "09:00",
            "morning_end": "12:30",
            "afternoon_start": "13:30",
            "afternoon_end": "17:00",
            "active": "y",
        },
    )
    assert response.status_code == 302
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == "SOCLE"))
    assert programme.kind == ProgrammeKind.SHORT_COURSE and programme.level is None
    assert programme.entry_course and programme.price_cents == 125000 and programme.total_minutes == 42 * 60
    page = client.get(response.location).text
    assert "Adopter une posture de tiers" in page and "1\u202f250,00\u00a0€" in page and "Certificateur" not in page
    edit = client.get(f"/admin/formations/{programme.id}/modifier").text
    assert "Objectifs" in edit and "Niveau" not in edit


def test_the_runs_are_listed_filtered_by_year_and_audience_in_a_fixed_number_of_queries(login, count_queries):
    client = login(f.UserFactory.admin())
    prison = f.ShortCourseFactory(audience=CourseAudience.PRISON_WORKSHOPS, title="Atelier du Vivre Ensemble")

    def add_runs(n):
        for _ in range(n):
            run = f.ShortCourseRunFactory(programme=prison, client=f.EmployerFactory())
            f.TraineeEnrolmentFactory(cohort=run)
            f.SessionFactory(cohort=run, date=run.start_date)

    add_runs(2)
    with count_queries() as few:
        assert client.get("/formations-courtes/").status_code == 200
    add_runs(8)
    with count_queries() as many:
        page = client.get("/formations-courtes/").text
    assert len(many) == len(few)
    assert "Atelier du Vivre Ensemble" in page and "Intra" in page
    assert "Atelier du Vivre Ensemble" not in client.get("/formations-courtes/?public=new_mediators").text
    assert "Atelier du Vivre Ensemble" not in client.get("/formations-courtes/?annee=2024").text
    assert "Atelier du Vivre Ensemble" in client.get("/formations-courtes/?annee=2025&public=prison_workshops").text


def test_the_cfa_creates_an_intra_company_run_then_plans_six_days_from_a_pattern(login):
    admin = login(f.UserFactory.admin())
    programme, centre, client_employer = f.ShortCourseFactory(), f.CentreFactory(), f.EmployerFactory()
    trainer = f.UserFactory.trainer()
    start = next_monday()
    response = admin.post(
        "/formations-courtes/sessions/nouvelle",
        data={
            "programme_id": programme.id,
            "centre_id": centre.id,
            "name": "Intra Ville de Rennes",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=25)).isoformat(),
            "client_id": client_employer.id,
            "place": "Hôtel de ville",
            "price_cents": "4 200",
            "lead_trainer_id": trainer.id,
            "default_room_id": "",
        },
    )
    assert response.status_code == 302
    run_url = response.location
    pattern = {
        "start": start.isoformat(),
        "days": "6",
        "weekdays": ["1", "2"],
        "parts": "both",
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "trainer_id": trainer.id,
        "room_id": "",
    }
    preview = admin.post(f"{run_url}/modele", data=pattern | {"apercu": ""}).text
    assert "Aperçu" in preview and "demi-journée(s)" in preview
    run_id = int(run_url.rsplit("/", 1)[1])
    assert db.session.scalar(sa.select(sa.func.count()).where(Session.cohort_id == run_id)) == 0
    assert admin.post(f"{run_url}/modele", data=pattern | {"enregistrer": ""}).status_code == 302
    sessions = db.session.scalar(sa.select(sa.func.count()).where(Session.cohort_id == run_id))
    assert sessions >= 10  # 12, less a public holiday that may fall on one of the days
    page = admin.get(run_url).text
    assert "Hôtel de ville" in page and "Intra-entreprise" in page and "émargement" in page


def test_a_runs_calendar_and_hand_placed_half_day_use_the_planning_pages(login, run):
    admin = login(f.UserFactory.admin())
    f.SessionFactory(cohort=run, date=run.start_date)
    assert run.name in admin.get(f"/planning/promotions/{run.id}").text
    assert admin.get(f"/planning/promotions/{run.id}/semaine?du={run.start_date.isoformat()}").status_code == 200
    assert admin.get(f"/planning/promotions/{run.id}/seances/ajouter").status_code == 200


def test_a_run_refused_shows_the_reason_beside_its_field(login):
    admin = login(f.UserFactory.admin())
    response = admin.post(
        "/formations-courtes/sessions/nouvelle",
        data={
            "programme_id": f.ShortCourseFactory().id,
            "centre_id": f.CentreFactory().id,
            "name": "Inter",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "client_id": "",
            "price_cents": "100",
        },
    )
    assert response.status_code == 200 and "intra-entreprise" in response.text


def test_the_cfa_registers_a_trainee_without_an_email_then_removes_them_before_the_start(login, run):
    admin = login(f.UserFactory.admin())
    employer = f.EmployerFactory()
    response = admin.post(
        f"/formations-courtes/sessions/{run.id}/stagiaires",
        data={"first_name": "Nadia", "last_name": "Papier", "email": "", "employer_id": employer.id},
        follow_redirects=True,
    )
    assert "Nadia Papier est inscrit·e" in response.text and "documents papier" in response.text
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.cohort_id == run.id))
    again = admin.post(
        f"/formations-courtes/sessions/{run.id}/stagiaires",
        data={"first_name": "Nadia", "last_name": "Papier", "email": "", "employer_id": employer.id},
        follow_redirects=True,
    )
    assert "déjà inscrit·e" in again.text
    enrolment_id = enrolment.id
    admin.post(f"/formations-courtes/stagiaires/{enrolment_id}/retirer", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment_id) is None


@pytest.mark.parametrize("person", ["trainer", "quality", "tutor", "apprentice"])
def test_only_the_cfa_opens_the_runs_pages(login, run, person):
    user = f.UserFactory.tutor() if person == "tutor" else f.UserFactory(roles=[Role(person)])
    client = login(user)
    for url in ("/formations-courtes/", f"/formations-courtes/sessions/{run.id}"):
        assert client.get(url).status_code == 403
    response = client.post(
        f"/formations-courtes/sessions/{run.id}/stagiaires", data={"first_name": "A", "last_name": "B"}
    )
    assert response.status_code == 403


def test_an_apprenticeship_cohort_is_no_run(login):
    client = login(f.UserFactory.admin())
    assert client.get(f"/formations-courtes/sessions/{f.CohortFactory().id}").status_code == 404


# A client's contact


@pytest.fixture
def contact():
    return f.UserFactory.tutor(employer=f.EmployerFactory(name="Ville de Rennes"))


def test_a_clients_contact_registers_an_employee_and_sees_only_their_own(login, contact, run):
    other = f.TraineeEnrolmentFactory(cohort=run)
    client = login(contact)
    page = client.get("/employeur/formations-courtes").text
    assert run.name in page and other.apprentice.full_name not in page
    response = client.post(
        "/employeur/formations-courtes/inscrire",
        data={"run_id": run.id, "first_name": "Léa", "last_name": "Agent", "email": "lea.agent@rennes.test"},
        follow_redirects=True,
    )
    assert "Léa Agent est inscrit·e" in response.text
    person = db.session.scalar(sa.select(User).where(User.email == "lea.agent@rennes.test"))
    assert person.employer_id == contact.employer_id and person.password_hash is None
    place = db.session.scalar(sa.select(f.m.Enrolment).where(f.m.Enrolment.apprentice_id == person.id))
    convocation = f"/formations-courtes/sessions/{run.id}/stagiaires/{place.id}/convocation.pdf"
    assert convocation in response.text
    assert client.get(convocation).data.startswith(b"%PDF")


def test_a_clients_contact_cannot_register_in_another_clients_intra_run_nor_withdraw_another_employee(
    login, contact, run
):
    foreign = f.ShortCourseRunFactory(start_date=run.start_date, end_date=run.end_date, client=f.EmployerFactory())
    other = f.TraineeEnrolmentFactory(cohort=run)
    client = login(contact)
    assert foreign.name not in client.get("/employeur/formations-courtes").text
    response = client.post(
        "/employeur/formations-courtes/inscrire",
        data={"run_id": foreign.id, "first_name": "Léa", "last_name": "Agent"},
        follow_redirects=True,
    )
    assert "réservée à un autre client" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).where(Enrolment.cohort_id == foreign.id)) == 0
    assert client.post(f"/employeur/formations-courtes/inscriptions/{other.id}/retirer").status_code == 404
    assert db.session.get(Enrolment, other.id) is not None


# The trainee's portal


@pytest.fixture
def trainee(run):
    person = f.UserFactory(roles=[Role.LEARNER])
    enrolment = f.TraineeEnrolmentFactory(cohort=run, apprentice=person)
    f.SessionFactory(cohort=run, date=run.start_date, half_day=HalfDay.AM)
    return enrolment


def test_a_trainee_sees_their_runs_half_days_and_place(login, trainee):
    run = trainee.cohort
    run.place = "Maison de quartier du Blosne"
    db.session.flush()
    client = login(trainee.apprentice)
    listing = client.get("/moi/formations").text
    assert run.programme.title in listing and "Maison de quartier du Blosne" in listing
    page = client.get(f"/moi/formations/{run.id}").text
    assert "9 h 00" in page and "Ma présence et mes documents" in page
    planning = client.get("/moi/planning").text
    assert "Mes prochaines demi-journées de formation" in planning and run.programme.title in planning
    for url in ("/moi/presences", "/moi/resultats", "/moi/certificats"):
        assert client.get(url).status_code == 200, url


def test_a_trainee_cannot_open_another_learners_run(login, trainee):
    other_run = f.TraineeEnrolmentFactory().cohort
    client = login(trainee.apprentice)
    assert client.get(f"/moi/formations/{other_run.id}").status_code == 404
    assert other_run.programme.title not in client.get("/moi/formations").text


def test_an_apprentices_planning_is_unchanged(login):
    enrolment = f.EnrolmentFactory(
        cohort=f.CohortFactory(
            start_date=today_paris() - timedelta(days=30), end_date=today_paris() + timedelta(days=300)
        )
    )
    page = login(enrolment.apprentice).get("/moi/planning").text
    assert enrolment.cohort.name in page and "Mon année en alternance" in page


def test_the_trainers_day_lists_the_short_course_half_days_they_teach(login, trainee):
    session = db.session.scalar(sa.select(Session).where(Session.cohort_id == trainee.cohort_id))
    session.trainer = f.UserFactory.trainer()
    db.session.flush()
    page = login(session.trainer).get(f"/emargement/aujourdhui?jour={session.date.isoformat()}").text
    assert trainee.cohort.name in page
    sheet = login(session.trainer).get(f"/emargement/seances/{session.id}").text
    assert trainee.apprentice.last_name.upper() in sheet.upper()


def test_the_clients_page_and_the_trainees_list_keep_their_number_of_queries(login, contact, count_queries):
    start = next_monday()

    def add(n):
        for _ in range(n):
            run = f.ShortCourseRunFactory(start_date=start, end_date=start + timedelta(days=3))
            f.TraineeEnrolmentFactory(cohort=run, employer=contact.employer)
            f.SessionFactory(cohort=run, date=start)

    add(2)
    client = login(contact)
    with count_queries() as few:
        client.get("/employeur/formations-courtes")
    add(6)
    with count_queries() as many:
        page = client.get("/employeur/formations-courtes").text
    assert len(many) == len(few) and page.count("En cours") == 8


def test_a_trainee_with_many_runs_reads_them_in_a_fixed_number_of_queries(login, count_queries):
    person = f.UserFactory(roles=[Role.LEARNER])
    start = next_monday()

    def add(n):
        for _ in range(n):
            run = f.ShortCourseRunFactory(start_date=start, end_date=start + timedelta(days=3))
            f.TraineeEnrolmentFactory(cohort=run, apprentice=person)
            f.SessionFactory(cohort=run, date=start)

    add(1)
    client = login(person)
    with count_queries() as few:
        client.get("/moi/formations")
        client.get("/moi/planning")
    add(5)
    with count_queries() as many:
        client.get("/moi/formations")
        client.get("/moi/planning")
    assert len(many) == len(few)


def test_a_pattern_that_double_books_the_trainer_lists_the_conflict_and_writes_nothing_until_accepted(login, run):
    admin = login(f.UserFactory.admin())
    trainer = f.UserFactory.trainer()
    cohort = f.CohortFactory(name="MSADS Rennes", start_date=run.start_date - timedelta(days=30), end_date=run.end_date)
    f.SessionFactory(cohort=cohort, trainer=trainer, date=run.start_date)
    data = {
        "start": run.start_date.isoformat(),
        "days": "1",
        "weekdays": [str(run.start_date.isoweekday())],
        "parts": "am",
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "17:00",
        "trainer_id": trainer.id,
        "room_id": "",
        "enregistrer": "",
    }
    refused = admin.post(f"/formations-courtes/sessions/{run.id}/modele", data=data).text
    assert "Conflits de réservation" in refused and "MSADS Rennes" in refused
    assert db.session.scalar(sa.select(sa.func.count()).where(Session.cohort_id == run.id)) == 0
    accepted = admin.post(f"/formations-courtes/sessions/{run.id}/modele", data=data | {"accept_conflicts": "y"})
    assert accepted.status_code == 302
    assert db.session.scalar(sa.select(Session.conflict_accepted).where(Session.cohort_id == run.id)) is True


def test_a_short_course_is_never_planned_by_the_alternance_generator(login, run):
    admin = login(f.UserFactory.admin())
    response = admin.get(f"/planning/promotions/{run.id}/generer")
    assert response.status_code == 302 and response.location.endswith(f"/formations-courtes/sessions/{run.id}/modele")
    page = admin.get(f"/planning/promotions/{run.id}").text
    assert "Planifier d'après un modèle" in page and "Semaine en entreprise" not in page
    week = admin.post(
        f"/planning/promotions/{run.id}/semaines", data={"monday": run.start_date.isoformat(), "at_centre": "1"}
    )
    assert week.status_code == 302 and not run.periods


def test_the_apprenticeship_lists_leave_short_courses_to_their_own_pages(login):
    cohort = f.CohortFactory(name="MSADS Rennes 2026")
    apprentice = f.EnrolmentFactory(
        cohort=cohort, apprentice=f.UserFactory.apprentice(last_name="Apprentie")
    ).apprentice
    trainee = f.TraineeEnrolmentFactory(
        cohort=f.ShortCourseRunFactory(name="Socle Rennes"),
        apprentice=f.UserFactory(roles=[f.m.Role.LEARNER], last_name="Stagiaire"),
    )
    client = login(f.UserFactory.admin())
    cohorts = client.get("/admin/promotions").text
    assert "MSADS Rennes 2026" in cohorts and "Socle Rennes" not in cohorts
    enrolments = client.get("/admin/inscriptions").text
    assert apprentice.last_name.upper() in enrolments and trainee.apprentice.last_name.upper() not in enrolments
    assert trainee.apprentice.last_name.upper() in client.get(f"/admin/inscriptions?cohort={trainee.cohort_id}").text
