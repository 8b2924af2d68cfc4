"""Every change to the next eight weeks at the centre reaches the apprentices and their tutors, once a day."""

from datetime import UTC, date, datetime, time

import pytest
import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import AuditEvent, HalfDay, OutboxMessage
from cfa.services import calendar_queries, planning_edits, planning_notices, replanning
from tests import factories as f

START = date(2026, 9, 14)
BEFORE = date(2026, 9, 1)
DAY = date(2026, 10, 5)  # the day the admin changes the planning


@pytest.fixture
def cohort():
    trainer = f.UserFactory.trainer()
    programme = f.ProgrammeFactory(total_minutes=70 * 60)
    f.ModuleFactory(programme=programme, minutes=70 * 60, default_trainer=trainer)
    room = f.RoomFactory()
    cohort = f.CohortFactory(
        programme=programme, centre=room.centre, default_room=room, start_date=START, end_date=date(2027, 6, 30)
    )
    replanning.apply(replanning.preview(cohort, today=BEFORE), actor=None)
    return cohort


@pytest.fixture
def tutor():
    return f.UserFactory(roles=["tutor"], first_name="Tess", last_name="Tuteur")


def session_on(cohort, day, half_day):
    return next(
        s
        for s in calendar_queries.cohort_sessions(cohort.id, live_only=True)
        if (s.date, s.half_day) == (day, half_day)
    )


def changes_made_on(day):
    """The audit events were written now; date them on the day of the changes."""
    db.session.execute(sa.update(AuditEvent).values(at=datetime.combine(day, time(10), tzinfo=UTC)))


def digests():
    return {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}


def edit(session, **changes):
    values = dict(
        day=session.date,
        half_day=session.half_day,
        start_time=session.start_time,
        end_time=session.end_time,
        trainer_id=session.trainer_id,
        room_id=session.room_id,
        module_id=session.module_id,
        today=BEFORE,
        accept_warnings=True,
    )
    values.update(changes)
    planning_edits.update_session(session, None, **values)


def test_a_day_of_changes_gives_one_digest_per_apprentice_and_tutor(cohort, tutor):
    anna = f.EnrolmentFactory(
        cohort=cohort, tutor=tutor, apprentice=f.UserFactory(first_name="Anna", last_name="Lefort")
    )
    bilal = f.EnrolmentFactory(
        cohort=cohort, tutor=tutor, apprentice=f.UserFactory(first_name="Bilal", last_name="Kaci")
    )
    gone = f.EnrolmentFactory(cohort=cohort, contract_end=date(2026, 9, 30))  # left before the changed weeks
    assert planning_notices.build_digests(BEFORE) == 0  # the first plan is news to nobody

    edit(session_on(cohort, date(2026, 10, 13), HalfDay.AM), day=date(2026, 10, 21))
    planning_edits.cancel_session(
        session_on(cohort, date(2026, 10, 14), HalfDay.PM), None, "Grève des transports", BEFORE
    )
    edit(session_on(cohort, date(2026, 10, 15), HalfDay.AM), trainer_id=f.UserFactory.trainer().id)  # not news
    far = planning_edits.add_session(
        cohort,
        None,
        day=date(2027, 3, 2),
        half_day=HalfDay.AM,
        start_time=time(9),
        end_time=time(12, 30),
        trainer_id=None,
        room_id=None,
        module_id=None,
        today=BEFORE,
        accept_warnings=True,
    )
    changes_made_on(DAY)

    assert planning_notices.build_digests(DAY) == 3
    sent = digests()
    assert set(sent) == {anna.apprentice.email, bilal.apprentice.email, tutor.email}
    assert gone.apprentice.email not in sent and gone.tutor.email not in sent
    to_tutor = sent[tutor.email].body_text
    assert "Anna Lefort" in to_tutor and "Bilal Kaci" in to_tutor
    assert (
        "- mardi 13 octobre 2026, matin (09:00-12:30) : déplacée au mercredi 21 octobre 2026, matin (09:00-12:30)."
        in to_tutor
    )
    assert "- mercredi 14 octobre 2026, après-midi (13:30-17:00) : annulée (Grève des transports)." in to_tutor
    assert "15 octobre" not in to_tutor and "mars 2027" not in to_tutor and far.id
    assert "Vos séances" in sent[anna.apprentice.email].body_text
    assert sent[tutor.email].subject == "Planning du centre de formation modifié le 05/10/2026"


def test_building_the_digests_again_is_idempotent_and_a_sent_digest_is_never_repeated(cohort, tutor):
    enrolment = f.EnrolmentFactory(cohort=cohort, tutor=tutor)
    planning_edits.cancel_session(session_on(cohort, date(2026, 10, 14), HalfDay.PM), None, "Grève", BEFORE)
    changes_made_on(DAY)
    assert planning_notices.build_digests(DAY) == 2
    assert planning_notices.build_digests(DAY) == 2
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2
    for message in db.session.scalars(sa.select(OutboxMessage)):
        message.sent_at = datetime.now(UTC)
    assert planning_notices.build_digests(DAY) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2
    assert enrolment.apprentice.email in digests()


def test_a_change_undone_the_same_day_is_not_told(cohort, tutor):
    f.EnrolmentFactory(cohort=cohort, tutor=tutor)
    session = session_on(cohort, date(2026, 10, 13), HalfDay.AM)
    edit(session, day=date(2026, 10, 21))
    changes_made_on(DAY)
    assert planning_notices.build_digests(DAY) == 2
    edit(session, day=date(2026, 10, 13))
    changes_made_on(DAY)
    assert planning_notices.build_digests(DAY) == 0
    assert digests() == {}


def test_sessions_cancelled_by_a_re_plan_are_told(cohort, tutor):
    f.EnrolmentFactory(cohort=cohort, tutor=tutor)
    planning_edits.set_course_week(cohort, date(2026, 10, 12), at_centre=False, actor=None, today=BEFORE)
    replanning.apply(replanning.preview(cohort, from_date=date(2026, 10, 12), today=BEFORE), actor=None)
    changes_made_on(DAY)
    planning_notices.build_digests(DAY)
    body = digests()[tutor.email].body_text
    assert body.count(": annulée") == 10 and "Nouvelle séance : lundi 9 novembre 2026, matin" in body
    assert "annulée (lors de la replanification)" in body


def test_the_nightly_command_builds_the_digests_of_the_day_asked(app, cohort, tutor):
    f.EnrolmentFactory(cohort=cohort, tutor=tutor)
    planning_edits.cancel_session(session_on(cohort, date(2026, 10, 14), HalfDay.PM), None, "Grève", BEFORE)
    changes_made_on(DAY)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["planning-notices", "--jour", "2026-10-05"])
    assert result.exit_code == 0 and "du 05/10/2026 en attente d'envoi : 2" in result.output
    bad = runner.invoke(args=["planning-notices", "--jour", "05/10/2026"])
    assert bad.exit_code != 0 and "AAAA-MM-JJ" in bad.output
