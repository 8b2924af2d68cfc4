"""On phones: the trainer's QR code is decoded from a 390 px screenshot and an apprentice signs in by scanning it;
another apprentice, then the trainer, sign without drawing, with the keyboard only."""

from datetime import time
from io import BytesIO

import pytest
from PIL import Image

from cfa.formatting import today_paris
from cfa.models import Role
from tests import factories as f
from tests.browser.conftest import _new_page, log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def sheet(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        trainer = f.UserFactory(roles=[Role.TRAINER], email="formateur@sans-trace.test")
        day = today_paris()
        cohort = f.CohortFactory(
            name="MSADS Sans Tracé", start_date=day.replace(year=day.year - 1), end_date=day.replace(year=day.year + 1)
        )
        # A session running all day, whatever the hour the suite runs at.
        session = f.SessionFactory(
            cohort=cohort, date=day, trainer=trainer, start_time=time(0, 5), end_time=time(23, 55)
        )
        scanner, typist = (
            f.EnrolmentFactory(
                cohort=cohort,
                apprentice=f.UserFactory(
                    roles=[Role.APPRENTICE], email=f"{name.lower()}@sans-trace.test", last_name=name
                ),
            )
            for name in ("Scanne", "Saisit")
        )
        db.session.commit()
        return {"session": session.id, "scanner": scanner.apprentice.email, "typist": typist.apprentice.email}


def _show_code(page, base_url, sheet):
    """The trainer opens the sheet and its self sign-in panel; returns the code shown."""
    page.goto(f"{base_url}/emargement/seances/{sheet['session']}")
    page.locator("summary", has_text="Auto-émargement (QR code)").click()
    page.locator("[data-qr] svg").wait_for()
    return page.locator("[data-code]").inner_text()


def test_the_qr_code_scans_from_a_390_px_phone_and_the_apprentice_signs_in_with_it(
    browser, live_server, sheet, tmp_path
):
    context, trainer = _new_page(browser, **PHONE)
    log_in(trainer, live_server, "formateur@sans-trace.test", TEST_PASSWORD)
    shown = _show_code(trainer, live_server, sheet)
    qr = trainer.locator("[data-qr] svg")
    qr.scroll_into_view_if_needed()
    box = qr.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "the QR code overflows the phone's screen"
    shot = tmp_path / "qr-390.png"
    trainer.screenshot(path=shot)
    after = trainer.locator("[data-code]").inner_text()
    decoded = [r.text for r in __import__("zxingcpp").read_barcodes(Image.open(BytesIO(shot.read_bytes())))]
    # The code renews every 30 s: the screenshot holds the one shown just before or just after it.
    assert len(decoded) == 1 and decoded[0] in {f"{live_server}/moi/emargement?code={c}" for c in (shown, after)}

    # A second phone, the apprentice's own, opens what the camera read and signs.
    phone_context, phone = _new_page(browser, **PHONE)
    log_in(phone, live_server, sheet["scanner"], TEST_PASSWORD)
    phone.goto(decoded[0])
    phone.get_by_role("button", name="Valider ma présence").click()
    assert "Émargement enregistré" in phone.locator(".flash").first.inner_text()
    phone_context.close()

    # The trainer's sheet shows the signature without reloading.
    row = trainer.locator(".roster-row").filter(has_text="Scanne")
    row.locator("[data-signed]").filter(has_text="signé (auto-émargement (qr code))").wait_for(timeout=8000)
    context.close()


def test_an_apprentice_then_the_trainer_sign_by_typed_code_with_the_keyboard_only(
    browser, live_server, sheet, tmp_path
):
    context, trainer = _new_page(browser, viewport={"width": 820, "height": 1180})
    log_in(trainer, live_server, "formateur@sans-trace.test", TEST_PASSWORD)
    code = _show_code(trainer, live_server, sheet)

    phone_context, phone = _new_page(browser, **PHONE)
    log_in(phone, live_server, sheet["typist"], TEST_PASSWORD)
    phone.goto(f"{live_server}/moi/emargement")
    phone.get_by_role("link", name="Je ne peux pas signer en traçant").focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    code_field = phone.get_by_label("Code affiché par le formateur")
    code_field.focus()
    phone.keyboard.type(code)
    phone.keyboard.press("Tab")
    phone.keyboard.type("pas-le-bon")
    phone.keyboard.press("Tab")
    phone.keyboard.press("Space")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "Mot de passe incorrect" in phone.locator("#password-erreur").inner_text()
    assert phone.get_by_label("Code affiché par le formateur").input_value() == code  # kept
    assert phone.get_by_role("checkbox", name="Je confirme").is_checked()  # kept too: only the password is typed again
    phone.screenshot(path=tmp_path / "typed-form-390.png", full_page=True)
    code = trainer.locator("[data-code]").inner_text()  # the code may have turned meanwhile
    code_field = phone.get_by_label("Code affiché par le formateur")
    code_field.fill("")
    code_field.focus()
    phone.keyboard.type(code)
    phone.keyboard.press("Tab")
    phone.keyboard.type(TEST_PASSWORD)
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "Émargement enregistré" in phone.locator(".flash").first.inner_text()
    phone_context.close()

    row = trainer.locator(".roster-row").filter(has_text="Saisit")
    row.locator("[data-signed]").filter(has_text="signé (par code saisi (sans tracé))").wait_for(timeout=8000)

    # The trainer closes without drawing, with the keyboard: open the panel, type the password, tick, submit.
    trainer.reload()
    trainer.get_by_label("Motif de la clôture avant 23 h 55").fill("Fin de la formation plus tôt que prévu")
    trainer.get_by_text("Je ne peux pas signer en traçant : signer avec mon mot de passe").focus()
    trainer.keyboard.press("Enter")
    trainer.get_by_role("textbox", name="Mon mot de passe").focus()
    trainer.keyboard.type(TEST_PASSWORD)
    trainer.keyboard.press("Tab")
    trainer.keyboard.press("Space")
    trainer.screenshot(path=tmp_path / "typed-close.png", full_page=True)
    with trainer.expect_navigation():
        trainer.keyboard.press("Enter")  # Enter in the form with nothing drawn: the typed signature
    assert "Feuille signée et close" in trainer.locator(".flash").first.inner_text()
    assert "Close le" in trainer.locator(".page-head").inner_text()
    context.close()
