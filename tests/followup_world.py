"""An apprentice's alternance as the follow-up tests need it: course weeks and field periods of the cohort."""

from datetime import date

from cfa.models import PeriodKind
from tests import factories as f

FIELD_PERIODS = [
    (date(2025, 9, 22), date(2025, 10, 10)),
    (date(2025, 10, 20), date(2025, 11, 7)),
    (date(2025, 11, 17), date(2025, 12, 5)),
]
COURSE_WEEKS = [(date(2025, 9, 15), date(2025, 9, 19)), (date(2025, 10, 13), date(2025, 10, 17))]


def alternating_enrolment(**kw):
    """An apprentice in a cohort with course weeks and three field periods (Sept. to Dec. 2025), a skill block."""
    cohort = kw.pop("cohort", None) or f.CohortFactory()
    for start, end in FIELD_PERIODS:
        f.CalendarPeriodFactory(cohort=cohort, kind=PeriodKind.FIELD, start_date=start, end_date=end)
    for start, end in COURSE_WEEKS:
        f.CalendarPeriodFactory(cohort=cohort, kind=PeriodKind.COURSE, start_date=start, end_date=end)
    f.SkillBlockFactory(programme=cohort.programme)
    return f.EnrolmentFactory(cohort=cohort, **kw)
