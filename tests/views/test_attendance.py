"""Attendance pages: who may take, see and correct what; the sheet through the client; the documents."""

import base64
from datetime import UTC, date, datetime
from io import BytesIO
from unittest import mock

import pytest
from pypdf import PdfReader

from cfa.extensions import db
from cfa.models import JustificationStatus, MarkStatus, Role
from cfa.services import attendance as att
from cfa.services import attendance_codes as codes
from cfa.services.attendance import MarkInput
from cfa.storage import LocalFolderStore
from tests import factories as f

DAY = date(2026, 11, 16)
DURING = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def session():
    cohort = f.CohortFactory(name="MSADS Rennes 2026-2027", start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    module = f.ModuleFactory(programme=cohort.programme, title="Accueil et orientation des publics")
    return f.SessionFactory(cohort=cohort, date=DAY, trainer=f.UserFactory.trainer(), module=module)


@pytest.fixture
def enrolments(session):
    return [f.EnrolmentFactory(cohort=session.cohort) for _ in range(3)]


@pytest.fixture
def frozen():
    """The pages believe it is the morning of the session."""
    with (
        mock.patch("cfa.services.attendance.datetime") as clock,
        mock.patch("cfa.services.attendance_signatures.utcnow", return_value=DURING),
    ):
        clock.now.return_value = DURING
        clock.combine = datetime.combine
        yield


def test_a_trainer_takes_their_sheet_in_a_few_taps(login, session, enrolments, frozen):
    client = login(session.trainer)
    page = client.get(f"/emargement/seances/{session.id}")
    assert page.status_code == 200 and "Tous présents" in page.text
    for e in enrolments:
        assert e.apprentice.sort_name in page.text
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    a = enrolments[0].id
    response = client.post(
        f"/emargement/seances/{session.id}",
        data={f"status-{a}": "late", f"late-{a}": "20", f"seen-{a}": "present:0:0"},
    )
    assert response.status_code == 302
    marks = att.marks_of(att.sheet_of(session))
    assert marks[a].status == MarkStatus.LATE and marks[a].minutes_late == 20
    assert {m.status for eid, m in marks.items() if eid != a} == {MarkStatus.PRESENT}


def test_a_second_device_gets_a_french_message_and_loses_nothing(login, session, enrolments, frozen):
    client = login(session.trainer)
    a = enrolments[0].id
    client.post(f"/emargement/seances/{session.id}", data={f"status-{a}": "absent", f"seen-{a}": ""})
    response = client.post(
        f"/emargement/seances/{session.id}", data={f"status-{a}": "present", f"seen-{a}": ""}, follow_redirects=True
    )
    assert "Non enregistré (déjà saisi autrement)" in response.text
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.ABSENT


def test_a_trainer_cannot_open_another_trainer_s_sheet(login, session, enrolments):
    client = login(f.UserFactory.trainer())
    for method, url in (
        ("GET", f"/emargement/seances/{session.id}"),
        ("POST", f"/emargement/seances/{session.id}"),
        ("POST", f"/emargement/seances/{session.id}/clore"),
        ("POST", f"/emargement/seances/{session.id}/signer/{enrolments[0].id}"),
        ("POST", f"/emargement/seances/{session.id}/corriger"),
        ("GET", f"/emargement/seances/{session.id}/code"),
        ("POST", f"/emargement/seances/{session.id}/code"),
        ("GET", f"/emargement/seances/{session.id}/etat"),
        ("GET", f"/emargement/seances/{session.id}/feuille.pdf"),
        ("GET", f"/emargement/seances/{session.id}/historique"),
    ):
        assert client.open(url, method=method).status_code == 403, url
    assert att.sheet_of(session) is None


@pytest.mark.parametrize("role", [Role.APPRENTICE, Role.TUTOR, Role.QUALITY, Role.LEARNER])
def test_other_roles_cannot_take_or_follow_attendance(login, session, role):
    client = login(f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None))
    for url in (f"/emargement/seances/{session.id}", "/emargement/aujourdhui"):
        assert client.get(url).status_code == 403, url
    # The quality team reads the follow-up (Qualiopi 12); tests/views/test_quality_reading.py checks it acts on nothing.
    assert client.get("/emargement/").status_code == (200 if role == Role.QUALITY else 403)


