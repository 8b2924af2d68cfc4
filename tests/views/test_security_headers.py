"""Every answer tells the browser what it may load, frame, send on and keep."""

import pytest

from cfa import create_app
from tests import factories as f


@pytest.mark.parametrize("path", ["/connexion", "/nexiste-pas"])
def test_pages_forbid_inline_scripts_framing_sniffing_and_referrers(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in headers  # only behind TLS, in production


def test_production_asks_for_https_for_a_year(monkeypatch):
    from config import ProductionConfig

    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-and-random-production-secret")
    monkeypatch.setattr(ProductionConfig, "TRUSTED_HOSTS", ["localhost"])
    app = create_app("production", SQLALCHEMY_DATABASE_URI="sqlite://")
    response = app.test_client().get("/connexion")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_personal_files_are_never_stored(login):
    apprentice = f.UserFactory.apprentice()
    enrolment = f.EnrolmentFactory(apprentice=apprentice)
    client = login(apprentice)
    response = client.get(f"/emargement/inscriptions/{enrolment.id}/attestation-assiduite.pdf")
    assert response.status_code == 200, response.status_code
    assert response.headers["Cache-Control"] == "private, no-store"


def test_no_template_carries_an_inline_script_or_style(app):
    """The policy forbids them: one would silently stop working in the browser."""
    import re
    from pathlib import Path

    templates = Path(app.root_path) / "templates"
    offenders = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.html")
        if re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=\"|\son[a-z]+=\"", path.read_text())
    ]
    assert offenders == []
