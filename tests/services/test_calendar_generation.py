"""Calendar generation: hand-checked calendars, then properties over random rhythms, dates and closures."""

import dataclasses
from datetime import date, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfa.models import HalfDay, PeriodKind
from cfa.services.calendar_generation import (
    Closure,
    FixedSession,
    ModuleBudget,
    PlanRequest,
    Rhythm,
    french_holidays,
    monday_of,
    plan,
)
from cfa.services.conflicts import Booking, find_conflicts

CHRISTMAS_2026 = Closure(date(2026, 12, 21), date(2027, 1, 1), "Vacances de Noël 2026")
SUMMER_2027 = Closure(date(2027, 8, 2), date(2027, 8, 20), "Fermeture estivale 2027")
H441 = 441 * 60


def msads(**changes) -> PlanRequest:
    values = dict(
        start=date(2026, 9, 14),
        end=date(2027, 8, 13),
        total_minutes=H441,
        rhythm=Rhythm(first_block_weeks=2),
        closures=(CHRISTMAS_2026, SUMMER_2027),
    )
    values.update(changes)
    return PlanRequest(**values)


def test_msads_reaches_its_hours_exactly_with_a_two_week_opening_block():
    result = plan(msads())
    assert result.planned_minutes == H441 and result.missing_minutes == 0
    assert result.first_day == date(2026, 9, 14)
    assert result.last_day == date(2027, 7, 29)
    assert len(result.course_weeks) == 13
    assert [w.monday for w in result.course_weeks][:3] == [date(2026, 9, 14), date(2026, 9, 21), date(2026, 10, 19)]


def test_one_week_in_four_over_eleven_months_falls_short_and_says_by_how_much():
    result = plan(msads(rhythm=Rhythm()))
    assert result.missing_minutes == 35 * 60
    assert result.planned_minutes == 406 * 60


def test_a_public_holiday_removes_its_day_only():
    result = plan(msads())
    week = [s for s in result.sessions if monday_of(s.date) == date(2026, 11, 9)]
    assert week == []  # not a course week: check the one holding 11 November instead
    armistice = date(2026, 11, 11)
    holiday_week = plan(msads(start=date(2026, 11, 9), end=date(2027, 10, 1)))
    days = sorted({s.date for s in holiday_week.sessions if monday_of(s.date) == date(2026, 11, 9)})
    assert armistice not in days
    assert days == [date(2026, 11, 9), date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 13)]
    assert (armistice, "Armistice") in holiday_week.holidays


def test_a_course_week_in_a_closure_moves_to_the_first_open_week_and_the_rhythm_follows():
    result = plan(msads(start=date(2026, 9, 28), total_minutes=406 * 60, rhythm=Rhythm()))
    mondays = [w.monday for w in result.course_weeks]
    assert date(2026, 12, 21) not in mondays and date(2026, 12, 28) not in mondays
    assert date(2027, 1, 4) in mondays
    assert result.moves[0].planned == date(2026, 12, 21) and result.moves[0].held == date(2027, 1, 4)
    assert result.moves[0].reason == "Vacances de Noël 2026"
    # Three field weeks after the moved week, then the centre again.
    assert mondays[mondays.index(date(2027, 1, 4)) + 1] == date(2027, 2, 1)


def test_a_partly_closed_week_keeps_its_open_days():
    bridge = Closure(date(2026, 9, 17), date(2026, 9, 18), "Pont")
    result = plan(msads(closures=(bridge,)))
    days = sorted({s.date for s in result.sessions if monday_of(s.date) == date(2026, 9, 14)})
    assert days == [date(2026, 9, 14), date(2026, 9, 15), date(2026, 9, 16)]


def test_the_last_session_is_shortened_to_end_on_the_exact_hours():
    result = plan(msads(total_minutes=7 * 60 + 45))
    assert [s.minutes for s in result.sessions] == [210, 210, 45]
    assert result.sessions[-1].start_time == time(9, 0) and result.sessions[-1].end_time == time(9, 45)


def test_a_contract_starting_on_a_wednesday_starts_that_day():
    result = plan(msads(start=date(2026, 9, 16)))
    assert result.first_day == date(2026, 9, 16)


def test_a_removed_week_is_planned_again_at_the_end_and_an_added_one_brings_the_end_forward():
    base = plan(msads())
    removed = plan(msads(removed_weeks=frozenset({date(2026, 10, 19)}), end=date(2027, 9, 30)))
    assert date(2026, 10, 19) not in [w.monday for w in removed.course_weeks]
    assert removed.planned_minutes == H441 and removed.last_day > base.last_day
    # Within the real contract there is no room left for it: the shortfall shows.
    assert plan(msads(removed_weeks=frozenset({date(2026, 10, 19)}))).missing_minutes == 28 * 60
    added = plan(msads(added_weeks=frozenset({date(2026, 10, 5)})))
    assert date(2026, 10, 5) in [w.monday for w in added.course_weeks]
    assert added.planned_minutes == H441 and added.last_day < base.last_day
    assert next(w for w in added.weeks if w.monday == date(2026, 10, 5)).manual


