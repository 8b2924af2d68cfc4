"""A sheet taken in a room without network on a phone: marks and a signature kept on the device, the page reloaded
from the service worker, everything sent when the network returns; and a mark changed meanwhile by another device,
shown to the trainer as a conflict instead of being overwritten."""

import os
import re
from datetime import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from cfa.formatting import today_paris
from cfa.models import MarkStatus, OfflineWrite, Role
from tests import factories as f
from tests.browser.conftest import _new_page, log_in
from tests.browser.test_attendance import draw
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

TRAINER = "formateur@horsligne.test"
# Resolves once the service worker controls the page (the first visit is controlled from its activation on).
CONTROLLED = """() => new Promise((resolve) => navigator.serviceWorker.controller ? resolve(true)
  : navigator.serviceWorker.addEventListener("controllerchange", () => resolve(true)))"""
SHOTS = os.environ.get("CADENCE_SCREENSHOTS")  # a folder: the test also saves what it saw there


@pytest.fixture(scope="module")
def day_sheets(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        trainer = f.UserFactory(roles=[Role.TRAINER], email=TRAINER)
        day = today_paris()
        sheets = {}
        for name in ("Terrain A", "Terrain B"):
            cohort = f.CohortFactory(
                name=name, start_date=day.replace(year=day.year - 1), end_date=day.replace(year=day.year + 1)
            )
            # A session running all day, whatever the hour the suite runs at.
            session = f.SessionFactory(
                cohort=cohort, date=day, trainer=trainer, start_time=time(0, 5), end_time=time(23, 55)
            )
            enrolments = [
                f.EnrolmentFactory(
                    cohort=cohort, apprentice=f.UserFactory(roles=[Role.APPRENTICE], last_name=f"{name[-1]}{i}")
                )
                for i in range(3)
            ]
            sheets[name] = (session.id, [e.id for e in enrolments])
        db.session.commit()
        return sheets


def _open_for_the_day(browser, live_server, cohort_name):
    """The trainer opens "Aujourd'hui" with the network (the day's sheets are kept), then the sheet."""
    context, phone = _new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(phone, live_server, TRAINER, TEST_PASSWORD)
    phone.goto(f"{live_server}/emargement/aujourdhui")
    expect(phone.locator("html")).to_have_attribute("data-offline-kept", re.compile(r"^\d+$"))
    assert int(phone.locator("html").get_attribute("data-offline-kept")) >= 3  # the list and both sheets
    expect(phone.locator("[data-offline-ready]")).to_contain_text("2 feuilles du jour disponibles hors ligne")
    _shot(phone, "offline-today-390.png")
    phone.get_by_role("link", name=cohort_name).click()
    phone.get_by_role("button", name="Tous présents").click()
    expect(phone.locator(".flash").first).to_contain_text("marqué·e(s) présent·e(s)")
    assert phone.evaluate(CONTROLLED)
    return context, phone


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, name), full_page=False)


def _marks(live_app, session_id):
    from cfa.extensions import db
    from cfa.models import AttendanceMark

    with live_app.app_context():
        marks = db.session.scalars(sa.select(AttendanceMark).where(AttendanceMark.session_id == session_id)).all()
        writes = db.session.scalars(sa.select(OfflineWrite).where(OfflineWrite.session_id == session_id)).all()
        return {m.enrolment_id: (m.status, m.signed_at, m.signed_on_device_at) for m in marks}, writes


