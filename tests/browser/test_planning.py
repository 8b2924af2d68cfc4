"""An admin plans a cohort and takes a week out; the apprentice reads the year on a phone."""

from datetime import date

import pytest

from cfa.models import Role
from tests import factories as f
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def cohort(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        trainer = f.UserFactory(roles=[Role.TRAINER], email="formatrice@planning.test")
        programme = f.ProgrammeFactory(total_minutes=105 * 60)
        f.ModuleFactory(programme=programme, minutes=105 * 60, default_trainer=trainer, title="Cadre de la médiation")
        cohort = f.CohortFactory(
            programme=programme, name="MSADS Test 2030", start_date=date(2030, 9, 2), end_date=date(2031, 6, 27)
        )
        enrolment = f.EnrolmentFactory(
            cohort=cohort, apprentice=f.UserFactory(roles=[Role.APPRENTICE], email="apprentie@planning.test")
        )
        f.UserFactory(roles=[Role.ADMIN], email="admin@planning.test")
        db.session.commit()
        return {"id": cohort.id, "apprentice": enrolment.apprentice.email}


def test_an_admin_generates_the_calendar_then_takes_a_week_out(page, live_server, cohort):
    log_in(page, live_server, "admin@planning.test", TEST_PASSWORD)
    page.goto(f"{live_server}/planning/promotions/{cohort['id']}")
    page.get_by_role("link", name="Générer le planning").click()
    assert "105 h planifiées sur 105 h" in page.locator("main").inner_text()
    page.get_by_role("button", name="Enregistrer ce planning").click()
    assert "Planning enregistré" in page.locator(".flash").first.inner_text()
    first_week = page.locator("#s-2030-09-02")
    assert "Semaine au centre" in first_week.inner_text()
    first_week.get_by_role("button", name="Retirer").click()
    assert "retirée du planning" in page.locator(".flash").first.inner_text()
    assert "Semaine en entreprise" in page.locator("#s-2030-09-02").inner_text()
    assert "105 h" in page.locator(".stat").first.inner_text()


def test_the_apprentice_reads_the_year_on_a_phone_without_scrolling_sideways(phone, live_server, cohort):
    log_in(phone, live_server, cohort["apprentice"], TEST_PASSWORD)
    phone.goto(f"{live_server}/moi/planning")
    assert phone.locator("h1").inner_text() == "Mon planning"
    assert phone.locator("table.yearplan").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
