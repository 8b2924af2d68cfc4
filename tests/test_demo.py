"""`flask seed-demo` builds the demo CFA around the day it runs: whatever the date, the demo trainer has sheets to
take and the demo apprentice comes to the centre within four weeks; the finished year stays the CFA's real past.

Building the demo takes seconds: it is built once per date below (module-scoped) and the tests read it.
"""

from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from cfa.demo import course_data, data, demo_day_summary, running_start_in_database, seed_demo
from cfa.demo.calendar import build_calendar, planned, teacher
from cfa.demo.counts import demo_counts
from cfa.extensions import db
from cfa.formatting import minutes_label, percent
from cfa.models import (
    Agreement,
    AgreementStatus,
    AttendanceMark,
    AttendanceSheet,
    AuditEvent,
    Award,
    Centre,
    Cohort,
    CourseAudience,
    Decision,
    Employer,
    Enrolment,
    EnrolmentStatus,
    EvaluationResult,
    JuryCandidate,
    JurySession,
    JuryStatus,
    Justification,
    JustificationStatus,
    MarkStatus,
    MicroCertRequest,
    Organisation,
    Programme,
    ProgrammeKind,
    RequestStatus,
    Role,
    Session,
    SessionStatus,
    User,
)
from cfa.services import calendar_queries, socle
from cfa.services.assessment_credentials import jwks
from cfa.services.assessment_rates import success_rates, total
from cfa.services.calendar_generation import french_holidays, monday_of
from cfa.services.course_figures import yearly_figures
from cfa.services.identifiers import siret_error, uai_error
from tests import factories as f

DAYS = {
    "a Monday": date(2026, 11, 30),
    "a Wednesday whose running year falls short of the MSADS hours": date(2027, 3, 17),
    "a Saturday": date(2026, 12, 5),
    "a day of the Christmas closure": date(2026, 12, 23),
    "a day of the August closure": date(2027, 8, 11),
}


@pytest.fixture(autouse=True)
def _transaction():
    """Replaces the per-test rollback: each date's demo is built once, read by every test, rolled back at the end."""
    yield


@pytest.fixture(scope="module", params=list(DAYS.values()), ids=list(DAYS))
def demo(app, request):
    with app.app_context():
        engine = db.engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        db.engines[None] = connection
        try:
            calendar = seed_demo(today=request.param)
            db.session.commit()
            yield calendar
        finally:
            db.session.remove()
            transaction.rollback()
            connection.close()
            db.engines[None] = engine


def user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def demo_enrolment() -> Enrolment:
    return db.session.scalar(sa.select(Enrolment).where(Enrolment.apprentice == user(data.DEMO_APPRENTICE)))


def this_week(day: date) -> date:
    """The Monday of the day's week; on a weekend, of the week to come."""
    return monday_of(day) + timedelta(weeks=1 if day.weekday() >= 5 else 0)


def closed_on(day: date, closures) -> bool:
    return day.weekday() >= 5 or day in french_holidays(day, day) or any(a <= day <= b for _, a, b in closures)


def test_on_any_day_of_three_years_the_demo_trainer_teaches_on_the_next_open_day_within_four_weeks():
    day = date(2026, 10, 1)
    while day < date(2029, 10, 1):  # every third day: every weekday, every closure, every public holiday's week
        calendar = build_calendar(day)
        assert not closed_on(calendar.demo_day, calendar.closures), day
        assert all(closed_on(d, calendar.closures) for d in _days(day, calendar.demo_day)), day
        assert calendar.demo_day < this_week(day) + timedelta(weeks=4), day
        cohort = calendar.demo_cohort
        sessions = planned(cohort, calendar.closures).sessions
        assert any(s.date == calendar.demo_day and teacher(cohort, s) == data.DEMO_TRAINER for s in sessions), day
        running = [c for c in calendar.cohorts if not c.finished]
        assert len(running) == 4 and all(c.start <= day < c.end for c in running), day
        finished = [(c.programme, c.centre, c.start, c.end, c.headcount) for c in calendar.cohorts if c.finished]
        assert finished == data.FINISHED_COHORTS
        day += timedelta(days=3)


