"""What each home page shows: the person's own things to do, counted in SQL, bounded, and nobody else's."""

from datetime import UTC, date, datetime, time, timedelta

from cfa.extensions import db
from cfa.models import (
    ActionStatus,
    AwardKind,
    ComplaintStatus,
    HalfDay,
    JustificationStatus,
    MarkStatus,
    Role,
    SessionRelease,
    SessionStatus,
    SurveyInvitation,
)
from cfa.services import audit, home_admin, home_learner, home_quality, home_trainer, home_tutor
from cfa.services.survey_templates import load_templates
from tests import factories as f
from tests.followup_world import alternating_enrolment

TODAY = date(2025, 10, 14)  # a Tuesday of a course week of tests.followup_world
NOW = datetime(2025, 10, 14, 8, 0, tzinfo=UTC)  # 10:00 in Paris: the morning half-day is running


def _absent(enrolment, day, trainer=None):
    session = f.SessionFactory(cohort=enrolment.cohort, date=day, trainer=trainer)
    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment, status=MarkStatus.ABSENT
    )
    return session


# --- trainer


def test_a_trainer_sees_today_the_coming_days_and_every_old_sheet_to_finish_but_not_a_colleagues():
    trainer, colleague = f.UserFactory.trainer(), f.UserFactory.trainer()
    cohort = f.CohortFactory()
    morning = f.SessionFactory(cohort=cohort, trainer=trainer, date=TODAY)
    f.SessionFactory(cohort=cohort, trainer=trainer, date=TODAY, half_day=HalfDay.PM)
    thursday = f.SessionFactory(cohort=cohort, trainer=trainer, date=TODAY + timedelta(days=2))
    f.SessionFactory(cohort=cohort, trainer=trainer, date=TODAY + timedelta(days=3), status=SessionStatus.CANCELLED)
    f.SessionFactory(cohort=cohort, trainer=colleague, date=TODAY + timedelta(days=1))
    last_year = f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2024, 10, 1))
    f.SessionFactory(cohort=cohort, trainer=colleague, date=date(2024, 10, 2))  # a colleague's sheet to finish

    home = home_trainer.trainer_home(trainer, NOW)

    assert [s.id for s in home.today_sessions] == [morning.id, morning.id + 1]
    assert home.week_sessions == [thursday]
    assert home.to_finish == [last_year] and home.to_finish_total == 1
    assert home.running == morning  # its self sign-in is open: the home offers the QR code


def test_no_half_day_running_means_no_qr_shortcut():
    trainer = f.UserFactory.trainer()
    f.SessionFactory(trainer=trainer, date=TODAY, half_day=HalfDay.PM)
    assert home_trainer.trainer_home(trainer, NOW).running is None


def test_a_trainer_sees_the_unread_changes_to_their_coming_half_days_and_those_taken_from_them():
    trainer, colleague, admin = f.UserFactory.trainer(), f.UserFactory.trainer(), f.UserFactory.admin()
    moved = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=7))
    released = f.SessionFactory(trainer=colleague, date=TODAY + timedelta(days=8))
    old = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=9))
    past = f.SessionFactory(trainer=trainer, date=TODAY - timedelta(days=1))
    theirs = f.SessionFactory(trainer=colleague, date=TODAY + timedelta(days=10))
    own = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=11))
    for session, at in ((moved, NOW - timedelta(days=1)), (old, NOW - timedelta(days=45)), (past, NOW), (theirs, NOW)):
        audit.record(admin, "session", session.id, "update", before={}, after={}).at = at
    audit.record(trainer, "session", own.id, "update", before={}, after={}).at = NOW  # not news to its author
    db.session.add(SessionRelease(session_id=released.id, trainer_id=trainer.id, released_at=NOW - timedelta(hours=2)))
    db.session.flush()

    changes, total = home_trainer.unread_changes(trainer, NOW)

    assert [(c.session, c.kind) for c in changes] == [(released, "released"), (moved, "update")]
    assert total == 2 and changes[0].label == "retirée de votre planning"


def test_changes_marked_read_leave_the_home_and_a_later_one_comes_back():
    trainer, admin = f.UserFactory.trainer(), f.UserFactory.admin()
    first = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=7))
    audit.record(admin, "session", first.id, "update", before={}, after={}).at = NOW - timedelta(hours=3)
    db.session.flush()
    home = home_trainer.trainer_home(trainer, NOW)
    assert [c.session for c in home.changes] == [first]

    # Read up to the change the page showed: one made meanwhile stays unread.
    second = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=8))
    audit.record(admin, "session", second.id, "cancel", before={}, after={}).at = NOW - timedelta(hours=1)
    home_trainer.mark_changes_read(trainer, home.newest_change_at, NOW)
    assert trainer.planning_seen_at == NOW - timedelta(hours=3)
    assert [(c.session, c.kind) for c in home_trainer.trainer_home(trainer, NOW).changes] == [(second, "cancel")]

    # The mark never goes back, nor past now.
    home_trainer.mark_changes_read(trainer, NOW - timedelta(days=2), NOW)
    assert trainer.planning_seen_at == NOW - timedelta(hours=3)
    home_trainer.mark_changes_read(trainer, NOW + timedelta(days=2), NOW)
    assert trainer.planning_seen_at == NOW
    assert home_trainer.trainer_home(trainer, NOW).changes == []


