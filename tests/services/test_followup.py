"""Each apprentice's summary for their tutor and référent, and the référent's list of what needs action."""

from datetime import date

from cfa.models import ActivityLevel, JustificationStatus, MarkStatus, PeriodKind, VisitKind
from cfa.services import followup, livret, visits
from cfa.services.permissions import followed_enrolments_clause, followup_enrolments_clause
from tests import factories as f
from tests.followup_world import FIELD_PERIODS, alternating_enrolment

TODAY = date(2025, 10, 14)  # a course week, after the first field period


def _absent(enrolment, day):
    session = f.SessionFactory(cohort=enrolment.cohort, date=day)
    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment, status=MarkStatus.ABSENT
    )


def test_the_summary_says_where_the_apprentice_is_this_week_and_next():
    enrolment = alternating_enrolment()
    summary = followup.summary_of(enrolment, TODAY)
    assert [w.place for w in summary.weeks] == ["centre", "company"]
    assert summary.rate.value is None and summary.next_visit is None


def test_a_tutor_follows_the_apprentices_of_their_employer_only():
    enrolment = alternating_enrolment()
    f.EnrolmentFactory()  # another employer's apprentice
    assert followup.followed(followed_enrolments_clause(enrolment.tutor)) == [enrolment]


def test_a_short_course_trainee_is_not_in_the_follow_up():
    trainee = f.TraineeEnrolmentFactory(referent=f.UserFactory.trainer())
    assert followup.followed(followup_enrolments_clause(trainee.referent)) == []


def test_the_referent_sees_what_needs_action():
    referent = f.UserFactory.trainer()
    quiet = alternating_enrolment(referent=referent)
    late = alternating_enrolment(referent=referent)
    f.EnrolmentFactory()  # not theirs
    livret.sign_tutor_part(
        quiet.tutor,
        quiet,
        livret.period_of(quiet, FIELD_PERIODS[0][0]),
        [livret.ActivityInput(None, "Accueil du public", ActivityLevel.ACQUIRED)],
        None,
        TODAY,
    )
    visits.plan_visit(referent, quiet, VisitKind.COMPANY_VISIT, date(2025, 11, 3))
    visits.plan_visit(referent, late, VisitKind.COMPANY_VISIT, date(2025, 10, 1))
    for day in (date(2025, 10, 13), date(2025, 10, 14), date(2025, 9, 16)):
        _absent(late, day)
    page = followup.referent_page(followup_enrolments_clause(referent), TODAY)
    assert page.total == 2
    assert page.flags == {quiet.id: [], late.id: ["livret", "visit", "absences"]}
    only = followup.referent_page(followup_enrolments_clause(referent), TODAY, only_action=True)
    assert only.enrolments == [late]


def test_a_justified_absence_does_not_count_as_a_repeated_one():
    enrolment = alternating_enrolment()
    for day in (date(2025, 10, 13), date(2025, 10, 14), date(2025, 9, 16)):
        _absent(enrolment, day)
    f.JustificationFactory(enrolment=enrolment, status=JustificationStatus.ACCEPTED)
    assert "absences" not in followup.needs_action_flags([enrolment.id], TODAY)[enrolment.id]


def test_field_periods_without_calendar_give_no_livret_alert():
    enrolment = f.EnrolmentFactory()
    f.CalendarPeriodFactory(cohort=enrolment.cohort, kind=PeriodKind.COURSE)
    assert "livret" not in followup.needs_action_flags([enrolment.id], TODAY)[enrolment.id]