def _days(start: date, end: date):
    return (start + timedelta(days=n) for n in range((end - start).days))


def test_the_demo_trainer_has_the_demo_days_sheets_to_take(demo, client):
    trainer = user(data.DEMO_TRAINER)
    sessions = db.session.scalars(
        sa.select(Session).where(Session.trainer_id == trainer.id, Session.date == demo.demo_day)
    ).all()
    assert sessions and all(s.status == SessionStatus.PLANNED for s in sessions)
    ids = [s.id for s in sessions]
    assert not db.session.scalar(sa.select(sa.func.count()).where(AttendanceSheet.session_id.in_(ids)))
    assert not db.session.scalar(sa.select(sa.func.count()).where(AttendanceMark.session_id.in_(ids)))
    client.login(trainer, data.DEMO_PASSWORD)
    page = client.get(f"/emargement/aujourdhui?jour={demo.demo_day.isoformat()}").text
    assert page.count("À émarger") == len(sessions) and demo.demo_cohort.name in page
    assert demo_day_summary(demo).startswith(f"Démo prête : {data.DEMO_TRAINER} a {len(sessions)} demi-journée")


def test_a_demo_built_around_another_date_says_how_to_rebuild_it(demo):
    trainer = user(data.DEMO_TRAINER)
    teaching_days = set(db.session.scalars(sa.select(Session.date).where(Session.trainer_id == trainer.id)))
    quiet = next(d for d in _days(demo.demo_day, demo.demo_day + timedelta(weeks=8)) if d not in teaching_days)
    assert "make demo-reset" in demo_day_summary(replace(demo, demo_day=quiet))


def test_the_demo_apprentice_is_at_the_centre_this_week_or_within_the_next_three(demo):
    enrolment = demo_enrolment()
    assert enrolment.cohort.name == demo.demo_cohort.name and enrolment.status == EnrolmentStatus.ACTIVE
    assert enrolment.is_enrolled_on(demo.today)
    coming = db.session.scalars(
        sa.select(Session.date).where(
            Session.cohort_id == enrolment.cohort_id,
            Session.status == SessionStatus.PLANNED,
            Session.date >= demo.today,
            Session.date < this_week(demo.today) + timedelta(weeks=4),
        )
    ).all()
    assert demo.demo_day in coming


def test_every_half_day_before_today_has_its_closed_sheet_signed_by_every_learner_present_and_none_after(demo):
    live = sa.select(Session.id).where(Session.status == SessionStatus.PLANNED)
    past, future = live.where(Session.date < demo.today), live.where(Session.date >= demo.today)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(past.subquery())) > 100
    unclosed = sa.select(sa.func.count()).where(
        Session.id.in_(past),
        ~Session.id.in_(
            sa.select(AttendanceSheet.session_id).where(
                AttendanceSheet.closed_at.is_not(None), AttendanceSheet.trainer_signature.is_not(None)
            )
        ),
    )
    assert db.session.scalar(unclosed) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(AttendanceSheet.session_id.in_(future))) == 0
    assert f.closed_flags_disagreeing() == 0  # the bulk insert flagged its half-days closed
    unsigned = sa.select(sa.func.count()).where(
        AttendanceMark.status != MarkStatus.ABSENT, AttendanceMark.signed_at.is_(None)
    )
    assert db.session.scalar(unsigned) == 0
    # Every learner enrolled on a half-day has a mark on its sheet: none is left blank.
    marks = Counter(
        dict(
            db.session.execute(
                sa.select(AttendanceMark.session_id, sa.func.count()).group_by(AttendanceMark.session_id)
            )
            .tuples()
            .all()
        )
    )
    enrolments = db.session.scalars(sa.select(Enrolment)).all()
    for session_id, cohort_id, day in db.session.execute(
        sa.select(Session.id, Session.cohort_id, Session.date).where(Session.id.in_(past))
    ):
        assert marks[session_id] == sum(1 for e in enrolments if e.cohort_id == cohort_id and e.is_enrolled_on(day))


