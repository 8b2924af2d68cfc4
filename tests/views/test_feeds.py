"""Calendar subscription links: the token is the only key, each person sees only their own events."""

from datetime import date, time
from unittest import mock

import pytest
import vobject

from cfa.extensions import db
from cfa.formatting import PARIS
from cfa.models import HalfDay, PeriodKind, Role, SessionStatus
from cfa.services.calendar_queries import cohort_sessions
from tests import factories as f

TODAY = date(2026, 9, 1)  # the feeds' window starts three months earlier, on 1 June 2026


@pytest.fixture(autouse=True)
def today():
    """The day the feeds are read: fixed, so that the dated sessions below stay in the window whenever the tests run."""
    with mock.patch("cfa.views.feeds.today_paris", return_value=TODAY) as patched:
        yield patched


@pytest.fixture
def enrolment():
    enrolment = f.EnrolmentFactory(
        cohort=f.CohortFactory(name="MSADS Rennes 2026-2027", start_date=date(2026, 9, 14), end_date=date(2027, 8, 13))
    )
    cohort = enrolment.cohort
    module = f.ModuleFactory(programme=cohort.programme, title="Posture du médiateur")
    f.SessionFactory(cohort=cohort, module=module, date=date(2026, 9, 14), half_day=HalfDay.AM)
    f.SessionFactory(cohort=cohort, module=module, date=date(2026, 9, 14), half_day=HalfDay.PM)
    f.CalendarPeriodFactory(
        cohort=cohort, kind=PeriodKind.COURSE, start_date=date(2026, 9, 14), end_date=date(2026, 9, 18)
    )
    f.CalendarPeriodFactory(
        cohort=cohort, kind=PeriodKind.FIELD, start_date=date(2026, 9, 21), end_date=date(2026, 10, 11)
    )
    return enrolment


