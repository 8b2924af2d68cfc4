"""The network generator (scripts/generate_network.py) at a tiny scale: what it reports is what the database holds,
and what it writes is consistent (a mark per learner enrolled on each past half-day, every sheet closed), so that
benchmark figures measured on it are figures of data the app could have written."""

import random
from datetime import date

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from cfa.demo import data
from cfa.demo.network import (
    LARGE_RUN_NAME,
    LARGE_RUN_TRAINEES,
    SEED,
    counts,
    generate_network,
    network_cohorts,
)
from cfa.extensions import db
from cfa.models import (
    AttendanceMark,
    AttendanceSheet,
    Award,
    Cohort,
    Enrolment,
    JurySession,
    LivretEntry,
    Session,
    SessionStatus,
    SurveyResponse,
    User,
)
from tests import factories as f

TODAY = date(2026, 11, 30)  # a Monday: the demo trainer has sheets to take that day
SCALE = 0.005


def _network(column):
    return column.like("%(réseau)")


def test_tiny_network_reports_what_the_database_holds():
    lines: list[str] = []
    report = generate_network(SCALE, TODAY, say=lines.append)

    assert report["totals"] == counts()
    added = report["added"]
    network = sa.select(Cohort.id).where(_network(Cohort.name))
    apprenticeship = len(network_cohorts(TODAY, SCALE, random.Random(SEED)))
    assert added["cohorts"] == apprenticeship == 5
    named = sa.select(sa.func.count(Cohort.id))
    short_runs = db.session.scalar(named.where(_network(Cohort.name))) - apprenticeship
    large_runs = db.session.scalar(named.where(Cohort.name.like(f"%{LARGE_RUN_NAME}%")))
    assert added["short_runs"] == short_runs + large_runs
    assert short_runs > 0 and large_runs == 1
    marks = db.session.scalar(
        sa.select(sa.func.count(AttendanceMark.id))
        .join(Session, Session.id == AttendanceMark.session_id)
        .join(Cohort, Cohort.id == Session.cohort_id)
        .where(_network(Cohort.name) | Cohort.name.like(f"%{LARGE_RUN_NAME}%"))
    )
    sheets = db.session.scalar(
        sa.select(sa.func.count(AttendanceSheet.id))
        .join(Session, Session.id == AttendanceSheet.session_id)
        .join(Cohort, Cohort.id == Session.cohort_id)
        .where(_network(Cohort.name) | Cohort.name.like(f"%{LARGE_RUN_NAME}%"))
    )
    assert (added["marks"], added["sheets"]) == (marks, sheets)
    assert marks > 3000
    assert any("émargement" in line for line in lines)  # progress is shown

    # Every past planned half-day of the network has its closed sheet, none after the day.
    past = db.session.scalar(
        sa.select(sa.func.count(Session.id)).where(
            Session.cohort_id.in_(network), Session.status == SessionStatus.PLANNED, Session.date < TODAY
        )
    )
    closed = db.session.scalar(
        sa.select(sa.func.count(AttendanceSheet.id))
        .join(Session)
        .where(Session.cohort_id.in_(network), AttendanceSheet.closed_at.is_not(None))
    )
    assert past == closed > 0
    assert f.closed_flags_disagreeing() == 0

    # A mark only for a learner of the session's cohort, enrolled that day, and one at most per learner and sheet.
    stray = db.session.scalar(
        sa.select(sa.func.count(AttendanceMark.id))
        .join(Session, Session.id == AttendanceMark.session_id)
        .join(Enrolment, Enrolment.id == AttendanceMark.enrolment_id)
        .where(
            Session.cohort_id.in_(network),
            (Enrolment.cohort_id != Session.cohort_id)
            | (Session.date < Enrolment.contract_start)
            | (Session.date > sa.func.coalesce(Enrolment.interrupted_on, Enrolment.contract_end)),
        )
    )
    assert stray == 0
    doubles = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            sa.select(AttendanceMark.sheet_id, AttendanceMark.enrolment_id)
            .group_by(AttendanceMark.sheet_id, AttendanceMark.enrolment_id)
            .having(sa.func.count() > 1)
            .subquery()
        )
    )
    assert doubles == 0

    # Results, surveys and livrets exist for the network's finished cohorts.
    finished = sa.select(Cohort.id).where(_network(Cohort.name), Cohort.end_date < TODAY)
    assert db.session.scalar(sa.select(sa.func.count(JurySession.id)).where(JurySession.cohort_id.in_(finished)))
    assert db.session.scalar(sa.select(sa.func.count(Award.id)).where(Award.jury_candidate_id.is_not(None)))
    assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id)))
    assert db.session.scalar(
        sa.select(sa.func.count(LivretEntry.id))
        .join(Enrolment, Enrolment.id == LivretEntry.enrolment_id)
        .where(Enrolment.cohort_id.in_(network))
    )

    # The hundred trainees of the large run, whose certificates the benchmark zips.
    large = db.session.scalar(sa.select(Cohort).where(Cohort.name.like(f"%{LARGE_RUN_NAME}%")))
    assert len(large.enrolments) == LARGE_RUN_TRAINEES

    # The demo accounts the benchmark logs in as, with the demo password; the trainer has sheets on the day.
    for email in ("admin@cadence.test", "formateur@cadence.test", data.DEMO_APPRENTICE, "tuteur@cadence.test"):
        user = db.session.scalar(sa.select(User).where(User.email == email))
        assert check_password_hash(user.password_hash, data.DEMO_PASSWORD), email
    trainer = db.session.scalar(sa.select(User).where(User.email == data.DEMO_TRAINER))
    assert db.session.scalar(
        sa.select(sa.func.count(Session.id)).where(Session.trainer_id == trainer.id, Session.date == TODAY)
    )