def test_the_running_cohorts_get_their_programme_hours_or_show_the_shortfall(demo, client):
    cohorts = db.session.scalars(sa.select(Cohort)).all()
    minutes = calendar_queries.planned_minutes_by_cohort(c.id for c in cohorts)
    short = [c for c in cohorts if minutes[c.id] != c.programme.total_minutes]
    assert all(minutes[c.id] < c.programme.total_minutes for c in short)
    assert {c.name for c in short} <= {c.name for c in demo.cohorts if not c.finished}
    if short:
        client.login(user("admin@cadence.test"), data.DEMO_PASSWORD)
        page = client.get(f"/planning/?annee={demo.today.year}").text  # the demo's year, not the real one
        for cohort in short:
            assert f"Il manque {minutes_label(cohort.programme.total_minutes - minutes[cohort.id])}" in page
    if demo.today == DAYS["a Wednesday whose running year falls short of the MSADS hours"]:
        assert {c.programme.code for c in short} == {"MSADS"}  # so that this branch is exercised
    # What the calendar chose is what the planner wrote: the same days at the centre.
    for spec in demo.cohorts:
        cohort = next(c for c in cohorts if c.name == spec.name)
        written = {s.date for s in calendar_queries.cohort_sessions(cohort.id, live_only=True)}
        assert written == {s.date for s in planned(spec, demo.closures).sessions}


def test_the_demo_apprentice_has_a_corrected_half_day_and_a_proof_of_her_latest_absence_awaiting_a_decision(demo):
    enrolment = demo_enrolment()
    latest = db.session.scalar(
        sa.select(AttendanceMark)
        .join(Session)
        .where(AttendanceMark.enrolment_id == enrolment.id)
        .order_by(Session.date.desc(), Session.start_time.desc())
        .limit(1)
    )
    assert latest.status == MarkStatus.ABSENT and latest.session.date < demo.today
    proof = db.session.scalar(sa.select(Justification).where(Justification.enrolment_id == enrolment.id))
    assert proof.status == JustificationStatus.PENDING and proof.start_date == latest.session.date == proof.end_date
    correction = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "correct"))
    corrected = db.session.get(AttendanceMark, correction.entity_id)
    assert corrected.enrolment_id == enrolment.id and corrected.status == MarkStatus.LEFT_EARLY
    assert corrected.signed_at is not None and "rendez-vous à la CAF" in correction.reason


def test_the_finished_year_stays_the_cfa_published_2025(demo, app):
    finished = db.session.scalars(sa.select(Enrolment).join(Cohort).where(Cohort.name.like("% 2024-2025"))).all()
    assert len(finished) == 53  # the 53 alternants of 2025
    assert all(e.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.INTERRUPTED) for e in finished)
    juries = db.session.scalars(sa.select(JurySession)).all()
    assert len(juries) == 4 and all(j.status == JuryStatus.PUBLISHED for j in juries)
    decisions = set(db.session.scalars(sa.select(JuryCandidate.decision)))
    assert decisions == {Decision.OBTAINED, Decision.PARTIAL, Decision.NOT_OBTAINED, Decision.ABSENT}
    overall = total(success_rates("year", year=2025))
    assert overall.presented > 40 and percent(overall.success.value) == "79\u202f%"  # the CFA's 2025 figure
    assert db.session.scalar(sa.select(Award.id).where(Award.revoked_at.is_not(None)))
    assert jwks(app.config["KEYS_DIR"], "https://cadence.example.fr")["keys"]


