"""A session placed by hand where the planner never would: each reason is a warning to accept on purpose."""

from datetime import date, time

import pytest

from cfa.services.session_checks import KINDS, Slot, SlotContext, Span, check_session

RENNES, NANTES = 1, 2
CONTEXT = SlotContext(
    centre_id=RENNES,
    centre_name="Rennes",
    day_start=time(9, 0),
    day_end=time(17, 0),
    total_minutes=70 * 60,
    other_minutes=70 * 60 - 210,  # room for exactly one more half-day
    holidays={date(2026, 12, 25): "Noël"},
    closures=(Span(date(2026, 12, 21), date(2027, 1, 1), "Vacances de Noël"),),
    field_weeks=(Span(date(2026, 9, 21), date(2026, 10, 11)),),
    course_weeks=(Span(date(2026, 9, 14), date(2026, 9, 18)), Span(date(2026, 10, 12), date(2026, 10, 16))),
)
TUESDAY_AT_CENTRE = date(2026, 9, 15)


def slot(day=TUESDAY_AT_CENTRE, start=time(9), end=time(12, 30), centre=RENNES, centre_name="Rennes"):
    return Slot(day, start, end, centre, centre_name)


def kinds(warnings):
    return [w.kind for w in warnings]


def test_a_weekday_of_a_course_week_in_the_cohort_centre_within_its_day_and_hours_is_fine():
    assert check_session(slot(), CONTEXT) == []


@pytest.mark.parametrize(
    ("placed", "kind", "words"),
    [
        (slot(day=date(2026, 9, 19)), "weekend", "samedi 19 septembre 2026 est un week-end"),
        (slot(day=date(2026, 11, 11)), "holiday", "jour férié"),
        (slot(day=date(2026, 12, 23)), "closure", "fermé le mercredi 23 décembre 2026 (Vacances de Noël)"),
        (slot(day=date(2026, 9, 30)), "field_week", "semaine en entreprise"),
        (slot(centre=NANTES, centre_name="Nantes"), "other_centre", "au centre Nantes, pas au centre Rennes"),
        (slot(start=time(8), end=time(11)), "outside_day", "08:00-11:00 déborde de la journée du centre (09:00-17:00)"),
        (slot(start=time(15), end=time(18)), "outside_day", "15:00-18:00 déborde"),
        (slot(start=time(9), end=time(13)), "over_hours", "30 min de trop"),
    ],
)
def test_each_reason_is_its_own_warning(placed, kind, words):
    context = CONTEXT if placed.day != date(2026, 11, 11) else _with_holiday(date(2026, 11, 11), "Armistice")
    warnings = check_session(placed, context)
    assert kinds(warnings) == [kind]
    assert words in warnings[0].message
    assert kind in KINDS


def _with_holiday(day, name):
    from dataclasses import replace

    return replace(CONTEXT, holidays={**CONTEXT.holidays, day: name})


def test_christmas_day_in_the_winter_closure_in_nantes_says_every_reason():
    warnings = check_session(slot(day=date(2026, 12, 25), centre=NANTES, centre_name="Nantes"), CONTEXT)
    assert kinds(warnings) == ["holiday", "closure", "other_centre"]
    assert "Noël" in warnings[0].message


def test_a_day_of_a_course_week_is_not_a_field_day_even_inside_a_field_run():
    from dataclasses import replace

    overlapping = replace(CONTEXT, field_weeks=(Span(date(2026, 9, 14), date(2026, 10, 11)),))
    assert check_session(slot(), overlapping) == []
