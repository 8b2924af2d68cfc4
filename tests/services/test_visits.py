"""Company visits: planned, held with a report, follow-up actions; overdue visits; the first-contact checklist."""

from datetime import date

import pytest

from cfa.models import OnboardingItem, VisitKind
from cfa.services import visits
from cfa.services.visits import VisitError, VisitReport
from tests import factories as f

START = date(2025, 9, 15)


def _report(**kw):
    values = dict(
        held_on=date(2025, 10, 1),
        remote=False,
        place="Mairie de Rennes",
        attendees="Apprentie\nTuteur\nRéférente",
        objectives="Faire le point sur l'intégration",
        observations="Intégration réussie dans l'équipe.",
        decisions="Travailler la rédaction des mains courantes.",
    )
    return VisitReport(**(values | kw))


def _overdue(today):
    return {e.id for e in visits.overdue_enrolments(today)}


def test_a_visit_is_planned_then_held_with_its_report_and_actions():
    referent = f.UserFactory.trainer()
    enrolment = f.EnrolmentFactory(referent=referent)
    visit = visits.plan_visit(referent, enrolment, VisitKind.COMPANY_VISIT, date(2025, 10, 1), "Mairie")
    visits.hold_visit(referent, visit, _report(), today=date(2025, 10, 2))
    action = visits.add_action(referent, visit, "Fiche de poste à transmettre", "tuteur", date(2025, 10, 15))
    assert visit.held_on == date(2025, 10, 1) and visit.actions == [action]
    assert visits.next_visit([visit], date(2025, 10, 2)) is None


@pytest.mark.parametrize(
    "report, message",
    [
        (_report(held_on=date(2025, 10, 20)), "date future"),
        (_report(held_on=date(2025, 9, 1)), "précéder le début du contrat"),
        (_report(place=" "), "lieu"),
        (_report(observations=""), "observations"),
    ],
)
def test_a_report_that_cannot_be_true_is_refused(report, message):
    enrolment = f.EnrolmentFactory()
    visit = visits.plan_visit(enrolment.tutor, enrolment, VisitKind.TRIPARTITE, date(2025, 10, 1))
    with pytest.raises(VisitError, match=message):
        visits.hold_visit(enrolment.tutor, visit, report, today=date(2025, 10, 2))
    assert visit.held_on is None


def test_a_contract_without_a_visit_held_in_its_first_two_months_is_overdue():
    enrolment = f.EnrolmentFactory(contract_start=START)
    assert enrolment.id not in _overdue(date(2025, 11, 1))
    assert enrolment.id in _overdue(date(2025, 11, 20))
    visit = visits.plan_visit(enrolment.tutor, enrolment, VisitKind.COMPANY_VISIT, date(2025, 10, 1))
    visits.hold_visit(enrolment.tutor, visit, _report(), today=date(2025, 10, 2))
    assert enrolment.id not in _overdue(date(2025, 11, 20))


def test_a_planned_visit_past_its_date_and_not_held_is_overdue():
    enrolment = f.EnrolmentFactory(contract_start=START)
    visits.plan_visit(enrolment.tutor, enrolment, VisitKind.COMPANY_VISIT, date(2025, 10, 1))
    assert enrolment.id not in _overdue(date(2025, 10, 1))
    assert enrolment.id in _overdue(date(2025, 10, 2))


def test_a_short_course_trainee_never_owes_a_visit():
    trainee = f.TraineeEnrolmentFactory()
    assert trainee.id not in _overdue(date(2026, 6, 1))


def test_each_checklist_item_is_ticked_once_with_who_and_when():
    enrolment = f.EnrolmentFactory()
    visits.tick(enrolment.tutor, enrolment, OnboardingItem.WELCOME)
    with pytest.raises(VisitError, match="déjà coché"):
        visits.tick(enrolment.tutor, enrolment, OnboardingItem.WELCOME)
    (check,) = visits.checks_of(enrolment.id).values()
    assert check.ticked_by == enrolment.tutor and check.ticked_at is not None