def test_the_demo_holds_the_cfa_described_in_the_domain_facts(demo):
    for email, role in [
        ("admin@cadence.test", Role.ADMIN),
        ("qualite@cadence.test", Role.QUALITY),
        (data.DEMO_TRAINER, Role.TRAINER),
        (data.DEMO_APPRENTICE, Role.APPRENTICE),
        ("tuteur@cadence.test", Role.TUTOR),
    ]:
        assert role in user(email).roles
    # One published password for every demo account: one hash, checked once (scrypt is slow on purpose).
    assert len(set(db.session.scalars(sa.select(User.password_hash).where(User.email.like("%@cadence.test"))))) == 1
    assert user(data.DEMO_APPRENTICE).check_password(data.DEMO_PASSWORD)
    enrolment, tutor = demo_enrolment(), user("tuteur@cadence.test")
    assert (enrolment.employer_id, enrolment.tutor_id) == (tutor.employer_id, tutor.id)
    assert enrolment.cohort.lead_trainer_id == user(data.DEMO_TRAINER).id
    assert db.session.scalar(sa.select(Award.id).where(Award.learner_id == enrolment.apprentice_id))
    assert db.session.scalar(sa.select(EvaluationResult.id).where(EvaluationResult.enrolment_id == enrolment.id))
    titles = sa.select(Cohort).join(Programme).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
    programmes = {c.programme.code: c.programme for c in db.session.scalars(titles)}
    assert programmes["MSADS"].total_minutes == 441 * 60 and programmes["MSADS"].level == 4
    assert programmes["AMIS"].total_minutes == 406 * 60 and programmes["AMIS"].level == 3
    for programme in programmes.values():
        assert sum(m.minutes for m in programme.modules) == programme.total_minutes
        assert len(programme.skill_blocks) == 3
    employers = db.session.scalars(sa.select(Employer)).all()
    assert len(employers) == 15 + len(course_data.CLIENTS)  # apprentices' employers, and clients of short courses
    assert all(siret_error(e.siret) is None for e in employers)
    organisation = db.session.scalar(sa.select(Organisation))
    assert siret_error(organisation.siret) is None
    uais = [organisation.uai, *db.session.scalars(sa.select(Centre.uai))]
    assert len(uais) == 3 and all(uai_error(uai) is None for uai in uais)


def test_seeding_again_later_adds_nothing_and_keeps_the_running_year(demo):
    counts = demo_counts()
    later = seed_demo(today=demo.today + timedelta(days=9))
    assert demo_counts() == counts
    assert later.cohorts == demo.cohorts and running_start_in_database() == demo.demo_cohort.start


def test_the_demo_ledger_raises_none_of_the_auditors_red_flags(demo):
    """The controls page of a freshly built demo is clean: a red flag there would be a bug of the demo or of a rule."""
    from cfa.formatting import PARIS
    from cfa.services.attendance_controls import run_controls

    morning = datetime.combine(demo.today, time(7, 0), tzinfo=PARIS)
    flagged = {control.code: control.total for control in run_controls(demo.today - timedelta(days=730), morning)}
    assert set(flagged.values()) == {0}, flagged


def test_the_2025_short_courses_give_the_cfa_published_figures_per_audience(demo):
    figures = yearly_figures(2025, today=demo.today)
    published = {
        CourseAudience.MEDIATION_PROFESSIONALS: (122, 354 * 60),
        CourseAudience.PUBLIC_RECEPTION: (387, 164 * 60),
        CourseAudience.PRISON_WORKSHOPS: (405, 144 * 60),
        CourseAudience.NEW_MEDIATORS: (37, 4 * 42 * 60),  # the socle: four runs of 6 days
    }
    assert {a.audience: (a.trainees, a.minutes) for a in figures.audiences} == published
    assert all(0 < a.trainee_minutes < a.trainees * a.minutes for a in figures.audiences)  # attended, from the ledger
    workshops = figures.of(CourseAudience.PRISON_WORKSHOPS).actions[0].programme_id
    runs = db.session.scalars(sa.select(Cohort).where(Cohort.programme_id == workshops)).all()
    assert len({run.place for run in runs}) == 5 and all(run.is_intra for run in runs)
    participants = sa.select(Enrolment.apprentice_id).where(Enrolment.cohort_id.in_([run.id for run in runs]))
    assert not db.session.scalar(sa.select(sa.func.count()).where(User.id.in_(participants), User.email.is_not(None)))


