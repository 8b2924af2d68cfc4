"""Planning a cohort in the database: exact hours, re-planning that leaves records alone, conflicts, edits."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, HalfDay, PeriodKind, Session, SessionRelease, SessionStatus
from cfa.services import calendar_queries, planning_edits, replanning
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
    return calendar_queries.cohort_sessions(cohort.id, live_only=True)


def test_planning_a_cohort_writes_its_sessions_and_weeks(cohort, trainer):
    result = replanning.preview(cohort, today=BEFORE)
    counts = replanning.apply(result, actor=None)
    sessions = live(cohort)
    assert counts.created == 20 and len(sessions) == 20
    assert sum(s.minutes for s in sessions) == 70 * 60
    assert {s.trainer_id for s in sessions} == {trainer.id}
    assert {s.room_id for s in sessions} == {cohort.default_room_id}
    kinds = [p.kind for p in sorted(cohort.periods, key=lambda p: p.start_date)]
    assert kinds[:2] == [PeriodKind.COURSE, PeriodKind.FIELD]
    assert calendar_queries.hours_summary(cohort) == "70 h planifiées sur 70 h"


def test_planning_twice_changes_nothing(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    sequences = {s.id: s.sequence for s in live(cohort)}
    again = replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    assert (again.created, again.updated, again.cancelled) == (0, 0, 0)
    assert {s.id: s.sequence for s in live(cohort)} == sequences


def test_re_planning_leaves_past_and_marked_sessions_alone(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    first_week = [s for s in live(cohort) if s.date < date(2026, 9, 21)]
    marked = live(cohort)[-1]
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=marked))
    # The programme grows: the re-plan adds hours after today but keeps what is recorded.
    cohort.programme.total_minutes = 77 * 60
    result = replanning.preview(cohort, today=date(2026, 9, 21))
    assert result.kept == len(first_week) + 1
    replanning.apply(result, actor=None)
    after = live(cohort)
    assert sum(s.minutes for s in after) == 77 * 60
    for session in first_week + [marked]:
        db.session.refresh(session)
        assert session.sequence == 0 and session.status == SessionStatus.PLANNED


def test_a_clash_with_another_cohort_saves_nothing_unless_accepted(cohort, trainer):
    other = f.CohortFactory(centre=cohort.centre)
    f.SessionFactory(cohort=other, date=START, half_day=HalfDay.AM, trainer=trainer)
    result = replanning.preview(cohort, today=BEFORE)
    assert len(result.conflicts) == 1
    assert "déjà réservé·e pour " + other.name in result.messages()[0]
    with pytest.raises(replanning.ConflictsFound):
        replanning.apply(result, actor=None)
    assert live(cohort) == []
    replanning.apply(result, actor=None, accept_conflicts=True)
    accepted = [s for s in live(cohort) if s.conflict_accepted]
    assert [(s.date, s.half_day) for s in accepted] == [(START, HalfDay.AM)]


def test_moving_a_session_bumps_its_sequence_and_is_audited(cohort, trainer):
    admin = f.UserFactory.admin()
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    planning_edits.update_session(
        session,
        admin,
        day=date(2026, 9, 26),
        half_day=HalfDay.AM,
        start_time=time(9),
        end_time=time(12),
        trainer_id=trainer.id,
        room_id=session.room_id,
        module_id=session.module_id,
        today=BEFORE,
        accept_warnings=True,  # a Saturday
    )
    assert session.sequence == 1 and session.date == date(2026, 9, 26)
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "session", AuditEvent.entity_id == session.id)
    )
    assert event.before["date"] == "2026-09-14" and event.after["date"] == "2026-09-26"


def test_a_session_cannot_move_onto_another_of_its_cohort_or_into_the_past(cohort, trainer):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    first, second = live(cohort)[:2]
    kwargs = dict(
        start_time=time(9), end_time=time(12, 30), trainer_id=None, room_id=None, module_id=None, today=BEFORE
    )
    with pytest.raises(replanning.PlanningError, match="déjà une séance"):
        planning_edits.update_session(second, None, day=first.date, half_day=first.half_day, **kwargs)
    with pytest.raises(replanning.PlanningError, match="passé"):
        planning_edits.update_session(second, None, day=date(2026, 8, 1), half_day=HalfDay.AM, **kwargs)


def test_past_and_marked_sessions_cannot_be_cancelled(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    with pytest.raises(replanning.PlanningError, match="passée"):
        planning_edits.cancel_session(session, None, "Formateur malade", today=date(2026, 10, 1))
    f.AttendanceMarkFactory(sheet=f.AttendanceSheetFactory(session=session))
    with pytest.raises(replanning.PlanningError, match="émargements"):
        planning_edits.cancel_session(session, None, "Formateur malade", today=BEFORE)


def test_a_cancelled_session_stays_with_its_status_and_the_shortfall_shows(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    planning_edits.cancel_session(session, None, "Grève des transports", today=BEFORE)
    assert db.session.get(Session, session.id).status == SessionStatus.CANCELLED and session.sequence == 1
    assert calendar_queries.hours_summary(cohort) == "66 h 30 planifiées sur 70 h : il manque 3 h 30"


def test_taking_a_course_week_out_plans_its_hours_later(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    last_before = live(cohort)[-1].date
    result = planning_edits.set_course_week(cohort, START, at_centre=False, actor=None, today=BEFORE)
    replanning.apply(result, actor=None)
    sessions = live(cohort)
    assert all(s.date >= date(2026, 9, 21) for s in sessions)
    assert sum(s.minutes for s in sessions) == 70 * 60 and sessions[-1].date > last_before
    removed = [p for p in cohort.periods if p.manual]
    assert [(p.kind, p.start_date) for p in removed] == [(PeriodKind.FIELD, START)]


# --- Hand edits checked like conflicts --------------------------------------------------------

CHRISTMAS = date(2026, 12, 25)


def move(session, *, day=None, half_day=None, start=None, end=None, room=None, **kwargs):
    return planning_edits.update_session(
        session,
        None,
        day=day or session.date,
        half_day=half_day or session.half_day,
        start_time=start or session.start_time,
        end_time=end or session.end_time,
        trainer_id=session.trainer_id,
        room_id=room.id if room else session.room_id,
        module_id=session.module_id,
        today=BEFORE,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("change", "kinds"),
    [
        (dict(day=date(2026, 9, 19)), ["weekend"]),
        (dict(day=CHRISTMAS), ["holiday", "closure"]),
        (dict(day=date(2026, 9, 23)), ["field_week"]),
        (dict(room="nantes"), ["other_centre"]),
        (dict(start=time(8), end=time(11, 30)), ["outside_day"]),
        (dict(end=time(13, 0)), ["over_hours"]),
    ],
)
def test_a_hand_move_the_planner_would_never_make_is_refused_until_its_warnings_are_accepted(cohort, change, kinds):
    f.ClosurePeriodFactory(
        centre=cohort.centre, label="Vacances de Noël", start_date=date(2026, 12, 21), end_date=date(2027, 1, 1)
    )
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    session = live(cohort)[0]
    if change.get("room") == "nantes":
        change["room"] = f.RoomFactory(centre=f.CentreFactory(name="Nantes"))
    with pytest.raises(planning_edits.WarningsFound) as refused:
        move(session, **change)
    assert [w.kind for w in refused.value.warnings] == kinds
    db.session.expire_all()
    assert (session.date, session.start_time, session.sequence, session.manual) == (START, time(9), 0, False)
    move(session, **change, accept_warnings=True)
    assert session.manual and session.sequence == 1
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.entity == "session", AuditEvent.entity_id == session.id)
    )
    assert event.reason.startswith("Avertissements acceptés")


def test_an_added_session_is_checked_like_a_move_and_kept_by_hand(cohort, trainer):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    kwargs = dict(
        half_day=HalfDay.AM,
        start_time=time(9),
        end_time=time(12, 30),
        trainer_id=trainer.id,
        room_id=cohort.default_room_id,
        module_id=None,
        today=BEFORE,
    )
    with pytest.raises(planning_edits.WarningsFound) as refused:
        planning_edits.add_session(cohort, None, day=CHRISTMAS, **kwargs)
    assert [w.kind for w in refused.value.warnings] == ["holiday", "field_week", "over_hours"]
    added = planning_edits.add_session(cohort, None, day=CHRISTMAS, accept_warnings=True, **kwargs)
    assert added.manual and added.status == SessionStatus.PLANNED
    assert calendar_queries.hours_summary(cohort) == "73 h 30 planifiées sur 70 h : 3 h 30 de trop"


# --- Re-planning keeps what an admin decided by hand ------------------------------------------

SECOND_WEEK = date(2026, 10, 12)


def slot_sessions(cohort, day, half_day):
    return [s for s in live(cohort) if (s.date, s.half_day) == (day, half_day)]


def test_re_planning_from_a_date_keeps_a_session_moved_by_hand_after_it(cohort):
    """Regression: the re-plan used to put the session back on its old half-day and cancel the moved one."""
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    tuesday = date(2026, 10, 13)
    session = slot_sessions(cohort, tuesday, HalfDay.AM)[0]
    move(session, day=date(2026, 10, 21), accept_warnings=True)  # a field-week Wednesday: the admin's choice
    sequence = session.sequence
    counts = replanning.apply(replanning.preview(cohort, from_date=date(2026, 10, 5), today=BEFORE), actor=None)
    db.session.expire_all()
    assert session.status == SessionStatus.PLANNED and session.date == date(2026, 10, 21)
    assert session.sequence == sequence
    assert slot_sessions(cohort, tuesday, HalfDay.AM) == []
    assert (counts.created, counts.cancelled) == (0, 0)
    assert sum(s.minutes for s in live(cohort)) == 70 * 60


def test_re_planning_does_not_bring_back_a_session_cancelled_by_hand(cohort):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    session = slot_sessions(cohort, SECOND_WEEK, HalfDay.PM)[0]
    planning_edits.cancel_session(session, None, "Salle indisponible", today=BEFORE)
    replanning.apply(replanning.preview(cohort, from_date=date(2026, 10, 5), today=BEFORE), actor=None)
    db.session.expire_all()
    assert session.is_cancelled
    assert slot_sessions(cohort, SECOND_WEEK, HalfDay.PM) == []
    assert sum(s.minutes for s in live(cohort)) == 70 * 60  # its hours are planned later


def test_a_trainer_replaced_by_a_re_plan_is_released_from_the_session(cohort, trainer):
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    other = f.UserFactory.trainer()
    for module in cohort.programme.modules:
        module.default_trainer = other
    db.session.flush()
    replanning.apply(replanning.preview(cohort, from_date=SECOND_WEEK, today=BEFORE), actor=None)
    released = db.session.scalars(sa.select(SessionRelease).where(SessionRelease.trainer_id == trainer.id)).all()
    assert sorted(r.session.date for r in released)[0] == SECOND_WEEK and len(released) == 10


# --- Periods say "at the centre" only on days with a session ----------------------------------


def test_a_course_period_ends_on_its_last_day_with_a_session_and_skips_a_public_holiday(trainer):
    programme = f.ProgrammeFactory(total_minutes=7 * 210)  # 7 half-days: Mon, Tue, Thu AM
    f.ModuleFactory(programme=programme, minutes=7 * 210, default_trainer=trainer)
    cohort = f.CohortFactory(programme=programme, start_date=date(2026, 11, 9), end_date=date(2027, 6, 30))
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    course = [(p.start_date, p.end_date) for p in cohort.periods if p.kind == PeriodKind.COURSE]
    assert course == [(date(2026, 11, 9), date(2026, 11, 10)), (date(2026, 11, 12), date(2026, 11, 13))]
    again = replanning.preview(cohort, today=BEFORE)
    replanning.apply(again, actor=None)  # periods rebuilt from kept sessions give the same weeks
    assert [(p.start_date, p.end_date) for p in cohort.periods if p.kind == PeriodKind.COURSE] == course


def test_an_added_week_whose_first_session_follows_easter_monday_is_still_known_as_added(cohort):
    f.CalendarPeriodFactory(
        cohort=cohort, kind=PeriodKind.COURSE, manual=True, start_date=date(2027, 3, 30), end_date=date(2027, 4, 2)
    )
    db.session.refresh(cohort)
    assert date(2027, 3, 29) in replanning.build_request(cohort, BEFORE, []).added_weeks


# --- The preview's warnings -------------------------------------------------------------------


def test_the_preview_names_each_year_the_plan_covers_without_any_closure(cohort):
    f.ClosurePeriodFactory(centre=cohort.centre, start_date=date(2026, 12, 21), end_date=date(2027, 1, 1))
    assert replanning.preview(cohort, today=BEFORE).years_without_closure == []
    other = f.CohortFactory(
        programme=cohort.programme, centre=cohort.centre, start_date=START, end_date=date(2028, 6, 30)
    )
    assert replanning.preview(other, today=BEFORE).years_without_closure == [2028]


@pytest.mark.parametrize(
    ("valid_until", "flagged"),
    [(None, False), (date(2027, 6, 30), False), (date(2027, 5, 16), True)],
)
def test_a_cohort_running_past_its_title_registration_is_flagged(cohort, valid_until, flagged):
    cohort.programme.rncp_valid_until = valid_until
    warning = replanning.preview(cohort, today=BEFORE).rncp_warning
    assert bool(warning) == flagged
    if flagged:
        assert "16 mai 2027" in warning and "30 juin 2027" in warning


def test_a_cohort_keeps_the_skill_blocks_it_was_taught_when_the_programme_changes_them(cohort):
    block = f.SkillBlockFactory(programme=cohort.programme, code="CCP1", title="Veille sociale")
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    block.title = "Veille sociale et travail en réseau (titre révisé)"
    f.SkillBlockFactory(programme=cohort.programme, code="CCP4", title="Nouveau bloc")
    db.session.flush()
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    assert [(b.code, b.title) for b in calendar_queries.cohort_skill_blocks(cohort)] == [("CCP1", "Veille sociale")]
    later = f.CohortFactory(
        programme=cohort.programme, centre=cohort.centre, start_date=START, end_date=date(2027, 6, 30)
    )
    db.session.refresh(cohort.programme)
    assert [b.code for b in calendar_queries.cohort_skill_blocks(later)] == ["CCP1", "CCP4"]
