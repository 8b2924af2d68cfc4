"""Each role's main pages cost the same with ten times more history: the same number of statements and the same
number of rows fetched from the database (counted on the cursor, tests/scale.py), never a timing."""

import pytest

from tests.scale import World, build_world, measuring

SMALL = 3  # past cohorts: already more people than a page of a list shows

PAGES = [
    # (who asks, the page) — each one a role's daily screen, or a list that history makes long
    ("trainer", lambda w: "/emargement/aujourdhui"),
    ("trainer", lambda w: f"/emargement/seances/{w.today_session.id}"),
    ("apprentice", lambda w: "/moi/planning"),
    ("apprentice", lambda w: "/moi/presences"),
    ("tutor", lambda w: "/suivi/mes-apprentis"),
    ("tutor", lambda w: f"/suivi/apprentis/{w.enrolment.id}"),
    ("tutor", lambda w: "/employeur/absences"),
    ("admin", lambda w: "/emargement/"),
    ("admin", lambda w: "/admin/promotions"),
    ("admin", lambda w: "/planning/"),
    ("admin", lambda w: "/admin/personnes"),
    ("admin", lambda w: "/admin/inscriptions"),
    ("quality", lambda w: "/qualite/"),
    ("quality", lambda w: f"/qualite/resultats/{w.cohort.programme_id}"),
]


def _cost(client, world: World, who: str, url: str):
    client.login(getattr(world, who))
    client.get(url)  # a first request warms what is loaded once per process (templates, the organisation)
    with measuring() as cost:
        response = client.get(url)
    assert response.status_code == 200, url
    client.logout()
    return cost


@pytest.mark.parametrize("who, page", PAGES, ids=[f"{who}:{i}" for i, (who, _) in enumerate(PAGES)])
def test_a_page_costs_the_same_with_ten_times_more_history(client, who, page):
    world = build_world(SMALL)
    url = page(world)
    small_cost = _cost(client, world, who, url)
    world.add_history(9 * SMALL)  # ten times the history, the same present
    large_cost = _cost(client, world, who, url)
    print(url, small_cost.queries, small_cost.rows, large_cost.queries, large_cost.rows)
    assert large_cost.queries == small_cost.queries, (url, large_cost.statements)
    assert large_cost.rows == small_cost.rows, (url, large_cost.biggest())
