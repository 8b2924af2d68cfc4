"""Sessions de formation of short courses: created with their rules, planned by hand or from a pattern, never
double-booking a trainer or a room across cohorts and short courses."""

from datetime import date, time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, HalfDay, Session, SessionStatus
from cfa.services import course_planning, planning_edits, short_courses
from cfa.services.calendar_generation import Closure, french_holidays
from cfa.services.replanning import ConflictsFound, PlanningError
from tests import factories as f

TODAY = date(2026, 1, 5)
MONDAY = date(2026, 3, 2)
MON_TUE = (1, 2)


def pattern(**kw) -> course_planning.Pattern:
    return course_planning.Pattern(**({"start": MONDAY, "days": 6, "weekdays": MON_TUE} | kw))


# The pattern planner (pure)


def test_six_days_on_mondays_and_tuesdays_take_three_weeks_of_full_days():
    plan = course_planning.plan_pattern(pattern(), holidays={})
    assert plan.days == [date(2026, 3, d) for d in (2, 3, 9, 10, 16, 17)]
    assert len(plan.sessions) == 12 and plan.minutes == 6 * 7 * 60
    assert plan.missing_days == 0 and plan.skipped == []


def test_the_planner_skips_public_holidays_and_the_centres_closures_and_still_places_every_day():
    # Easter Monday 2026 is 6 April; the centre closes the week of 13 April.
    holidays = french_holidays(date(2026, 3, 30), date(2026, 5, 31))
    closure = Closure(date(2026, 4, 13), date(2026, 4, 17), "Vacances de printemps")
    plan = course_planning.plan_pattern(pattern(start=date(2026, 3, 30)), holidays, (closure,))
    assert plan.days == [
        date(2026, 3, 30),
        date(2026, 3, 31),
        date(2026, 4, 7),
        date(2026, 4, 20),
        date(2026, 4, 21),
        date(2026, 4, 27),
    ]
    assert [s.day for s in plan.skipped] == [date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 14)]
    assert "férié" in plan.skipped[0].message and "Vacances de printemps" in plan.skipped[1].message


def test_mornings_only_at_the_times_asked():
    plan = course_planning.plan_pattern(
        pattern(days=2, half_days=(HalfDay.AM,), morning=(time(8, 30), time(12, 0))), holidays={}
    )
    assert [(s.date, s.half_day, s.start_time, s.end_time) for s in plan.sessions] == [
        (date(2026, 3, 2), HalfDay.AM, time(8, 30), time(12, 0)),
        (date(2026, 3, 3), HalfDay.AM, time(8, 30), time(12, 0)),
    ]


def test_days_that_do_not_fit_before_the_runs_last_day_are_counted_missing():
    plan = course_planning.plan_pattern(pattern(), holidays={}, until=date(2026, 3, 10))
    assert len(plan.days) == 4 and plan.missing_days == 2


# Runs in the database


@pytest.fixture
def trainer():
    return f.UserFactory.trainer()


@pytest.fixture
def run(trainer):
    return f.ShortCourseRunFactory(
        programme=f.ShortCourseFactory(total_minutes=42 * 60),
        start_date=MONDAY,
        end_date=date(2026, 3, 31),
        lead_trainer=trainer,
    )


def test_a_pattern_is_written_as_half_days_of_the_run_with_an_audit_event_each(run, trainer, admin):
    preview = course_planning.preview_pattern(run, pattern(trainer_id=trainer.id))
    created = course_planning.apply_pattern(preview, admin, today=TODAY)
    assert len(created) == 12
    assert {s.trainer_id for s in created} == {trainer.id} and all(s.manual for s in created)
    events = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.entity == "session", AuditEvent.context_id == run.id)
    )
    assert events == 12


