"""Every form's target (each POST route of the URL map) sent by every kind of person, with own ids and others':
the answer follows the route's declared access, never a 500, and a refused request writes nothing at all.

The world, the people and the reading of each route's declaration are those of the GET matrix beside this file.
"""

import sqlalchemy as sa
from flask import url_for

from cfa.extensions import db
from cfa.services.permissions import can
from tests.views.test_access_matrix import PEOPLE, PRIVATE_ARGUMENTS, _declared, world  # noqa: F401 (fixture)


def _targets(app, records, by_kind):
    """(endpoint, url, arguments) of every POST route, its ids pointing to the world's records."""
    targets = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "POST" not in rule.methods:
                continue
            values = {name: records[name] for name in rule.arguments if name != "obj_id"}
            if "obj_id" in rule.arguments:
                kind = next((k for k in by_kind if k.rstrip("s") in rule.endpoint), None)
                values["obj_id"] = by_kind[kind] if kind else 1
            targets.append((rule.endpoint, url_for(rule.endpoint, **values), set(rule.arguments)))
    return targets


def _fingerprint() -> tuple[int, ...]:
    """The number of rows of every table, in one query and one row (a UNION's rows may come in any order on
    PostgreSQL): any write shows up."""
    counts = [sa.select(sa.func.count()).select_from(table).scalar_subquery() for table in db.metadata.sorted_tables]
    return tuple(db.session.execute(sa.select(*counts)).one())


def test_every_form_target_answers_every_person_as_its_declared_access_says_and_refusals_write_nothing(
    app, client, request
):
    records, people, by_kind = request.getfixturevalue("world")
    targets = _targets(app, records, by_kind)
    refused = 0
    for person in PEOPLE:
        user = people.get(person)
        for endpoint, url, arguments in targets:
            if user is not None:
                client.login(user)  # again each time: a log-out or "end my other sessions" may have come before
            before = _fingerprint()
            response = client.post(url, data={})
            status = response.status_code
            public, needed = _declared(app, endpoint)
            where = f"{person} POST {url} ({endpoint})"
            assert status < 500, f"{where}: {status}"
            if hasattr(app.view_functions[endpoint], "token_scope"):  # the API: a session never opens it
                assert status == 401, f"{where}: {status}"
            elif user is None and not public:
                assert status == 302 and "/connexion" in response.location, f"{where}: {status}"
            elif user is not None and any(not any(can(user, a) for a in abilities) for abilities in needed):
                assert status == 403, f"{where}: {status}, although the route needs {needed}"
            elif person.startswith("other_") and arguments & PRIVATE_ARGUMENTS and not public:
                assert status in (403, 404), f"{where}: another person's record answered {status}"
            else:
                continue
            refused += 1
            assert _fingerprint() == before, f"{where}: refused, yet something was written"
        if user is not None:
            client.logout()
    assert refused > len(targets) * 3
