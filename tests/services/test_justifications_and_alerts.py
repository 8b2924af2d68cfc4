"""Justifications checked by content, tutor alerts through the outbox, delivered to a real SMTP server."""

import io
import socket
import time as clock
from datetime import UTC, date, datetime
from email.header import decode_header, make_header

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import JustificationStatus, MarkStatus, OutboxMessage
from cfa.services import attendance as att
from cfa.services import justifications, notifications
from cfa.services.attendance import MarkInput
from cfa.storage import LocalFolderStore
from tests import factories as f

DAY = date(2026, 11, 16)
DURING = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
AFTERNOON = datetime(2026, 11, 16, 14, 0, tzinfo=UTC)
PDF = b"%PDF-1.4\n%fake but well-typed\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 100


@pytest.fixture
def enrolment():
    cohort = f.CohortFactory(start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    return f.EnrolmentFactory(cohort=cohort)


@pytest.fixture
def day_sessions(enrolment):
    am = f.SessionFactory(cohort=enrolment.cohort, date=DAY, half_day=f.m.HalfDay.AM, trainer=f.UserFactory.trainer())
    pm = f.SessionFactory(cohort=enrolment.cohort, date=DAY, half_day=f.m.HalfDay.PM, trainer=am.trainer)
    return am, pm


def submit(enrolment, data, tmp_path, filename="arret.pdf"):
    return justifications.submit(
        enrolment,
        enrolment.apprentice,
        DAY,
        DAY,
        "Arrêt maladie",
        filename,
        io.BytesIO(data),
        LocalFolderStore(tmp_path),
    )


def test_a_proof_is_typed_by_its_content_not_its_name(enrolment, tmp_path):
    proof = submit(enrolment, JPEG, tmp_path, filename="photo.pdf")
    assert proof.proof_mimetype == "image/jpeg" and (tmp_path / proof.proof_path).read_bytes() == JPEG
    with pytest.raises(att.AttendanceError, match="PDF, une image JPEG ou PNG"):
        submit(enrolment, b"MZ\x90\x00 an executable", tmp_path, filename="justificatif.pdf")


def test_a_proof_over_5_mb_is_refused_and_nothing_is_kept(enrolment, tmp_path):
    with pytest.raises(att.AttendanceError, match="5 Mo"):
        submit(enrolment, PDF + b"0" * (5 * 1024 * 1024), tmp_path)
    assert not (tmp_path / "justificatifs").exists() or not any((tmp_path / "justificatifs").iterdir())


def test_an_apprentice_s_proofs_stop_at_the_quota_counted_over_all_their_contracts(enrolment, tmp_path):
    earlier = f.EnrolmentFactory(apprentice=enrolment.apprentice)
    justifications.submit(
        earlier,
        earlier.apprentice,
        earlier.contract_start,
        earlier.contract_start,
        "Rendez-vous",
        "a.pdf",
        io.BytesIO(PDF + b"0" * 600),
        LocalFolderStore(tmp_path),
        quota_bytes=1000,
    )
    kept = justifications.stored_bytes(enrolment.apprentice_id)
    with pytest.raises(att.AttendanceError, match="espace autorisé"):
        justifications.submit(
            enrolment,
            enrolment.apprentice,
            DAY,
            DAY,
            "Arrêt",
            "b.pdf",
            io.BytesIO(PDF + b"0" * 600),
            LocalFolderStore(tmp_path),
            quota_bytes=1000,
        )
    assert justifications.stored_bytes(enrolment.apprentice_id) == kept
    assert len(list((tmp_path / "justificatifs").iterdir())) == 1
    # Another apprentice's quota is their own.
    other = f.EnrolmentFactory(cohort=enrolment.cohort)
    justifications.submit(
        other,
        other.apprentice,
        DAY,
        DAY,
        "Arrêt",
        "c.pdf",
        io.BytesIO(PDF + b"0" * 600),
        LocalFolderStore(tmp_path),
        quota_bytes=1000,
    )


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("C:\\Users\\ines\\arret.pdf", "arret.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ('x";\r\nSet-Cookie: a=b.pdf', "xSet-Cookie: a=b.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),
        ("", "justificatif"),
    ],
)
def test_the_name_shown_for_a_proof_keeps_no_folder_nor_control_or_quoting_character(enrolment, tmp_path, sent, shown):
    assert submit(enrolment, PDF, tmp_path, filename=sent).proof_filename == shown