def test_a_pattern_that_would_exceed_the_action_s_hours_is_said_before_it_is_saved(run, trainer, admin):
    preview = course_planning.preview_pattern(run, pattern(trainer_id=trainer.id))
    assert preview.excess_warning is None  # 12 half-days of 3 h 30: the action's 42 h exactly
    course_planning.apply_pattern(preview, admin, today=TODAY)
    again = course_planning.preview_pattern(run, pattern(start=date(2026, 3, 23), days=1, trainer_id=trainer.id))
    assert again.excess_warning == (
        "Avec ce modèle, la session compterait 49 h pour 42 h prévues par l'action (7 h de trop)."
    )


def test_a_trainer_teaching_an_apprenticeship_cohort_that_day_is_a_conflict_and_nothing_is_written(run, trainer, admin):
    cohort = f.CohortFactory(start_date=date(2026, 1, 5), end_date=date(2026, 12, 18))
    f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2026, 3, 9), half_day=HalfDay.PM)
    preview = course_planning.preview_pattern(run, pattern(trainer_id=trainer.id))
    assert [(c.resource, c.date, c.cohort_ids) for c in preview.conflicts] == [
        ("trainer", date(2026, 3, 9), (run.id, cohort.id))
    ]
    with pytest.raises(ConflictsFound):
        course_planning.apply_pattern(preview, admin, today=TODAY)
    assert db.session.scalar(sa.select(sa.func.count()).where(Session.cohort_id == run.id)) == 0
    created = course_planning.apply_pattern(preview, admin, accept_conflicts=True, today=TODAY)
    assert [s.conflict_accepted for s in created].count(True) == 1


def test_a_cohorts_session_added_by_hand_clashes_with_a_short_course_of_the_same_trainer(run, trainer, admin):
    room = f.RoomFactory()
    course_planning.apply_pattern(
        course_planning.preview_pattern(run, pattern(days=1, trainer_id=trainer.id, room_id=room.id)),
        admin,
        today=TODAY,
    )
    cohort = f.CohortFactory(start_date=date(2026, 1, 5), end_date=date(2026, 12, 18))
    with pytest.raises(ConflictsFound) as refused:
        planning_edits.add_session(
            cohort,
            admin,
            day=MONDAY,
            half_day=HalfDay.AM,
            start_time=time(10, 0),
            end_time=time(12, 0),
            trainer_id=trainer.id,
            room_id=None,
            module_id=None,
            accept_warnings=True,
            today=TODAY,
        )
    assert {c.cohort_ids for c in refused.value.conflicts} == {(cohort.id, run.id)}


def test_a_short_courses_half_day_added_by_hand_is_refused_where_the_room_is_taken(run, admin):
    room = f.RoomFactory(centre=run.centre)
    f.SessionFactory(cohort=f.CohortFactory(), room=room, date=MONDAY, half_day=HalfDay.AM)
    with pytest.raises(ConflictsFound):
        planning_edits.add_session(
            run,
            admin,
            day=MONDAY,
            half_day=HalfDay.AM,
            start_time=time(9, 0),
            end_time=time(12, 30),
            trainer_id=None,
            room_id=room.id,
            module_id=None,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": date(2025, 12, 1)}, "passé"),
        ({"days": 12}, "ne tiennent pas"),
        ({"start": date(2026, 2, 23)}, "La session commence"),
    ],
)
def test_a_pattern_is_refused_in_the_past_before_the_run_or_beyond_its_last_day(run, admin, change, message):
    preview = course_planning.preview_pattern(run, pattern(**change))
    with pytest.raises(PlanningError, match=message):
        course_planning.apply_pattern(preview, admin, today=TODAY)


def test_a_pattern_never_adds_a_half_day_the_run_already_has(run, admin):
    f.SessionFactory(cohort=run, date=date(2026, 3, 3), half_day=HalfDay.PM)
    preview = course_planning.preview_pattern(run, pattern())
    assert preview.taken == [date(2026, 3, 3)]
    with pytest.raises(PlanningError, match="déjà une séance le mardi 3 mars 2026"):
        course_planning.apply_pattern(preview, admin, today=TODAY)


@pytest.fixture
def admin():
    return f.UserFactory.admin()


