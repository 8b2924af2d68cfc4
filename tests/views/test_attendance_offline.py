"""The sheet taken without network, through HTTP: the route a device's queue is sent to, its token, the installable
app's manifest and service worker, and what leaves the device at log-out."""

import json
from datetime import datetime
from unittest import mock

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import MarkStatus, OfflineWrite
from cfa.services import attendance as att
from cfa.services.attendance import MarkInput
from tests import factories as f
from tests.views.test_attendance import DURING, SIGNATURE, enrolments, session  # noqa: F401 (fixtures)

DEVICE_AT = "2026-11-16T09:10:00.000Z"


@pytest.fixture
def frozen():
    """The server believes it is the morning of the session."""
    with (
        mock.patch("cfa.services.attendance.datetime") as clock,
        mock.patch("cfa.services.attendance_signatures.utcnow", return_value=DURING),
        mock.patch("cfa.services.attendance_sync.utcnow", return_value=DURING),
    ):
        clock.now.return_value = DURING
        clock.combine = datetime.combine
        yield


@pytest.fixture
def taken(session, enrolments, frozen):  # noqa: F811 (fixtures)
    att.mark_everyone_present(session, session.trainer, now=DURING)
    db.session.commit()
    return att.sheet_of(session).version


def body(enrolment_id, status="absent", seen="present:0:0", version=1, client_id="5b1c7a4e-offline", **extra):
    return {
        "id": client_id,
        "kind": "marks",
        "version": version,
        "device_at": DEVICE_AT,
        "fields": {f"status-{enrolment_id}": status, f"seen-{enrolment_id}": seen},
        "enrolment_id": None,
        **extra,
    }


def post(client, session_id, payload, **headers):
    return client.post(
        f"/emargement/seances/{session_id}/synchroniser",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Accept": "application/json", **headers},
    )


def test_a_queued_write_is_saved_once_and_a_retry_gets_the_same_answer(login, session, enrolments, taken):  # noqa: F811
    client = login(session.trainer)
    a = enrolments[0].id
    first = post(client, session.id, body(a, version=taken))
    assert first.status_code == 200 and first.json["status"] == "saved" and first.json["saved"] == 1
    retry = post(client, session.id, body(a, version=taken))
    assert retry.status_code == 200 and retry.json["replayed"] and retry.json["version"] == taken + 1
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.ABSENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineWrite)) == 1


def test_a_stale_write_lists_what_another_device_changed_meanwhile(login, session, enrolments, taken):  # noqa: F811
    a = enrolments[0].id
    att.save_marks(session, session.trainer, {a: MarkInput(MarkStatus.LATE, 10)}, {a: MarkInput(MarkStatus.PRESENT)})
    db.session.commit()
    response = post(login(session.trainer), session.id, body(a, version=taken))
    assert response.status_code == 200 and response.json["status"] == "conflict" and response.json["stale"]
    assert "en retard de 10 min (vous : absent·e)" in response.json["message"]
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.LATE


def test_a_signature_queued_offline_arrives_with_its_device_time(login, session, enrolments, taken):  # noqa: F811
    a = enrolments[0].id
    payload = {**body(a, version=taken), "kind": "sign", "enrolment_id": a, "fields": {"signature": SIGNATURE}}
    response = post(login(session.trainer), session.id, payload)
    assert response.status_code == 200, response.json
    mark = att.marks_of(att.sheet_of(session))[a]
    assert mark.signed_on_device_at.isoformat() == "2026-11-16T09:10:00+00:00" and mark.signed_at == DURING


def test_a_closed_sheet_refuses_the_write_in_french(login, session, enrolments, taken):  # noqa: F811
    att.sheet_of(session).closed_at = DURING
    db.session.commit()
    response = post(login(session.trainer), session.id, body(enrolments[0].id, version=taken))
    assert response.status_code == 409 and response.json["status"] == "refused"
    assert "verrouillée" in response.json["message"]
    assert att.marks_of(att.sheet_of(session))[enrolments[0].id].status == MarkStatus.PRESENT


