"""A tutor's home: their apprentices at a glance (where each is this week and next, attendance, recent absences),
read through the follow-up page's own summaries, for the apprentices the tutor follows and no one else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cfa.models import User
from cfa.services import followup
from cfa.services.permissions import followed_enrolments_clause

SHOWN = 12  # the full list is the follow-up page


@dataclass
class TutorHome:
    summaries: list[followup.ApprenticeSummary]
    total: int


def tutor_home(tutor: User, today: date) -> TutorHome:
    scope = followed_enrolments_clause(tutor)
    enrolments = followup.followed(scope, limit=SHOWN)
    total = len(enrolments) if len(enrolments) < SHOWN else followup.followed_count(scope)
    return TutorHome(followup.summaries(enrolments, today), total)