def test_three_quarters_of_the_new_mediators_of_2025_completed_the_socle_by_the_end_of_the_year(demo):
    figure = socle.year_completion(2025)
    assert (figure.rate.numerator, figure.rate.denominator) == (36, 48)
    assert percent(figure.rate.value) == "75\u202f%" and len(figure.not_completed) == 12


def test_the_demo_trainee_has_an_account_and_a_socle_running_on_the_demo_day(demo):
    trainee = user(course_data.DEMO_TRAINEE)
    assert Role.LEARNER in trainee.roles and trainee.check_password(data.DEMO_PASSWORD)
    (enrolment,) = db.session.scalars(sa.select(Enrolment).where(Enrolment.apprentice_id == trainee.id)).all()
    run = enrolment.cohort
    assert run.programme.entry_course and run.start_date <= demo.demo_day <= run.end_date
    assert enrolment.employer_id == trainee.employer_id and enrolment.tutor_id is None
    coming = db.session.scalars(
        sa.select(Cohort)
        .join(Programme)
        .where(Programme.kind == ProgrammeKind.SHORT_COURSE, Cohort.end_date >= demo.today)
    ).all()
    assert len(coming) == 3


def test_short_course_paperwork_stands_at_every_stage(demo):
    agreements = db.session.scalars(sa.select(Agreement)).all()
    intra = db.session.scalars(sa.select(Cohort).where(Cohort.client_id.is_not(None))).all()
    assert {a.cohort_id for a in agreements if a.employer_id == a.cohort.client_id} >= {c.id for c in intra}
    contracts = [a for a in agreements if a.is_contract]
    assert len(contracts) >= 1 and all(a.learner.employer_id is None for a in contracts)
    statuses = Counter(a.status for a in agreements)
    assert statuses[AgreementStatus.SIGNED] > 100 and statuses[AgreementStatus.SENT] >= 1
    requests = db.session.scalars(sa.select(MicroCertRequest)).all()
    assert {r.status for r in requests} == set(RequestStatus)
    assert sum(1 for r in requests if r.source_enrolment_id) > len(requests) / 2  # mostly from the socle
    lines = [line for r in requests for line in r.domains]
    assert any(line.acquired is False for line in lines)
    issued = [line.award for line in lines if line.acquired]
    assert issued and all(
        award.learner_id == line.request.learner_id
        for award, line in zip(issued, [x for x in lines if x.acquired], strict=True)
    )
    unconvened = db.session.scalar(
        sa.select(sa.func.count()).where(
            Enrolment.convened_at.is_(None), Enrolment.cohort_id.in_([c.id for c in intra])
        )
    )
    assert 0 < unconvened < 20  # the run of next week is still to be convened


def test_the_quality_register_holds_two_finished_years_at_every_step_and_seeding_again_adds_nothing(demo):
    from cfa.models import Complaint, ComplaintStatus, DeclaredRate, ImprovementAction, QualityIndicator
    from cfa.services import quality_indicators as qi

    def quality_counts():
        return [
            db.session.scalar(sa.select(sa.func.count()).select_from(t))
            for t in (Complaint, ImprovementAction, DeclaredRate, QualityIndicator)
        ]

    years = Counter(c.received_on.year for c in db.session.scalars(sa.select(Complaint)))
    assert years[2024] >= 3 and years[2025] >= 3
    statuses = set(db.session.scalars(sa.select(Complaint.status)))
    assert {ComplaintStatus.CLOSED, ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS} <= statuses
    late = qi.complaints_within_target(qi.Scope(2025), today=demo.today)
    assert 0 < late.rate.numerator < late.rate.denominator  # some answered late
    assert set(db.session.scalars(sa.select(DeclaredRate.year))) == {2024, 2025}
    counts = quality_counts()
    assert counts[3] == 32
    seed_demo(today=demo.today + timedelta(days=9))
    assert quality_counts() == counts