@pytest.mark.parametrize("who", ["other_trainer", "apprentice", "tutor"])
def test_nobody_but_the_sheet_s_trainer_may_send_to_it(login, session, enrolments, taken, who):  # noqa: F811
    people = {
        "other_trainer": f.UserFactory.trainer(),
        "apprentice": enrolments[0].apprentice,
        "tutor": f.UserFactory.tutor(),
    }
    response = post(login(people[who]), session.id, body(enrolments[0].id, version=taken))
    assert response.status_code == 403
    assert att.marks_of(att.sheet_of(session))[enrolments[0].id].status == MarkStatus.PRESENT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineWrite)) == 0


@pytest.mark.parametrize(
    "payload, message",
    [
        ("pas du json", "Modification illisible"),
        ({"id": "5b1c7a4e-offline", "kind": "marks", "version": 1, "device_at": DEVICE_AT}, "Modification illisible"),
        ({**body(1), "device_at": "hier"}, "Heure de l'appareil illisible"),
        ({**body(1), "device_at": "2026-11-16T09:10:00"}, "sans fuseau"),
        ({**body(1), "version": "1"}, "Modification illisible"),
        ({**body(1), "fields": {"status-ENROLMENT": "perhaps"}}, "Statut de présence inconnu"),
    ],
)
def test_a_malformed_write_is_refused_in_french_and_writes_nothing(login, session, enrolments, taken, payload, message):  # noqa: F811
    client = login(session.trainer)
    if isinstance(payload, dict) and "status-ENROLMENT" in payload.get("fields", {}):
        payload = {**payload, "fields": {f"status-{enrolments[0].id}": "perhaps"}}
    response = client.post(
        f"/emargement/seances/{session.id}/synchroniser",
        data=payload if isinstance(payload, str) else json.dumps(payload),
        content_type="application/json",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400 and message in response.json["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineWrite)) == 0


def test_a_replayed_write_needs_a_fresh_csrf_token_from_the_session(app, login, session, enrolments, taken):  # noqa: F811
    client = login(session.trainer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = post(client, session.id, body(enrolments[0].id, version=taken))
        assert refused.status_code == 400 and "expiré" in refused.json["message"]
        token = client.get("/emargement/jeton").json["csrf_token"]
        accepted = post(client, session.id, body(enrolments[0].id, version=taken), **{"X-CSRFToken": token})
        assert accepted.status_code == 200 and accepted.json["status"] == "saved"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_app_can_be_installed_from_its_manifest(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest.mimetype == "application/manifest+json"
    data = json.loads(manifest.data)
    assert data["name"].startswith("Cadence") and data["display"] == "standalone" and data["start_url"] == "/"
    sizes = {icon["sizes"]: icon["src"] for icon in data["icons"] if icon["type"] == "image/png"}
    assert {"192x192", "512x512"} <= set(sizes)
    for size, src in sizes.items():
        png = client.get(src)
        assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
        width, height = int.from_bytes(png.data[16:20], "big"), int.from_bytes(png.data[20:24], "big")
        assert f"{width}x{height}" == size
    assert '<link rel="manifest" href="/manifest.webmanifest">' in client.get("/connexion").text


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/" and response.headers["Cache-Control"] == "no-cache"
    assert b"cadence-pages" in response.data


def test_log_out_clears_what_the_device_kept(login):
    client = login(f.UserFactory.trainer())
    response = client.logout()
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'


def test_only_the_trainer_s_own_sheets_of_today_are_kept_offline(login):
    from cfa.formatting import today_paris

    trainer = f.UserFactory.trainer()
    mine = f.SessionFactory(date=today_paris(), trainer=trainer)
    theirs = f.SessionFactory(date=today_paris(), trainer=f.UserFactory.trainer())
    client = login(f.UserFactory.admin())
    page = client.get("/emargement/aujourdhui").text
    assert f"/emargement/seances/{theirs.id}" in page  # an admin sees every sheet of the day
    assert "data-offline-page>" not in page  # but keeps none of others' on the device
    client.logout()
    page = login(trainer).get("/emargement/aujourdhui").text
    assert f'href="/emargement/seances/{mine.id}" data-offline-page>' in page
    assert f"/emargement/seances/{theirs.id}" not in page
