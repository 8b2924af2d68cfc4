"""The yearly figures of short courses, on cases counted by hand: hours delivered, trainees, trainee-hours,
completion, per action and per audience."""

from datetime import date, time

from cfa.extensions import db
from cfa.models import CourseAudience, EnrolmentStatus, HalfDay, MarkStatus, SessionStatus
from cfa.services.course_figures import yearly_figures, years_with_courses
from tests import factories as f

END_OF_2025 = date(2025, 12, 31)


def run(programme, start, end, **fields):
    return f.ShortCourseRunFactory(programme=programme, start_date=start, end_date=end, **fields)


def half_day(cohort, day, half=HalfDay.AM, start=time(9, 0), end=time(12, 30), **fields):
    return f.SessionFactory(cohort=cohort, date=day, half_day=half, start_time=start, end_time=end, **fields)


def trainee(cohort, status=EnrolmentStatus.ACTIVE, person=None):
    fields = {"apprentice": person} if person else {}
    return f.TraineeEnrolmentFactory(
        cohort=cohort, contract_start=cohort.start_date, contract_end=cohort.end_date, status=status, **fields
    )


def signed(session, enrolment, status=MarkStatus.PRESENT, late=0):
    sheet = f.m.AttendanceSheet.query.filter_by(session_id=session.id).first() or f.AttendanceSheetFactory(
        session=session
    )
    return f.AttendanceMarkFactory(sheet=sheet, enrolment=enrolment, status=status, minutes_late=late)


def test_an_action_counts_the_hours_of_its_live_half_days_in_the_year_its_trainees_and_the_hours_they_attended():
    conflicts = f.ShortCourseFactory(title="Gestion des conflits", audience=CourseAudience.MEDIATION_PROFESSIONALS)
    october = run(conflicts, date(2025, 10, 6), date(2025, 10, 7))
    morning = half_day(october, date(2025, 10, 6))  # 3 h 30
    afternoon = half_day(october, date(2025, 10, 6), HalfDay.PM, time(13, 30), time(16, 30))  # 3 h
    half_day(october, date(2025, 10, 7), status=SessionStatus.CANCELLED)  # not delivered
    anna, bruno = trainee(october, EnrolmentStatus.COMPLETED), trainee(october)
    signed(morning, anna)
    signed(afternoon, anna, MarkStatus.LATE, late=30)
    signed(morning, bruno, MarkStatus.ABSENT)
    signed(afternoon, bruno)

    figures = yearly_figures(2025, today=date(2026, 1, 15))

    (action,) = figures.of(CourseAudience.MEDIATION_PROFESSIONALS).actions
    assert (action.title, action.runs, action.minutes, action.trainees) == ("Gestion des conflits", 1, 390, 2)
    assert action.trainee_minutes == 210 + 150 + 180  # Anna 3 h 30 + 2 h 30 (late), Bruno 3 h
    assert (action.completed_places, action.ended_places, action.completion) == (1, 2, 0.5)
    assert action.satisfaction is None  # no survey answered yet: shown as "—", never invented


def test_a_run_across_new_year_gives_each_year_its_own_half_days_and_completion_waits_for_its_end():
    socle = f.ShortCourseFactory(audience=CourseAudience.NEW_MEDIATORS, entry_course=True, total_minutes=420)
    winter = run(socle, date(2025, 12, 15), date(2026, 1, 12))
    half_day(winter, date(2025, 12, 15))
    half_day(winter, date(2026, 1, 12))
    trainee(winter)

    at_the_end_of_2025 = yearly_figures(2025, today=date(2026, 3, 1)).of(CourseAudience.NEW_MEDIATORS)
    assert (at_the_end_of_2025.minutes, at_the_end_of_2025.trainees) == (210, 1)
    assert at_the_end_of_2025.ended_places == 0 and at_the_end_of_2025.completion is None  # ended in 2026
    in_2026 = yearly_figures(2026, today=date(2026, 3, 1)).of(CourseAudience.NEW_MEDIATORS)
    assert (in_2026.minutes, in_2026.trainees, in_2026.ended_places) == (210, 1, 1)
    assert years_with_courses() == [2026, 2025]


