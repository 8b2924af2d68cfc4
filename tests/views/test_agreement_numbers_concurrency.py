"""Two people establishing conventions at the same instant: each gets its own number, nobody an error page.

Same set-up as the attendance concurrency scenarios (committed data, two threads, two real connections)."""

from types import SimpleNamespace

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Agreement
from tests import course_scene as scene
from tests import factories as f
from tests.views import test_attendance_concurrency as concurrency

shared_app = concurrency.shared_app  # the fixture: an app whose commits every connection sees
PAIRS = 5


def test_agreements_created_at_the_same_instant_get_distinct_numbers(shared_app):
    with shared_app.app_context():
        cohort, _ = scene.run()
        employers = [f.EmployerFactory() for _ in range(2 * PAIRS)]
        for employer in employers:
            scene.trainee(cohort, employer)
        admins = [f.UserFactory.admin(), f.UserFactory.admin()]
        db.session.commit()
        cohort_id, employer_ids = cohort.id, [e.id for e in employers]
        people = [SimpleNamespace(email=admin.email) for admin in admins]  # read before the session closes
    clients = [concurrency._client(shared_app, person) for person in people]
    url = f"/formations-courtes/sessions/{cohort_id}/conventions"
    errors = []
    for pair in range(PAIRS):
        responses = concurrency._together(
            *(
                lambda client=client, employer_id=employer_ids[2 * pair + i]: client.post(
                    url, data={"employer_id": employer_id}
                )
                for i, client in enumerate(clients)
            )
        )
        errors += [failure for response in responses if (failure := concurrency._failed(response))]
    with shared_app.app_context():
        numbers = db.session.scalars(sa.select(Agreement.number).where(Agreement.cohort_id == cohort_id)).all()
    assert errors == []
    assert len(numbers) == len(set(numbers)) == 2 * PAIRS
