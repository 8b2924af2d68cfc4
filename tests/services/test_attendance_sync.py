"""A sheet taken without network, delivered later: the same rules as two devices, retries that write once,
refusals said, and the device's clock kept next to the reception time."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, MarkStatus, OfflineWrite, UnsignedReason
from cfa.services import attendance as att
from cfa.services import attendance_sync as sync
from cfa.services.attendance import AttendanceError, MarkInput
from cfa.services.attendance_signatures import Unsigned
from tests import factories as f
from tests.views.test_attendance import SIGNATURE

DAY = date(2026, 11, 16)
DRAWN = datetime(2026, 11, 16, 9, 10, tzinfo=UTC)  # 10:10 in Paris, in a room without network
RECEIVED = datetime(2026, 11, 16, 9, 50, tzinfo=UTC)  # 10:50, the network is back
AFTER_END = datetime(2026, 11, 16, 11, 45, tzinfo=UTC)  # 12:45, the morning is over
PRESENT, ABSENT = MarkInput(MarkStatus.PRESENT), MarkInput(MarkStatus.ABSENT)


@pytest.fixture
def session():
    return f.running_session(DAY)


@pytest.fixture
def enrolments(session):
    return [f.EnrolmentFactory(cohort=session.cohort) for _ in range(3)]


def write(kind="marks", client_id="offline-0001", version=1, **fields):
    return sync.QueuedWrite(client_id=client_id, kind=kind, based_on_version=version, device_at=DRAWN, **fields)


def everyone_present(session, enrolments):
    att.mark_everyone_present(session, session.trainer, now=DRAWN)
    return att.sheet_of(session).version


def test_marks_made_offline_are_saved_once_however_often_the_device_retries(session, enrolments):
    version = everyone_present(session, enrolments)
    a = enrolments[0].id
    queued = write(version=version, entries={a: ABSENT}, seen={a: PRESENT})
    first = sync.replay(session, session.trainer, queued, now=RECEIVED)
    assert first["status"] == "saved" and first["saved"] == 1 and not first["replayed"]
    assert first["version"] == version + 1 and not first["stale"]
    again = sync.replay(session, session.trainer, queued, now=RECEIVED + timedelta(minutes=1))
    assert again["replayed"] and again["saved"] == 1 and again["version"] == version + 1
    assert att.sheet_of(session).version == version + 1  # the retry wrote nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfflineWrite)) == 1
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.ABSENT


def test_the_audit_trail_says_the_change_was_synced_with_both_times(session, enrolments):
    version = everyone_present(session, enrolments)
    a = enrolments[0].id
    sync.replay(session, session.trainer, write(version=version, entries={a: ABSENT}, seen={a: PRESENT}), now=RECEIVED)
    sheet = att.sheet_of(session)
    synced = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity == "attendance_sheet", AuditEvent.entity_id == sheet.id)
    ).all()
    assert [e.action for e in synced] == ["sync"] and synced[0].reason == sync.SYNC_REASON
    label = synced[0].after["label"]
    assert "le 16/11/2026 à 10 h 10 (heure de l'appareil)" in label and "reçu(e) le 16/11/2026 à 10 h 50" in label
    mark_event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity == "attendance_mark")).one()
    assert mark_event.reason == sync.SYNC_REASON and mark_event.after["status"] == "absent"


def test_a_stale_write_is_told_what_changed_meanwhile_and_overwrites_nothing(session, enrolments):
    version = everyone_present(session, enrolments)
    a, b = enrolments[0].id, enrolments[1].id
    # While the trainer's tablet is offline, another device marks `a` late and `b` absent.
    other = {a: MarkInput(MarkStatus.LATE, 10), b: ABSENT}
    assert att.save_marks(session, session.trainer, other, {a: PRESENT, b: PRESENT}, now=DRAWN).saved == 2
    offline = write(version=version, entries={a: ABSENT, b: PRESENT}, seen={a: PRESENT, b: PRESENT})
    outcome = sync.replay(session, session.trainer, offline, now=RECEIVED)
    assert outcome["status"] == "conflict" and outcome["stale"] and outcome["saved"] == 0
    assert len(outcome["conflicts"]) == 1 and "en retard de 10 min (vous : absent·e)" in outcome["conflicts"][0]
    assert len(outcome["kept_from_others"]) == 1 and "absent" in outcome["kept_from_others"][0]
    assert "Non enregistré" in outcome["message"]
    marks = att.marks_of(att.sheet_of(session))
    assert marks[a].status == MarkStatus.LATE and marks[b].status == MarkStatus.ABSENT


def test_a_signature_drawn_offline_keeps_the_device_time_and_the_reception_time(session, enrolments):
    version = everyone_present(session, enrolments)
    a = enrolments[0].id
    queued = write("sign", version=version, enrolment_id=a, signature=SIGNATURE)
    assert sync.replay(session, session.trainer, queued, now=RECEIVED)["status"] == "saved"
    mark = att.marks_of(att.sheet_of(session))[a]
    assert mark.signed_on_device_at == DRAWN and mark.signed_at == RECEIVED


def test_a_sheet_closed_offline_before_the_end_needs_its_reason_even_if_it_arrives_after(session, enrolments):
    version = everyone_present(session, enrolments)
    unsigned = {e.id: Unsigned(UnsignedReason.PAPER) for e in enrolments}
    refused = sync.replay(
        session,
        session.trainer,
        write("close", version=version, signature=SIGNATURE, unsigned=unsigned),
        now=AFTER_END,
    )
    assert refused["status"] == "refused" and "indiquez pourquoi" in refused["message"]
    assert att.sheet_of(session).closed_at is None
    closing = write(
        "close", "offline-0002", version, signature=SIGNATURE, unsigned=unsigned, early_reason="Sortie pédagogique"
    )
    assert sync.replay(session, session.trainer, closing, now=AFTER_END)["status"] == "saved"
    sheet = att.sheet_of(session)
    assert sheet.closed_at == AFTER_END and sheet.trainer_signed_on_device_at == DRAWN
    assert sheet.early_close_reason == "Sortie pédagogique"


def test_a_write_on_a_sheet_closed_meanwhile_is_refused_and_the_refusal_is_answered_again(session, enrolments):
    version = everyone_present(session, enrolments)
    sheet = att.sheet_of(session)
    sheet.closed_at = DRAWN
    a = enrolments[0].id
    queued = write(version=version, entries={a: ABSENT}, seen={a: PRESENT})
    outcome = sync.replay(session, session.trainer, queued, now=RECEIVED)
    assert outcome["status"] == "refused" and "verrouillée" in outcome["message"]
    assert sync.replay(session, session.trainer, queued, now=RECEIVED)["status"] == "refused"
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.PRESENT
    assert not db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "sync")).all()


def test_an_id_used_by_someone_else_or_for_another_sheet_is_refused(session, enrolments):
    version = everyone_present(session, enrolments)
    a = enrolments[0].id
    sync.replay(session, session.trainer, write(version=version, entries={a: ABSENT}, seen={a: PRESENT}), now=RECEIVED)
    with pytest.raises(AttendanceError, match="déjà utilisé"):
        sync.replay(session, f.UserFactory.admin(), write(version=version), now=RECEIVED)
    cohort = f.CohortFactory(start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    other = f.SessionFactory(cohort=cohort, date=DAY, trainer=session.trainer)
    with pytest.raises(AttendanceError, match="déjà utilisé"):
        sync.replay(other, session.trainer, write(version=1), now=RECEIVED)


@pytest.mark.parametrize(
    "queued, message",
    [
        (write("delete"), "Type de modification inconnu"),
        (write(client_id="x"), "Identifiant de modification invalide"),
        (write(client_id="a' OR 1=1 --"), "Identifiant de modification invalide"),
        (write(version=-1), "Version de feuille invalide"),
        (write("sign"), "Signature sans apprenti"),
    ],
)
def test_a_malformed_write_is_refused_before_anything_is_read(session, queued, message):
    with pytest.raises(AttendanceError, match=message):
        sync.replay(session, session.trainer, queued, now=RECEIVED)
    assert att.sheet_of(session) is None
