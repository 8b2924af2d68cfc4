"""Planning a cohort in the database: exact hours, re-planning that leaves records alone, conflicts, edits."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, HalfDay, PeriodKind, Session, SessionStatus
from cfa.services import planning
from tests import factories as f

START = date(2026, 9, 14)
BEFORE = date(2026, 9, 1)


@pytest.fixture
def trainer():
    return f.UserFactory.trainer()


@pytest.fixture
def cohort(trainer):
    programme = f.ProgrammeFactory(total_minutes=70 * 60, first_block_weeks=1)
    f.ModuleFactory(programme=programme, minutes=35 * 60, default_trainer=trainer)
    f.ModuleFactory(programme=programme, minutes=35 * 60, default_trainer=trainer)
    room = f.RoomFactory()
    return f.CohortFactory(
        programme=programme, centre=room.centre, default_room=room, start_date=START, end_date=date(2027, 6, 30)
    )


def live(cohort):
    return planning.cohort_sessions(cohort.id, live_only=True)


def test_planning_a_cohort_writes_its_sessions_and_weeks(cohort, trainer):
    result = planning.preview(cohort, today=BEFORE)
    counts = planning.apply(result, actor=None)
    sessions = live(cohort)
    assert counts.created == 20 and len(sessions) == 20
    assert sum(s.minutes for s in sessions) == 70 * 60
    assert {s.trainer_id for s in sessions} == {trainer.id}
    assert {s.room_id for s in sessions} == {cohort.default_room_id}
    kinds = [p.kind for p in sorted(cohort.periods, key=lambda p: p.start_date)]
    assert kinds[:2] == [PeriodKind.COURSE, PeriodKind.FIELD]
    assert planning.hours_summary(cohort) == "70 h planifiées sur 70 h"


def test_planning_twice_changes_nothing(cohort):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    sequences = {s.id: s.sequence for s in live(cohort)}
    again = planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    assert (again.created, again.updated, again.cancelled) == (0, 0, 0)
    assert {s.id: s.sequence for s in live(cohort)} == sequences


def test_re_planning_leaves_past_and_marked_sessions_alone(cohort):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    first_week = [s for s in live(cohort) if s.date < date(2026, 9, 21)]
    marked = live(cohort)[-1]
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=marked))
    # The programme grows: the re-plan adds hours after today but keeps what is recorded.
    cohort.programme.total_minutes = 77 * 60
    result = planning.preview(cohort, today=date(2026, 9, 21))
    assert result.kept == len(first_week) + 1
    planning.apply(result, actor=None)
    after = live(cohort)
    assert sum(s.minutes for s in after) == 77 * 60
    for session in first_week + [marked]:
        db.session.refresh(session)
        assert session.sequence == 0 and session.status == SessionStatus.PLANNED


def test_a_clash_with_another_cohort_saves_nothing_unless_accepted(cohort, trainer):
    other = f.CohortFactory(centre=cohort.centre)
    f.SessionFactory(cohort=other, date=START, half_day=HalfDay.AM, trainer=trainer)
    result = planning.preview(cohort, today=BEFORE)
    assert len(result.conflicts) == 1
    assert "déjà réservé·e pour " + other.name in result.messages()[0]
    with pytest.raises(planning.ConflictsFound):
        planning.apply(result, actor=None)
    assert live(cohort) == []
    planning.apply(result, actor=None, accept_conflicts=True)
    accepted = [s for s in live(cohort) if s.conflict_accepted]
    assert [(s.date, s.half_day) for s in accepted] == [(START, HalfDay.AM)]


def test_moving_a_session_bumps_its_sequence_and_is_audited(cohort, trainer):
    admin = f.UserFactory.admin()
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    planning.update_session(
        session, admin, day=date(2026, 9, 26), half_day=HalfDay.AM, start_time=time(9), end_time=time(12),
        trainer_id=trainer.id, room_id=session.room_id, module_id=session.module_id, today=BEFORE,
    )  # fmt: skip
    assert session.sequence == 1 and session.date == date(2026, 9, 26)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "session", AuditEvent.entity_id == session.id)
    )
    assert event.before["date"] == "2026-09-14" and event.after["date"] == "2026-09-26"


def test_a_session_cannot_move_onto_another_of_its_cohort_or_into_the_past(cohort, trainer):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    first, second = live(cohort)[:2]
    kwargs = dict(
        start_time=time(9), end_time=time(12, 30), trainer_id=None, room_id=None, module_id=None, today=BEFORE
    )
    with pytest.raises(planning.PlanningError, match="déjà une séance"):
        planning.update_session(second, None, day=first.date, half_day=first.half_day, **kwargs)
    with pytest.raises(planning.PlanningError, match="passé"):
        planning.update_session(second, None, day=date(2026, 8, 1), half_day=HalfDay.AM, **kwargs)


def test_past_and_marked_sessions_cannot_be_cancelled(cohort):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    with pytest.raises(planning.PlanningError, match="passée"):
        planning.cancel_session(session, None, "Formateur malade", today=date(2026, 10, 1))
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session))
    with pytest.raises(planning.PlanningError, match="émargements"):
        planning.cancel_session(session, None, "Formateur malade", today=BEFORE)


def test_a_cancelled_session_stays_with_its_status_and_the_shortfall_shows(cohort):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    planning.cancel_session(session, None, "Grève des transports", today=BEFORE)
    assert db.session.get(Session, session.id).status == SessionStatus.CANCELLED and session.sequence == 1
    assert planning.hours_summary(cohort) == "66 h 30 planifiées sur 70 h : il manque 3 h 30"


def test_taking_a_course_week_out_plans_its_hours_later(cohort):
    planning.apply(planning.preview(cohort, today=BEFORE), actor=None)
    last_before = live(cohort)[-1].date
    result = planning.set_course_week(cohort, START, at_centre=False, actor=None, today=BEFORE)
    planning.apply(result, actor=None)
    sessions = live(cohort)
    assert all(s.date >= date(2026, 9, 21) for s in sessions)
    assert sum(s.minutes for s in sessions) == 70 * 60 and sessions[-1].date > last_before
    removed = [p for p in cohort.periods if p.manual]
    assert [(p.kind, p.start_date) for p in removed] == [(PeriodKind.FIELD, START)]
