"""Every navigation entry leads to a page that exists, for each role that sees it."""

import pytest
from flask import url_for

from cfa.models import Role
from cfa.navigation import NAV
from tests import factories as f


@pytest.mark.parametrize("item", NAV, ids=lambda item: item.endpoint)
def test_every_entry_names_a_real_view(app, item):
    assert item.endpoint in app.view_functions, f"« {item.label} » points to {item.endpoint}, which does not exist"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_entry_a_role_sees_opens(app, login, role):
    client = login(f.UserFactory(roles=[role]))
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    with app.test_request_context():
        urls = {item.endpoint: url_for(item.endpoint) for item in NAV}
    shown = [endpoint for endpoint, url in urls.items() if f'href="{url}"' in home.text]
    assert shown, f"{role.value} sees no navigation"
    for endpoint in shown:
        assert client.get(urls[endpoint]).status_code == 200, endpoint


def test_an_apprentice_is_not_shown_the_short_courses_page_that_a_trainee_is(app, client):
    with app.test_request_context():
        courses = url_for("me.courses")
    client.login(f.UserFactory.apprentice())
    assert f'href="{courses}"' not in client.get("/moi/planning").text
    client.logout()
    client.login(f.UserFactory(roles=[Role.LEARNER]))
    assert f'href="{courses}"' in client.get("/moi/planning").text


@pytest.mark.parametrize(
    ("roles", "heading"),
    [
        ([Role.TRAINER], "Mes feuilles à terminer"),
        ([Role.QUALITY], "Réclamations à traiter"),
        ([Role.TRAINER, Role.QUALITY], "Mes feuilles à terminer"),
        ([Role.TUTOR], "Mes apprenti·es"),
        ([Role.APPRENTICE], "Mes présences"),
        ([Role.LEARNER], "Mes présences"),
    ],
)
def test_each_role_has_a_home_of_what_it_does_first(client, roles, heading):
    client.login(f.UserFactory(roles=roles, employer=f.EmployerFactory() if Role.TUTOR in roles else None))
    response = client.get("/")
    assert response.status_code == 200 and heading in response.text


def test_the_administration_stays_on_its_summary_of_the_cfa(login):
    f.EnrolmentFactory()
    response = login(f.UserFactory.admin()).get("/")
    assert response.status_code == 200 and "contrats en cours" in response.text
