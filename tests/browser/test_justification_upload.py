"""A 30 MB photo sent as a proof of absence: the form comes back with the refusal beside the file field and
what was typed, instead of a page that leads nowhere."""

import pytest

from cfa.formatting import today_paris
from cfa.models import Role
from tests import factories as f
from tests.browser.conftest import log_in
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def apprentice(live_app):
    from cfa.extensions import db

    with live_app.app_context():
        day = today_paris()
        cohort = f.CohortFactory(start_date=day.replace(year=day.year - 1), end_date=day.replace(year=day.year + 1))
        enrolment = f.EnrolmentFactory(
            cohort=cohort, apprentice=f.UserFactory(roles=[Role.APPRENTICE], email="justifie@justificatif.test")
        )
        db.session.commit()
        return enrolment.apprentice.email


def test_a_proof_over_the_limit_is_refused_inside_the_form_keeping_what_was_typed(
    phone, live_server, apprentice, tmp_path
):
    log_in(phone, live_server, apprentice, TEST_PASSWORD)
    phone.goto(f"{live_server}/moi/presences")
    day = today_paris().isoformat()
    phone.get_by_label("Du").fill(day)
    phone.get_by_label("Au").fill(day)
    phone.get_by_label("Motif").fill("Arrêt maladie du médecin")
    photo = tmp_path / "photo-arret.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * (30 * 1024 * 1024))
    phone.get_by_label("Justificatif").set_input_files(photo)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Envoyer le justificatif").click()
    assert "Le justificatif dépasse 5 Mo" in phone.locator("#proof-erreur").inner_text()
    assert phone.get_by_label("Motif").input_value() == "Arrêt maladie du médecin"
    assert phone.get_by_label("Du").input_value() == day and phone.get_by_label("Au").input_value() == day
    phone.locator("#proof-erreur").scroll_into_view_if_needed()
    phone.screenshot(path=tmp_path / "413-form.png")

    # A file of the wrong type, under the limit: refused in the form the same way.
    phone.get_by_label("Justificatif").set_input_files(
        {"name": "arret.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    with phone.expect_navigation():
        phone.get_by_role("button", name="Envoyer le justificatif").click()
    assert "PDF, une image JPEG ou PNG" in phone.locator("#proof-erreur").inner_text()
    assert phone.get_by_label("Motif").input_value() == "Arrêt maladie du médecin"