def values(programme, centre, **kw) -> short_courses.RunValues:
    base = dict(
        programme_id=programme.id,
        centre_id=centre.id,
        name="Socle Rennes mars 2026",
        start_date=MONDAY,
        end_date=date(2026, 3, 17),
    )
    return short_courses.RunValues(**(base | kw))


def test_an_intra_company_run_is_created_for_one_client_at_its_site_and_audited(admin):
    programme, centre, client = f.ShortCourseFactory(), f.CentreFactory(), f.EmployerFactory()
    run = short_courses.save_run(
        admin, None, values(programme, centre, client_id=client.id, place="Mairie de Rennes", price_cents=420000)
    )
    assert run.is_intra and run.place == "Mairie de Rennes" and run.price_cents == 420000
    assert short_courses.place_of(run) == "Mairie de Rennes"
    assert (
        db.session.scalar(
            sa.select(AuditEvent.action).where(AuditEvent.entity == "cohort", AuditEvent.entity_id == run.id)
        )
        == "create"
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"programme": "title"}, "programme_id", "formation courte"),
        ({"end_date": date(2026, 3, 1)}, "end_date", "précéder"),
        ({"price_cents": 1000}, "price_cents", "intra-entreprise"),
        ({"room": "elsewhere"}, "default_room_id", "centre choisi"),
    ],
)
def test_a_run_is_refused_with_a_french_message(admin, change, field, message):
    programme, centre = f.ShortCourseFactory(), f.CentreFactory()
    if change.pop("programme", None):
        programme = f.ProgrammeFactory()
    if change.pop("room", None):
        change["default_room_id"] = f.RoomFactory().id
    with pytest.raises(short_courses.CourseError, match=message) as refused:
        short_courses.save_run(admin, None, values(programme, centre, **change))
    assert refused.value.field == field


def test_a_one_day_run_is_a_run():
    run = f.ShortCourseRunFactory(start_date=MONDAY, end_date=MONDAY)
    assert short_courses.short_course_or_none(run.id) == run
    assert short_courses.short_course_or_none(f.CohortFactory().id) is None


def test_the_counts_of_a_page_of_runs_come_from_two_grouped_queries(count_queries):
    runs = [f.ShortCourseRunFactory() for _ in range(3)]
    f.TraineeEnrolmentFactory(cohort=runs[0])
    f.TraineeEnrolmentFactory(cohort=runs[0])
    f.SessionFactory(cohort=runs[1], date=date(2025, 10, 6))
    f.SessionFactory(cohort=runs[1], date=date(2025, 10, 6), half_day=HalfDay.PM, status=SessionStatus.CANCELLED)
    with count_queries() as queries:
        counts = short_courses.run_counts([r.id for r in runs])
    assert len(queries) == 3
    assert counts[runs[0].id].trainees == 2 and counts[runs[1].id] == short_courses.RunCounts(0, 1, 210)


def test_moving_a_run_moves_its_trainees_places_but_never_leaves_half_days_outside_it(admin):
    run = f.ShortCourseRunFactory(start_date=MONDAY, end_date=date(2026, 3, 17))
    enrolment = f.TraineeEnrolmentFactory(cohort=run, contract_start=MONDAY, contract_end=date(2026, 3, 17))
    moved = values(run.programme, run.centre, name=run.name, start_date=date(2026, 3, 9), end_date=date(2026, 3, 24))
    short_courses.save_run(admin, run, moved)
    assert (enrolment.contract_start, enrolment.contract_end) == (date(2026, 3, 9), date(2026, 3, 24))
    assert (
        db.session.scalar(
            sa.select(AuditEvent.reason).where(AuditEvent.entity == "enrolment", AuditEvent.entity_id == enrolment.id)
        )
        == "Dates de la session modifiées"
    )
    f.SessionFactory(cohort=run, date=date(2026, 3, 10))
    with pytest.raises(short_courses.CourseError, match="hors de ces dates"):
        short_courses.save_run(admin, run, moved.__class__(**(vars(moved) | {"start_date": date(2026, 3, 16)})))
