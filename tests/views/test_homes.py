"""Each home page through the client: the person's own things to do, links to the pages acting on them, and
nothing of anyone else's."""

import re
from datetime import timedelta

import pytest

from cfa.formatting import today_paris
from cfa.models import MarkStatus, Role
from tests import factories as f


def _today_cohort():
    today = today_paris()
    return f.CohortFactory(start_date=today - timedelta(days=60), end_date=today + timedelta(days=300))


def _absent(enrolment, day):
    session = f.SessionFactory(cohort=enrolment.cohort, date=day)
    f.AttendanceMarkFactory(
        sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment, status=MarkStatus.ABSENT
    )


def test_an_apprentice_home_shows_their_days_attendance_and_subscription_but_not_another_apprentices(login):
    cohort = _today_cohort()
    mine = f.EnrolmentFactory(cohort=cohort)
    theirs = f.EnrolmentFactory(cohort=_today_cohort())
    room = f.RoomFactory(name="Salle Ouessant")
    f.SessionFactory(cohort=cohort, date=today_paris() + timedelta(days=1), room=room)
    f.SessionFactory(
        cohort=theirs.cohort, date=today_paris() + timedelta(days=1), room=f.RoomFactory(name="Salle Sein")
    )
    _absent(theirs, today_paris() - timedelta(days=3))
    f.AwardFactory(learner=theirs.apprentice)

    page = login(mine.apprentice).get("/").text

    assert "Salle Ouessant" in page and "Salle Sein" not in page
    assert "Aucune absence à justifier" in page
    assert 'href="/moi/emargement"' in page and "J&#39;émarge" in page
    assert "Aucun certificat pour l'instant" in page
    assert "Créer le lien d'abonnement" in page and "Google Agenda" in page and "Outlook" in page
    assert theirs.apprentice.last_name not in page


def test_an_apprentice_sees_the_absences_they_have_to_justify(login):
    enrolment = f.EnrolmentFactory(cohort=_today_cohort())
    _absent(enrolment, today_paris() - timedelta(days=3))
    page = login(enrolment.apprentice).get("/").text
    assert "1 absence à justifier" in page


def test_a_tutor_home_lists_their_apprentices_only(login):
    enrolment = f.EnrolmentFactory(cohort=_today_cohort())
    other = f.EnrolmentFactory(cohort=enrolment.cohort)  # another employer's apprentice, same cohort
    page = login(enrolment.tutor).get("/").text
    assert enrolment.apprentice.full_name in page and other.apprentice.full_name not in page
    assert f'href="/suivi/apprentis/{enrolment.id}"' in page and 'href="/suivi/mes-apprentis"' in page


def test_a_trainer_home_links_each_sheet_to_finish_and_not_a_colleagues(login):
    trainer, colleague = f.UserFactory.trainer(), f.UserFactory.trainer()
    mine = f.SessionFactory(trainer=trainer, date=today_paris() - timedelta(days=200))
    theirs = f.SessionFactory(trainer=colleague, date=today_paris() - timedelta(days=200))
    page = login(trainer).get("/").text
    assert f'href="/emargement/seances/{mine.id}"' in page
    assert f'href="/emargement/seances/{theirs.id}"' not in page


def test_the_quality_home_shows_complaints_to_answer(login):
    f.ComplaintFactory(subject="Salle trop froide", received_on=today_paris())
    page = login(f.UserFactory.quality()).get("/").text
    assert "Salle trop froide" in page and 'href="/qualite/reclamations/nouvelle"' in page


def test_the_admin_home_names_the_apprentices_without_a_tutor(login):
    enrolment = f.EnrolmentFactory(cohort=_today_cohort(), tutor=None)
    page = login(f.UserFactory.admin()).get("/").text
    assert f'href="/admin/inscriptions/{enrolment.id}"' in page and "Apprenti·es sans tuteur·rice" in page


@pytest.mark.parametrize("role", [Role.TRAINER, Role.APPRENTICE, Role.TUTOR, Role.QUALITY, Role.ADMIN])
def test_a_home_runs_the_same_number_of_queries_whatever_the_rows(login, count_queries, role):
    person = f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None)
    client = login(person)
    cohort = _today_cohort()
    own = f.EnrolmentFactory(cohort=cohort, apprentice=person) if role == Role.APPRENTICE else None

    def grow(i):
        enrolment = own or f.EnrolmentFactory(
            cohort=cohort, employer=person.employer or f.EmployerFactory(), tutor=person if role == Role.TUTOR else None
        )
        day = today_paris() - timedelta(days=10 + i)
        session = f.SessionFactory(cohort=cohort, trainer=person, date=day)
        f.SessionFactory(cohort=cohort, trainer=person, date=today_paris() + timedelta(days=i + 1))
        f.AttendanceMarkFactory(
            sheet=f.AttendanceSheetFactory(session=session), enrolment=enrolment, status=MarkStatus.ABSENT
        )
        f.ComplaintFactory(received_on=today_paris())

    def measure():
        client.get("/")  # a first view keeps the closed year's attendance total: compare views that read it
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    grow(0)
    first = measure()
    for i in range(1, 5):
        grow(i)
    assert measure() == first


def test_a_trainer_home_names_an_unread_change_to_their_planning_until_marked_read(login):
    from cfa.extensions import db
    from cfa.services import audit

    trainer = f.UserFactory.trainer()
    session = f.SessionFactory(trainer=trainer, date=today_paris() + timedelta(days=5), cohort=_today_cohort())
    audit.record(f.UserFactory.admin(), "session", session.id, "cancel", before={}, after={})
    db.session.flush()
    client = login(trainer)
    page = client.get("/").text
    assert f"{session.cohort.name} : annulée" in page and "Marquer comme lus" in page
    up_to = re.search(r'name="jusqu_a" value="([^"]+)"', page).group(1)

    response = client.post("/planning/mon-agenda/changements-lus", data={"jusqu_a": up_to})

    assert response.status_code == 302 and response.location.endswith("/#changements")
    page = client.get("/").text
    assert f"{session.cohort.name} : annulée" not in page and "Aucun changement non lu" in page


def test_marking_changes_read_refuses_an_unreadable_date_and_other_roles(login):
    trainer = f.UserFactory.trainer()
    client = login(trainer)
    response = client.post("/planning/mon-agenda/changements-lus", data={"jusqu_a": "hier"})
    assert response.status_code == 400 and "illisible" in response.text
    assert trainer.planning_seen_at is None
    for other in (f.UserFactory.apprentice(), f.UserFactory.tutor()):
        client.logout()
        answer = login(other).post(
            "/planning/mon-agenda/changements-lus", data={"jusqu_a": "2025-01-01T00:00:00+00:00"}
        )
        assert answer.status_code == 403
