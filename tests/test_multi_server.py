"""Two app servers on one database: two processes, each with its own create_app(), share what a person does on
either — failed log-ins counted in Redis, a proof uploaded through one and read through the other.

Each server is a separate Python process on purpose: in one process every app shares the limiter object, so
they would share counters even in memory and the test could not fail."""

import json
import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from cfa import create_app
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Justification
from tests import factories as f
from tests.redis_server import REDIS, redis_up

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4 arret de travail"

SERVER = r"""
import io, json, sys
from cfa import create_app

settings, action, args = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3:]
client = create_app("testing", **settings).test_client()
if action == "failed-logins":
    answers = [
        client.post("/connexion", data={"email": "x@nulle.part", "password": "x"}).status_code
        for _ in range(int(args[0]))
    ]
    print(json.dumps(answers))
elif action == "upload-proof":
    email, password, day = args
    assert client.post("/connexion", data={"email": email, "password": password}).status_code == 302
    answer = client.post(
        "/moi/presences",
        data={"start_date": day, "end_date": day, "reason": "Arrêt maladie",
              "proof": (io.BytesIO(PDF), "arret.pdf")},
        content_type="multipart/form-data",
    )
    print(json.dumps(answer.status_code))
elif action == "read-proof":
    email, password, justification_id = args
    assert client.post("/connexion", data={"email": email, "password": password}).status_code == 302
    answer = client.get(f"/emargement/justificatifs/{justification_id}/piece")
    print(json.dumps([answer.status_code, answer.data.hex()]))
"""


def _server(settings: dict, action: str, *args: str):
    """One request cycle on an app server of its own (a new process, a new create_app()); its JSON answer."""
    code = "PDF = " + repr(PDF) + "\n" + SERVER
    result = subprocess.run(
        [sys.executable, "-c", code, json.dumps(settings), action, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def network(tmp_path):
    """One database and one uploads folder, as two app servers behind a proxy would share them."""
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shared.sqlite", "UPLOAD_DIR": str(tmp_path / "nfs")}
    app = create_app("testing", **settings)
    today = today_paris()
    with app.app_context():
        db.create_all()
        cohort = f.CohortFactory(start_date=today - timedelta(days=60), end_date=today + timedelta(days=300))
        enrolment = f.EnrolmentFactory(cohort=cohort)
        db.session.commit()
        apprentice = (enrolment.apprentice.email, f.TEST_PASSWORD)
        yield app, settings, apprentice, today
        db.session.remove()
        db.engine.dispose()


def test_a_proof_uploaded_on_one_server_is_read_on_the_other(network):
    app, settings, (email, password), today = network
    day = (today - timedelta(days=1)).isoformat()
    assert _server(settings, "upload-proof", email, password, day) == 302
    with app.app_context():
        (justification,) = db.session.scalars(db.select(Justification)).all()
        key = justification.proof_path
    status, data = _server(settings, "read-proof", email, password, str(justification.id))
    assert status == 200 and bytes.fromhex(data) == PDF
    # A server whose folder is not the shared one does not have it: the sharing is what the test shows.
    elsewhere = {**settings, "UPLOAD_DIR": settings["UPLOAD_DIR"] + "-local"}
    assert _server(elsewhere, "read-proof", email, password, str(justification.id))[0] == 404
    assert key.startswith("justificatifs/")


def _limited(settings: dict, storage: str, prefix: str) -> dict:
    return {**settings, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": storage, "RATELIMIT_KEY_PREFIX": prefix}


@pytest.mark.skipif(not redis_up() and not os.environ.get("CI"), reason="no Redis server on 127.0.0.1:6379")
def test_failed_log_ins_on_two_servers_count_together_in_redis(network):
    import redis

    _, settings, _, _ = network
    prefix = f"cadence-test-{uuid.uuid4().hex[:8]}"
    shared = _limited(settings, f"redis://{REDIS[0]}:{REDIS[1]}/15", prefix)
    try:
        first = _server(shared, "failed-logins", "6")
        second = _server(shared, "failed-logins", "6")
    finally:
        store = redis.Redis(*REDIS, db=15)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
    # Ten failed log-ins a minute from one address, wherever they land.
    assert first == [200] * 6 and second == [200] * 4 + [429] * 2


def test_counters_kept_in_a_worker_s_memory_are_not_shared(network):
    """What the Redis setting prevents: without it, each server counts alone and the limit doubles."""
    _, settings, _, _ = network
    alone = _limited(settings, "memory://", "cadence-test")
    assert _server(alone, "failed-logins", "6") == [200] * 6
    assert _server(alone, "failed-logins", "6") == [200] * 6


@pytest.mark.parametrize(
    "storage, secret, warned",
    [
        ("memory://", "k" * 40, ["Limites de tentatives"]),
        ("redis://127.0.0.1:6379/0", None, ["SECRET_KEY absente"]),
        ("redis://127.0.0.1:6379/0", "k" * 40, []),
    ],
)
def test_gunicorn_start_up_says_what_its_workers_would_not_share(monkeypatch, caplog, storage, secret, warned):
    from flask import Flask

    from cfa.extensions import _warn_of_what_workers_would_not_share

    monkeypatch.setattr(sys, "argv", ["/srv/cadence/.venv/bin/gunicorn", "wsgi:app"])
    if secret:
        monkeypatch.setenv("SECRET_KEY", secret)
    else:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    app = Flask("cadence-warnings")
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=storage)
    with caplog.at_level("WARNING"):
        _warn_of_what_workers_would_not_share(app)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == len(warned) and all(w in m for w, m in zip(warned, messages, strict=True))
