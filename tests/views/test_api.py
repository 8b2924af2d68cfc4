"""The JSON API as an integration sees it: bearer tokens with scopes, pages with links, ETags, the write of an
enrolment, and refusals in JSON."""

from datetime import UTC, date, datetime, timedelta

import pytest
from openapi_spec_validator import validate

from cfa.extensions import db
from cfa.models import ApiToken, AuditEvent, BlockResult, Enrolment, JuryStatus
from cfa.services.api_tokens import create_token, revoke_token
from tests import factories as f


@pytest.fixture
def bearer():
    """bearer(*scopes) -> the headers of a new integration token holding those scopes."""

    def _bearer(*scopes, name=None):
        token, secret = create_token(f.UserFactory.admin(), name or f"Intégration {len(scopes)}", list(scopes))
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}, token

    return _bearer


def test_without_a_token_or_with_an_unknown_one_the_api_answers_401_in_json(client):
    f.ProgrammeFactory()
    for headers in ({}, {"Authorization": "Bearer cad_inconnu"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/programmes", headers=headers)
        assert response.status_code == 401 and response.json["code"] == 401
        assert "Jeton" in response.json["message"] and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_browser_session_never_opens_the_api_even_an_admins(client):
    client.login(f.UserFactory.admin())
    assert client.get("/api/programmes").status_code == 401


def test_a_token_reads_only_what_its_scopes_allow(client, bearer):
    headers, _ = bearer("programmes:read")
    programme = f.ProgrammeFactory()
    response = client.get("/api/programmes", headers=headers)
    assert response.status_code == 200
    assert [p["code"] for p in response.json["data"]] == [programme.code]
    refused = client.get("/api/cohorts", headers=headers)
    assert refused.status_code == 403 and "cohorts:read" in refused.json["message"]


def test_a_revoked_token_is_refused_from_the_next_call(client, bearer):
    headers, token = bearer("programmes:read")
    assert client.get("/api/programmes", headers=headers).status_code == 200
    revoke_token(f.UserFactory.admin(), token)
    db.session.commit()
    response = client.get("/api/programmes", headers=headers)
    assert response.status_code == 401 and response.json["message"] == "Jeton révoqué."


def test_a_call_records_when_the_token_was_last_used(client, bearer):
    headers, token = bearer("programmes:read")
    assert token.last_used_at is None
    client.get("/api/programmes", headers=headers)
    assert db.session.get(type(token), token.id).last_used_at is not None


def test_lists_come_page_by_page_with_a_link_to_the_next_one(client, bearer, count_queries):
    headers, _ = bearer("cohorts:read")
    programme = f.ProgrammeFactory()
    cohorts = [f.CohortFactory(programme=programme) for _ in range(5)]
    f.CohortFactory()  # of another programme: filtered out
    seen, url = [], f"/api/cohorts?limit=2&programme_id={programme.id}"
    while url:
        with count_queries() as queries:
            page = client.get(url, headers=headers).json
        assert len(queries) <= 4  # token, last use, the page: never a query per row
        seen += [c["id"] for c in page["data"]]
        url = page["links"]["next"]
        assert url is None or f"programme_id={programme.id}" in url
    assert seen == [c.id for c in cohorts]


def test_a_page_size_out_of_bounds_is_refused_with_the_field_named(client, bearer):
    headers, _ = bearer("cohorts:read")
    response = client.get("/api/cohorts?limit=5000", headers=headers)
    assert response.status_code == 422 and "limit" in response.json["errors"]["query"]


def test_an_unchanged_list_answers_304_to_its_etag_and_a_change_gives_a_new_one(client, bearer):
    headers, _ = bearer("programmes:read")
    programme = f.ProgrammeFactory()
    db.session.commit()
    first = client.get("/api/programmes", headers=headers)
    etag = first.headers["ETag"]
    again = client.get("/api/programmes", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    programme.title = "Un autre intitulé"
    db.session.commit()
    changed = client.get("/api/programmes", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_sessions_changed_since_a_date_are_the_only_ones_listed(client, bearer):
    headers, _ = bearer("sessions:read")
    old = f.SessionFactory()
    recent = f.SessionFactory(cohort=old.cohort, date=date(2025, 9, 16))
    old.updated_at = datetime.now(UTC) - timedelta(days=10)
    db.session.commit()
    since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = client.get("/api/sessions", query_string={"changed_since": since}, headers=headers)
    assert [s["id"] for s in response.json["data"]] == [recent.id]
    naive = client.get("/api/sessions?changed_since=2025-09-01T00:00:00", headers=headers)
    assert naive.status_code == 422


def test_attendance_of_an_enrolment_over_a_period_is_in_minutes(client, bearer):
    headers, _ = bearer("attendance:read")
    mark = f.AttendanceMarkFactory()
    enrolment_id = mark.enrolment_id
    response = client.get(f"/api/enrolments/{enrolment_id}/attendance?start=2025-09-01&end=2025-09-30", headers=headers)
    assert response.status_code == 200
    assert response.json["enrolment_id"] == enrolment_id and response.json["start"] == "2025-09-01"
    assert response.json["scheduled_minutes"] == response.json["attended_minutes"] > 0
    assert client.get("/api/enrolments/999999/attendance", headers=headers).status_code == 404


def test_results_are_listed_only_once_the_jury_published_them(client, bearer):
    headers, _ = bearer("results:read")
    published = f.JurySessionFactory(status=JuryStatus.PUBLISHED, published_at=datetime.now(UTC))
    draft = f.JurySessionFactory()
    shown, hidden = (
        BlockResult(candidate_id=f.JuryCandidateFactory(jury_session=jury).id, skill_block_id=f.SkillBlockFactory().id)
        for jury in (published, draft)
    )
    for result in (shown, hidden):
        result.acquired = True
        db.session.add(result)
    db.session.flush()
    data = client.get("/api/results", headers=headers).json["data"]
    assert [(r["id"], r["acquired"], r["enrolment_id"]) for r in data] == [
        (shown.id, True, shown.candidate.enrolment_id)
    ]


def test_awards_say_whether_they_were_revoked(client, bearer):
    headers, _ = bearer("awards:read")
    award = f.AwardFactory(revoked_at=datetime.now(UTC), revocation_reason="Erreur de saisie")
    data = client.get(f"/api/awards?learner_id={award.learner_id}", headers=headers).json["data"]
    assert [(a["id"], a["revoked"], a["verification_code"]) for a in data] == [
        (award.id, True, award.verification_code)
    ]


def _enrolment_body(**changes):
    cohort = f.CohortFactory()
    body = {
        "apprentice_id": f.UserFactory.apprentice().id,
        "cohort_id": cohort.id,
        "contract_start": cohort.start_date.isoformat(),
        "contract_end": cohort.end_date.isoformat(),
    }
    return {**body, **changes}


def test_an_integration_enrols_an_apprentice_audited_in_its_name(client, bearer):
    headers, token = bearer("enrolments:write", name="ERP")
    body = _enrolment_body()
    response = client.post("/api/enrolments", json=body, headers=headers)
    assert response.status_code == 201 and response.json["apprentice_id"] == body["apprentice_id"]
    enrolment = db.session.get(Enrolment, response.json["id"])
    event = db.session.query(AuditEvent).filter_by(entity="enrolment", entity_id=enrolment.id).one()
    assert event.actor_id == token.created_by_id and "ERP" in event.reason


def test_a_refused_enrolment_says_why_in_french_and_writes_nothing(client, bearer):
    headers, _ = bearer("enrolments:write")
    body = _enrolment_body()
    body["contract_end"] = body["contract_start"]
    response = client.post("/api/enrolments", json=body, headers=headers)
    assert response.status_code == 422 and "fin du contrat" in response.json["message"]
    unknown = client.post("/api/enrolments", json=_enrolment_body(cohort_id=999999), headers=headers)
    assert unknown.status_code == 422 and "cohort_id" in unknown.json["errors"]
    assert db.session.query(Enrolment).count() == 0


def test_an_integration_reads_back_the_enrolments_of_a_cohort(client, bearer):
    headers, _ = bearer("enrolments:read")
    enrolment = f.EnrolmentFactory()
    f.EnrolmentFactory()
    data = client.get(f"/api/enrolments?cohort_id={enrolment.cohort_id}", headers=headers).json["data"]
    assert [(e["id"], e["apprentice_id"], e["status"]) for e in data] == [
        (enrolment.id, enrolment.apprentice_id, enrolment.status.value)
    ]


def test_reading_does_not_allow_writing(client, bearer):
    headers, _ = bearer(*[f"{r}:read" for r in ("programmes", "cohorts", "enrolments")])
    response = client.post("/api/enrolments", json=_enrolment_body(), headers=headers)
    assert response.status_code == 403 and db.session.query(Enrolment).count() == 0


def test_the_openapi_document_is_generated_public_and_valid(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert {"/api/programmes", "/api/sessions", "/api/enrolments"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


def test_the_browsable_page_lists_every_route_without_any_outside_asset(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "GET /api/sessions" in page and "POST /api/enrolments" in page and "EnrolmentIn" in page
    assert "cdn" not in page.lower() and "unpkg" not in page


def test_the_admin_creates_a_token_sees_its_secret_once_and_revokes_it(client):
    client.login(f.UserFactory.admin())
    created = client.post("/admin/integrations/nouvelle", data={"name": "Site web", "scopes": ["programmes:read"]})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    secret = created.get_data(as_text=True).split("<code>cad_")[1].split("</code>")[0]
    headers = {"Authorization": f"Bearer cad_{secret}"}
    assert client.get("/api/programmes", headers=headers).status_code == 200
    listing = client.get("/admin/integrations").get_data(as_text=True)
    assert "Site web" in listing and secret not in listing
    token = db.session.query(ApiToken).one()
    assert client.post(f"/admin/integrations/{token.id}/revoquer").status_code == 302
    assert client.get("/api/programmes", headers=headers).status_code == 401


def test_a_token_without_scopes_is_refused_on_the_form_and_nothing_is_created(client):
    client.login(f.UserFactory.admin())
    response = client.post("/admin/integrations/nouvelle", data={"name": "ERP"})
    assert response.status_code == 200 and "Cochez au moins un droit" in response.get_data(as_text=True)
    assert db.session.query(ApiToken).count() == 0


def test_only_the_admin_manages_integrations(client):
    token, _ = create_token(f.UserFactory.admin(), "ERP", ["cohorts:read"])
    db.session.commit()
    client.login(f.UserFactory.quality())
    assert client.get("/admin/integrations").status_code == 403
    assert client.post(f"/admin/integrations/{token.id}/revoquer").status_code == 403
    assert db.session.get(ApiToken, token.id).active


def test_each_token_has_its_own_rate_limit(tmp_path, monkeypatch):
    """On an app of its own: the test app runs without rate limits."""
    from cfa import create_app
    from cfa.extensions import limiter

    monkeypatch.setattr(limiter, "enabled", limiter.enabled)  # the limiter is shared: put it back afterwards
    limited = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/limited.sqlite",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="memory://",
        API_RATE_LIMIT="3/minute",
    )
    with limited.app_context():
        db.create_all()
        admin = f.UserFactory.admin()
        secrets = [create_token(admin, name, ["programmes:read"])[1] for name in ("Pilotage", "Site web")]
        db.session.commit()
        busy, quiet = ({"Authorization": f"Bearer {secret}"} for secret in secrets)
        client = limited.test_client()
        answers = [client.get("/api/programmes", headers=busy).status_code for _ in range(4)]
        refused = client.get("/api/programmes", headers=busy)
        assert answers == [200, 200, 200, 429] and refused.json["code"] == 429
        assert client.get("/api/programmes", headers=quiet).status_code == 200
        db.session.remove()
        db.engine.dispose()


def test_an_unchanged_page_of_sessions_answers_304_without_loading_it(client, bearer, count_queries):
    from unittest import mock

    headers, _ = bearer("sessions:read")
    sessions = [f.SessionFactory(date=date(2025, 9, 15 + n)) for n in range(3)]
    db.session.commit()
    url = f"/api/sessions?limit=2&cohort_id={sessions[0].cohort_id}"
    etag = client.get(url, headers=headers).headers["ETag"]
    other = f.SessionFactory()  # another cohort's session: not on this page, the page is unchanged
    db.session.commit()
    with (
        mock.patch("cfa.services.api_reads._page", side_effect=AssertionError("page loaded")),
        count_queries() as queries,
    ):
        unchanged = client.get(url, headers={**headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and sum("count(" in q.lower() for q in queries) == 1
    assert not any("FROM session" in q and "count(" not in q.lower() for q in queries)
    assert other.id not in [s["id"] for s in client.get(url, headers=headers).json["data"]]


@pytest.mark.parametrize(
    "change, limit, same",
    [
        ("moved", 2, False),
        ("deleted", 2, False),
        ("added to a short page", 5, False),
        ("added after a full last page", 3, False),  # its next link appears
        ("added two pages on", 1, True),  # page 1 of 1 row already had a next link: nothing on it changed
    ],
)
def test_every_change_of_a_page_of_sessions_changes_its_etag_and_only_those(client, bearer, change, limit, same):
    headers, _ = bearer("sessions:read")
    cohort = f.CohortFactory()
    sessions = [f.SessionFactory(cohort=cohort, date=date(2025, 9, 15 + n)) for n in range(3)]
    db.session.commit()
    url = f"/api/sessions?limit={limit}&cohort_id={cohort.id}"
    first = client.get(url, headers=headers)
    if change == "moved":
        sessions[0].start_time = sessions[0].start_time.replace(hour=10)
    elif change == "deleted":
        db.session.delete(sessions[1])
    else:
        f.SessionFactory(cohort=cohort, date=date(2025, 9, 25))
    db.session.commit()
    second = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    assert second.status_code == (304 if same else 200)
    if not same:
        assert second.headers["ETag"] != first.headers["ETag"] and second.json != first.json