def test_a_trainer_is_refused_the_cfa_follow_up(login, session):
    assert login(session.trainer).get("/emargement/").status_code == 403


def test_an_admin_may_take_any_sheet(login, session, enrolments, frozen):
    client = login(f.UserFactory.admin())
    assert client.get(f"/emargement/seances/{session.id}").status_code == 200
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    assert len(att.marks_of(att.sheet_of(session))) == 3


def test_signing_on_the_trainer_device_and_closing(login, session, enrolments, frozen):
    client = login(session.trainer)
    client.post(f"/emargement/seances/{session.id}/signer/{enrolments[0].id}", data={"signature": SIGNATURE})
    mark = att.marks_of(att.sheet_of(session))[enrolments[0].id]
    assert mark.signature == PNG and mark.signature_method.value == "trainer_device"
    refused = client.post(
        f"/emargement/seances/{session.id}/clore", data={"signature": SIGNATURE}, follow_redirects=True
    )
    assert "Marquez d&#39;abord" in refused.text
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    unsigned = client.post(
        f"/emargement/seances/{session.id}/clore", data={"signature": SIGNATURE}, follow_redirects=True
    )
    assert "Signature manquante pour" in unsigned.text and att.sheet_of(session).closed_at is None
    for e in enrolments[1:]:
        assert e.apprentice.full_name in unsigned.text
    assert enrolments[0].apprentice.full_name not in unsigned.text.split("Signature manquante pour")[1].split(".")[0]
    b, c = enrolments[1].id, enrolments[2].id
    reasons = {f"unsigned-{b}": "paper", f"unsigned-{c}": "other", f"unsigned-note-{c}": "Main plâtrée"}
    early = client.post(
        f"/emargement/seances/{session.id}/clore", data={"signature": SIGNATURE, **reasons}, follow_redirects=True
    )
    assert "se termine à 12 h 30" in early.text and att.sheet_of(session).closed_at is None
    client.post(
        f"/emargement/seances/{session.id}/clore",
        data={"signature": SIGNATURE, **reasons, "early_reason": "Sortie pédagogique à 11 h"},
    )
    sheet = att.sheet_of(session)
    assert sheet.closed_at is not None and sheet.early_close_reason == "Sortie pédagogique à 11 h"
    marks = att.marks_of(sheet)
    assert (marks[b].unsigned_reason.value, marks[c].unsigned_reason.value, marks[c].unsigned_note) == (
        "paper",
        "other",
        "Main plâtrée",
    )
    locked = client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"}, follow_redirects=True)
    assert "verrouillée" in locked.text


def test_a_correction_after_locking_is_listed_in_the_history(login, session, enrolments, frozen):
    client = login(session.trainer)
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    client.post(f"/emargement/seances/{session.id}/clore", data={"signature": SIGNATURE})
    target = enrolments[1]
    missing = client.post(
        f"/emargement/seances/{session.id}/corriger",
        data={"correction-enrolment_id": target.id, "correction-status": "absent", "correction-reason": ""},
    )
    assert missing.status_code == 422
    client.post(
        f"/emargement/seances/{session.id}/corriger",
        data={
            "correction-enrolment_id": target.id,
            "correction-status": "absent",
            "correction-reason": "Était en visite médicale",
        },
    )
    page = client.get(f"/emargement/seances/{session.id}/historique")
    assert (
        "Était en visite médicale" in page.text and target.apprentice.full_name in page.text and "présent" in page.text
    )