def test_the_demo_apprentice_is_followed_by_the_demo_trainer_with_a_livret_visits_and_a_checklist(demo):
    from cfa.models import LivretEntry, OnboardingCheck, Visit
    from cfa.services import livret, visits

    enrolment = db.session.scalar(
        sa.select(Enrolment)
        .join(User, User.id == Enrolment.apprentice_id)
        .where(User.email == data.DEMO_APPRENTICE, Enrolment.status == EnrolmentStatus.ACTIVE)
    )
    assert enrolment.referent.email == data.DEMO_TRAINER
    ended = [
        p
        for p in livret.field_periods(enrolment, livret.field_periods_of_cohorts([enrolment.cohort_id]))
        if p.ended(demo.today)
    ]
    entries = db.session.scalars(sa.select(LivretEntry).where(LivretEntry.enrolment_id == enrolment.id)).all()
    assert ended and len(entries) == len(ended)
    assert all(e.tutor_id == enrolment.tutor_id and e.tutor_signed_at and e.activities for e in entries)
    assert sum(1 for e in entries if e.apprentice_comment) == 1
    held = db.session.scalars(sa.select(Visit).where(Visit.enrolment_id == enrolment.id, Visit.held_on.is_not(None)))
    assert any(v.actions for v in held)
    overdue = visits.overdue_enrolments(demo.today)
    assert any(e.cohort_id == enrolment.cohort_id for e in overdue) and enrolment not in overdue
    ticked = db.session.scalar(
        sa.select(sa.func.count(OnboardingCheck.id)).where(OnboardingCheck.enrolment_id == enrolment.id)
    )
    assert 0 < ticked < 4


def test_the_demo_integration_token_reads_the_api_and_cannot_write(demo, client):
    from cfa.demo.integrations import DEMO_API_SECRET

    headers = {"Authorization": f"Bearer {DEMO_API_SECRET}"}
    programmes = client.get("/api/programmes", headers=headers)
    assert programmes.status_code == 200 and programmes.json["data"]
    assert client.get("/api/sessions?limit=5", headers=headers).json["links"]["next"]
    assert client.post("/api/enrolments", json={}, headers=headers).status_code == 403


def test_the_demo_contracts_tell_a_rupture_with_a_new_employer_and_one_ending_in_leaving_the_cfa(demo):
    from cfa.models import EmployerPeriod, SearchOutcome
    from cfa.services import quality_indicators as qi

    left = db.session.scalars(sa.select(Enrolment).where(Enrolment.search_outcome == SearchOutcome.LEFT)).all()
    assert left and all(e.status == EnrolmentStatus.INTERRUPTED and e.employer_periods[0].broken for e in left)
    two = db.session.scalars(sa.select(Enrolment).where(Enrolment.search_outcome == SearchOutcome.NEW_EMPLOYER)).all()
    running_old_enough = any(
        c.start + timedelta(weeks=9) <= demo.today <= c.end for c in demo.cohorts if not c.finished
    )
    assert len(two) == (1 if running_old_enough else 0)
    for enrolment in two:
        first, second = enrolment.employer_periods
        assert first.broken and second.employer_id == enrolment.employer_id != first.employer_id
    unfiled = sa.select(Enrolment.id).join(Cohort).join(Programme).where(Programme.kind == ProgrammeKind.APPRENTICESHIP)
    filed = sa.select(EmployerPeriod.enrolment_id)
    assert not db.session.scalars(unfiled.where(Enrolment.id.not_in(filed))).all()
    broken = [qi.interruption_and_rupture(qi.Scope(year=year))[1].rate.numerator for year in (2024, 2025)]
    assert sum(broken) == len(left)  # the contracts broken in the finished year, whenever the apprentice left
