"""The audit export on a real queue: the request only enqueues, a worker (here in burst mode) runs it."""

import uuid

import pytest
import sqlalchemy as sa

from cfa import models as m
from cfa.extensions import db
from tests import factories as f

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_queue(app, tmp_path):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no local Redis server")
    name = f"cadence-test-{uuid.uuid4().hex[:8]}"
    app.config.update(REDIS_URL=REDIS_URL, EXPORT_QUEUE=name, EXPORT_DIR=str(tmp_path))
    yield connection, name
    from rq import Queue

    Queue(name, connection=connection).delete(delete_jobs=True)
    app.config.update(REDIS_URL=None)


def test_with_redis_the_request_enqueues_and_a_worker_finishes_the_export(login, redis_queue):
    from rq import Queue, SimpleWorker

    connection, name = redis_queue
    client = login(f.UserFactory.quality())
    assert client.post("/qualite/export-audit", data={"year": "2025"}).status_code == 302
    statuses = db.session.scalars(sa.select(m.ExportJob.status)).all()
    assert statuses == [m.ExportStatus.QUEUED, m.ExportStatus.QUEUED]  # nothing ran inside the request
    page = client.get("/qualite/export-audit").text
    assert 'http-equiv="refresh"' in page and "En attente" in page

    SimpleWorker([Queue(name, connection=connection)], connection=connection).work(burst=True)

    db.session.expire_all()
    jobs = db.session.scalars(sa.select(m.ExportJob).order_by(m.ExportJob.id)).all()
    assert [(j.status, j.progress) for j in jobs] == [(m.ExportStatus.DONE, 100)] * 2
    assert client.get(f"/qualite/export-audit/{jobs[0].id}/fichier").status_code == 200