def test_an_apprentice_signs_in_with_the_code_and_cannot_twice(login, session, enrolments):
    sheet = att.lock_sheet(session)
    apprentice = enrolments[0].apprentice
    client = login(apprentice)
    with mock.patch("cfa.services.attendance_codes.datetime") as clock:
        clock.now.return_value = DURING
        clock.fromtimestamp = datetime.fromtimestamp
        code = codes.current_code(sheet, DURING)[0]
        first = client.post("/moi/emargement", data={"code": code})
        assert first.status_code == 302
        again = client.post("/moi/emargement", data={"code": code})
    assert "déjà émargé" in again.text
    assert att.marks_of(sheet)[enrolments[0].id].signature_method.value == "qr"


def test_an_apprentice_cannot_sign_in_for_another_session_or_outside_it(login, session, enrolments):
    sheet = att.lock_sheet(session)
    outsider = f.EnrolmentFactory()
    client = login(outsider.apprentice)
    with mock.patch("cfa.services.attendance_codes.datetime") as clock:
        clock.now.return_value = DURING
        response = client.post("/moi/emargement", data={"code": codes.current_code(sheet, DURING)[0]})
    assert "Aucune séance en cours" in response.text
    assert att.marks_of(sheet) == {}


def test_an_apprentice_sends_a_justification_checked_by_content(login, enrolments, app):
    enrolment = enrolments[0]
    client = login(enrolment.apprentice)
    with mock.patch("cfa.views.me.attendance.today_paris", return_value=DAY):
        bad = client.post(
            "/moi/presences",
            data={
                "start_date": "2026-11-16",
                "end_date": "2026-11-16",
                "reason": "Malade",
                "proof": (BytesIO(b"not a pdf"), "arret.pdf"),
            },
            content_type="multipart/form-data",
        )
        assert "PDF, une image JPEG ou PNG" in bad.text
        good = client.post(
            "/moi/presences",
            data={
                "start_date": "2026-11-16",
                "end_date": "2026-11-16",
                "reason": "Malade",
                "proof": (BytesIO(b"%PDF-1.4 x"), "arret.pdf"),
            },
            content_type="multipart/form-data",
        )
    assert good.status_code == 302
    (justification,) = enrolment_justifications(enrolment)
    assert justification.status == JustificationStatus.PENDING and justification.proof_mimetype == "application/pdf"
    assert client.get(f"/emargement/justificatifs/{justification.id}/piece").status_code == 200


def enrolment_justifications(enrolment):
    from cfa.services.absences import justifications_of

    return justifications_of([enrolment.id])


def test_the_proof_is_not_shown_to_the_employer_or_other_apprentices(client, enrolments, tmp_path):
    from cfa.services import justifications

    enrolment = enrolments[0]
    justification = justifications.submit(
        enrolment, enrolment.apprentice, DAY, DAY, "Malade", "a.pdf", BytesIO(b"%PDF-1.4 x"), LocalFolderStore(tmp_path)
    )
    for user in (enrolment.tutor, enrolments[1].apprentice):
        client.login(user)
        assert client.get(f"/emargement/justificatifs/{justification.id}/piece").status_code == 404
        client.logout()


def test_the_admin_accepts_or_refuses_justifications(login, session, enrolments, tmp_path, frozen):
    from cfa.services import justifications

    enrolment = enrolments[0]
    att.save_marks(session, session.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {})
    first = justifications.submit(
        enrolment, enrolment.apprentice, DAY, DAY, "Malade", None, None, LocalFolderStore(tmp_path)
    )
    second = justifications.submit(
        enrolment, enrolment.apprentice, DAY, DAY, "Panne", None, None, LocalFolderStore(tmp_path)
    )
    client = login(f.UserFactory.admin())
    assert "Malade" in client.get("/emargement/").text
    client.post(f"/emargement/justificatifs/{first.id}/accepter")
    client.post(f"/emargement/justificatifs/{second.id}/refuser", data={"refusal_reason": ""})
    db.session.refresh(second)
    assert second.status == JustificationStatus.PENDING
    client.post(f"/emargement/justificatifs/{second.id}/refuser", data={"refusal_reason": "Pas de pièce"})
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.status == JustificationStatus.ACCEPTED and second.status == JustificationStatus.REFUSED
    assert att.marks_of(att.sheet_of(session))[enrolment.id].justification_id == first.id


