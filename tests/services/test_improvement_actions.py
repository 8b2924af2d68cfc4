"""Improvement actions (Qualiopi 32): traced to their origin, moved through their statuses, done with evidence."""

from datetime import date

import pytest

from cfa import models as m
from cfa.services import quality_referential
from cfa.services.improvement_actions import ActionError, change_status, save_action
from tests import factories as f

VALUES = dict(title="Convocations plus tôt", description="Quinze jours avant.", due_on=date(2025, 6, 30))


def test_an_action_from_a_complaint_names_it_and_serves_indicators():
    quality_referential.load_referential()
    officer = f.UserFactory.quality()
    complaint = f.ComplaintFactory()
    ids = [i.id for i in quality_referential.indicators() if i.number in (31, 32)]
    action = save_action(officer, None, ids, source=m.ActionSource.COMPLAINT, complaint_id=complaint.id, **VALUES)
    assert action.complaint == complaint and sorted(i.number for i in action.indicators) == [31, 32]


@pytest.mark.parametrize(
    ("source", "message"),
    [(m.ActionSource.COMPLAINT, "réclamation"), (m.ActionSource.SURVEY, "campagne")],
)
def test_an_action_drawn_from_a_complaint_or_a_survey_must_name_it(source, message):
    with pytest.raises(ActionError, match=message):
        save_action(f.UserFactory.quality(), None, [], source=source, **VALUES)


def test_an_action_is_done_only_with_its_evidence_and_a_closed_action_does_not_move_again():
    officer = f.UserFactory.quality()
    action = f.ImprovementActionFactory()
    change_status(officer, action, m.ActionStatus.IN_PROGRESS)
    with pytest.raises(ActionError, match="preuve"):
        change_status(officer, action, m.ActionStatus.DONE, date(2025, 6, 1), " ")
    change_status(officer, action, m.ActionStatus.DONE, date(2025, 6, 1), "Compte rendu du 1er juin")
    assert (action.status, action.done_on) == (m.ActionStatus.DONE, date(2025, 6, 1))
    with pytest.raises(ActionError, match="ne peut pas passer"):
        change_status(officer, action, m.ActionStatus.ABANDONED)