def test_a_sheet_taken_offline_survives_a_reload_and_reaches_the_server(browser, live_server, live_app, day_sheets):
    session_id, (first, second, _third) = day_sheets["Terrain A"]
    context, phone = _open_for_the_day(browser, live_server, "Terrain A")
    banner = phone.locator(".offline-banner")

    context.set_offline(True)
    expect(banner).to_contain_text("Hors ligne — aucune modification en attente")
    rows = phone.locator(".roster-row")
    rows.nth(1).locator(".mark-absent span").click()
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(banner).to_contain_text(re.compile("hors ligne — 1 modification en attente", re.I))
    rows.first.get_by_role("button", name="Faire signer").click()
    draw(phone, phone.locator("dialog canvas"))
    phone.get_by_role("button", name="Valider la signature").click()
    expect(banner).to_contain_text("Hors ligne — 2 modifications en attente")
    expect(rows.first.locator("[data-signed]")).to_have_text("✓ signé (en attente d'envoi)")
    phone.evaluate("window.scrollTo(0, 0)")
    _shot(phone, "offline-banner-390.png")
    assert _marks(live_app, session_id)[0][second][0] == MarkStatus.PRESENT  # nothing has left the phone yet

    # Reloaded without network, the sheet comes from the service worker's copy, with the queued changes on it.
    response = phone.reload()
    assert response.from_service_worker and response.headers.get("x-cadence-copy")
    expect(banner).to_contain_text("Hors ligne — 2 modifications en attente")
    expect(rows.nth(1).locator('input[value="absent"]')).to_be_checked()
    expect(rows.first.locator("[data-signed]")).to_have_text("✓ signé (en attente d'envoi)")

    # The trainer signs and closes, still offline: the last one signed the paper sheet.
    phone.get_by_role("button", name="Tous : « A signé sur papier »").click()
    phone.get_by_label("Motif de la clôture avant 23 h 55").fill("Fin du chantier plus tôt que prévu")
    draw(phone, phone.locator(".signature-form canvas"))
    phone.get_by_role("button", name="Signer et clore").click()
    expect(banner).to_contain_text("Hors ligne — 3 modifications en attente")
    expect(phone.get_by_text("la clôture sera envoyée au retour du réseau")).to_be_visible()

    context.set_offline(False)
    expect(phone.locator(".page-head")).to_contain_text("Close le")
    expect(rows.first).to_contain_text("Présent·e")
    expect(banner).to_be_hidden()
    marks, writes = _marks(live_app, session_id)
    assert marks[second][0] == MarkStatus.ABSENT
    assert marks[first][1] is not None and marks[first][2] is not None and marks[first][2] <= marks[first][1]
    assert [w.kind for w in sorted(writes, key=lambda w: w.id)] == ["marks", "sign", "close"]
    assert all(w.outcome["status"] == "saved" for w in writes), [w.outcome for w in writes]
    with live_app.app_context():
        from cfa.extensions import db
        from cfa.models import AttendanceSheet

        sheet = db.session.scalar(sa.select(AttendanceSheet).where(AttendanceSheet.session_id == session_id))
        assert sheet.trainer_signed_on_device_at <= sheet.closed_at  # drawn offline, received later
        assert sheet.early_close_reason == "Fin du chantier plus tôt que prévu"
    phone.goto(f"{live_server}/emargement/seances/{session_id}/historique")
    expect(phone.locator("table")).to_contain_text("saisi(e) hors ligne")
    _shot(phone, "offline-history-390.png")
    context.close()


def test_a_mark_changed_meanwhile_elsewhere_is_shown_as_a_conflict_and_kept(
    browser, live_server, live_app, day_sheets, in_live_db
):
    session_id, (first, _second, _third) = day_sheets["Terrain B"]
    context, phone = _open_for_the_day(browser, live_server, "Terrain B")
    context.set_offline(True)
    phone.locator(".roster-row").first.locator(".mark-absent span").click()
    phone.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(phone.locator(".offline-banner")).to_contain_text("1 modification en attente")

    def another_device_marks_late():
        from cfa.models import User
        from cfa.services import attendance as att
        from cfa.services.attendance import MarkInput

        session = att.load_session(session_id)
        trainer = User.query.filter_by(email=TRAINER).one()
        present = MarkInput(MarkStatus.PRESENT)
        assert att.save_marks(session, trainer, {first: MarkInput(MarkStatus.LATE, 10)}, {first: present}).saved

    in_live_db(another_device_marks_late)
    context.set_offline(False)
    outcomes = phone.locator("[data-sync-outcomes]")
    expect(outcomes).to_contain_text("en conflit")
    expect(outcomes).to_contain_text("en retard de 10 min (vous : absent·e)")
    _shot(phone, "offline-conflict-390.png")
    marks, writes = _marks(live_app, session_id)
    assert marks[first][0] == MarkStatus.LATE  # the other device's mark stands; the trainer's choice is shown
    assert [w.outcome["status"] for w in writes] == ["conflict"]
    # Shown until the trainer has read it, reload or not.
    phone.reload()
    expect(outcomes).to_contain_text("vous : absent·e")
    phone.get_by_role("button", name="J'ai vérifié").click()
    expect(outcomes).to_have_count(0)
    context.close()


def test_logging_out_leaves_no_sheet_on_the_device(browser, live_server, day_sheets):
    context, page = _new_page(browser)
    log_in(page, live_server, TRAINER, TEST_PASSWORD)
    page.goto(f"{live_server}/emargement/aujourdhui")
    expect(page.locator("html")).to_have_attribute("data-offline-kept", re.compile(r"^[1-9]\d*$"))
    kept = "() => caches.open('cadence-pages').then((cache) => cache.keys()).then((keys) => keys.length)"
    assert page.evaluate(kept) >= 3
    page.evaluate("document.querySelector('form[action=\"/deconnexion\"]').requestSubmit()")
    expect(page.locator(".flash").first).to_contain_text("Vous êtes déconnecté·e")
    assert page.evaluate(kept) == 0
    context.set_offline(True)
    try:  # nothing left to open without the account: the browser's own "no network" page, or the worker's
        response = page.goto(f"{live_server}/emargement/seances/{day_sheets['Terrain A'][0]}")
    except PlaywrightError as error:
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
    else:
        assert response.status == 503 and "Terrain A" not in page.content()
    context.close()
