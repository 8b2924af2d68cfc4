"""One journey per role, through the real pages: log in, do the main job from the home page, see the result.

The trainer takes a whole sheet on a phone (390 px); every home is checked not to be wider than a phone's screen.
"""

from datetime import time, timedelta

import pytest

from cfa.formatting import today_paris
from cfa.models import MarkStatus, Role
from tests import factories as f
from tests.browser.conftest import log_in
from tests.browser.test_attendance import draw
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = 390


@pytest.fixture(scope="module")
def world(live_app):
    """A cohort running today with a session all day long, its apprentices and their tutor, a short course, a
    justification waiting for a decision and the accounts of every role (emails @parcours.test)."""

    def build():
        day = today_paris()
        people = {
            role: f.UserFactory(roles=[role], email=f"{role.value}@parcours.test")
            for role in (Role.ADMIN, Role.QUALITY, Role.TRAINER)
        }
        employer = f.EmployerFactory()
        tutor = f.UserFactory.tutor(employer=employer, email="tuteur@parcours.test")
        cohort = f.CohortFactory(
            name="Parcours 390", start_date=day - timedelta(days=90), end_date=day + timedelta(days=270)
        )
        # A session running all day, whatever the hour the suite runs at.
        f.SessionFactory(
            cohort=cohort, date=day, trainer=people[Role.TRAINER], start_time=time(0, 5), end_time=time(23, 55)
        )
        f.SessionFactory(
            cohort=cohort,
            date=day + timedelta(days=1),
            trainer=people[Role.TRAINER],
            room=f.RoomFactory(name="Salle Glénan"),
        )
        enrolments = [
            f.EnrolmentFactory(
                cohort=cohort,
                employer=employer,
                tutor=tutor,
                apprentice=f.UserFactory(
                    roles=[Role.APPRENTICE],
                    email=f"apprenti{i}@parcours.test",
                    first_name="Aude",
                    last_name=f"Parcours{i}",
                ),
            )
            for i in range(3)
        ]
        past = f.SessionFactory(cohort=cohort, date=day - timedelta(days=7), trainer=people[Role.TRAINER])
        sheet = f.AttendanceSheetFactory(session=past)
        for i, enrolment in enumerate(enrolments):
            f.AttendanceMarkFactory(
                sheet=sheet, enrolment=enrolment, status=MarkStatus.ABSENT if i == 0 else MarkStatus.PRESENT
            )
        f.JustificationFactory(
            enrolment=enrolments[1],
            start_date=day - timedelta(days=20),
            end_date=day - timedelta(days=20),
            reason="Convocation au tribunal",
        )
        run = f.ShortCourseRunFactory(
            name="Socle parcours", start_date=day, end_date=day + timedelta(days=3), place="Maison de quartier"
        )
        f.SessionFactory(cohort=run, date=day + timedelta(days=1))
        trainee = f.TraineeEnrolmentFactory(
            cohort=run, apprentice=f.UserFactory(roles=[Role.LEARNER], email="stagiaire@parcours.test")
        )
        return {
            "apprentice": enrolments[0].apprentice.email,
            "absent_name": enrolments[0].apprentice.full_name,
            "justifying": enrolments[1].apprentice.sort_name,
            "learner": trainee.apprentice.email,
            "programme": run.programme.title,
        }

    from cfa.extensions import db

    with live_app.app_context():
        built = build()
        db.session.commit()
        return built


