"""A trainer who uses no mouse takes a whole sheet: Tab to move, Enter and Space to act, the arrow keys inside a
group of radio buttons (as in any form). Every stop of the way is visible: a hidden element never takes focus."""

from datetime import time

import pytest
import sqlalchemy as sa

from cfa.formatting import today_paris
from cfa.models import AttendanceMark, MarkStatus, Role
from tests import factories as f
from tests.browser.conftest import _new_page
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser

TRAINER = "formateur@clavier.test"


@pytest.fixture(scope="module")
def keyboard_sheet(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        trainer = f.UserFactory(roles=[Role.TRAINER], email=TRAINER)
        day = today_paris()
        cohort = f.CohortFactory(
            name="Clavier Test", start_date=day.replace(year=day.year - 1), end_date=day.replace(year=day.year + 1)
        )
        # A session running all day, whatever the hour the suite runs at.
        session = f.SessionFactory(
            cohort=cohort, date=day, trainer=trainer, start_time=time(0, 5), end_time=time(23, 55)
        )
        for i in range(4):
            f.EnrolmentFactory(
                cohort=cohort,
                apprentice=f.UserFactory(roles=[Role.APPRENTICE], email=f"clavier{i}@test.test", last_name=f"Clé{i}"),
            )
        db.session.commit()
        return session.id


FOCUSED = """() => {
  const el = document.activeElement;
  // A mark's radio button is drawn by the label's span beside it; anything else must be seen itself.
  const seen = el.matches('.mark input') ? el.nextElementSibling : el;
  const box = seen.getBoundingClientRect();
  return {tag: el.tagName, name: el.getAttribute('name'), value: el.value, text: (el.innerText || '').trim(),
          checked: el.checked === true,
          visible: box.width > 1 && box.height > 1 && seen.checkVisibility({opacityProperty: true, visibilityProperty: true})};
}"""


def tab_to(page, wanted, limit: int = 60) -> dict:
    """Press Tab until the focused element is the wanted one; every element met on the way must be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["visible"], f"an invisible element takes the keyboard's focus: {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_a_trainer_takes_a_whole_sheet_with_the_keyboard_only(browser, live_server, live_app, keyboard_sheet):
    context, page = _new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/connexion")
    tab_to(page, lambda el: el["name"] == "email")
    page.keyboard.type(TRAINER)
    tab_to(page, lambda el: el["name"] == "password")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/connexion" not in url)

    page.goto(f"{live_server}/emargement/aujourdhui")
    tab_to(page, lambda el: "Clavier Test" in el["text"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/emargement/seances/{keyboard_sheet}")

    tab_to(page, lambda el: el["text"] == "Tous présents")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "4 apprenti·e(s) marqué·e(s) présent·e(s)" in page.locator(".flash").first.inner_text()

    # The second apprentice's group: Tab lands on the checked radio, the arrows move to « Absent·e ».
    tab_to(page, lambda el: el["tag"] == "INPUT" and el["name"].startswith("status-") and el["checked"])
    second = tab_to(page, lambda el: el["tag"] == "INPUT" and el["name"].startswith("status-"))
    for _ in range(len(MarkStatus)):
        if page.evaluate(FOCUSED)["value"] == MarkStatus.ABSENT.value:
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUSED) | {"visible": True} == {**second, "value": "absent", "checked": True}
    tab_to(page, lambda el: el["text"] == "Enregistrer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "1 émargement(s) enregistré(s)" in page.locator(".flash").first.inner_text()
    context.close()

    with live_app.app_context():
        from cfa.extensions import db

        statuses = db.session.scalars(
            sa.select(AttendanceMark.status).where(AttendanceMark.session_id == keyboard_sheet)
        ).all()
    assert sorted(s.value for s in statuses) == ["absent", "present", "present", "present"]
