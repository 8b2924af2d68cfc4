"""Two devices on one sheet at the same instant: no mark is lost, nobody gets an error page.

These tests need data that other connections can see, so they commit it (in an app of their own, with its own
connection pool) and delete it afterwards: the rolled-back transaction of the other tests would hide it.
Each pair of requests starts together behind a barrier, from two threads with two real connections.
"""

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from unittest import mock

import pytest
import sqlalchemy as sa

from cfa import create_app
from cfa.extensions import db
from cfa.models import AttendanceMark, AttendanceSheet, AuditEvent, MarkStatus, SignatureMethod
from cfa.services import attendance_codes as codes
from tests import factories as f
from tests.factories import TEST_PASSWORD

DAY = date(2026, 11, 16)
DURING = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # 10:30 in Paris, the morning session is running
PAIRS = 8
POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")


@dataclass
class Tally:
    pairs: int = 0
    lost: int = 0
    errors: list[str] = field(default_factory=list)

    def report(self, scenario: str) -> tuple[int, list[str]]:
        """Printed for the issue's figures (pytest -s), then what the test asserts: nothing lost, no error."""
        print(f"TALLY {scenario}: pairs={self.pairs} lost={self.lost} errors={len(self.errors)} {self.errors[:1]}")
        return self.lost, self.errors


@pytest.fixture(
    params=[
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres_only,
                pytest.mark.skipif(not POSTGRES, reason="needs PostgreSQL (TEST_DATABASE_URL)"),
            ],
        ),
        "sqlite",
    ]
)
def shared_app(request, tmp_path):
    """An app whose writes are committed and seen by every connection, emptied afterwards."""
    url = os.environ["TEST_DATABASE_URL"] if request.param == "postgresql" else f"sqlite:///{tmp_path}/shared.sqlite"
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        PROPAGATE_EXCEPTIONS=False,  # an unexpected exception must answer 500, as in production
        UPLOAD_DIR=str(tmp_path / "uploads"),
        KEYS_DIR=str(tmp_path / "keys"),
    )
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
            db.engine.dispose()


@pytest.fixture
def clock():
    """Both devices believe it is the morning of the session."""
    with (
        mock.patch("cfa.services.attendance.datetime") as service_clock,
        mock.patch("cfa.services.attendance_signatures.utcnow", return_value=DURING),
        mock.patch("cfa.services.attendance_codes.datetime") as codes_clock,
    ):
        for patched in (service_clock, codes_clock):
            patched.now.return_value = DURING
            patched.combine = datetime.combine
            patched.fromtimestamp = datetime.fromtimestamp
        yield