def _fits_a_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_a_trainer_takes_a_whole_sheet_on_a_phone_from_their_home(phone, live_server, world):
    log_in(phone, live_server, "trainer@parcours.test", TEST_PASSWORD)
    assert _fits_a_phone(phone)
    today = phone.locator("#aujourdhui")
    assert today.get_by_text("À émarger").count() >= 1
    # The shortcut opens the sheet with its self sign-in code already showing.
    phone.get_by_role("link", name="Afficher le QR code d'auto-émargement").click()
    phone.locator("[data-code]").filter(has_not_text="–").wait_for()
    assert phone.locator("[data-qr] svg").count() == 1
    phone.get_by_role("button", name="Tous présents").click()
    phone.locator(".roster-row").nth(1).locator(".mark-absent span").click()
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "1 émargement(s) enregistré(s)" in phone.locator(".flash").first.inner_text()
    phone.get_by_role("button", name="Tous : « A signé sur papier »").click()
    phone.get_by_label("Motif de la clôture avant 23 h 55").fill("Fin de la journée plus tôt que prévu")
    draw(phone, phone.locator(".signature-form canvas"))
    phone.get_by_role("button", name="Signer et clore").click()
    assert "Feuille signée et close" in phone.locator(".flash").first.inner_text()
    phone.goto(f"{live_server}/")
    assert phone.locator("#aujourdhui").get_by_text("Close").is_visible()
    # Last week's sheet, never closed, waits among the sheets to finish.
    assert phone.locator("#a-terminer").get_by_role("link", name="Parcours 390").is_visible()


def _menu_lines(page) -> int:
    tops = page.locator(".mainnav > ul > li").evaluate_all("items => items.map(i => i.getBoundingClientRect().top)")
    return len({round(top) for top in tops})


def test_an_admin_decides_a_justification_from_their_home(page, live_server, world):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, live_server, "admin@parcours.test", TEST_PASSWORD)
    assert _menu_lines(page) == 1  # the whole menu on one line at 1280 px
    page.get_by_role("link", name="Décider des justificatifs").click()
    row = page.locator("#justificatifs tr", has_text=world["justifying"])
    row.get_by_role("button", name="Accepter").click()
    assert "accepté" in page.locator(".flash").first.inner_text()
    assert page.locator("#justificatifs tr", has_text=world["justifying"]).count() == 0


def test_an_apprentice_sees_their_next_days_and_the_absence_to_justify(phone, live_server, world):
    log_in(phone, live_server, world["apprentice"], TEST_PASSWORD)
    assert _fits_a_phone(phone)
    assert "Salle Glénan" in phone.locator("#prochaines-seances").inner_text()
    assert phone.locator("#presences").get_by_text("1 absence à justifier").is_visible()
    phone.get_by_role("link", name="Envoyer un justificatif, voir mes présences").click()
    assert phone.locator("h1").inner_text() == "Mes présences"
    assert phone.get_by_role("heading", name="Justifier une absence").is_visible()
    phone.goto(f"{live_server}/")
    phone.locator(".home-cta").get_by_role("link", name="J'émarge").click()
    assert phone.locator("h1").inner_text() == "J'émarge"


def test_a_tutor_sees_their_apprentices_and_absences(page, live_server, world):
    log_in(page, live_server, "tuteur@parcours.test", TEST_PASSWORD)
    row = page.locator("#mes-apprentis li", has_text=world["absent_name"])
    assert "1 demi-journée" in row.inner_text()
    row.get_by_role("link", name=world["absent_name"]).click()
    assert page.locator("h1").inner_text() == world["absent_name"]


def test_the_quality_officer_records_a_complaint_and_finds_it_on_their_home(page, live_server, world):
    log_in(page, live_server, "quality@parcours.test", TEST_PASSWORD)
    page.get_by_role("link", name="Enregistrer une réclamation").click()
    page.get_by_label("Objet").fill("Parking fermé le matin")
    page.get_by_label("Votre réclamation").fill("Le parking du centre était fermé lundi à 8 h 30.")
    page.get_by_label("De la part de").fill("Mme Kervella")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Réclamation enregistrée" in page.locator(".flash").first.inner_text()
    page.goto(f"{live_server}/")
    assert page.locator("#reclamations").get_by_role("link", name="Parking fermé le matin").is_visible()


def test_a_trainee_sees_their_next_half_day_and_opens_their_courses(phone, live_server, world):
    log_in(phone, live_server, world["learner"], TEST_PASSWORD)
    assert _fits_a_phone(phone)
    assert phone.locator("#prochaines-seances li").count() == 1
    phone.get_by_role("link", name="Mes formations").click()
    assert phone.get_by_role("link", name=world["programme"]).is_visible()
