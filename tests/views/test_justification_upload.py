"""A proof too large or of the wrong type is refused inside the justification form, which keeps what was typed;
elsewhere a body over the limit gets a French page that leads back; the rate-limit page is French too."""

from io import BytesIO
from unittest import mock

import pytest

from cfa import create_app
from cfa.extensions import db, limiter
from tests import factories as f
from tests.views.test_attendance import DAY

# The apprentices of the attendance pages' tests (and the session they are enrolled for), as fixtures here.
from tests.views.test_attendance import enrolments as enrolments
from tests.views.test_attendance import session as session

OVER_LIMIT = 30 * 1024 * 1024  # the 30 MB photo of the issue, over MAX_CONTENT_LENGTH (6 MB)


def _send(client, proof: bytes, name: str):
    with mock.patch("cfa.views.me.attendance.today_paris", return_value=DAY):
        return client.post(
            "/moi/presences",
            data={
                "start_date": "2026-11-16",
                "end_date": "2026-11-17",
                "reason": "Arrêt maladie du médecin traitant",
                "proof": (BytesIO(proof), name),
            },
            content_type="multipart/form-data",
        )


def _justifications(enrolment):
    return db.session.scalar(
        db.select(db.func.count()).select_from(f.m.Justification).where(f.m.Justification.enrolment_id == enrolment.id)
    )


def test_a_file_over_the_limit_is_refused_inside_the_form_with_what_was_typed(login, enrolments):
    client = login(enrolments[0].apprentice)
    page = _send(client, b"%PDF-1.4 " + b"x" * OVER_LIMIT, "arret.pdf")
    assert page.status_code == 413
    assert "Mes présences" in page.text and "Justifier une absence" in page.text
    assert "Le justificatif dépasse 5 Mo" in page.text and 'id="proof-erreur"' in page.text
    assert 'value="Arrêt maladie du médecin traitant"' in page.text
    assert 'value="2026-11-16"' in page.text and 'value="2026-11-17"' in page.text
    assert _justifications(enrolments[0]) == 0


def test_a_file_just_over_5_mb_but_under_the_body_limit_is_refused_in_the_form_too(login, enrolments):
    client = login(enrolments[0].apprentice)
    page = _send(client, b"%PDF-1.4 " + b"x" * (5 * 1024 * 1024), "arret.pdf")
    assert page.status_code == 200 and "Le justificatif dépasse 5 Mo" in page.text
    assert 'value="Arrêt maladie du médecin traitant"' in page.text and _justifications(enrolments[0]) == 0


def test_a_file_of_the_wrong_type_is_refused_in_the_form_with_what_was_typed(login, enrolments):
    client = login(enrolments[0].apprentice)
    page = _send(client, b"MZ\x90\x00 an executable", "arret.pdf")
    assert page.status_code == 200 and "PDF, une image JPEG ou PNG" in page.text
    assert 'value="Arrêt maladie du médecin traitant"' in page.text and _justifications(enrolments[0]) == 0
    assert 'accept=".pdf,.jpg,.jpeg,.png' in page.text


def test_a_body_over_the_limit_elsewhere_gets_a_french_page_that_leads_back(login):
    client = login(f.UserFactory.admin())
    page = client.post(
        "/admin/imports",
        data={"file": (BytesIO(b"x" * OVER_LIMIT), "big.csv")},
        content_type="multipart/form-data",
        headers={"Referer": "http://localhost/admin/imports"},
    )
    assert page.status_code == 413 and "Fichier trop volumineux" in page.text
    assert 'href="/admin/imports"' in page.text and "Revenir à la page précédente" in page.text
    foreign = client.post("/admin/imports", data=b"x" * OVER_LIMIT, headers={"Referer": "https://ailleurs.example/"})
    assert foreign.status_code == 413 and "ailleurs.example" not in foreign.text


@pytest.fixture
def limited_app(tmp_path):
    """An app with its rate limits on (they are off in the other tests), counting in memory, on a database of
    its own (the requests commit). The limiter is one object shared by every app: its switch is put back after."""
    was = limiter.enabled, limiter.initialized
    limited = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/limits.sqlite",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
    )
    with limited.app_context():
        db.create_all()
    try:
        yield limited
    finally:
        limiter.enabled, limiter.initialized = was
        with limited.app_context():
            db.engine.dispose()


def test_the_rate_limit_page_is_french_in_the_base_layout(limited_app):
    client = limited_app.test_client()
    answers = [
        client.post("/connexion", data={"email": "personne@exemple.test", "password": "faux"}) for _ in range(30)
    ]
    refused = [a for a in answers if a.status_code == 429]
    assert refused, "the log-in form is rate limited"
    page = refused[0].get_data(as_text=True)
    assert "Trop de tentatives" in page and "patientez une minute" in page
    assert '<html lang="fr">' in page and "Cadence" in page  # the base layout
    assert "per 1 minute" not in page and "Too Many Requests" not in page