def test_accepting_a_justification_justifies_the_absences_of_its_span(enrolment, day_sessions, tmp_path):
    am, pm = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    att.save_marks(pm, pm.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=AFTERNOON)
    proof = submit(enrolment, PDF, tmp_path)
    assert justifications.decide(proof, f.UserFactory.admin(), accept=True) == 2
    assert proof.status == JustificationStatus.ACCEPTED
    assert all(m.justification_id == proof.id for m in att.marks_of(att.sheet_of(am)).values())
    with pytest.raises(att.AttendanceError, match="déjà été traité"):
        justifications.decide(proof, f.UserFactory.admin(), accept=False, refusal_reason="x")


def test_refusing_needs_a_reason(enrolment, tmp_path):
    proof = submit(enrolment, PDF, tmp_path)
    with pytest.raises(att.AttendanceError, match="motif du refus"):
        justifications.decide(proof, f.UserFactory.admin(), accept=False)
    justifications.decide(proof, f.UserFactory.admin(), accept=False, refusal_reason="Document illisible")
    assert proof.status == JustificationStatus.REFUSED and proof.refusal_reason == "Document illisible"


def test_one_alert_per_apprentice_and_day_listing_the_half_days(enrolment, day_sessions):
    am, pm = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    notifications.refresh_absence_alerts(am)
    att.save_marks(pm, pm.trainer, {enrolment.id: MarkInput(MarkStatus.LATE, 25)}, {}, now=AFTERNOON)
    notifications.refresh_absence_alerts(pm)
    (message,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert message.recipient == enrolment.tutor.email
    assert "- matin (09:00-12:30) : absent·e" in message.body_text
    assert "- après-midi (13:30-17:00) : en retard de 25 min" in message.body_text
    assert message.send_after == datetime(2026, 11, 16, 17, 0, tzinfo=UTC)  # 18:00 in Paris


def test_a_short_lateness_or_a_correction_before_the_evening_sends_nothing(enrolment, day_sessions):
    am, _ = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.LATE, 10)}, {}, now=DURING)
    assert notifications.refresh_absence_alerts(am) == 0
    att.save_marks(
        am,
        am.trainer,
        {enrolment.id: MarkInput(MarkStatus.ABSENT)},
        {enrolment.id: MarkInput(MarkStatus.LATE, 10)},
        now=DURING,
    )
    assert notifications.refresh_absence_alerts(am) == 1
    seen = {enrolment.id: MarkInput(MarkStatus.ABSENT)}
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.PRESENT)}, seen, now=DURING)
    notifications.refresh_absence_alerts(am)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def test_send_mail_delivers_the_alert_to_a_real_smtp_server(app, enrolment, day_sessions, smtp_server):
    port, received = smtp_server
    am, _ = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    notifications.refresh_absence_alerts(am)
    config = dict(app.config, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USERNAME=None, MAIL_USE_TLS=False)
    early = notifications.send_outbox(config, now=datetime(2026, 11, 16, 12, 0, tzinfo=UTC))
    assert early.sent == 0  # not before the day is over
    report = notifications.send_outbox(config, now=datetime(2026, 11, 16, 18, 0, tzinfo=UTC))
    assert report.sent == 1
    for _ in range(50):
        if received:
            break
        clock.sleep(0.05)
    (mail,) = received
    assert mail["To"] == enrolment.tutor.email
    assert enrolment.apprentice.full_name in str(make_header(decode_header(mail["Subject"])))
    assert "absent" in mail.get_payload(decode=True).decode()
    assert notifications.send_outbox(config, now=datetime(2026, 11, 17, tzinfo=UTC)).sent == 0  # sent once


def test_an_unreachable_smtp_server_keeps_the_message_for_later(app, enrolment, day_sessions):
    am, _ = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    notifications.refresh_absence_alerts(am)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    config = dict(app.config, MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port)
    report = notifications.send_outbox(config, now=datetime(2026, 11, 17, tzinfo=UTC))
    message = db.session.scalar(sa.select(OutboxMessage))
    assert report.failed == 1 and message.sent_at is None and message.attempts == 1 and "SMTP" in message.last_error


@pytest.mark.parametrize(
    "status, late, early, alerted",
    [
        (MarkStatus.LEFT_EARLY, 0, 20, True),  # an early leave over 15 minutes is an absence from work too
        (MarkStatus.LEFT_EARLY, 0, 15, False),
        (MarkStatus.LATE, 10, 10, True),  # 20 minutes missed in all on one half-day
        (MarkStatus.LATE, 5, 10, False),
        (MarkStatus.PRESENT, 0, 0, False),
    ],
)
def test_the_tutor_is_told_of_more_than_15_minutes_missed_by_late_arrival_early_leave_or_both(
    enrolment, day_sessions, status, late, early, alerted
):
    am, _ = day_sessions
    sheet = f.AttendanceSheetFactory(session=am)
    f.AttendanceMarkFactory(
        sheet=sheet, enrolment=enrolment, status=status, minutes_late=late, minutes_left_early=early
    )
    assert notifications.refresh_absence_alerts(am) == int(alerted)
    messages = db.session.scalars(sa.select(OutboxMessage)).all()
    assert [m.recipient for m in messages] == ([enrolment.tutor.email] if alerted else [])


