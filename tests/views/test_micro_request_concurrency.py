"""Two assessors recording the results of one micro-certification request at the same instant: one is recorded,
the other is told the results are already in, and each domain acquired is awarded once, never twice. And a request
sent twice at once (a double click) is recorded once.

Same set-up as the attendance scenarios (committed data, an app with its own pool, two threads behind a barrier):
the fixture and helpers are those of tests/views/test_attendance_concurrency.py.
"""

import time
from functools import partial
from unittest import mock

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Award, MicroCertRequest, MicroCertRequestDomain, RequestStatus
from cfa.services import micro_requests
from tests import factories as f
from tests.views.test_attendance_concurrency import PAIRS, Tally, _client, _failed, _together, shared_app

__all__ = ["shared_app"]  # the fixture, imported to be used here


def _scheduled_request(app):
    """A request for two domains, its assessment today with a trainer; and an administrator who may record too."""
    with app.app_context():
        learner = f.TraineeEnrolmentFactory().apprentice
        trainer, admin = f.UserFactory.trainer(), f.UserFactory.admin()
        request = f.MicroCertRequestFactory(learner=learner, requested_on=today_paris())
        for micro in (f.MicroCertificationFactory(domain=1), f.MicroCertificationFactory(domain=2)):
            request.domains.append(MicroCertRequestDomain(micro_certification=micro))
        request.schedule(today_paris(), trainer.id)
        db.session.commit()
        _ = trainer.email, admin.email  # loaded before the session ends: the clients log in with them
        ids = request.id, [row.id for row in request.domains], learner.id, trainer, admin
        db.session.remove()
        return ids


def _outcome(app, request_id, learner_id):
    with app.app_context():
        awards = db.session.scalar(sa.select(sa.func.count(Award.id)).where(Award.learner_id == learner_id))
        status = db.session.scalar(sa.select(MicroCertRequest.status).where(MicroCertRequest.id == request_id))
        return awards, status


def _slowed(name: str):
    """The service's step `name` takes a moment, as a slow disk would: both requests are then surely past their
    checks at the same time, and only the lock keeps the second from writing too."""
    real = getattr(micro_requests, name)

    def slow(*args, **kwargs):
        time.sleep(0.05)
        return real(*args, **kwargs)

    return mock.patch.object(micro_requests, name, side_effect=slow)


@pytest.fixture
def slow_award():
    with _slowed("award_micro_certification"):
        yield


@pytest.fixture
def slow_request():
    with _slowed("_check_source"):  # after the checks of the domains, before the request is written
        yield


def test_two_assessors_recording_at_once_issue_each_award_once(shared_app, slow_award):
    tally = Tally()
    for _ in range(PAIRS):
        request_id, rows, learner_id, trainer, admin = _scheduled_request(shared_app)
        url = f"/formations-courtes/micro-certifications/{request_id}/resultats"
        data = {f"acquired_{row}": "1" for row in rows}
        one, two = _client(shared_app, trainer), _client(shared_app, admin)
        responses = _together(partial(one.post, url, data=data), partial(two.post, url, data=data))
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        awards, status = _outcome(shared_app, request_id, learner_id)
        recorded = sorted(r.status_code for r in responses)
        refused = [r.get_data(as_text=True) for r in responses if r.status_code == 422]
        # One recording wins (redirect); the other waited for it and is told the results are in; two awards.
        told = len(refused) == 1 and "ont déjà été saisis" in refused[0]
        tally.lost += not (recorded == [302, 422] and told and awards == 2 and status == RequestStatus.ASSESSED)
    assert tally.report("micro-certification results") == (0, [])


def test_a_request_sent_twice_at_once_is_recorded_once(shared_app, slow_request):
    tally = Tally()
    for _ in range(PAIRS):
        with shared_app.app_context():
            learner = f.TraineeEnrolmentFactory().apprentice
            micro = f.MicroCertificationFactory(domain=1)
            db.session.commit()
            _ = learner.email
            micro_id, learner_id = micro.id, learner.id
            db.session.remove()
        one, two = _client(shared_app, learner), _client(shared_app, learner)
        data = {"domains": [micro_id]}
        responses = _together(*(partial(c.post, "/moi/micro-certifications", data=data) for c in (one, two)))
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        with shared_app.app_context():
            requests = db.session.scalar(
                sa.select(sa.func.count(MicroCertRequest.id)).where(MicroCertRequest.learner_id == learner_id)
            )
        tally.lost += not (requests == 1 and sorted(r.status_code for r in responses) == [302, 422])
    assert tally.report("requests sent twice") == (0, [])