def test_the_trainer_home_runs_a_fixed_number_of_queries(count_queries):
    trainer = f.UserFactory.trainer()

    def build(n):
        for i in range(n):
            session = f.SessionFactory(trainer=trainer, date=TODAY + timedelta(days=i % 5))
            audit.record(None, "session", session.id, "update", before={}, after={}).at = NOW
            f.SessionFactory(trainer=trainer, date=date(2024, 9, 1) + timedelta(days=i))
        with count_queries() as queries:
            home_trainer.trainer_home(trainer, NOW)
        return len(queries)

    assert build(1) == build(6)


# --- apprentice and trainee


def test_an_apprentice_sees_where_they_are_their_next_days_and_what_to_justify_and_nobody_elses():
    enrolment = alternating_enrolment()
    other = alternating_enrolment(cohort=enrolment.cohort)
    room = f.RoomFactory()
    nxt = f.SessionFactory(cohort=enrolment.cohort, date=TODAY + timedelta(days=1), room=room)
    f.SessionFactory(cohort=enrolment.cohort, date=TODAY + timedelta(days=2), status=SessionStatus.CANCELLED)
    _absent(enrolment, date(2025, 9, 16))  # covered by a pending justification: already sent
    _absent(enrolment, date(2025, 9, 17))
    _absent(enrolment, date(2025, 9, 18))
    f.JustificationFactory(enrolment=enrolment, start_date=date(2025, 9, 16), end_date=date(2025, 9, 16))
    f.JustificationFactory(
        enrolment=enrolment,
        start_date=date(2025, 9, 18),
        end_date=date(2025, 9, 18),
        status=JustificationStatus.REFUSED,
        refusal_reason="Illisible",
    )
    for day in (date(2025, 9, 16), date(2025, 9, 17), date(2025, 9, 18), date(2025, 9, 19)):
        other_session = f.SessionFactory(cohort=other.cohort, date=day, half_day=HalfDay.PM)
        f.AttendanceMarkFactory(
            sheet=f.AttendanceSheetFactory(session=other_session), enrolment=other, status=MarkStatus.ABSENT
        )
    f.AwardFactory(learner=other.apprentice)  # another apprentice's certificate

    home = home_learner.learner_home(enrolment.apprentice, TODAY)

    assert home.is_apprentice and [w.place for w in home.weeks] == ["centre", "company"]
    assert home.upcoming[0] == nxt and all(s.status == SessionStatus.PLANNED for s in home.upcoming)
    assert home.to_justify == 2  # the one refused and the one never justified
    assert home.certificates == 0 and home.surveys == []
    assert home.rate.absences == 3


def test_an_apprentice_is_shown_only_their_own_open_surveys_not_yet_answered():
    enrolment = alternating_enrolment()
    other = f.EnrolmentFactory()
    survey = load_templates()[0]
    running = f.SurveyCampaignFactory(survey=survey, cohort=enrolment.cohort, launched_at=NOW)
    answered = f.SurveyCampaignFactory(survey=survey, cohort=enrolment.cohort, launched_at=NOW)
    draft = f.SurveyCampaignFactory(survey=survey, cohort=enrolment.cohort)
    person = enrolment.apprentice
    wanted = SurveyInvitation(campaign=running, user=person, email=person.email)
    db.session.add_all(
        [
            wanted,
            SurveyInvitation(campaign=answered, user=person, email=person.email, responded_at=NOW),
            SurveyInvitation(campaign=draft, user=person, email=person.email),
            SurveyInvitation(campaign=running, user=other.apprentice, email=other.apprentice.email),
        ]
    )
    f.AwardFactory(learner=person)
    f.AwardFactory(learner=person, revoked_at=NOW, revocation_reason="Erreur")
    db.session.flush()

    home = home_learner.learner_home(person, TODAY)

    assert home.surveys == [wanted]
    assert home.certificates == 1


def test_a_short_course_trainee_sees_their_next_half_days_with_their_place_and_no_alternance():
    run = f.ShortCourseRunFactory(start_date=TODAY, end_date=TODAY + timedelta(days=3))
    trainee = f.TraineeEnrolmentFactory(cohort=run)
    session = f.SessionFactory(cohort=run, date=TODAY + timedelta(days=1))
    home = home_learner.learner_home(trainee.apprentice, TODAY)
    assert not home.is_apprentice and home.weeks == []
    assert home.upcoming == [session] and home.places[session.id]


def test_someone_without_an_enrolment_gets_an_empty_home():
    home = home_learner.learner_home(f.UserFactory(roles=[Role.APPRENTICE]), TODAY)
    assert home.enrolment is None and home.upcoming == [] and home.to_justify == 0


# --- tutor


