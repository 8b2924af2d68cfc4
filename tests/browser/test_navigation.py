"""Each role logs in through the real login form and sees its own navigation."""

import pytest

from cfa.models import Role
from tests import factories as f
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def people(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        employer = f.EmployerFactory()
        users = {
            role: f.UserFactory(
                email=f"{role.value}@navigation.test", roles=[role], employer=employer if role == Role.TUTOR else None
            )
            for role in (Role.ADMIN, Role.QUALITY, Role.TRAINER, Role.APPRENTICE, Role.TUTOR)
        }
        db.session.commit()
        return {role: user.email for role, user in users.items()}


def test_an_admin_logs_in_and_sees_the_set_up_menu(page, live_server, people):
    log_in(page, live_server, people[Role.ADMIN], TEST_PASSWORD)
    assert page.get_by_role("heading", name="Bonjour").is_visible() or page.locator("h1").inner_text().startswith(
        "Bonjour"
    )
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_text("Paramétrage").click()
    nav.get_by_role("link", name="Employeurs").click()
    assert page.locator("h1").inner_text() == "Employeurs"


@pytest.mark.parametrize("role", [Role.QUALITY, Role.TRAINER, Role.APPRENTICE, Role.TUTOR], ids=lambda r: r.value)
def test_other_roles_do_not_see_the_set_up_menu_and_are_refused_its_pages(page, live_server, people, role):
    log_in(page, live_server, people[role], TEST_PASSWORD)
    assert page.url.rstrip("/") != f"{live_server}/connexion"
    assert page.get_by_text("Paramétrage").count() == 0
    response = page.goto(f"{live_server}/admin/employeurs")
    assert response.status == 403
    assert page.get_by_role("heading", name="Accès refusé").is_visible()


def test_a_wrong_password_keeps_the_user_on_the_login_page_with_a_message(page, live_server, people):
    log_in(page, live_server, people[Role.ADMIN], "mauvais-mot-de-passe")
    assert "/connexion" in page.url
    assert page.get_by_text("Adresse e-mail ou mot de passe incorrect").is_visible()


def test_an_invalid_form_focuses_the_error_summary_and_ties_errors_to_fields(page, live_server, people):
    log_in(page, live_server, people[Role.ADMIN], TEST_PASSWORD)
    page.goto(f"{live_server}/admin/employeurs/nouveau")
    page.get_by_label("Raison sociale").fill("Ville de Lorient")
    page.get_by_label("SIRET").fill("12345678901234")
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.get_by_role("alert")
    assert "erreur" in summary.inner_text()
    siret = page.get_by_label("SIRET")
    assert siret.get_attribute("aria-invalid") == "true"
    assert "siret-erreur" in siret.get_attribute("aria-describedby")
    assert "clé de contrôle" in page.locator("#siret-erreur").inner_text()