def test_a_tutor_sees_their_apprentices_absences_only(login, session, enrolments, frozen):
    mine, other = enrolments[0], enrolments[1]
    att.save_marks(
        session, session.trainer, {mine.id: MarkInput(MarkStatus.ABSENT), other.id: MarkInput(MarkStatus.ABSENT)}, {}
    )
    with mock.patch("cfa.views.employer.absences.today_paris", return_value=DAY):
        page = login(mine.tutor).get("/employeur/absences")
    assert mine.apprentice.full_name in page.text and other.apprentice.full_name not in page.text


def test_the_sheet_pdf_holds_the_names_the_date_and_the_hours(login, session, enrolments, frozen):
    client = login(session.trainer)
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    response = client.get(f"/emargement/seances/{session.id}/feuille.pdf")
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    assert "Feuille d'émargement" in text and "Lundi 16 novembre 2026" in text and "9 h 00" in text and "3 h 30" in text
    for e in enrolments:
        assert e.apprentice.last_name.upper() in text


def test_the_certificat_de_realisation_states_the_hours_from_the_marks(login, session, enrolments, frozen):
    f.OrganisationFactory()
    a = enrolments[0]
    att.save_marks(session, session.trainer, {a.id: MarkInput(MarkStatus.LATE, 30)}, {})
    client = login(f.UserFactory.admin())
    response = client.get(f"/emargement/inscriptions/{a.id}/certificat-realisation.pdf?du=2026-11-01&au=2026-11-30")
    text = PdfReader(BytesIO(response.data)).pages[0].extract_text()
    for expected in (
        "Certificat de réalisation",
        a.apprentice.full_name,
        a.employer.name,
        "3 h réalisées",
        "01/11/2026",
        "30/11/2026",
        "action de formation par apprentissage",
        "3 ans",
    ):
        assert expected.lower() in text.lower(), expected
    zipped = client.get(f"/emargement/promotions/{session.cohort_id}/certificats-2026-11.zip")
    import zipfile

    assert len(zipfile.ZipFile(BytesIO(zipped.data)).namelist()) == 3


def test_an_apprentice_downloads_their_own_documents_only(client, enrolments):
    mine, other = enrolments[:2]
    client.login(mine.apprentice)
    assert client.get(f"/emargement/inscriptions/{mine.id}/attestation-assiduite.pdf?au=2026-11-30").status_code == 200
    assert client.get(f"/emargement/inscriptions/{other.id}/attestation-assiduite.pdf").status_code == 403
    assert client.get(f"/emargement/inscriptions/{other.id}/certificat-realisation.pdf").status_code == 403


def test_the_day_page_lists_the_trainer_s_sessions_in_a_fixed_number_of_queries(login, session, count_queries):
    client = login(session.trainer)
    with count_queries() as few:
        client.get(f"/emargement/aujourdhui?jour={DAY.isoformat()}")
    for half in (f.m.HalfDay.PM,):
        f.SessionFactory(cohort=f.CohortFactory(), date=DAY, half_day=half, trainer=session.trainer)
    with count_queries() as more:
        page = client.get(f"/emargement/aujourdhui?jour={DAY.isoformat()}")
    assert session.cohort.name in page.text and len(more) <= len(few) + 1


def test_an_apprentice_may_sign_on_their_own_phone_with_the_code(login, session, enrolments):
    sheet = att.lock_sheet(session)
    client = login(enrolments[1].apprentice)
    with mock.patch("cfa.services.attendance_codes.datetime") as clock:
        clock.now.return_value = DURING
        code = codes.current_code(sheet, DURING)[0]
        bad = client.post("/moi/emargement", data={"code": code, "signature": "data:image/png;base64,AAAA"})
        assert "signature n&#39;a pas pu être lue" in bad.text and att.marks_of(sheet) == {}
        client.post("/moi/emargement", data={"code": code, "signature": SIGNATURE})
    mark = att.marks_of(sheet)[enrolments[1].id]
    assert mark.signature == PNG and mark.signature_method.value == "own_device"