def test_a_tutor_sees_their_employers_apprentices_only_with_where_they_are():
    enrolment = alternating_enrolment()
    alternating_enrolment()  # another employer's apprentice
    home = home_tutor.tutor_home(enrolment.tutor, TODAY)
    assert [s.enrolment for s in home.summaries] == [enrolment] and home.total == 1
    assert [w.place for w in home.summaries[0].weeks] == ["centre", "company"]


def test_a_tutor_with_many_apprentices_sees_a_bounded_list_and_the_total():
    employer = f.EmployerFactory()
    tutor = f.UserFactory.tutor(employer=employer)
    for _ in range(home_tutor.SHOWN + 2):
        f.EnrolmentFactory(employer=employer, tutor=tutor)
    home = home_tutor.tutor_home(tutor, TODAY)
    assert len(home.summaries) == home_tutor.SHOWN and home.total == home_tutor.SHOWN + 2


# --- quality


def test_the_quality_home_lists_running_campaigns_with_their_response_rate_complaints_and_actions():
    survey = load_templates()[0]
    running = f.SurveyCampaignFactory(survey=survey, launched_at=NOW, closes_on=TODAY + timedelta(days=10))
    f.SurveyCampaignFactory(survey=survey, launched_at=NOW, closes_on=TODAY - timedelta(days=1))  # closed
    f.SurveyCampaignFactory(survey=survey, closes_on=TODAY + timedelta(days=10))  # a draft
    for i in range(4):
        db.session.add(SurveyInvitation(campaign=running, email=f"p{i}@x.test", responded_at=NOW if i == 0 else None))
    waiting = f.ComplaintFactory(received_on=TODAY - timedelta(days=60))
    f.ComplaintFactory(
        received_on=TODAY - timedelta(days=5), answered_on=TODAY, status=ComplaintStatus.ANSWERED, response="Fait"
    )
    late = f.ImprovementActionFactory(due_on=TODAY - timedelta(days=1))
    f.ImprovementActionFactory(due_on=TODAY - timedelta(days=1), status=ActionStatus.DONE, done_on=TODAY)
    db.session.flush()

    home = home_quality.quality_home(TODAY)

    assert [(c, p.invited, p.responded) for c, p in home.campaigns] == [(running, 4, 1)]
    assert home.campaigns_total == 1
    assert home.complaints == [waiting] and home.complaints_total == 1 and home.complaints_late == 1
    assert home.actions == [late] and home.board.action_counts["late"] == 1
    assert home.board.scope.year == TODAY.year - 1


# --- administration


def test_the_admin_home_counts_what_needs_action():
    trainer, room = f.UserFactory.trainer(), f.RoomFactory()
    cohort = f.CohortFactory(start_date=TODAY, end_date=TODAY + timedelta(days=300))
    other = f.CohortFactory(start_date=TODAY, end_date=TODAY + timedelta(days=300))
    day = TODAY + timedelta(days=3)
    f.SessionFactory(cohort=cohort, date=day, trainer=trainer)
    f.SessionFactory(cohort=other, date=day, trainer=trainer, conflict_accepted=True)  # same trainer, same time
    f.SessionFactory(cohort=cohort, date=day, half_day=HalfDay.PM, room=room)
    f.SessionFactory(cohort=other, date=day, half_day=HalfDay.PM, room=room, start_time=time(16, 0))
    f.SessionFactory(cohort=other, date=day, half_day=HalfDay.PM, trainer=trainer, status=SessionStatus.CANCELLED)
    f.SessionFactory(cohort=cohort, date=TODAY - timedelta(days=400), trainer=trainer)  # past: a sheet to finish
    untutored = f.EnrolmentFactory(cohort=cohort, tutor=None)
    f.EnrolmentFactory(cohort=cohort)
    f.TraineeEnrolmentFactory(tutor=None)  # a short-course trainee needs no tutor
    f.JustificationFactory(enrolment=untutored)

    home = home_admin.admin_home(TODAY, NOW)

    assert home.conflicts_total == 2 and len(home.conflicts) == 2
    assert home.conflicts[0].startswith("Formateur·rice")
    assert home.sheets_to_finish == 1
    assert home.without_tutor == [untutored] and home.without_tutor_total == 1
    assert home.summary.pending_justifications == 1
    missing = {m.cohort: m.missing for m in home.missing_hours}
    assert missing[cohort] == cohort.programme.total_minutes - 3 * 210
    assert home.missing_hours_total >= 2


def test_the_admin_home_runs_a_fixed_number_of_queries(count_queries):
    def build(n):
        for _ in range(n):
            cohort = f.CohortFactory(start_date=TODAY, end_date=TODAY + timedelta(days=300))
            f.SessionFactory(cohort=cohort, date=TODAY + timedelta(days=1))
            f.EnrolmentFactory(cohort=cohort, tutor=None)
        with count_queries() as queries:
            home_admin.admin_home(TODAY, NOW)
        return len(queries)

    assert build(1) == build(5)


def test_an_award_kind_is_counted_whatever_it_is():
    # Certificates of a title's block count as well as micro-certifications.
    person = f.UserFactory(roles=[Role.APPRENTICE])
    f.AwardFactory(learner=person, kind=AwardKind.MICRO_CERTIFICATION)
    assert home_learner.valid_certificates(person) == 1
