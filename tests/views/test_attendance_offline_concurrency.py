"""One write of a device's offline queue delivered twice at the same instant (the phone retried while the first
answer was on its way): it is applied once, both deliveries get its answer, nobody gets an error page.

Two threads with two real connections, behind a barrier, on the shared app of the attendance concurrency tests.
"""

import json
from functools import partial
from unittest import mock

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AttendanceSheet, MarkStatus, OfflineWrite
from tests.views.test_attendance_concurrency import (  # noqa: F401 (fixtures)
    DURING,
    PAIRS,
    _a_session,
    _client,
    _failed,
    _sheet,
    _together,
    clock,
    shared_app,
)


def test_a_write_delivered_twice_at_once_is_applied_once(shared_app, clock):  # noqa: F811
    with mock.patch("cfa.services.attendance_sync.utcnow", return_value=DURING):
        for pair in range(PAIRS):
            session_id, (a, _b), trainer, _people = _a_session(shared_app, all_present=True)
            with shared_app.app_context():
                version = db.session.scalar(
                    sa.select(AttendanceSheet.version).where(AttendanceSheet.session_id == session_id)
                )
            body = json.dumps(
                {
                    "id": f"retry-{pair:04d}-0000",
                    "kind": "marks",
                    "version": version,
                    "device_at": "2026-11-16T09:10:00Z",
                    "fields": {f"status-{a}": "absent", f"seen-{a}": "present:0:0"},
                }
            )
            one, two = _client(shared_app, trainer), _client(shared_app, trainer)
            url = f"/emargement/seances/{session_id}/synchroniser"
            post = dict(data=body, content_type="application/json", headers={"Accept": "application/json"})
            responses = _together(partial(one.post, url, **post), partial(two.post, url, **post))
            assert not [_failed(r) for r in responses if _failed(r)]
            answers = [r.get_json() for r in responses]
            assert [a["status"] for a in answers] == ["saved", "saved"]
            assert sorted(a["replayed"] for a in answers) == [False, True]
            sheet, marks, events = _sheet(shared_app, session_id)
            assert sheet.version == version + 1 and marks[a][0] == MarkStatus.ABSENT
            with shared_app.app_context():
                count = (
                    sa.select(sa.func.count()).select_from(OfflineWrite).where(OfflineWrite.session_id == session_id)
                )
                assert db.session.scalar(count) == 1
