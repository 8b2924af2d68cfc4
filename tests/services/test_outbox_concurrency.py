"""`flask send-mail` started at once on two app servers: two real connections, two threads, and every message
delivered exactly once (the claim is one conditional UPDATE, see notifications._claim)."""

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import OutboxMessage
from cfa.services import notifications
from tests.views.test_attendance_concurrency import _together, shared_app  # noqa: F401  (fixture)

MESSAGES = 40


class _Smtp:
    """Records what would leave for the SMTP server; sending yields the thread, so both senders interleave."""

    def __init__(self, delivered: list, lock: threading.Lock):
        self.delivered, self.lock = delivered, lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send_message(self, message):
        with self.lock:
            self.delivered.append(message["To"])


def test_two_senders_at_once_deliver_each_message_exactly_once(shared_app, monkeypatch):  # noqa: F811
    if shared_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("several app servers share PostgreSQL; SQLite is one machine's database, with one cron")
    now = datetime.now(UTC)
    with shared_app.app_context():
        db.session.add_all(
            OutboxMessage(recipient=f"t{n}@exemple.test", subject="Planning", body_text="Lundi.", send_after=now)
            for n in range(MESSAGES)
        )
        db.session.commit()
    delivered, lock = [], threading.Lock()
    monkeypatch.setattr(notifications, "_connect", lambda config: _Smtp(delivered, lock))

    def sender():
        with shared_app.app_context():
            try:
                return notifications.send_outbox(shared_app.config, now=now, limit=25, after_each=db.session.commit)
            finally:
                db.session.remove()

    reports = _together(sender, sender)
    assert all(isinstance(r, notifications.SendReport) for r in reports), reports
    assert len(delivered) == len(set(delivered))  # never twice
    with shared_app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).where(OutboxMessage.sent_at.is_(None)))
    # What neither sender took (each takes at most 25) waits for the next run; nothing sent is counted unsent.
    assert sum(r.sent for r in reports) == len(delivered) == MESSAGES - left and left <= MESSAGES - 25