def test_re_planning_counts_kept_sessions_and_creates_nothing_before_its_date():
    first = plan(msads())
    kept = [FixedSession(s.date, s.half_day, s.minutes) for s in first.sessions if s.date < date(2026, 10, 1)]
    again = plan(msads(fixed=tuple(kept), from_date=date(2026, 10, 1)))
    assert all(s.date >= date(2026, 10, 1) for s in again.sessions)
    assert again.planned_minutes == H441
    assert [s.slot for s in again.sessions] == [s.slot for s in first.sessions if s.date >= date(2026, 10, 1)]


def test_modules_follow_their_order_and_budgets():
    budgets = (
        ModuleBudget(1, 10 * 60, trainer_id=7),
        ModuleBudget(2, 21 * 60, trainer_id=8),
        ModuleBudget(3, 410 * 60),
    )
    result = plan(msads(modules=budgets))
    order = [s.module_id for s in result.sessions]
    assert order == sorted(order)
    hours = {m: sum(s.minutes for s in result.sessions if s.module_id == m) for m in (1, 2, 3)}
    assert abs(hours[1] - 600) <= 210 and abs(hours[2] - 1260) <= 210  # within one half-day of the budget
    assert {s.trainer_id for s in result.sessions if s.module_id == 2} == {8}


def test_french_holidays_are_those_of_metropolitan_france():
    days = french_holidays(date(2027, 1, 1), date(2027, 12, 31))
    assert date(2027, 3, 29) in days  # lundi de Pâques
    assert date(2027, 3, 26) not in days  # Good Friday is Alsace-Moselle only


# --- Properties ---------------------------------------------------------------------------------

rhythms = st.builds(
    Rhythm,
    course_weeks=st.integers(1, 3),
    field_weeks=st.integers(0, 4),
    first_block_weeks=st.integers(1, 3),
    centre_days=st.lists(st.integers(1, 5), min_size=1, max_size=5, unique=True).map(lambda d: tuple(sorted(d))),
    afternoon=st.sampled_from([(time(13, 30), time(17, 0)), (time(14, 0), time(16, 45))]),
)


@st.composite
def requests(draw):
    start = draw(st.dates(date(2025, 1, 1), date(2028, 12, 31)))
    end = start + timedelta(days=draw(st.integers(150, 420)))
    closures = []
    for _ in range(draw(st.integers(0, 4))):
        first = draw(st.dates(start - timedelta(days=20), end))
        closures.append(Closure(first, first + timedelta(days=draw(st.integers(0, 24))), "Fermeture"))
    total = draw(st.integers(1, 160)) * 30 + draw(st.sampled_from([0, 15]))
    return PlanRequest(start, end, total, draw(rhythms), tuple(closures))


def _closed(request: PlanRequest, day: date) -> bool:
    return any(c.start <= day <= c.end for c in request.closures)


@settings(max_examples=150, deadline=None)
@given(requests())
def test_hours_are_exact_or_the_shortfall_is_reported(request):
    result = plan(request)
    assert result.planned_minutes + result.missing_minutes == request.total_minutes
    assert result.planned_minutes <= request.total_minutes
    if result.missing_minutes:
        # Only the contract's end stops the planner short: a longer contract plans the same, then the rest.
        longer = plan(dataclasses.replace(request, end=request.end + timedelta(days=900)))
        assert longer.missing_minutes == 0
        assert [s.slot for s in longer.sessions if s.date <= request.end] == [s.slot for s in result.sessions]


@settings(max_examples=150, deadline=None)
@given(requests())
def test_no_session_on_a_weekend_a_holiday_a_closure_or_outside_the_contract(request):
    result = plan(request)
    holidays = french_holidays(request.start, request.end)
    for session in result.sessions:
        assert session.date.isoweekday() in request.rhythm.centre_days
        assert session.date.isoweekday() <= 5
        assert session.date not in holidays
        assert not _closed(request, session.date)
        assert request.start <= session.date <= request.end
        assert session.end_time > session.start_time
    slots = [s.slot for s in result.sessions]
    assert len(slots) == len(set(slots)) and slots == sorted(slots, key=lambda s: (s[0], s[1] != HalfDay.AM))


@settings(max_examples=150, deadline=None)
@given(requests())
def test_weeks_follow_the_rhythm(request):
    """Once the closures that pushed a course week back are set aside (they are in `moves`) and the
    closures met in the field phase are counted as field weeks, the weeks are the rhythm exactly."""
    result = plan(request)
    rhythm = request.rhythm
    pushed_back = {
        w.monday
        for m in result.moves
        for w in result.weeks
        if m.planned <= w.monday < m.held and w.kind == PeriodKind.CLOSURE
    }
    last_course = max((i for i, w in enumerate(result.weeks) if w.kind == PeriodKind.COURSE), default=-1)
    first_course = next((i for i, w in enumerate(result.weeks) if w.kind == PeriodKind.COURSE), 0)
    kinds = [
        PeriodKind.FIELD if w.kind == PeriodKind.CLOSURE else w.kind
        for w in result.weeks[first_course : last_course + 1]
        if w.monday not in pushed_back
    ]
    expected = [PeriodKind.COURSE] * rhythm.first_block_weeks
    while len(expected) < len(kinds):
        expected += [PeriodKind.FIELD] * rhythm.field_weeks + [PeriodKind.COURSE] * rhythm.course_weeks
    assert kinds == expected[: len(kinds)]


