"""Browser tests: the app served on localhost, driven through Debian's Chromium by Playwright.

They use their own database file (a real server commits for good). On a developer's machine without Chromium they
are skipped; in CI (CI set in the environment) a missing Chromium fails them, since `.ci/run` installs it.
"""

import os
import shutil
import tempfile
import threading

import pytest
from werkzeug.serving import make_server

from cfa import create_app
from cfa.extensions import db

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _transaction():
    """Browser tests talk to a live server with its own database: no per-test rollback here."""
    yield


def _browser_app(tmpdir: str):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmpdir}/browser.sqlite",
        UPLOAD_DIR=f"{tmpdir}/uploads",
        KEYS_DIR=f"{tmpdir}/keys",
        WTF_CSRF_ENABLED=True,  # the browser goes through the real forms
    )
    with app.app_context():
        db.create_all()
    return app


def _serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def live_app():
    tmpdir = tempfile.mkdtemp(prefix="cadence-browser-")
    yield _browser_app(tmpdir)
    shutil.rmtree(tmpdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(live_app):
    server = _serve(live_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def demo_app(browser):
    """The demo CFA of `flask seed-demo`, in a database of its own: every role's pages full, as people see them."""
    from cfa.demo import seed_demo

    tmpdir = tempfile.mkdtemp(prefix="cadence-demo-")
    app = _browser_app(tmpdir)
    with app.app_context():
        seed_demo()
        db.session.commit()
    yield app
    shutil.rmtree(tmpdir, ignore_errors=True)


@pytest.fixture(scope="session")
def demo_server(demo_app):
    server = _serve(demo_app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run should have installed it")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt install chromium)")
    import playwright.sync_api as playwright_api  # a dev requirement: its absence is a broken install, not a skip

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def _new_page(browser, **options):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def page(browser):
    context, page = _new_page(browser)
    yield page
    context.close()


@pytest.fixture
def phone(browser):
    context, page = _new_page(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    yield page
    context.close()


@pytest.fixture
def in_live_db(live_app):
    """in_live_db(fn) runs fn inside the live app's context and commits what it built."""

    def run(fn):
        with live_app.app_context():
            result = fn()
            db.session.commit()
            return result

    return run


def log_in(page, base_url: str, email: str, password: str):
    page.goto(f"{base_url}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    with page.expect_navigation():  # wait for the next page, not the load of the one still shown
        page.get_by_role("button", name="Se connecter").click()
