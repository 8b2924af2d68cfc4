"""The CFA's own figure: the share of the year's new mediators who completed the 6-day entry course."""

from datetime import date

import pytest

from cfa.models import CourseAudience, EnrolmentStatus, InterruptionKind, MarkStatus, Role
from cfa.services.socle import socle_completion, year_completion
from tests.factories import (
    AttendanceMarkFactory,
    AttendanceSheetFactory,
    EmployerFactory,
    SessionFactory,
    ShortCourseFactory,
    ShortCourseRunFactory,
    TraineeEnrolmentFactory,
    UserFactory,
)


def mediator(since: date, name: str = "Durand"):
    return UserFactory(roles=[Role.LEARNER], employer=EmployerFactory(), mediator_since=since, last_name=name)


def socle_run(start: date, end: date, entry_course: bool = True):
    course = ShortCourseFactory(entry_course=entry_course, audience=CourseAudience.NEW_MEDIATORS)
    return ShortCourseRunFactory(programme=course, start_date=start, end_date=end)


def enrol(person, run, status=EnrolmentStatus.COMPLETED, **kw):
    return TraineeEnrolmentFactory(apprentice=person, employer=person.employer, cohort=run, status=status, **kw)


def test_three_of_four_new_mediators_of_2025_completed_the_socle_by_the_end_of_the_year():
    autumn = socle_run(date(2025, 11, 3), date(2025, 11, 21))
    for name in ("Abel", "Bruno", "Chloé"):
        enrol(mediator(date(2025, 3, 1), name), autumn)
    late = mediator(date(2025, 9, 1), "Zoé")
    enrol(late, socle_run(date(2026, 1, 12), date(2026, 1, 30)))  # completes it in 2026: not yet counted
    enrol(mediator(date(2024, 6, 1), "Ancien"), autumn)  # a mediator of 2024 is not in the 2025 figure
    mediator(None, "Pas-médiateur")

    figure = year_completion(2025)
    assert (figure.rate.numerator, figure.rate.denominator) == (3, 4)
    assert figure.rate.value == 0.75
    assert [p.last_name for p in figure.not_completed] == ["Zoé"]
    assert year_completion(2025, as_of=date(2026, 2, 1)).rate.numerator == 4


def test_an_interrupted_enrolment_or_another_course_does_not_complete_the_socle():
    person = mediator(date(2025, 2, 1))
    run = socle_run(date(2025, 3, 3), date(2025, 3, 21))
    enrol(
        person,
        run,
        status=EnrolmentStatus.INTERRUPTED,
        interrupted_on=date(2025, 3, 10),
        interruption_kind=InterruptionKind.DROPOUT,
        interruption_reason="Arrêt maladie",
    )
    enrol(person, socle_run(date(2025, 4, 7), date(2025, 4, 25), entry_course=False))
    figure = year_completion(2025)
    assert (figure.rate.numerator, figure.rate.denominator) == (0, 1)
    assert figure.not_completed == [person]


@pytest.mark.parametrize(("mark", "completed"), [(MarkStatus.PRESENT, 1), (MarkStatus.ABSENT, 0), (None, 0)])
def test_an_enrolment_not_yet_closed_counts_once_ended_and_attended(mark, completed):
    person = mediator(date(2025, 5, 1))
    run = socle_run(date(2025, 6, 2), date(2025, 6, 20))
    enrolment = enrol(person, run, status=EnrolmentStatus.ACTIVE)
    if mark is not None:
        sheet = AttendanceSheetFactory(session=SessionFactory(cohort=run, date=date(2025, 6, 2)))
        AttendanceMarkFactory(sheet=sheet, enrolment=enrolment, status=mark)
    assert year_completion(2025).rate.numerator == completed
    assert socle_completion(date(2025, 1, 1), date(2025, 12, 31), date(2025, 6, 19)).rate.numerator == 0


def test_a_year_without_new_mediators_has_no_rate():
    figure = year_completion(2031)
    assert (figure.rate.numerator, figure.rate.denominator, figure.rate.value) == (0, 0, None)


def test_the_figure_costs_a_fixed_number_of_queries_whatever_the_number_of_people(count_queries):
    run = socle_run(date(2025, 11, 3), date(2025, 11, 21))
    for i in range(6):
        enrol(mediator(date(2025, 1, 1 + i), f"M{i}"), run)
        mediator(date(2025, 2, 1 + i), f"N{i}")
    with count_queries() as queries:
        figure = year_completion(2025)
        names = [p.employer.name for p in figure.not_completed]
    assert figure.rate.denominator == 12 and len(names) == 6
    assert len(queries) <= 4  # the counts, the people still to convene, their roles, their employers