def test_an_audience_counts_a_person_once_across_its_actions_and_apprenticeship_cohorts_are_left_out():
    writing = f.ShortCourseFactory(audience=CourseAudience.PUBLIC_RECEPTION)
    listening = f.ShortCourseFactory(audience=CourseAudience.PUBLIC_RECEPTION)
    first, second = run(writing, date(2025, 3, 3), date(2025, 3, 3)), run(listening, date(2025, 5, 5), date(2025, 5, 5))
    half_day(first, date(2025, 3, 3))
    half_day(second, date(2025, 5, 5))
    both = trainee(first).apprentice
    trainee(second, person=both)
    trainee(second)
    apprenticeship = f.SessionFactory(date=date(2025, 9, 15))  # an MSADS cohort's half-day
    f.EnrolmentFactory(cohort=apprenticeship.cohort)

    figures = yearly_figures(2025, today=END_OF_2025)

    reception = figures.of(CourseAudience.PUBLIC_RECEPTION)
    assert [a.trainees for a in reception.actions] == [1, 2]
    assert (reception.trainees, reception.minutes, reception.runs) == (2, 420, 2)
    assert (figures.total.trainees, figures.total.minutes) == (2, 420)
    assert [a.audience for a in figures.audiences] == [CourseAudience.PUBLIC_RECEPTION]


def test_in_the_running_year_only_what_has_begun_counts():
    action = f.ShortCourseFactory(audience=CourseAudience.MEDIATION_PROFESSIONALS)
    begun = run(action, date(2026, 11, 26), date(2026, 11, 27))
    half_day(begun, date(2026, 11, 26))
    half_day(begun, date(2026, 11, 27))
    trainee(begun)
    next_week = run(action, date(2026, 12, 7), date(2026, 12, 7))
    half_day(next_week, date(2026, 12, 7))
    trainee(next_week)

    professionals = yearly_figures(2026, today=date(2026, 11, 26)).of(CourseAudience.MEDIATION_PROFESSIONALS)

    assert (professionals.runs, professionals.minutes, professionals.trainees) == (1, 210, 1)


def test_a_year_without_short_courses_is_empty():
    figures = yearly_figures(2024)
    assert figures.audiences == [] and figures.total.minutes == 0 and figures.total.completion is None


def test_satisfaction_is_the_share_of_4_or_5_out_of_5_to_the_overall_question_of_the_runs_surveys():
    m = f.m
    action = f.ShortCourseFactory(audience=CourseAudience.PRISON_WORKSHOPS)
    workshop = run(action, date(2025, 6, 2), date(2025, 6, 2))
    half_day(workshop, date(2025, 6, 2))
    survey = m.Survey(title="Fin d'atelier", audience=m.Audience.LEARNER, timing=m.SurveyTiming.HOT)
    overall = m.SurveyQuestion(position=1, text="Satisfaction globale", kind=m.QuestionKind.SCALE)
    overall.measure = "overall_satisfaction"
    other = m.SurveyQuestion(position=2, text="Rythme", kind=m.QuestionKind.SCALE)
    survey.questions = [overall, other]
    campaign = m.SurveyCampaign(
        survey=survey, cohort=workshop, title="Atelier", opens_on=date(2025, 6, 2), closes_on=date(2025, 6, 30)
    )
    for score in (5, 4, 3, 5):  # three satisfied out of four; the other question does not count
        db.session.add(
            m.SurveyResponse(
                campaign=campaign,
                answers=[m.Answer(question=overall, value_int=score), m.Answer(question=other, value_int=1)],
            )
        )
    db.session.flush()

    workshops = yearly_figures(2025, today=END_OF_2025).of(CourseAudience.PRISON_WORKSHOPS)

    assert (workshops.satisfied_answers, workshops.answers, workshops.satisfaction) == (3, 4, 0.75)


def test_the_figures_of_many_runs_take_six_queries_summed_by_the_database(count_queries):
    for audience in CourseAudience:
        action = f.ShortCourseFactory(audience=audience)
        for week in range(3):
            cohort = run(action, date(2025, 3, 3 + 7 * week), date(2025, 3, 4 + 7 * week))
            lesson = half_day(cohort, cohort.start_date)
            for _ in range(3):
                signed(lesson, trainee(cohort, EnrolmentStatus.COMPLETED))

    with count_queries() as queries:
        figures = yearly_figures(2025, today=END_OF_2025)

    assert len(queries) == 6
    assert all("GROUP BY" in q for q in queries if "count(" in q or "sum(" in q)
    assert (figures.total.runs, figures.total.trainees, figures.total.trainee_minutes) == (12, 36, 36 * 210)
    assert figures.total.completion == 1
