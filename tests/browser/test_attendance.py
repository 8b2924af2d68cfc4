"""A trainer takes a sheet on a tablet in a few taps; an apprentice signs in from a phone with the code."""

from datetime import time

import pytest

from cfa.formatting import today_paris
from cfa.models import Role
from tests import factories as f
from tests.browser.conftest import _new_page, log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sheet(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        trainer = f.UserFactory(roles=[Role.TRAINER], email="formatrice@emargement.test")
        day = today_paris()
        cohort = f.CohortFactory(
            name="AMIS Test", start_date=day.replace(year=day.year - 1), end_date=day.replace(year=day.year + 1)
        )
        # A session running all day, whatever the hour the suite runs at.
        session = f.SessionFactory(
            cohort=cohort, date=day, trainer=trainer, start_time=time(0, 5), end_time=time(23, 55)
        )
        enrolments = [
            f.EnrolmentFactory(
                cohort=cohort,
                apprentice=f.UserFactory(
                    roles=[Role.APPRENTICE], email=f"apprenti{i}@emargement.test", last_name=f"Nom{i}"
                ),
            )
            for i in range(6)
        ]
        db.session.commit()
        return {"session": session.id, "apprentice": enrolments[-1].apprentice.email}


def draw(page, canvas):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for i in range(10):
        page.mouse.move(box["x"] + 30 + i * 25, box["y"] + box["height"] / 2 + (20 if i % 2 else -20))
    page.mouse.up()


def test_a_sheet_in_a_few_taps_a_phone_sign_in_and_the_trainer_s_signature(browser, live_server, sheet):
    context, tablet = _new_page(browser, viewport={"width": 820, "height": 1180}, has_touch=True)
    log_in(tablet, live_server, "formatrice@emargement.test", TEST_PASSWORD)
    tablet.goto(f"{live_server}/emargement/aujourdhui")
    tablet.get_by_role("link", name="AMIS Test").click()
    tablet.get_by_role("button", name="Tous présents").click()
    rows = tablet.locator(".roster-row")
    rows.nth(1).locator(".mark-absent span").click()
    tablet.get_by_role("button", name="Enregistrer", exact=True).click()
    assert "1 émargement(s) enregistré(s)" in tablet.locator(".flash").first.inner_text()

    # The trainer shows the code; the last apprentice types it on their phone.
    tablet.get_by_text("Auto-émargement (QR code)").click()
    code = tablet.locator("[data-code]")
    code.filter(has_not_text="–").wait_for()
    phone_context, phone = _new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(phone, live_server, sheet["apprentice"], TEST_PASSWORD)
    phone.goto(f"{live_server}/moi/emargement")
    phone.get_by_label("Code affiché par le formateur").fill(code.inner_text())
    phone.get_by_role("button", name="Valider ma présence").click()
    assert "Émargement enregistré" in phone.locator(".flash").first.inner_text()
    phone_context.close()

    # The trainer's sheet shows the sign-in without reloading.
    tablet.locator(".roster-row").last.locator("[data-signed]").filter(has_text="signé").wait_for(timeout=8000)

    # An apprentice signs on the tablet, then the trainer signs and closes.
    tablet.locator(".roster-row").first.get_by_role("button", name="Faire signer").click()
    draw(tablet, tablet.locator("dialog canvas"))
    tablet.get_by_role("button", name="Valider la signature").click()
    assert "Signature enregistrée" in tablet.locator(".flash").first.inner_text()
    # Closing is refused while present apprentices have not signed, naming them.
    tablet.get_by_label("Motif de la clôture avant 23 h 55").fill("Fin de la formation plus tôt que prévu")
    draw(tablet, tablet.locator(".signature-form canvas"))
    tablet.get_by_role("button", name="Signer et clore").click()
    assert "Signature manquante pour" in tablet.locator(".flash").first.inner_text()
    # One tap records that they signed the paper sheet; closing before the end (23 h 55) says why.
    tablet.get_by_role("button", name="Tous : « A signé sur papier »").click()
    tablet.get_by_label("Motif de la clôture avant 23 h 55").fill("Fin de la formation plus tôt que prévu")
    draw(tablet, tablet.locator(".signature-form canvas"))
    tablet.get_by_role("button", name="Signer et clore").click()
    assert "Feuille signée et close" in tablet.locator(".flash").first.inner_text()
    assert "Close le" in tablet.locator(".page-head").inner_text()
    context.close()
