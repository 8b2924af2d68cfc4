"""Every role's main pages, on the demo CFA, at a desktop's and a phone's width: axe-core finds nothing serious or
critical, and no page is wider than a 390 px screen.

axe-core is the npm package pinned in package-lock.json (`make test` runs `npm ci` when it is missing). Set
AXE_FIGURES to a file path to write every page's violations counted by impact (the figures of the accessibility
report).
"""

import json
import os
from pathlib import Path

import pytest
import sqlalchemy as sa

from cfa.demo import data
from cfa.formatting import today_paris
from cfa.models import Centre, Cohort, Enrolment, Programme, Session, User
from tests.browser.conftest import _new_page, log_in

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
BLOCKING = ("serious", "critical")
# Pages whose tables fit a phone without scrolling sideways (the apprentice's absences).
FIT_ON_PHONE = {"/moi/presences"}
ROLES = ("admin", "qualite", "formateur", "apprenti", "tuteur", "stagiaire", "public")


def demo_ids() -> dict:
    """The ids behind the demo's detail pages: the running cohort, the trainer's next sheet, a person, a centre."""
    running = sa.select(Cohort.id).join(Enrolment).join(User, User.id == Enrolment.apprentice_id)
    trainer = sa.select(User.id).where(User.email == data.DEMO_TRAINER).scalar_subquery()
    return {
        "cohort": db_scalar(running.where(User.email == data.DEMO_APPRENTICE)),
        "session": db_scalar(
            sa.select(Session.id)
            .where(Session.trainer_id == trainer, Session.date >= today_paris())
            .order_by(Session.date, Session.start_time)
        ),
        "user": db_scalar(sa.select(User.id).where(User.email == data.DEMO_APPRENTICE)),
        "centre": db_scalar(sa.select(Centre.id).order_by(Centre.id)),
        "programme": db_scalar(sa.select(Programme.id).order_by(Programme.id)),
    }


def db_scalar(query):
    from cfa.extensions import db

    return db.session.scalar(query.limit(1))


def pages_of(role: str, ids: dict) -> list[str]:
    return {
        "admin": [
            "/",
            "/admin/promotions",
            "/admin/inscriptions",
            "/emargement/",
            f"/planning/promotions/{ids['cohort']}",
        ],
        "qualite": ["/", "/qualite/", "/qualite/campagnes", "/qualite/reclamations", "/qualite/actions"],
        "formateur": [
            "/",
            "/emargement/aujourdhui",
            f"/emargement/seances/{ids['session']}",
            "/planning/mon-agenda",
            "/suivi/referent",
            "/evaluation/",
        ],
        "apprenti": ["/", "/moi/planning", "/moi/presences", "/moi/resultats", "/moi/certificats", "/moi/livret"],
        "tuteur": ["/", "/suivi/mes-apprentis", "/employeur/calendrier", "/employeur/absences", "/employeur/resultats"],
        "stagiaire": ["/", "/moi/formations", "/moi/presences", "/moi/certificats"],
        "public": ["/connexion", f"/qualite/resultats/{ids['programme']}", "/verify"],
    }[role]


def phone_pages_of(role: str, ids: dict) -> list[str]:
    """The main pages, and the set-up pages that used to be wider than a phone."""
    extra = {
        "admin": [
            "/admin/personnes",
            f"/admin/personnes/{ids['user']}",
            f"/admin/centres/{ids['centre']}",
            "/admin/integrations",
            "/api/docs",
        ]
    }
    return pages_of(role, ids) + extra.get(role, [])


@pytest.fixture(scope="module")
def ids(demo_app):
    with demo_app.app_context():
        return demo_ids()


@pytest.fixture(scope="module")
def figures():
    """Violations per page, width and impact; written to AXE_FIGURES when it is set."""
    collected: dict = {}
    yield collected
    if os.environ.get("AXE_FIGURES"):
        Path(os.environ["AXE_FIGURES"]).write_text(json.dumps(collected, indent=1, ensure_ascii=False))