def feed(client, owner) -> list:
    if owner.calendar_token is None:
        owner.regenerate_calendar_token()
        db.session.flush()
    response = client.get(f"/agenda/{owner.calendar_token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    return vobject.readOne(response.text).vevent_list


def test_an_apprentice_feed_holds_their_sessions_and_field_weeks_as_the_database_does(client, enrolment):
    events = feed(client, enrolment.apprentice)
    sessions = cohort_sessions(enrolment.cohort_id)
    timed = {e.uid.value: e for e in events if e.uid.value.startswith("session-")}
    assert set(timed) == {f"session-{s.id}@cadence" for s in sessions}
    for session in sessions:
        event = timed[f"session-{session.id}@cadence"]
        start, end = event.dtstart.value.astimezone(PARIS), event.dtend.value.astimezone(PARIS)
        assert (start.date(), start.time(), end.time()) == (session.date, session.start_time, session.end_time)
        assert event.summary.value == "Posture du médiateur"
    field = [e for e in events if e.uid.value.startswith("entreprise-")]
    assert (
        len(field) == 1 and field[0].dtstart.value == date(2026, 9, 21) and field[0].dtend.value == date(2026, 10, 12)
    )


def test_a_changed_session_gets_a_higher_sequence_and_a_cancelled_one_stays_cancelled(client, enrolment):
    session = cohort_sessions(enrolment.cohort_id)[0]
    session.start_time = time(9, 30)
    session.touch()
    session.status = SessionStatus.CANCELLED
    session.touch()
    db.session.flush()
    event = next(e for e in feed(client, enrolment.apprentice) if e.uid.value.startswith(f"session-{session.id}@"))
    assert event.sequence.value == "2" and event.status.value == "CANCELLED"
    assert event.summary.value.startswith("Annulé")


def test_a_wrong_or_revoked_token_gets_404(client, enrolment):
    apprentice = enrolment.apprentice
    old = apprentice.regenerate_calendar_token()
    db.session.flush()
    assert client.get(f"/agenda/{old}.ics").status_code == 200
    apprentice.regenerate_calendar_token()
    db.session.flush()
    assert client.get(f"/agenda/{old}.ics").status_code == 404
    assert client.get("/agenda/pas-un-jeton.ics").status_code == 404
    assert client.get(f"/agenda/{old[:-1]}x.ics").status_code == 404
    assert client.get(f"/agenda/promotion/{old}.ics").status_code == 404


def test_a_deactivated_account_s_link_stops_working(client, enrolment):
    token = enrolment.apprentice.regenerate_calendar_token()
    enrolment.apprentice.active = False
    db.session.flush()
    assert client.get(f"/agenda/{token}.ics").status_code == 404


def test_an_unchanged_feed_answers_304(client, enrolment):
    token = enrolment.apprentice.regenerate_calendar_token()
    db.session.flush()
    first = client.get(f"/agenda/{token}.ics")
    assert first.headers["ETag"]
    again = client.get(f"/agenda/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    session = cohort_sessions(enrolment.cohort_id)[0]
    session.touch()
    db.session.flush()
    changed = client.get(f"/agenda/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


def test_a_tutor_feed_holds_only_their_apprentices_course_weeks(client, enrolment):
    stranger = f.EnrolmentFactory(cohort=enrolment.cohort)
    events = feed(client, enrolment.tutor)
    summaries = [e.summary.value for e in events]
    assert summaries == [f"{enrolment.apprentice.full_name} au centre (MSADS Rennes 2026-2027)"]
    assert stranger.apprentice.full_name not in " ".join(summaries)
    assert events[0].dtstart.value == date(2026, 9, 14) and events[0].dtend.value == date(2026, 9, 19)


def test_a_trainer_feed_holds_the_sessions_they_teach_across_cohorts(client, enrolment):
    trainer = f.UserFactory.trainer()
    mine = f.SessionFactory(trainer=trainer, date=date(2026, 9, 15))
    f.SessionFactory(date=date(2026, 9, 15))
    events = feed(client, trainer)
    assert [e.uid.value.split("@")[0] for e in events] == [f"session-{mine.id}"]
    assert mine.cohort.name in events[0].summary.value


def test_a_cohort_feed_and_its_regeneration_by_an_admin_only(login, enrolment):
    cohort = enrolment.cohort
    token = cohort.regenerate_calendar_token()
    db.session.flush()
    client = login(f.UserFactory(roles=[Role.TRAINER]))
    assert len(vobject.readOne(client.get(f"/agenda/promotion/{token}.ics").text).vevent_list) == 3
    assert client.post(f"/agenda/promotion/{cohort.id}/nouveau-lien").status_code == 403
    client.logout()
    admin = login(f.UserFactory.admin())
    assert admin.post(f"/agenda/promotion/{cohort.id}/nouveau-lien").status_code == 302
    assert admin.get(f"/agenda/promotion/{token}.ics").status_code == 404


def test_regenerating_one_s_link_needs_a_login_and_a_post(client, enrolment):
    apprentice = enrolment.apprentice
    token = apprentice.regenerate_calendar_token()
    db.session.flush()
    anonymous = client.post("/agenda/nouveau-lien")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/connexion")
    client.login(apprentice)
    assert client.get("/agenda/nouveau-lien").status_code == 405
    response = client.post("/agenda/nouveau-lien", data={"next": "https://ailleurs.example/"})
    assert response.status_code == 302 and response.location == "/"
    assert client.get(f"/agenda/{token}.ics").status_code == 404
    page = client.get("/moi/planning")
    db.session.refresh(apprentice)
    assert apprentice.calendar_token in page.text and "webcal://" in page.text


def test_a_feed_is_built_in_a_fixed_number_of_queries(client, enrolment, count_queries):
    token = enrolment.apprentice.regenerate_calendar_token()
    f.SessionFactory(
        cohort=enrolment.cohort, date=date(2026, 9, 18), trainer=f.UserFactory.trainer(), room=f.RoomFactory()
    )
    db.session.flush()
    with count_queries() as few:
        client.get(f"/agenda/{token}.ics")
    for day in (15, 16, 17):
        f.SessionFactory(
            cohort=enrolment.cohort, date=date(2026, 9, day), trainer=f.UserFactory.trainer(), room=f.RoomFactory()
        )
    with count_queries() as more:
        client.get(f"/agenda/{token}.ics")
    assert len(more) == len(few)


def _give_to(session, trainer):
    """The admin hands the session to another trainer, nothing else changed."""
    from cfa.services import planning_edits

    planning_edits.update_session(
        session,
        None,
        day=session.date,
        half_day=session.half_day,
        start_time=session.start_time,
        end_time=session.end_time,
        trainer_id=trainer.id,
        room_id=None,
        module_id=None,
        today=date(2026, 9, 1),
    )
    db.session.flush()


def test_a_trainer_taken_off_a_session_gets_it_as_cancelled_in_their_feed(client):
    first, second = f.UserFactory.trainer(), f.UserFactory.trainer()
    cohort = f.CohortFactory(start_date=date(2026, 9, 14), end_date=date(2027, 6, 30))
    session = f.SessionFactory(cohort=cohort, trainer=first, date=date(2026, 9, 15))
    before = next(e for e in feed(client, first) if e.uid.value.startswith(f"session-{session.id}@"))
    assert before.status.value == "CONFIRMED"
    _give_to(session, second)
    after = next(e for e in feed(client, first) if e.uid.value.startswith(f"session-{session.id}@"))
    assert after.status.value == "CANCELLED" and int(after.sequence.value) > int(before.sequence.value)
    assert "plus cette séance" in after.description.value
    mine = next(e for e in feed(client, second) if e.uid.value.startswith(f"session-{session.id}@"))
    assert mine.status.value == "CONFIRMED"
    # Put back on it, the first trainer sees it live again.
    _give_to(session, first)
    again = next(e for e in feed(client, first) if e.uid.value.startswith(f"session-{session.id}@"))
    assert again.status.value == "CONFIRMED"
    assert next(e for e in feed(client, second) if e.uid.value.startswith(f"session-{session.id}@")).status.value == (
        "CANCELLED"
    )


def test_the_tutor_feed_never_says_at_the_centre_on_a_cut_short_friday_or_a_public_holiday(client):
    from cfa.services import replanning

    trainer = f.UserFactory.trainer()
    programme = f.ProgrammeFactory(total_minutes=7 * 210)  # Mon, Tue, Thu and Friday morning only
    f.ModuleFactory(programme=programme, minutes=7 * 210, default_trainer=trainer)
    cohort = f.CohortFactory(programme=programme, start_date=date(2026, 11, 9), end_date=date(2027, 6, 30))
    enrolment = f.EnrolmentFactory(cohort=cohort)
    replanning.apply(replanning.preview(cohort, today=date(2026, 11, 1)), actor=None)
    days = [
        (e.dtstart.value, e.dtend.value) for e in feed(client, enrolment.tutor) if e.uid.value.startswith("centre-")
    ]
    # 11 November (Armistice) is not at the centre; the end is exclusive (RFC 5545).
    assert sorted(days) == [(date(2026, 11, 9), date(2026, 11, 11)), (date(2026, 11, 12), date(2026, 11, 14))]

    short = f.ProgrammeFactory(total_minutes=6 * 210)  # the Friday is left out altogether
    f.ModuleFactory(programme=short, minutes=6 * 210, default_trainer=trainer)
    cut = f.CohortFactory(programme=short, start_date=date(2026, 11, 16), end_date=date(2027, 6, 30))
    other = f.EnrolmentFactory(cohort=cut)
    replanning.apply(replanning.preview(cut, today=date(2026, 11, 1)), actor=None)
    days = [(e.dtstart.value, e.dtend.value) for e in feed(client, other.tutor) if e.uid.value.startswith("centre-")]
    assert days == [(date(2026, 11, 16), date(2026, 11, 19))]


def test_showing_a_calendar_page_never_creates_a_link_a_post_does(client):
    trainer = f.UserFactory.trainer()
    client.login(trainer)
    page = client.get("/planning/mon-agenda")
    db.session.refresh(trainer)
    assert trainer.calendar_token is None and "Créer le lien d'abonnement" in page.text
    created = client.post("/agenda/nouveau-lien", data={"next": "/planning/mon-agenda"})
    assert created.status_code == 302 and created.location == "/planning/mon-agenda"
    db.session.refresh(trainer)
    assert trainer.calendar_token and trainer.calendar_token in client.get("/planning/mon-agenda").text


def _etag_and_body(client, url: str) -> tuple[str, bytes]:
    response = client.get(url)
    assert response.status_code == 200
    return response.headers["ETag"], response.data


@pytest.fixture
def taught():
    """A trainer's feed of two sessions, with module, room, centre and cohort names printed in the events."""
    trainer = f.UserFactory.trainer()
    cohort = f.CohortFactory(start_date=date(2026, 6, 1), end_date=date(2027, 6, 30))
    module, room = f.ModuleFactory(programme=cohort.programme), f.RoomFactory(centre=cohort.centre)
    sessions = [
        f.SessionFactory(cohort=cohort, trainer=trainer, module=module, room=room, date=date(2026, 9, day))
        for day in (15, 16)
    ]
    trainer.regenerate_calendar_token()
    db.session.flush()
    return trainer, sessions


def _changes():
    """Every kind of change that alters what a trainer's feed shows, as a function of (trainer, sessions)."""
    from cfa.services import planning_edits

    def moved(trainer, sessions):
        session = sessions[0]
        planning_edits.update_session(
            session,
            None,
            day=date(2026, 9, 17),
            half_day=session.half_day,
            start_time=session.start_time,
            end_time=session.end_time,
            trainer_id=trainer.id,
            room_id=session.room_id,
            module_id=session.module_id,
            accept_warnings=True,
            today=TODAY,
        )

    def renamed(attribute):
        def change(trainer, sessions):
            row = attribute(sessions[0])
            setattr(row, "title" if hasattr(row, "title") else "name", "Nouveau nom")

        return change

    return {
        "session moved": moved,
        "session cancelled": lambda t, s: planning_edits.cancel_session(s[0], None, "Grève", today=TODAY),
        "room renamed": renamed(lambda s: s.room),
        "module renamed": renamed(lambda s: s.module),
        "centre renamed": renamed(lambda s: s.cohort.centre),
        "cohort renamed": renamed(lambda s: s.cohort),
        "new session": lambda t, s: f.SessionFactory(cohort=s[0].cohort, trainer=t, date=date(2026, 9, 18)),
        "session deleted": lambda t, s: db.session.delete(s[1]),
        "trainer taken off": lambda t, s: _give_to(s[0], f.UserFactory.trainer()),
        "trainer renamed": lambda t, s: setattr(t, "last_name", "Autre-Nom"),
    }


@pytest.mark.parametrize("change", list(_changes()))
def test_every_change_of_what_a_feed_shows_changes_its_etag(client, taught, change):
    trainer, sessions = taught
    url = f"/agenda/{trainer.calendar_token}.ics"
    etag, body = _etag_and_body(client, url)
    assert _etag_and_body(client, url) == (etag, body)  # nothing changed: same version, same bytes
    _changes()[change](trainer, sessions)
    db.session.flush()
    new_etag, new_body = _etag_and_body(client, url)
    assert new_body != body and new_etag != etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 200


def test_the_window_rolling_on_changes_the_etag_and_drops_what_left_it(client, taught, today):
    trainer, sessions = taught
    url = f"/agenda/{trainer.calendar_token}.ics"
    etag, _ = _etag_and_body(client, url)
    today.return_value = date(2026, 12, 16)  # the window now starts on 16 September
    new_etag, body = _etag_and_body(client, url)
    assert new_etag != etag
    events = vobject.readOne(body.decode()).vevent_list
    assert [e.uid.value.split("@")[0] for e in events] == [f"session-{sessions[1].id}"]


def test_an_unchanged_feed_answers_304_after_one_statement_and_builds_nothing(client, taught, count_queries):
    trainer, _ = taught
    url = f"/agenda/{trainer.calendar_token}.ics"
    etag = client.get(url).headers["ETag"]
    db.session.expire_all()  # as in a new request: nothing of the owner held in memory
    with (
        mock.patch("cfa.views.feeds.ical.render", side_effect=AssertionError("rendered")),
        mock.patch("cfa.services.feeds._sessions", side_effect=AssertionError("sessions loaded")),
        count_queries() as queries,
    ):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b"" and response.headers["ETag"] == etag
    # The token's owner, their roles, then the feed's version: every figure in one statement.
    assert len(queries) == 3
    assert sum("count(" in q.lower() for q in queries) == 1


def test_a_cohort_feed_answers_304_and_changes_with_its_field_weeks(client, enrolment, count_queries):
    from cfa.models import CalendarPeriod

    cohort = enrolment.cohort
    token = cohort.regenerate_calendar_token()
    db.session.flush()
    url = f"/agenda/promotion/{token}.ics"
    etag, _ = _etag_and_body(client, url)
    db.session.expire_all()
    with count_queries() as queries:
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert len(queries) == 2  # the token's cohort, the feed's version
    # Re-planning deletes and inserts periods, as here: the version changes although no session row is newer.
    period = next(p for p in cohort.periods if p.kind == PeriodKind.FIELD)
    cohort.periods.remove(period)
    cohort.periods.append(
        CalendarPeriod(kind=PeriodKind.FIELD, start_date=date(2026, 9, 21), end_date=date(2026, 10, 4))
    )
    db.session.flush()
    new_etag, body = _etag_and_body(client, url)
    assert new_etag != etag and b"DTEND;VALUE=DATE:20261005" in body


def test_an_apprentice_feed_changes_with_their_employer_s_name_and_their_rupture(client, enrolment):
    apprentice = enrolment.apprentice
    token = apprentice.regenerate_calendar_token()
    db.session.flush()
    url = f"/agenda/{token}.ics"
    etag, _ = _etag_and_body(client, url)
    enrolment.employer.name = "Autre employeur"
    db.session.flush()
    renamed, body = _etag_and_body(client, url)
    assert renamed != etag and "Autre employeur" in body.decode()
    enrolment.interrupted_on = date(2026, 9, 14)
    db.session.flush()
    cut, body = _etag_and_body(client, url)
    assert cut != renamed and b"20261012" not in body


def test_a_feed_holds_the_last_three_months_and_everything_ahead(client):
    trainer = f.UserFactory.trainer()
    cohort = f.CohortFactory(start_date=date(2025, 9, 1), end_date=date(2028, 6, 30))
    old = f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2026, 5, 29))
    recent = f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2026, 6, 1))
    ahead = f.SessionFactory(cohort=cohort, trainer=trainer, date=date(2028, 3, 1))
    f.CalendarPeriodFactory(
        cohort=cohort, kind=PeriodKind.FIELD, start_date=date(2026, 5, 25), end_date=date(2026, 6, 7)
    )
    f.CalendarPeriodFactory(
        cohort=cohort, kind=PeriodKind.FIELD, start_date=date(2026, 5, 4), end_date=date(2026, 5, 17)
    )
    uids = [e.uid.value.split("@")[0] for e in feed(client, trainer)]
    assert sorted(uids) == sorted([f"session-{recent.id}", f"session-{ahead.id}"]) and f"session-{old.id}" not in uids
    token = cohort.regenerate_calendar_token()
    db.session.flush()
    events = vobject.readOne(client.get(f"/agenda/promotion/{token}.ics").text).vevent_list
    field = [(e.dtstart.value, e.dtend.value) for e in events if e.uid.value.startswith("entreprise-")]
    assert field == [(date(2026, 5, 25), date(2026, 6, 8))]  # the weeks astride the window's first day, whole


def test_the_subscription_card_says_what_the_feed_holds(client):
    client.login(f.UserFactory.trainer())
    assert "trois derniers mois et tout ce qui est prévu ensuite" in client.get("/planning/mon-agenda").text


def test_the_window_starts_the_same_day_three_months_back():
    from cfa.services.feeds import window_start

    assert window_start(date(2026, 9, 1)) == date(2026, 6, 1)
    assert window_start(date(2026, 5, 31)) == date(2026, 2, 28)
    assert window_start(date(2026, 2, 15)) == date(2025, 11, 15)
