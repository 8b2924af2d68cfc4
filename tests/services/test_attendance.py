"""Attendance as a legal record: who is on the sheet, saves across devices, signatures, locking, corrections."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, EnrolmentStatus, InterruptionKind, MarkStatus, SignatureMethod, UnsignedReason
from cfa.services import attendance as att
from cfa.services.attendance import MarkInput
from cfa.services.audit import history
from tests import factories as f

DAY = date(2026, 11, 16)
DURING = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # 10:30 in Paris
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

AFTER = datetime(2026, 11, 16, 11, 45, tzinfo=UTC)  # 12:45 in Paris, the morning is over
PRESENT = MarkInput(MarkStatus.PRESENT)
ABSENT = MarkInput(MarkStatus.ABSENT)


def ON_PAPER(enrolments):
    return {e.id: att.Unsigned(UnsignedReason.PAPER) for e in enrolments}


@pytest.fixture
def session():
    cohort = f.CohortFactory(start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    return f.SessionFactory(cohort=cohort, date=DAY, trainer=f.UserFactory.trainer())


@pytest.fixture
def enrolments(session):
    return [f.EnrolmentFactory(cohort=session.cohort) for _ in range(3)]


def test_the_roster_holds_those_enrolled_on_the_day_only(session, enrolments):
    later = f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 12, 1))
    left = f.EnrolmentFactory(cohort=session.cohort)
    left.interrupt(date(2026, 11, 2), InterruptionKind.RUPTURE, "Rupture à l'initiative de l'employeur")
    left_on_the_day = f.EnrolmentFactory(cohort=session.cohort)
    left_on_the_day.interrupt(DAY, InterruptionKind.RUPTURE, "Dernier jour")
    ids = {e.id for e in att.roster(session)}
    assert ids == {e.id for e in enrolments} | {left_on_the_day.id}
    assert later.id not in ids and left.id not in ids and left.status == EnrolmentStatus.INTERRUPTED


def test_everyone_present_then_exceptions(session, enrolments):
    trainer = session.trainer
    assert att.mark_everyone_present(session, trainer, now=DURING) == 3
    seen = {e.id: PRESENT for e in enrolments}
    result = att.save_marks(
        session, trainer, {enrolments[0].id: ABSENT, enrolments[1].id: MarkInput(MarkStatus.LATE, 20)}, seen, now=DURING
    )
    assert result.saved == 2 and result.message is None
    marks = att.marks_of(att.sheet_of(session))
    assert marks[enrolments[0].id].status == MarkStatus.ABSENT
    assert marks[enrolments[1].id].minutes_late == 20 and marks[enrolments[2].id].status == MarkStatus.PRESENT


def test_a_second_device_never_overwrites_what_the_first_saved(session, enrolments):
    trainer = session.trainer
    a, b, c = (e.id for e in enrolments)
    loaded = {a: None, b: None, c: None}  # both devices opened the empty sheet
    first = att.save_marks(session, trainer, {a: ABSENT, b: PRESENT, c: PRESENT}, loaded, now=DURING)
    assert first.saved == 3
    # The second device still shows the empty sheet: it marks `a` present and `b` late, leaves `c` alone.
    second = att.save_marks(
        session,
        trainer,
        {a: PRESENT, b: MarkInput(MarkStatus.LATE, 10), c: PRESENT},
        {a: None, b: None, c: PRESENT},
        now=DURING,
    )
    marks = att.marks_of(att.sheet_of(session))
    assert marks[a].status == MarkStatus.ABSENT  # the first save wins, nothing is lost
    assert marks[b].status == MarkStatus.PRESENT
    assert second.saved == 0 and len(second.conflicts) == 2
    assert "absent" in second.message and "vous : présent" in second.message


def test_a_device_that_did_not_touch_a_row_is_told_what_changed(session, enrolments):
    trainer = session.trainer
    a = enrolments[0].id
    att.save_marks(session, trainer, {a: ABSENT}, {a: None}, now=DURING)
    result = att.save_marks(session, trainer, {a: PRESENT}, {a: PRESENT}, now=DURING)
    assert result.saved == 0 and result.kept_from_others and "absent" in result.message


def test_bad_minutes_are_refused_in_french_and_nothing_is_saved(session, enrolments):
    a, b = enrolments[0].id, enrolments[1].id
    with pytest.raises(att.AttendanceError, match="minutes de retard"):
        att.save_marks(session, session.trainer, {a: PRESENT, b: MarkInput(MarkStatus.LATE, 0)}, {}, now=DURING)
    with pytest.raises(att.AttendanceError, match="dépassent la durée"):
        att.save_marks(session, session.trainer, {a: MarkInput(MarkStatus.LATE, 400)}, {}, now=DURING)
    assert att.marks_of(att.sheet_of(session)) == {}


def test_an_apprentice_not_on_the_roster_cannot_be_marked(session, enrolments):
    stranger = f.EnrolmentFactory()
    with pytest.raises(att.AttendanceError, match="pas inscrit"):
        att.save_marks(session, session.trainer, {stranger.id: PRESENT}, {}, now=DURING)
    with pytest.raises(att.AttendanceError, match="pas inscrite"):
        att.sign(session, stranger.id, PNG, SignatureMethod.TRAINER_DEVICE, "UA", session.trainer, now=DURING)


def test_signatures_keep_time_method_and_device_and_sign_only_once(session, enrolments):
    mark = att.sign(
        session,
        enrolments[0].id,
        PNG,
        SignatureMethod.TRAINER_DEVICE,
        "Mozilla/5.0 (iPad)",
        session.trainer,
        now=DURING,
    )
    assert mark.status == MarkStatus.PRESENT and mark.signature == PNG
    assert mark.signature_method == SignatureMethod.TRAINER_DEVICE and mark.signature_user_agent == "Mozilla/5.0 (iPad)"
    assert mark.signed_at == DURING
    with pytest.raises(att.AttendanceError, match="déjà signée"):
        att.sign(session, enrolments[0].id, PNG, SignatureMethod.OWN_DEVICE, "x", session.trainer, now=DURING)


def test_closing_needs_every_mark_then_locks_the_sheet(session, enrolments):
    trainer = session.trainer
    att.save_marks(session, trainer, {enrolments[0].id: PRESENT}, {}, now=DURING)
    with pytest.raises(att.AttendanceError, match="Marquez d'abord"):
        att.close(session, trainer, PNG, "UA", now=DURING)
    att.mark_everyone_present(session, trainer, now=DURING)
    att.close(session, trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))
    sheet = att.sheet_of(session)
    assert att.is_locked(sheet, session, DURING) and sheet.trainer_signature == PNG
    with pytest.raises(att.SheetLocked):
        att.save_marks(session, trainer, {enrolments[0].id: ABSENT}, {enrolments[0].id: PRESENT}, now=DURING)


def test_a_half_day_that_has_not_begun_cannot_be_marked(session, enrolments):
    early = att.session_start(session) - timedelta(minutes=20)
    with pytest.raises(att.AttendanceError, match="pas encore commencé"):
        att.mark_everyone_present(session, session.trainer, now=early)
    assert att.mark_everyone_present(session, session.trainer, now=early + timedelta(minutes=10)) == 3


def test_a_sheet_locks_itself_48_hours_after_the_session(session):
    sheet = att.lock_sheet(session)
    end = att.session_end(session)
    assert not att.is_locked(sheet, session, end + timedelta(hours=47))
    assert att.is_locked(sheet, session, end + timedelta(hours=49))


def test_a_correction_needs_a_reason_and_is_audited_with_before_and_after(session, enrolments):
    trainer, admin = session.trainer, f.UserFactory.admin()
    att.mark_everyone_present(session, trainer, now=DURING)
    att.close(session, trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))
    target = enrolments[1].id
    with pytest.raises(att.AttendanceError, match="motif"):
        att.correct(session, target, ABSENT, "  ", admin)
    att.correct(session, target, ABSENT, "Erreur de saisie : était en arrêt maladie", admin)
    sheet = att.sheet_of(session)
    assert att.marks_of(sheet)[target].status == MarkStatus.ABSENT
    event = next(e for e in history("attendance_sheet", sheet.id) if e.action == "correct")
    assert (event.actor_id, event.action, event.reason) == (
        admin.id,
        "correct",
        "Erreur de saisie : était en arrêt maladie",
    )
    assert event.before["status"] == "present" and event.after["status"] == "absent"
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "correct")) == 1


def test_a_cancelled_session_has_no_sheet(session):
    session.status = session.status.CANCELLED
    with pytest.raises(att.AttendanceError, match="annulée"):
        att.lock_sheet(session)


def test_signature_data_urls_are_checked():
    import base64

    assert att.decode_signature("data:image/png;base64," + base64.b64encode(PNG).decode()) == PNG
    for bad in (None, "", "data:image/jpeg;base64,AAAA", "data:image/png;base64,!!!", "data:image/png;base64,QUJD"):
        with pytest.raises(att.AttendanceError):
            att.decode_signature(bad)


def test_session_times_are_paris_wall_clock_times(session):
    assert att.session_start(session).astimezone(UTC).time() == time(8, 0)  # 9:00 in November is 8:00 UTC