def test_the_trainer_enters_a_late_arrival_and_an_early_leave_on_one_line(login, session, enrolments, frozen):
    client = login(session.trainer)
    page = client.get(f"/emargement/seances/{session.id}")
    a = enrolments[0].id
    assert f'name="late-{a}"' in page.text and f'name="early-{a}"' in page.text
    client.post(
        f"/emargement/seances/{session.id}",
        data={f"status-{a}": "late", f"late-{a}": "20", f"early-{a}": "30", f"seen-{a}": ""},
    )
    mark = att.marks_of(att.sheet_of(session))[a]
    assert (mark.status, mark.minutes_late, mark.minutes_left_early) == (MarkStatus.LATE, 20, 30)


def test_a_signed_row_is_read_only_and_a_save_over_it_is_refused_in_french(login, session, enrolments, frozen):
    client = login(session.trainer)
    a = enrolments[0].id
    client.post(f"/emargement/seances/{session.id}/signer/{a}", data={"signature": SIGNATURE})
    page = client.get(f"/emargement/seances/{session.id}")
    assert "Une modification passe par une correction motivée" in page.text and "Corriger un émargement" in page.text
    refused = client.post(
        f"/emargement/seances/{session.id}",
        data={f"status-{a}": "absent", f"seen-{a}": "present:0:0"},
        follow_redirects=True,
    )
    assert "déjà signé par l&#39;apprenti·e" in refused.text
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.PRESENT
    client.post(
        f"/emargement/seances/{session.id}/corriger",
        data={
            "correction-enrolment_id": a,
            "correction-status": "left_early",
            "correction-minutes_left_early": "45",
            "correction-reason": "Partie à 11 h 45 pour un rendez-vous",
        },
    )
    mark = att.marks_of(att.sheet_of(session))[a]
    assert (mark.status, mark.minutes_left_early) == (MarkStatus.LEFT_EARLY, 45)
    history_page = client.get(f"/emargement/seances/{session.id}/historique")
    assert "Partie à 11 h 45 pour un rendez-vous" in history_page.text and "Correction" in history_page.text
    sheet_page = client.get(f"/emargement/seances/{session.id}")
    assert "* corrigé le" in sheet_page.text


def test_the_sheet_page_lists_apart_who_enrolled_after_it_closed(login, session, enrolments, frozen):
    client = login(session.trainer)
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    paper = {f"unsigned-{e.id}": "paper" for e in enrolments}
    client.post(
        f"/emargement/seances/{session.id}/clore", data={"signature": SIGNATURE, "early_reason": "Sortie", **paper}
    )
    newcomer = f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 11, 2))
    page = client.get(f"/emargement/seances/{session.id}")
    assert "inscrit·e après la clôture" in page.text
    listed = page.text.split("Inscrit·es après la clôture")[1]
    assert newcomer.apprentice.sort_name in listed
    roster = page.text.split('<ol class="roster">')[1].split("</ol>")[0]
    assert newcomer.apprentice.sort_name not in roster


