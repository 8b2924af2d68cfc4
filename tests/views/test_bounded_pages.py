"""Each role's main pages cost the same with ten times more history: the same number of statements and the same
number of rows fetched from the database (counted on the cursor, tests/scale.py), never a timing."""

import re
from datetime import date

import pytest

from cfa.formatting import today_paris
from cfa.models import EnrolmentStatus
from tests import factories as f
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


def _cohort(year: int, centre=None, **kw):
    return f.CohortFactory(
        start_date=date(year, 9, 1), end_date=date(year + 1, 7, 31), **({"centre": centre} if centre else {}), **kw
    )


def test_the_cohort_lists_show_the_current_year_first_and_the_others_on_request(login):
    this_year = today_paris().year
    current, old = _cohort(this_year - 1), _cohort(this_year - 4)
    admin = login(f.UserFactory.admin())
    for url in ("/admin/promotions", "/planning/"):
        first = admin.get(url).text
        assert current.name in first and old.name not in first, url
        every = admin.get(f"{url}?annee=toutes").text
        assert current.name in every and old.name in every, url
        that_year = admin.get(f"{url}?annee={this_year - 4}").text
        assert old.name in that_year and current.name not in that_year, url
        assert "Toutes les années" in first and "Tous les centres" in first


def test_the_cohort_lists_narrow_to_a_centre(login):
    year = today_paris().year
    rennes, nantes = f.CentreFactory(name="Rennes"), f.CentreFactory(name="Nantes")
    here, there = _cohort(year, rennes), _cohort(year, nantes)
    admin = login(f.UserFactory.admin())
    for url in ("/admin/promotions", "/planning/", "/emargement/"):
        page = admin.get(f"{url}?centre={rennes.id}").text
        assert here.name in page and there.name not in page, url


def test_the_apprentices_of_a_cohort_are_counted_by_the_database(login, count_queries):
    cohort = _cohort(today_paris().year)
    for status in (EnrolmentStatus.ACTIVE, EnrolmentStatus.ACTIVE, EnrolmentStatus.COMPLETED):
        f.EnrolmentFactory(cohort=cohort, status=status)
    admin = login(f.UserFactory.admin())
    with count_queries() as queries:
        page = admin.get("/admin/promotions").text
    assert re.search(rf"{cohort.name}.*?<td class=\"num\">2</td>", page, re.S)
    assert not any("FROM enrolment" in q and "count(" not in q for q in queries)  # no enrolment rows loaded


@pytest.mark.parametrize(
    "url",
    [
        "/admin/promotions?annee=1999",
        "/admin/promotions?annee=deux-mille",
        "/planning/?annee=abc",
        "/planning/?centre=x",
        "/emargement/?page_promotions=0",
        "/emargement/?page_justificatifs=abc",
        "/admin/inscriptions?page=-1",
    ],
)
def test_a_bad_filter_or_page_is_a_french_not_found(login, url):
    response = login(f.UserFactory.admin()).get(url)
    assert response.status_code == 404
    assert "invalide" in response.text or "n&#39;existe pas" in response.text


def test_the_follow_up_pages_through_cohorts_and_pending_proofs(login, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    year = today_paris().year
    cohorts = [_cohort(year, name=f"Promo {i}") for i in range(3)]
    for c in cohorts:
        f.JustificationFactory(enrolment=f.EnrolmentFactory(cohort=c))
    admin = login(f.UserFactory.admin())
    first = admin.get("/emargement/").text
    assert "Justificatifs à traiter (3)" in first
    assert cohorts[2].name not in first  # two of the three, in each list
    assert "page_promotions=2" in first and "page_justificatifs=2" in first
    for param in ("page_promotions", "page_justificatifs"):
        second = admin.get(f"/emargement/?{param}=2").text
        assert "Page 2 sur 2" in second and cohorts[2].name in second


def test_the_enrolments_list_offers_the_cohorts_of_the_chosen_centre_only(login):
    year = today_paris().year
    rennes, nantes = f.CentreFactory(), f.CentreFactory()
    here, there = _cohort(year, rennes), _cohort(year, nantes)
    f.EnrolmentFactory(cohort=here)
    f.EnrolmentFactory(cohort=there)
    admin = login(f.UserFactory.admin())
    assert 'id="cohort"' not in admin.get("/admin/inscriptions").text
    chosen = admin.get(f"/admin/inscriptions?centre={rennes.id}").text
    assert f'<option value="{here.id}">{here.name}</option>' in chosen and there.name not in chosen
