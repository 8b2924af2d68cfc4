"""A pending justification reads "en attente" in every table of absences, never "non justifiée"; the wording is
the one of justifications.ABSENCE_STANDING."""

from datetime import timedelta

from cfa.formatting import today_paris
from cfa.models import JustificationStatus, MarkStatus
from cfa.services.justifications import ABSENCE_STANDING, absence_standing
from tests import factories as f


def test_each_status_has_its_wording_and_none_means_not_justified():
    assert absence_standing(None) == "non justifiée"
    assert absence_standing(f.m.Justification(status=JustificationStatus.PENDING)) == "en attente de décision"
    assert set(ABSENCE_STANDING) == {*JustificationStatus, None}


def test_a_pending_justification_reads_en_attente_in_every_table(login):
    day = today_paris() - timedelta(days=3)
    cohort = f.CohortFactory(start_date=day - timedelta(days=200), end_date=day + timedelta(days=200))
    referent = f.UserFactory.trainer()
    enrolment = f.EnrolmentFactory(cohort=cohort, referent=referent)
    other_day = day - timedelta(days=1)
    for when in (day, other_day):
        f.AttendanceMarkFactory(
            sheet=f.AttendanceSheetFactory(session=f.SessionFactory(cohort=cohort, date=when)),
            enrolment=enrolment,
            status=MarkStatus.ABSENT,
        )
    f.JustificationFactory(enrolment=enrolment, start_date=day, end_date=day, status=JustificationStatus.PENDING)
    pages = [
        (enrolment.apprentice, "/moi/presences"),
        (enrolment.tutor, "/employeur/absences"),
        (referent, f"/suivi/apprentis/{enrolment.id}"),
        (f.UserFactory.admin(), f"/suivi/apprentis/{enrolment.id}"),
    ]
    for user, url in pages:
        text = login(user).get(url).text
        # The covered absence waits for a decision; the other one, without a proof, is not justified.
        assert text.lower().count("en attente de décision") == 1, url
        assert text.count("non justifiée") == 1, url
        login(user).logout()
