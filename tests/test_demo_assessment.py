"""The demo's assessment data: ECF results, published juries with every outcome, awards the demo apprentice holds."""

import sqlalchemy as sa

from cfa.demo import seed_demo
from cfa.extensions import db
from cfa.formatting import percent
from cfa.models import Award, Decision, EvaluationResult, JuryCandidate, JurySession, JuryStatus, User
from cfa.services.assessment_credentials import jwks
from cfa.services.assessment_rates import success_rates, total


def test_demo_assessment(app):
    seed_demo()
    sessions = db.session.scalars(sa.select(JurySession)).all()
    assert len(sessions) == 4 and all(s.status == JuryStatus.PUBLISHED for s in sessions)
    decisions = set(db.session.scalars(sa.select(JuryCandidate.decision)))
    assert decisions == {Decision.OBTAINED, Decision.PARTIAL, Decision.NOT_OBTAINED, Decision.ABSENT}
    overall = total(success_rates("year", year=2026))
    assert overall.presented > 40 and percent(overall.success.value) == "79\u202f%"  # the CFA's 2025 figure
    ines = db.session.scalar(sa.select(User).where(User.email == "apprenti@cadence.test"))
    assert db.session.scalar(sa.select(sa.func.count(Award.id)).where(Award.learner_id == ines.id)) >= 1
    assert (
        db.session.scalar(
            sa.select(sa.func.count(EvaluationResult.id)).where(EvaluationResult.enrolment.has(apprentice_id=ines.id))
        )
        >= 1
    )
    assert db.session.scalar(sa.select(Award.id).where(Award.revoked_at.is_not(None)))
    assert jwks(app.config["KEYS_DIR"], "https://cadence.example.fr")["keys"]
