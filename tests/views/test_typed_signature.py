"""Signing without drawing through the pages: the apprentice's own account, the trainer's closing, the PDF."""

from datetime import datetime
from io import BytesIO
from unittest import mock

from pypdf import PdfReader

from cfa.models import SignatureMethod
from cfa.services import attendance as att
from cfa.services import attendance_codes as codes
from tests.conftest import TEST_PASSWORD
from tests.views import test_attendance as sheet_pages
from tests.views.test_attendance import DURING

# The morning session, its apprentices and the frozen clock of the attendance pages' tests.
session, enrolments, frozen = sheet_pages.session, sheet_pages.enrolments, sheet_pages.frozen


def _typed_sign_in(client, code, password=TEST_PASSWORD, confirm="y"):
    with mock.patch("cfa.services.attendance_codes.datetime") as clock:
        clock.now.return_value = DURING
        clock.fromtimestamp = datetime.fromtimestamp
        data = {"code": code, "password": password}
        if confirm:
            data["confirm"] = confirm
        return client.post("/moi/emargement/sans-trace", data=data)


def test_the_apprentice_finds_the_typed_signature_from_the_sign_in_page(login, session, enrolments):
    client = login(enrolments[0].apprentice)
    page = client.get("/moi/emargement?code=ABCDEF")
    assert 'href="/moi/emargement/sans-trace?code=ABCDEF"' in page.text
    form = client.get("/moi/emargement/sans-trace?code=ABCDEF")
    assert form.status_code == 200
    assert 'value="ABCDEF"' in form.text and 'autocomplete="current-password"' in form.text
    assert "Par code saisi (sans tracé)" in form.text and 'type="checkbox"' in form.text


def test_an_apprentice_signs_by_typed_code_and_a_wrong_password_is_refused_in_the_form(login, session, enrolments):
    sheet = att.lock_sheet(session)
    client = login(enrolments[0].apprentice)
    code = codes.current_code(sheet, DURING)[0]
    wrong = _typed_sign_in(client, code, password="pas-le-bon")
    assert wrong.status_code == 200 and "Mot de passe incorrect" in wrong.text
    assert f'value="{code}"' in wrong.text and att.marks_of(sheet) == {}
    unticked = _typed_sign_in(client, code, confirm=None)
    assert "Cochez la déclaration" in unticked.text and att.marks_of(sheet) == {}
    done = _typed_sign_in(client, code)
    assert done.status_code == 302
    mark = att.marks_of(sheet)[enrolments[0].id]
    assert mark.signature_method == SignatureMethod.TYPED and mark.signature is None
    again = _typed_sign_in(client, code)
    assert "déjà émargé" in again.text
    client.logout()
    trainer = login(session.trainer)
    assert "✓ signé (par code saisi (sans tracé))" in trainer.get(f"/emargement/seances/{session.id}").text
    assert (
        "Signature sans tracé (code et mot de passe)"
        in trainer.get(f"/emargement/seances/{session.id}/historique").text
    )


def test_a_trainer_closes_with_their_password_and_the_pdf_prints_the_statement(login, session, enrolments, frozen):
    sheet = att.lock_sheet(session)
    for enrolment in enrolments:
        assert _typed_sign_in(login(enrolment.apprentice), codes.current_code(sheet, DURING)[0]).status_code == 302
        login(enrolment.apprentice).logout()
    client = login(session.trainer)
    page = client.get(f"/emargement/seances/{session.id}")
    assert "Je ne peux pas signer en traçant" in page.text and 'name="method" value="typed"' in page.text
    close = {"method": "typed", "early_reason": "Sortie pédagogique à 11 h", "confirm": "1"}
    refused = client.post(
        f"/emargement/seances/{session.id}/clore", data={**close, "password": "faux"}, follow_redirects=True
    )
    assert "Mot de passe incorrect" in refused.text and att.sheet_of(session).closed_at is None
    client.post(f"/emargement/seances/{session.id}/clore", data={**close, "password": TEST_PASSWORD})
    sheet = att.sheet_of(session)
    assert sheet.closed_at is not None and sheet.trainer_signature_method == SignatureMethod.TYPED

    pdf = client.get(f"/emargement/seances/{session.id}/feuille.pdf")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(pdf.data)).pages)
    assert text.count("Par code saisi (sans tracé) · 16/11/2026 à 10 h 30") == len(enrolments) + 1
    assert "confirmé depuis son compte personnel, avec le code de la feuille et son mot de passe" in text
    assert "confirmé depuis son compte personnel, avec son mot de passe" in text