@pytest.mark.parametrize("decided_first", [True, False], ids=["decided-before-the-absence", "decided-after"])
def test_an_accepted_justification_covers_absences_of_its_span_whenever_they_are_recorded(
    enrolment, day_sessions, tmp_path, decided_first
):
    am, pm = day_sessions
    proof = submit(enrolment, PDF, tmp_path)
    if decided_first:
        justifications.decide(proof, f.UserFactory.admin(), accept=True)
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    att.save_marks(pm, pm.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=AFTERNOON)
    if not decided_first:
        justifications.decide(proof, f.UserFactory.admin(), accept=True)
    marks = list(att.marks_of(att.sheet_of(am)).values()) + list(att.marks_of(att.sheet_of(pm)).values())
    assert {m.id: j.id for m, j in ((m, justifications.covering(marks).get(m.id)) for m in marks)} == {
        m.id: proof.id for m in marks
    }


def test_an_absence_under_a_pending_justification_awaits_a_decision_and_an_accepted_one_wins(enrolment, day_sessions):
    am, _ = day_sessions
    att.save_marks(am, am.trainer, {enrolment.id: MarkInput(MarkStatus.ABSENT)}, {}, now=DURING)
    (absence,) = att.marks_of(att.sheet_of(am)).values()
    waiting = f.JustificationFactory(enrolment=enrolment, start_date=DAY, end_date=DAY)
    assert justifications.covering([absence]) == {absence.id: waiting}
    accepted = f.JustificationFactory(
        enrolment=enrolment, start_date=DAY, end_date=DAY, status=JustificationStatus.ACCEPTED
    )
    assert justifications.covering([absence]) == {absence.id: accepted}


def test_a_message_with_an_html_body_travels_with_its_text_part_and_each_is_committed_by_the_caller(app, smtp_server):
    port, received = smtp_server
    db.session.add(
        OutboxMessage(
            recipient="tutrice@exemple.test",
            subject="Changements de planning",
            body_text="Lundi : séance déplacée.",
            body_html="<p>Lundi : <strong>séance déplacée</strong>.</p>",
        )
    )
    db.session.flush()
    committed = []
    config = dict(app.config, MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USERNAME=None, MAIL_USE_TLS=False)
    assert notifications.send_outbox(config, after_each=lambda: committed.append(1)).sent == 1
    assert committed == [1, 1]  # the claim, then the message
    for _ in range(50):
        if received:
            break
        clock.sleep(0.05)
    (mail,) = received
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.get_payload()] == ["text/plain", "text/html"]


def test_a_second_sender_running_meanwhile_never_sends_the_same_message(app, monkeypatch):
    """`flask send-mail` on two app servers at once: what one has claimed, the other does not take."""
    for n in range(2):
        db.session.add(OutboxMessage(recipient=f"t{n}@exemple.test", subject="Planning", body_text="Lundi."))
    db.session.flush()
    now, delivered, meanwhile = datetime.now(UTC), [], []

    class Smtp:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            if not meanwhile:
                meanwhile.append(notifications.send_outbox(app.config, now=now))
            delivered.append(message["To"])

    monkeypatch.setattr(notifications, "_connect", lambda config: Smtp())
    assert notifications.send_outbox(app.config, now=now).sent == 2
    assert meanwhile[0].sent == 0 and sorted(delivered) == ["t0@exemple.test", "t1@exemple.test"]
    # A sender that dies after its claim: the message waits for the lease to end, then goes (once).
    db.session.add(OutboxMessage(recipient="t2@exemple.test", subject="Planning", body_text="Mardi.", send_after=now))
    db.session.flush()
    assert len(notifications._claim(now, 10)) == 1
    assert notifications.send_outbox(app.config, now=now).sent == 0
    assert notifications.send_outbox(app.config, now=now + notifications.CLAIM_LEASE * 2).sent == 1
    assert delivered[-1] == "t2@exemple.test" and len(delivered) == 3


def test_implicit_tls_is_used_when_asked(monkeypatch):
    opened = []

    class FakeSSL:
        def __init__(self, host, port, timeout):
            opened.append((host, port))

    monkeypatch.setattr(notifications.smtplib, "SMTP_SSL", FakeSSL)
    notifications._connect({"MAIL_USE_SSL": True, "MAIL_SERVER": "smtp.exemple.test", "MAIL_PORT": 465})
    assert opened == [("smtp.exemple.test", 465)]