def _client(app, user):
    client = app.test_client()
    response = client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def _together(*calls):
    """Run the calls at the same instant from as many threads; return their responses (or exceptions)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # counted as an error page
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _failed(response) -> str | None:
    if isinstance(response, Exception):
        return repr(response)
    if response.status_code >= 500:
        return f"HTTP {response.status_code}"
    return None


def _sheet(app, session_id):
    with app.app_context():
        sheet = db.session.scalar(sa.select(AttendanceSheet).where(AttendanceSheet.session_id == session_id))
        marks = {}
        if sheet is not None:
            marks = {
                m.enrolment_id: m
                for m in db.session.scalars(sa.select(AttendanceMark).where(AttendanceMark.sheet_id == sheet.id))
            }
            marks = {eid: (m.status, m.minutes_late, m.signed_at is not None) for eid, m in marks.items()}
        events = list(
            db.session.execute(
                sa.select(AuditEvent.before, AuditEvent.after)
                .where(
                    AuditEvent.context_entity == "attendance_sheet",
                    AuditEvent.context_id == (sheet.id if sheet else -1),
                )
                .order_by(AuditEvent.id)
            )
        )
        return sheet, marks, events


def _a_session(app, *, all_present=False, closed=False, apprentices=2):
    """A running morning session of a new cohort, its trainer and apprentices; optionally already marked."""
    with app.app_context():
        session = f.running_session(DAY)
        cohort = session.cohort
        enrolments = [f.EnrolmentFactory(cohort=cohort) for _ in range(apprentices)]
        if all_present or closed:
            sheet = f.AttendanceSheetFactory(session=session, qr_secret="s" * 64, closed_at=DURING if closed else None)
            for e in enrolments:
                f.AttendanceMarkFactory(
                    sheet=sheet,
                    enrolment=e,
                    status=MarkStatus.PRESENT,
                    signed_at=DURING if closed else None,
                    signature_method=SignatureMethod.TRAINER_DEVICE if closed else None,
                )
        elif apprentices:
            f.AttendanceSheetFactory(session=session, qr_secret="s" * 64)
        db.session.commit()
        ids = session.id, [e.id for e in enrolments], session.trainer, [e.apprentice for e in enrolments]
        db.session.remove()
        return ids


def _saved(response) -> bool:
    """The device was told its choice was recorded (and not that it was kept out)."""
    text = response.get_data(as_text=True)
    return "enregistré(s)" in text and "Non enregistré" not in text


def test_two_first_saves_of_a_new_sheet_keep_both_marks(shared_app, clock):
    tally = Tally()
    for _ in range(PAIRS):
        with shared_app.app_context():
            session = f.running_session(DAY)
            cohort = session.cohort
            a, b = (f.EnrolmentFactory(cohort=cohort) for _ in range(2))
            db.session.commit()
            session_id, a_id, b_id, trainer = session.id, a.id, b.id, session.trainer
            db.session.remove()
        one, two = _client(shared_app, trainer), _client(shared_app, trainer)
        url = f"/emargement/seances/{session_id}"
        responses = _together(
            partial(one.post, url, data={f"status-{a_id}": "absent", f"seen-{a_id}": ""}, follow_redirects=True),
            partial(
                two.post,
                url,
                data={f"status-{b_id}": "late", f"late-{b_id}": "10", f"seen-{b_id}": ""},
                follow_redirects=True,
            ),
        )
        tally.pairs += 1
        tally.errors += [e for e in map(_failed, responses) if e]
        _, marks, _ = _sheet(shared_app, session_id)
        tally.lost += (marks.get(a_id, (None,))[0] != MarkStatus.ABSENT) + (
            marks.get(b_id, (None,))[0] != MarkStatus.LATE
        )
    assert tally.report("first saves") == (0, [])


def test_two_devices_changing_the_same_row_never_overwrite_each_other_silently(shared_app, clock):
    tally = Tally()
    for _ in range(PAIRS):
        session_id, (a_id, _b), trainer, _ = _a_session(shared_app, all_present=True)
        one, two = _client(shared_app, trainer), _client(shared_app, trainer)
        url = f"/emargement/seances/{session_id}"
        responses = _together(
            partial(
                one.post, url, data={f"status-{a_id}": "absent", f"seen-{a_id}": "present:0:0"}, follow_redirects=True
            ),
            partial(
                two.post,
                url,
                data={f"status-{a_id}": "late", f"late-{a_id}": "10", f"seen-{a_id}": "present:0:0"},
                follow_redirects=True,
            ),
        )
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        _, marks, _ = _sheet(shared_app, session_id)
        told_saved = [
            status for status, r in zip((MarkStatus.ABSENT, MarkStatus.LATE), responses, strict=True) if _saved(r)
        ]
        # Exactly one device wins, and the other is told its choice was not recorded.
        tally.lost += not (len(told_saved) == 1 and marks[a_id][0] == told_saved[0])
    assert tally.report("same row") == (0, [])


def test_a_signature_and_a_save_of_the_same_row_at_once(shared_app, clock):
    signature = "data:image/png;base64,iVBORw0KGgoAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    tally = Tally()
    for _ in range(PAIRS):
        session_id, (a_id, _b), trainer, _ = _a_session(shared_app, all_present=True)
        one, two = _client(shared_app, trainer), _client(shared_app, trainer)
        url = f"/emargement/seances/{session_id}"
        responses = _together(
            partial(one.post, f"{url}/signer/{a_id}", data={"signature": signature}, follow_redirects=True),
            partial(
                two.post, url, data={f"status-{a_id}": "absent", f"seen-{a_id}": "present:0:0"}, follow_redirects=True
            ),
        )
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        _, marks, _ = _sheet(shared_app, session_id)
        status, _late, signed = marks[a_id]
        signed_told = "Signature enregistrée" in responses[0].get_data(as_text=True)
        absent_told = _saved(responses[1])
        # Never both: an absent apprentice's signature, or a signature overwritten by an absence.
        consistent = (signed_told and not absent_told and signed and status == MarkStatus.PRESENT) or (
            absent_told and not signed_told and not signed and status == MarkStatus.ABSENT
        )
        tally.lost += not consistent
    assert tally.report("sign and save") == (0, [])


def test_an_apprentice_signing_in_with_the_code_on_two_devices_at_once(shared_app, clock):
    tally = Tally()
    for _ in range(PAIRS):
        session_id, (a_id, _b), _trainer, (apprentice, _) = _a_session(shared_app)
        with shared_app.app_context():
            sheet = db.session.scalar(sa.select(AttendanceSheet).where(AttendanceSheet.session_id == session_id))
            code = codes.current_code(sheet, DURING)[0]
            db.session.remove()
        phone, tablet = _client(shared_app, apprentice), _client(shared_app, apprentice)
        responses = _together(
            partial(phone.post, "/moi/emargement", data={"code": code}),
            partial(tablet.post, "/moi/emargement", data={"code": code}),
        )
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        _, marks, _ = _sheet(shared_app, session_id)
        accepted = [r for r in responses if r.status_code == 302]
        refused = [r for r in responses if "déjà émargé" in r.get_data(as_text=True)]
        tally.lost += not (len(accepted) == 1 and len(refused) == 1 and marks[a_id][2])
    assert tally.report("self sign-in twice") == (0, [])


def test_two_corrections_of_the_same_row_at_once_are_both_in_the_history(shared_app, clock):
    tally = Tally()
    for _ in range(PAIRS):
        session_id, (a_id, _b), trainer, _ = _a_session(shared_app, closed=True)
        one, two = _client(shared_app, trainer), _client(shared_app, trainer)
        url = f"/emargement/seances/{session_id}/corriger"

        def correction(status, reason, late="", enrolment_id=a_id):
            return {
                "correction-enrolment_id": enrolment_id,
                "correction-status": status,
                "correction-reason": reason,
                "correction-minutes_late": late,
            }

        responses = _together(
            partial(one.post, url, data=correction("absent", "Partie avant le début, vue par la coordinatrice")),
            partial(two.post, url, data=correction("late", "Arrivée à 9 h 10, bus en retard", "10")),
        )
        tally.pairs += 1
        errors = [e for e in map(_failed, responses) if e]
        tally.errors += errors
        if errors:
            continue
        _, marks, events = _sheet(shared_app, session_id)
        corrections = [(before, after) for before, after in events if after and "status" in after]
        chained = all(corrections[i][1] == corrections[i + 1][0] for i in range(len(corrections) - 1))
        accepted = sum(r.status_code == 302 for r in responses)
        last = corrections[-1][1]["status"] if corrections else None
        # Every accepted correction is in the history, each starting from what the previous one left.
        tally.lost += not (chained and len(corrections) == accepted and last == marks[a_id][0].value)
    assert tally.report("corrections") == (0, [])
