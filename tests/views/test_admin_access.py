"""Every administration route is refused to every other role and to anonymous users."""

import re

import pytest

from cfa.models import Role
from tests import factories as f

NON_ADMIN_ROLES = [Role.QUALITY, Role.TRAINER, Role.APPRENTICE, Role.TUTOR, Role.LEARNER]


def admin_routes(app):
    """(method, url) for every rule of the admin blueprint, with 1 for each id."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, url))
    return routes


def test_the_admin_area_has_routes_to_protect(app):
    assert len(admin_routes(app)) > 25


@pytest.mark.parametrize("role", NON_ADMIN_ROLES, ids=lambda r: r.value)
def test_each_admin_route_is_forbidden_to_non_admin_roles(app, client, role):
    user = f.UserFactory(roles=[role], employer=f.EmployerFactory() if role == Role.TUTOR else None)
    client.login(user)
    answers = {(method, url): client.open(url, method=method).status_code for method, url in admin_routes(app)}
    assert set(answers.values()) == {403}, {k: v for k, v in answers.items() if v != 403}


def test_each_admin_route_sends_anonymous_users_to_the_login_page(app, client):
    for method, url in admin_routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.location.startswith("/connexion"), (method, url)


def test_the_403_page_is_in_french(login):
    client = login(f.UserFactory.trainer())
    response = client.get("/admin/centres")
    assert response.status_code == 403
    assert "Accès refusé" in response.text


def test_admins_reach_every_admin_page(app, login):
    """The positive control of the matrix: with real ids, every GET answers 200 to an admin."""
    admin = f.UserFactory.admin()
    enrolment = f.EnrolmentFactory()
    centre = enrolment.cohort.centre
    programme = enrolment.cohort.programme
    ids = {
        "centre_id": centre.id,
        "obj_id": None,
        "programme_id": programme.id,
        "room_id": f.RoomFactory(centre=centre).id,
        "closure_id": f.ClosurePeriodFactory(centre=centre).id,
        "import_kind": "apprentices",
        "fmt": "csv",  # the lists' exports
    }
    block = f.SkillBlockFactory(programme=programme)
    module = f.ModuleFactory(programme=programme)
    micro = f.MicroCertificationFactory()
    client = login(admin)
    objects = {
        "centre": centre.id,
        "centres": centre.id,
        "programme": programme.id,
        "programmes": programme.id,
        "skill_block": block.id,
        "module": module.id,
        "micro_certifications": micro.id,
        "employer": enrolment.employer_id,
        "employers": enrolment.employer_id,
        "user": admin.id,
        "users": admin.id,
        "cohort": enrolment.cohort_id,
        "cohorts": enrolment.cohort_id,
        "enrolment": enrolment.id,
        "enrolments": enrolment.id,
    }
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        name = rule.endpoint.split(".", 1)[1].removeprefix("edit_")
        values = {}
        for arg in rule.arguments:
            values[arg] = ids[arg] if ids.get(arg) is not None else objects[name]
        url = rule.build(values)[1]
        assert client.get(url).status_code == 200, url