@pytest.fixture(scope="module")
def as_role(browser, demo_server):
    """One logged-in browser context per role, opened on first use and shared by the tests of this module."""
    contexts: dict = {}

    def get(role: str):
        if role not in contexts:
            contexts[role] = _new_page(browser, viewport=DESKTOP)
            contexts[role][1].set_default_timeout(30_000)  # the demo's fullest pages, on a busy machine
            if AXE.exists():
                # An init script runs before the page's own, outside its Content-Security-Policy.
                contexts[role][0].add_init_script(path=AXE)
            if role != "public":
                log_in(contexts[role][1], demo_server, f"{role}@cadence.test", data.DEMO_PASSWORD)
        return contexts[role][1]

    yield get
    for context, _page in contexts.values():
        context.close()


def axe_violations(page) -> list[dict]:
    return page.evaluate(
        """() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            count: v.nodes.length})))"""
    )


def resize(page, viewport: dict):
    """A new width, once cadence.js has seen it (it marks the tables that scroll on the next frame)."""
    page.set_viewport_size(viewport)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def open_page(page, base: str, path: str):
    response = page.goto(f"{base}{path}")
    assert response.status == 200, f"{path}: {response.status}"


@pytest.mark.parametrize("role", ROLES)
def test_axe_finds_nothing_serious_or_critical_at_desktop_and_phone_widths(as_role, demo_server, ids, figures, role):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (make test does)")
    page = as_role(role)
    blocking = []
    for path in pages_of(role, ids):
        open_page(page, demo_server, path)
        for name, viewport in (("1280", DESKTOP), ("390", PHONE)):
            resize(page, viewport)
            violations = axe_violations(page)
            counts = dict.fromkeys(("critical", "serious", "moderate", "minor"), 0)
            for v in violations:
                counts[v["impact"]] += v["count"]
            figures.setdefault(f"{role} {path}", {})[name] = counts
            blocking += [
                f"{role} {path} @{name}px: {v['id']} ({v['impact']}, {v['count']}×) {v['help']} → {v['targets']}"
                for v in violations
                if v["impact"] in BLOCKING
            ]
        resize(page, DESKTOP)
    assert not blocking, "\n".join(blocking)


@pytest.mark.parametrize("role", ROLES)
def test_no_page_is_wider_than_a_390_px_phone(as_role, demo_server, ids, role):
    page = as_role(role)
    resize(page, PHONE)
    too_wide = []
    try:
        for path in phone_pages_of(role, ids):
            open_page(page, demo_server, path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > page.evaluate("window.innerWidth"):
                too_wide.append(f"{path}: {width} px")
            if path in FIT_ON_PHONE:
                scrolling = page.evaluate(
                    "[...document.querySelectorAll('.table-wrap')].filter(w => w.scrollWidth > w.clientWidth).length"
                )
                if scrolling:
                    too_wide.append(f"{path}: {scrolling} table(s) scroll sideways")
    finally:
        resize(page, DESKTOP)
    assert not too_wide, too_wide


def test_the_phone_menu_button_has_a_name_tells_its_state_and_hides_its_links_when_closed(browser, demo_server):
    context, page = _new_page(browser, viewport=PHONE)
    context.add_init_script(path=AXE)
    log_in(page, demo_server, data.DEMO_TRAINER, data.DEMO_PASSWORD)
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert toggle.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    focused = "document.activeElement.closest('main, nav, header') && document.activeElement.closest('main, nav, header').tagName"
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # Cadence, home
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "MAIN", "a closed menu's links take no keyboard stop"

    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true" and nav.is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "NAV"
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, blocking  # the open menu, its current page included, reads at 4.5:1
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false" and not nav.is_visible()
    assert page.evaluate("document.activeElement.textContent.trim()") == "Menu"
    context.close()
