"""Sheets to regularise whatever their age, and the evening reminder to the trainer who left one open."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import OutboxMessage, SessionStatus
from cfa.services import attendance_followup as followup
from cfa.services import notifications
from tests import factories as f

NOW = datetime(2026, 11, 16, 17, 30, tzinfo=UTC)  # 18:30 in Paris


@pytest.fixture
def trainer():
    return f.UserFactory.trainer()


def listed(now=NOW, trainer=None):
    return list(db.session.scalars(followup.sheets_to_finish(now, trainer)))


def test_a_past_sheet_never_taken_or_left_open_stays_to_regularise_whatever_its_age(trainer):
    cohort = f.CohortFactory(start_date=date(2026, 1, 5), end_date=date(2027, 1, 8))
    never_taken = f.SessionFactory(cohort=cohort, date=date(2026, 2, 2), trainer=trainer)  # nine months ago
    left_open = f.SessionFactory(cohort=cohort, date=date(2026, 6, 1), trainer=trainer)
    f.AttendanceSheetFactory(session=left_open)
    closed = f.SessionFactory(cohort=cohort, date=date(2026, 6, 2), trainer=trainer)
    f.AttendanceSheetFactory(session=closed, closed_at=datetime(2026, 6, 2, 11, tzinfo=UTC))
    f.SessionFactory(cohort=cohort, date=date(2026, 6, 3), status=SessionStatus.CANCELLED)
    this_morning = f.SessionFactory(cohort=cohort, date=date(2026, 11, 16), trainer=trainer)
    not_over = f.SessionFactory(
        cohort=cohort, date=date(2026, 11, 16), half_day=f.m.HalfDay.PM, start_time=time(18), end_time=time(21)
    )
    assert listed() == [this_morning, left_open, never_taken]
    assert not_over not in listed() and followup.count_to_finish(NOW) == 3


def test_a_trainer_sees_only_their_own_sheets_to_finish(trainer):
    mine = f.SessionFactory(date=date(2026, 3, 2), trainer=trainer)
    f.SessionFactory(date=date(2026, 3, 3), trainer=f.UserFactory.trainer())
    assert followup.trainer_to_finish(trainer, NOW) == ([mine], 1)


def test_the_trainer_s_list_is_bounded_and_tells_how_many_there_are(trainer, monkeypatch):
    monkeypatch.setattr(followup, "TRAINER_LIST_LIMIT", 2)
    for day in (2, 3, 4):
        f.SessionFactory(date=date(2026, 3, day), trainer=trainer)
    shown, total = followup.trainer_to_finish(trainer, NOW)
    assert [s.date.day for s in shown] == [4, 3] and total == 3


def test_a_sheet_left_open_gets_one_reminder_to_its_trainer_the_evening_of_its_day(trainer):
    left_open = f.SessionFactory(date=date(2026, 11, 16), trainer=trainer)
    f.AttendanceSheetFactory(session=left_open)
    never_taken = f.SessionFactory(date=date(2026, 11, 16), half_day=f.m.HalfDay.PM, trainer=trainer)
    closed = f.SessionFactory(date=date(2026, 11, 16), trainer=trainer)
    f.AttendanceSheetFactory(session=closed, closed_at=datetime(2026, 11, 16, 11, 40, tzinfo=UTC))
    f.SessionFactory(date=date(2026, 11, 13), trainer=trainer)  # an older one was the evening of its own day
    assert (
        notifications.queue_sheet_reminders("https://cadence.example", NOW.replace(hour=16)) == 0
    )  # 17:00 in Paris: not yet
    assert notifications.queue_sheet_reminders("https://cadence.example", NOW) == 2
    assert notifications.queue_sheet_reminders("https://cadence.example", NOW.replace(hour=20)) == 0  # once
    messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.dedup_key for m in messages] == [
        notifications.reminder_key(left_open.id),
        notifications.reminder_key(never_taken.id),
    ]
    assert {m.recipient for m in messages} == {trainer.email}
    assert "n'est pas close" in messages[0].body_text
    assert f"https://cadence.example/emargement/seances/{left_open.id}" in messages[0].body_text


def test_send_mail_queues_the_reminders_once(app, trainer, monkeypatch):
    f.SessionFactory(date=date(2026, 11, 16), trainer=trainer)
    sent = []
    monkeypatch.setattr(notifications, "send_outbox", lambda config, **_: sent.append(1) or notifications.SendReport())
    monkeypatch.setattr(notifications, "datetime", _Frozen)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["send-mail"])
    runner.invoke(args=["send-mail"])
    assert "Rappels de feuilles non closes : 1" in first.output and len(sent) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):
        return NOW


def test_a_sheet_written_by_any_means_keeps_its_half_day_flag_in_step(trainer):
    from cfa.demo.attendance import insert_closed_sheets

    open_sheet = f.AttendanceSheetFactory(session=f.SessionFactory(date=date(2026, 3, 2), trainer=trainer))
    factory_closed = f.AttendanceSheetFactory(
        session=f.SessionFactory(date=date(2026, 3, 3), trainer=trainer), closed_at=datetime(2026, 3, 3, tzinfo=UTC)
    )
    bulk = f.SessionFactory(date=date(2026, 3, 4), trainer=trainer)
    db.session.flush()
    insert_closed_sheets([dict(session_id=bulk.id, version=1, closed_at=datetime(2026, 3, 4, 12, tzinfo=UTC))])
    db.session.expire_all()
    assert f.closed_flags_disagreeing() == 0
    assert (open_sheet.session.sheet_closed, factory_closed.session.sheet_closed, bulk.sheet_closed) == (
        False,
        True,
        True,
    )
    assert listed(trainer=trainer) == [open_sheet.session]

    db.session.delete(factory_closed)  # a sheet never goes, but if it did its half-day would be to take again
    db.session.flush()
    assert f.closed_flags_disagreeing() == 0