@pytest.mark.parametrize(
    "method, path, data, code, message",
    [
        ("POST", "/emargement/seances/{s}", {"status-{a}": "teleported"}, 400, "Statut de présence inconnu"),
        (
            "POST",
            "/emargement/seances/{s}",
            {"status-{a}": "present", "seen-{a}": "nope:0:0"},
            400,
            "Statut de présence inconnu",
        ),
        ("POST", "/emargement/seances/{s}", {"status-{a}": "late", "late-{a}": "vingt"}, 400, "nombre entier"),
        ("POST", "/emargement/seances/{s}", {"status-{a}": "late", "late-{a}": "9" * 40}, 400, "nombre entier"),
        ("POST", "/emargement/seances/{s}", {"status-{a}": "late", "seen-{a}": "late:x:0"}, 400, "nombre entier"),
        (
            "POST",
            "/emargement/seances/{s}/clore",
            {"signature": SIGNATURE, "unsigned-{a}": "dog-ate-it"},
            400,
            "Motif d&#39;absence de signature inconnu",
        ),
        (
            "POST",
            "/emargement/seances/{s}/corriger",
            {"correction-status": "teleported", "correction-reason": "xxxxxx"},
            400,
            "Statut de présence inconnu",
        ),
        (
            "POST",
            "/emargement/seances/{s}/corriger",
            {"correction-enrolment_id": "999999", "correction-status": "absent", "correction-reason": "xxxxxx"},
            400,
            "pas sur cette feuille",
        ),
        (
            "POST",
            "/emargement/seances/{s}/corriger",
            {
                "correction-enrolment_id": "{a}",
                "correction-status": "late",
                "correction-minutes_late": "dix",
                "correction-reason": "xxxxxx",
            },
            400,
            "nombre entier",
        ),
        ("GET", "/emargement/aujourdhui?jour=9999-12-31", None, 404, "Date hors limites"),
        ("GET", "/emargement/aujourdhui?jour=0001-01-01", None, 404, "Date hors limites"),
        ("GET", "/emargement/aujourdhui?jour=2026-02-30", None, 404, "Date invalide"),
        ("GET", "/emargement/seances/{s}/historique?page=99999999999999999999", None, 404, "n&#39;existe pas"),
        ("GET", "/emargement/seances/{s}/historique?page=-1", None, 404, "n&#39;existe pas"),
        ("GET", "/emargement/seances/{s}/historique?page=7", None, 404, "n&#39;existe pas"),
        ("GET", "/emargement/seances/999999/feuille.pdf", None, 404, "n&#39;existe pas"),
        ("GET", "/emargement/seances/999999", None, 404, "n&#39;existe pas"),
        ("POST", "/emargement/seances/999999", {"action": "all-present"}, 404, "n&#39;existe pas"),
        ("GET", "/emargement/promotions/{c}/semaine.pdf?du=9999-12-31", None, 404, "Date hors limites"),
    ],
)
def test_bad_values_on_attendance_routes_get_a_french_400_or_404(
    login, session, enrolments, frozen, method, path, data, code, message
):
    client = login(f.UserFactory.admin())
    a = enrolments[0].id
    url = path.format(s=session.id, c=session.cohort_id, a=a)
    form = {k.format(a=a): v.format(a=a) for k, v in (data or {}).items()}
    response = client.open(url, method=method, data=form)
    assert response.status_code == code, response.text[:300]
    assert message in response.text
    assert att.sheet_of(session) is None or att.marks_of(att.sheet_of(session)) == {}


def test_the_sheet_page_runs_a_fixed_number_of_queries_whatever_the_roster(
    login, session, enrolments, frozen, count_queries
):
    client = login(session.trainer)
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    with count_queries() as few:
        client.get(f"/emargement/seances/{session.id}")
    for _ in range(6):
        f.EnrolmentFactory(cohort=session.cohort)
    client.post(f"/emargement/seances/{session.id}", data={"action": "all-present"})
    with count_queries() as more:
        page = client.get(f"/emargement/seances/{session.id}")
    assert page.status_code == 200 and len(more) == len(few)


def test_opening_the_self_sign_in_code_creates_the_sheet_by_post_and_renewals_only_read(login, session, enrolments):
    client = login(session.trainer)
    before = client.get(f"/emargement/seances/{session.id}/code")
    assert before.status_code == 409 and att.sheet_of(session) is None  # no write during a GET
    opened = client.post(f"/emargement/seances/{session.id}/code")
    assert opened.status_code == 200 and len(opened.json["code"]) == 6 and att.sheet_of(session) is not None
    renewed = client.get(f"/emargement/seances/{session.id}/code")
    assert renewed.status_code == 200 and renewed.json["code"]
