"""Attendance as a legal record: who is on the sheet, saves across devices, signatures, locking, corrections."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, EnrolmentStatus, InterruptionKind, MarkStatus, SignatureMethod, UnsignedReason
from cfa.services import attendance as att
from cfa.services import attendance_queries
from cfa.services import attendance_signatures as signatures
from cfa.services.attendance import MarkInput
from cfa.services.attendance_rates import rates_by_enrolment
from cfa.services.audit import history
from tests import factories as f

DAY = date(2026, 11, 16)
DURING = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)  # 10:30 in Paris
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40

AFTER = datetime(2026, 11, 16, 11, 45, tzinfo=UTC)  # 12:45 in Paris, the morning is over
PRESENT = MarkInput(MarkStatus.PRESENT)
ABSENT = MarkInput(MarkStatus.ABSENT)


def ON_PAPER(enrolments):
    return {e.id: signatures.Unsigned(UnsignedReason.PAPER) for e in enrolments}


@pytest.fixture
def session():
    return f.running_session(DAY)


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
        signatures.sign(session, stranger.id, PNG, SignatureMethod.TRAINER_DEVICE, "UA", session.trainer, now=DURING)


def test_signatures_keep_time_method_and_device_and_sign_only_once(session, enrolments):
    mark = signatures.sign(
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
        signatures.sign(session, enrolments[0].id, PNG, SignatureMethod.OWN_DEVICE, "x", session.trainer, now=DURING)


def test_closing_needs_every_mark_then_locks_the_sheet(session, enrolments):
    trainer = session.trainer
    att.save_marks(session, trainer, {enrolments[0].id: PRESENT}, {}, now=DURING)
    with pytest.raises(att.AttendanceError, match="Marquez d'abord"):
        signatures.close(session, trainer, PNG, "UA", now=DURING)
    att.mark_everyone_present(session, trainer, now=DURING)
    signatures.close(session, trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))
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
    signatures.close(session, trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))
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

    assert signatures.decode_signature("data:image/png;base64," + base64.b64encode(PNG).decode()) == PNG
    for bad in (None, "", "data:image/jpeg;base64,AAAA", "data:image/png;base64,!!!", "data:image/png;base64,QUJD"):
        with pytest.raises(att.AttendanceError):
            signatures.decode_signature(bad)


def test_session_times_are_paris_wall_clock_times(session):
    assert att.session_start(session).astimezone(UTC).time() == time(8, 0)  # 9:00 in November is 8:00 UTC


# --- Closing: signatures or reasons, and a reason to close before the half-day ends


def test_closing_refuses_while_attending_learners_have_not_signed_and_names_them(session, enrolments):
    trainer = session.trainer
    att.mark_everyone_present(session, trainer, now=DURING)
    signed, unsigned, absent = enrolments
    signatures.sign(session, signed.id, PNG, SignatureMethod.TRAINER_DEVICE, "UA", trainer, now=DURING)
    att.save_marks(session, trainer, {absent.id: ABSENT}, {absent.id: PRESENT}, now=DURING)
    with pytest.raises(att.AttendanceError, match="Signature manquante pour") as refused:
        signatures.close(session, trainer, PNG, "UA", now=AFTER)
    assert unsigned.apprentice.full_name in str(refused.value)
    assert signed.apprentice.full_name not in str(refused.value) and absent.apprentice.full_name not in str(
        refused.value
    )
    assert att.sheet_of(session).closed_at is None


@pytest.mark.parametrize(
    "reason, note, accepted",
    [
        (UnsignedReason.PAPER, "", True),
        (UnsignedReason.REFUSED, "", True),
        (UnsignedReason.LEFT_BEFORE_SIGNING, "Rendez-vous à 11 h", True),
        (UnsignedReason.OTHER, "Main plâtrée", True),
        (UnsignedReason.OTHER, "", False),  # "other" says what it is
    ],
)
def test_a_reason_for_each_unsigned_learner_lets_the_sheet_close_and_is_kept(
    session, enrolments, reason, note, accepted
):
    trainer = session.trainer
    att.mark_everyone_present(session, trainer, now=DURING)
    unsigned = {e.id: signatures.Unsigned(reason, note) for e in enrolments}
    if not accepted:
        with pytest.raises(att.AttendanceError, match="Signature manquante"):
            signatures.close(session, trainer, PNG, "UA", now=AFTER, unsigned=unsigned)
        return
    signatures.close(session, trainer, PNG, "UA", now=AFTER, unsigned=unsigned)
    marks = att.marks_of(att.sheet_of(session))
    assert {(m.unsigned_reason, m.unsigned_note) for m in marks.values()} == {(reason, note or None)}
    events = [e for e in history("attendance_sheet", att.sheet_of(session).id) if e.action == "unsigned"]
    assert len(events) == 3 and events[0].actor_id == trainer.id


def test_closing_before_the_half_day_ends_needs_a_reason_which_is_kept(session, enrolments):
    trainer = session.trainer
    att.mark_everyone_present(session, trainer, now=DURING)
    nine_oh_five = datetime(2026, 11, 16, 8, 5, tzinfo=UTC)
    with pytest.raises(att.AttendanceError, match="se termine à 12 h 30"):
        signatures.close(session, trainer, PNG, "UA", now=nine_oh_five, unsigned=ON_PAPER(enrolments))
    signatures.close(
        session, trainer, PNG, "UA", now=nine_oh_five, unsigned=ON_PAPER(enrolments), early_reason="Alerte incendie"
    )
    sheet = att.sheet_of(session)
    assert sheet.early_close_reason == "Alerte incendie" and sheet.closed_at == nine_oh_five


def test_closing_after_the_half_day_needs_no_early_reason(session, enrolments):
    att.mark_everyone_present(session, session.trainer, now=DURING)
    signatures.close(
        session, session.trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments), early_reason="ignoré"
    )
    assert att.sheet_of(session).early_close_reason is None


# --- One mark for a late arrival and an early leave


def test_one_mark_holds_a_late_arrival_and_an_early_leave(session, enrolments):
    a = enrolments[0].id
    att.save_marks(session, session.trainer, {a: MarkInput(MarkStatus.LEFT_EARLY, 20, 25)}, {a: None}, now=DURING)
    mark = att.marks_of(att.sheet_of(session))[a]
    assert (mark.status, mark.minutes_late, mark.minutes_left_early) == (MarkStatus.LATE, 20, 25)
    assert att.describe(att.state_of(mark)) == "en retard de 20 min, parti·e 25 min plus tôt"
    rate = rates_by_enrolment([a])[a]
    assert rate.attended == 210 - 45  # 2 h 45 of the 3 h 30 morning, not 3 h 10


@pytest.mark.parametrize(
    "entry, expected",
    [
        (MarkInput(MarkStatus.PRESENT, 10, 10), MarkInput(MarkStatus.PRESENT)),
        (MarkInput(MarkStatus.ABSENT, 10, 10), MarkInput(MarkStatus.ABSENT)),
        (MarkInput(MarkStatus.LATE, 10), MarkInput(MarkStatus.LATE, 10)),
        (MarkInput(MarkStatus.LATE, 10, 5), MarkInput(MarkStatus.LATE, 10, 5)),
        (MarkInput(MarkStatus.LEFT_EARLY, 0, 5), MarkInput(MarkStatus.LEFT_EARLY, 0, 5)),
        (MarkInput(MarkStatus.LEFT_EARLY, 10, 5), MarkInput(MarkStatus.LATE, 10, 5)),
    ],
)
def test_a_mark_s_minutes_follow_its_status(entry, expected):
    assert entry.normalised() == expected


@pytest.mark.parametrize(
    "status, late, early, attended",
    [
        (MarkStatus.PRESENT, 0, 0, 210),
        (MarkStatus.LATE, 20, 0, 190),
        (MarkStatus.LEFT_EARLY, 0, 30, 180),
        (MarkStatus.LATE, 20, 30, 160),
        (MarkStatus.ABSENT, 0, 0, 0),
    ],
)
def test_attended_minutes_deduct_both_the_late_arrival_and_the_early_leave(
    session, enrolments, status, late, early, attended
):
    from cfa.services.attendance_rates import rates_by_enrolment

    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=session),
        enrolment=enrolments[0],
        status=status,
        minutes_late=late,
        minutes_left_early=early,
    )
    assert rates_by_enrolment([enrolments[0].id])[enrolments[0].id].attended == attended


# --- Signed marks and the audit of every change


def test_an_ordinary_save_never_overwrites_a_signed_mark(session, enrolments):
    a = enrolments[0].id
    signatures.sign(session, a, PNG, SignatureMethod.TRAINER_DEVICE, "UA", session.trainer, now=DURING)
    result = att.save_marks(session, session.trainer, {a: ABSENT}, {a: PRESENT}, now=DURING)
    assert result.saved == 0 and "déjà signé" in result.message
    assert att.marks_of(att.sheet_of(session))[a].status == MarkStatus.PRESENT


def test_a_correction_changes_a_signed_mark_with_its_reason_before_the_lock(session, enrolments):
    a = enrolments[0].id
    signatures.sign(session, a, PNG, SignatureMethod.TRAINER_DEVICE, "UA", session.trainer, now=DURING)
    att.correct(
        session,
        a,
        MarkInput(MarkStatus.LEFT_EARLY, 0, 60),
        "Partie à 11 h 30 (rendez-vous)",
        session.trainer,
        now=DURING,
    )
    mark = att.marks_of(att.sheet_of(session))[a]
    assert (mark.status, mark.minutes_left_early, mark.signature) == (MarkStatus.LEFT_EARLY, 60, PNG)
    (event,) = [e for e in history("attendance_sheet", att.sheet_of(session).id) if e.action == "correct"]
    assert event.reason == "Partie à 11 h 30 (rendez-vous)" and event.before["status"] == "present"


def test_every_change_of_a_mark_after_its_first_save_is_audited(session, enrolments):
    trainer = session.trainer
    a, b = enrolments[0].id, enrolments[1].id
    att.save_marks(session, trainer, {a: PRESENT, b: PRESENT}, {}, now=DURING)
    assert history("attendance_sheet", att.sheet_of(session).id) == []  # a first save is not a change
    att.save_marks(session, trainer, {a: ABSENT}, {a: PRESENT}, now=DURING)
    (event,) = history("attendance_sheet", att.sheet_of(session).id)
    assert (event.actor_id, event.action, event.before["status"], event.after["status"]) == (
        trainer.id,
        "update",
        "present",
        "absent",
    )
    assert event.reason and event.at is not None


def test_a_correction_obeys_the_half_day_has_begun_rule(session, enrolments):
    early = att.session_start(session) - timedelta(hours=2)
    with pytest.raises(att.AttendanceError, match="pas encore commencé"):
        att.correct(
            session, enrolments[0].id, ABSENT, "Prévenu de son absence par téléphone", session.trainer, now=early
        )
    assert att.sheet_of(session) is None


# --- Closed sheets are frozen


def test_a_closed_sheet_keeps_its_roster_whoever_enrols_or_leaves_later(session, enrolments):
    att.mark_everyone_present(session, session.trainer, now=DURING)
    signatures.close(session, session.trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))
    newcomer = f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 11, 2))  # backdated contract
    leaver = enrolments[0]
    leaver.interrupt(date(2026, 11, 10), InterruptionKind.RUPTURE, "Rupture déclarée en retard")
    sheet = att.sheet_of(session)
    assert [r.enrolment.id for r in att.rows(session, sheet)] == [
        e.id
        for e in sorted(enrolments, key=lambda e: (e.apprentice.last_name.lower(), e.apprentice.first_name.lower()))
    ]
    assert attendance_queries.enrolled_after_closing([session.id]) == {session.id: [newcomer]}
    with pytest.raises(att.AttendanceError, match="pas sur cette feuille"):
        att.correct(session, newcomer.id, PRESENT, "Inscrit tardivement", f.UserFactory.admin(), now=AFTER)


def test_an_open_sheet_has_nobody_enrolled_after_closing(session, enrolments):
    att.mark_everyone_present(session, session.trainer, now=DURING)
    f.EnrolmentFactory(cohort=session.cohort, contract_start=date(2026, 11, 2))
    assert attendance_queries.enrolled_after_closing([session.id]) == {}


def test_a_sheet_from_before_self_sign_in_gets_its_secret_when_the_trainer_opens_the_code_panel():
    sheet = f.AttendanceSheetFactory(qr_secret=None)
    assert att.lock_sheet(sheet.session).qr_secret


def test_closing_a_sheet_flags_its_half_day_closed_and_takes_it_off_the_sheets_to_finish(session, enrolments):
    from cfa.services.attendance_followup import count_to_finish, sheets_to_finish

    att.mark_everyone_present(session, session.trainer, now=DURING)
    assert not session.sheet_closed and session in db.session.scalars(sheets_to_finish(AFTER)).all()
    before = count_to_finish(AFTER)

    signatures.close(session, session.trainer, PNG, "UA", now=AFTER, unsigned=ON_PAPER(enrolments))

    db.session.expire_all()  # read back from the database, not from the object the flush changed
    assert session.sheet_closed and session not in db.session.scalars(sheets_to_finish(AFTER)).all()
    assert count_to_finish(AFTER) == before - 1 and f.closed_flags_disagreeing() == 0