@settings(max_examples=100, deadline=None)
@given(rhythms, st.dates(date(2025, 1, 1), date(2028, 12, 31)), st.integers(20, 400))
def test_without_closures_or_holidays_the_weeks_are_exactly_the_rhythm(rhythm, start, hours):
    start = monday_of(start)
    result = plan(PlanRequest(start, start + timedelta(days=800), hours * 60, rhythm, holidays={}))
    expected = [PeriodKind.COURSE] * rhythm.first_block_weeks
    while len(expected) < len(result.weeks):
        expected += [PeriodKind.FIELD] * rhythm.field_weeks + [PeriodKind.COURSE] * rhythm.course_weeks
    last_course = max(i for i, w in enumerate(result.weeks) if w.kind == PeriodKind.COURSE)
    assert [w.kind for w in result.weeks[: last_course + 1]] == expected[: last_course + 1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_the_same_request_gives_the_same_calendar(request):
    assert plan(request) == plan(request)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.dates(date(2026, 9, 1), date(2026, 12, 31)), st.integers(1, 3)), min_size=2, max_size=5))
def test_cohorts_generated_one_after_another_never_double_book_a_trainer_or_a_room(cohorts):
    """Each cohort is kept only if the conflict check finds nothing, as the planning screen does."""
    booked: list[Booking] = []
    for number, (start, trainer) in enumerate(cohorts):
        request = PlanRequest(
            start,
            start + timedelta(days=200),
            70 * 60,
            Rhythm(),
            modules=(ModuleBudget(1, 70 * 60, trainer_id=trainer),),
        )
        mine = [
            Booking(number, s.date, s.start_time, s.end_time, s.trainer_id, number % 2) for s in plan(request).sessions
        ]
        if not find_conflicts(mine, booked):
            booked.extend(mine)
    for i, a in enumerate(booked):
        for b in booked[i + 1 :]:
            if a.date == b.date and a.start_time < b.end_time and b.start_time < a.end_time:
                assert a.trainer_id != b.trainer_id and a.room_id != b.room_id


def test_conflicts_name_the_resource_and_both_cohorts():
    one = Booking(1, date(2026, 9, 14), time(9), time(12, 30), trainer_id=5, room_id=1)
    two = Booking(2, date(2026, 9, 14), time(11), time(12), trainer_id=5, room_id=2, session_id=40)
    (conflict,) = find_conflicts([one], [two])
    assert (conflict.resource, conflict.resource_id, conflict.cohort_ids) == ("trainer", 5, (1, 2))
    assert (conflict.start_time, conflict.end_time) == (time(11), time(12))
    assert find_conflicts([one], [Booking(2, date(2026, 9, 14), time(13, 30), time(17), 5, 1)]) == []


@pytest.mark.parametrize("first_block", [1, 2, 3])
def test_the_opening_block_is_as_long_as_asked(first_block):
    result = plan(msads(rhythm=Rhythm(first_block_weeks=first_block), closures=()))
    kinds = [w.kind for w in result.weeks[: first_block + 1]]
    assert kinds == [PeriodKind.COURSE] * first_block + [PeriodKind.FIELD]


@settings(max_examples=100, deadline=None)
@given(requests(), st.data())
def test_re_planning_keeps_hand_moved_sessions_and_leaves_the_half_days_they_left_empty(request, data):
    """An admin moved some sessions by hand: re-planning counts them where they are now and never refills
    the half-days they were moved away from, so the admin's decision is never silently undone."""
    first = plan(request)
    if not first.sessions:
        return
    moved = data.draw(st.lists(st.sampled_from(first.sessions), max_size=4, unique=True))
    from_date = data.draw(st.sampled_from([s.date for s in first.sessions]))
    kept = [FixedSession(s.date, s.half_day, s.minutes) for s in first.sessions if s.date < from_date]
    # Each moved session now sits a week later on the same half-day (the admin's choice), its slot emptied.
    taken = {s.slot for s in first.sessions}
    hand = []
    for s in moved:
        target = (s.date + timedelta(days=7), s.half_day)
        if s.date >= from_date and target not in taken:
            hand.append((s.slot, FixedSession(*target, s.minutes)))
            taken.add(target)
    again = plan(
        dataclasses.replace(
            request,
            fixed=tuple(kept + [f for _, f in hand]),
            blocked=frozenset(slot for slot, _ in hand),
            from_date=from_date,
        )
    )
    new_slots = {s.slot for s in again.sessions}
    for slot, fixed in hand:
        assert slot not in new_slots
        assert (fixed.date, fixed.half_day) not in new_slots
    assert again.planned_minutes + again.missing_minutes == request.total_minutes
    assert again.planned_minutes <= request.total_minutes
