"""Jury sessions through the client: a convocation's date of issue, no results before the session's day."""

import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import AuditEvent, JurySession, JuryStatus
from cfa.services.juries import add_candidates
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    JurySessionFactory,
    ProgrammeFactory,
    SkillBlockFactory,
    UserFactory,
)


def jury_on(day, apprentices: int = 1, convened: datetime | None = None):
    programme = ProgrammeFactory()
    for i in (1, 2):
        SkillBlockFactory(programme=programme, position=i, code=f"CCP{i}")
    db.session.refresh(programme)
    cohort = CohortFactory(programme=programme)
    for _ in range(apprentices):
        EnrolmentFactory(cohort=cohort)
    jury = JurySessionFactory(cohort=cohort, date=day, start_time="09:00")
    add_candidates(jury, now=convened)
    return jury


def test_a_reprinted_convocation_shows_the_day_it_was_issued(login):
    jury = jury_on(today_paris() + timedelta(days=40), convened=datetime(2026, 6, 15, 8, 0, tzinfo=UTC))
    (candidate,) = jury.candidates
    client = login(UserFactory.admin())
    for url in (
        f"/evaluation/jurys/{jury.id}/convocations/{candidate.id}.pdf",
        f"/evaluation/jurys/{jury.id}/convocations.pdf",
    ):
        text = PdfReader(io.BytesIO(client.get(url).data)).pages[0].extract_text()
        assert "le 15 juin 2026" in text


def test_a_session_moved_from_its_page_reconvenes_its_candidates(login):
    jury = jury_on(today_paris() + timedelta(days=40), convened=datetime(2026, 6, 15, 8, 0, tzinfo=UTC))
    client = login(UserFactory.admin())
    new_day = jury.date + timedelta(days=1)
    response = client.post(
        f"/evaluation/jurys/{jury.id}/modifier",
        data={
            "cohort_id": jury.cohort_id,
            "date": new_day.isoformat(),
            "start_time": "09:00",
            "place": jury.place,
            "members": jury.members,
        },
    )
    assert response.status_code == 302
    (candidate,) = db.session.get(JurySession, jury.id).candidates
    assert candidate.convened_at.astimezone(UTC).date() == datetime.now(UTC).date()
    assert db.session.query(AuditEvent).filter_by(entity="jury_session", action="reconvene").count() == 1


def test_before_its_day_the_jury_page_says_why_results_wait_and_refuses_them(login):
    jury = jury_on(today_paris() + timedelta(days=3))
    (candidate,) = jury.candidates
    blocks = [b.id for b in jury.cohort.programme.skill_blocks]
    client = login(UserFactory.admin())
    url = f"/evaluation/jurys/{jury.id}"
    expected = f"La session de validation a lieu le {jury.date:%d/%m/%Y}"

    page = client.get(url).get_data(as_text=True)
    assert expected in page
    assert "Enregistrer les résultats" not in page and "Publier les résultats" not in page

    response = client.post(url, data={f"block-{candidate.id}-{b}": "1" for b in blocks})
    assert response.status_code == 422 and expected in response.get_data(as_text=True)
    response = client.post(f"{url}/publier", follow_redirects=True)
    assert expected in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(JurySession, jury.id)
    assert stored.status == JuryStatus.PLANNED and stored.candidates[0].decision is None


def test_on_its_day_the_jury_page_takes_the_results(login):
    jury = jury_on(today_paris())
    (candidate,) = jury.candidates
    blocks = [b.id for b in jury.cohort.programme.skill_blocks]
    client = login(UserFactory.admin())
    page = client.get(f"/evaluation/jurys/{jury.id}").get_data(as_text=True)
    assert "Enregistrer les résultats" in page and "a lieu le" not in page
    response = client.post(f"/evaluation/jurys/{jury.id}", data={f"block-{candidate.id}-{b}": "1" for b in blocks})
    assert response.status_code == 302
    assert db.session.get(JurySession, jury.id).status == JuryStatus.HELD
