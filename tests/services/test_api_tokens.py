"""Integration tokens: the secret is shown once and stored as a hash, scopes are checked, revocation is audited."""

import pytest

from cfa.extensions import db
from cfa.models import AuditEvent
from cfa.models.api_tokens import hash_secret
from cfa.services.api_tokens import ApiTokenError, create_token, revoke_token, token_of_secret
from tests import factories as f


def test_a_new_token_stores_only_the_hash_of_its_secret_and_is_audited():
    admin = f.UserFactory.admin()
    token, secret = create_token(admin, "Site web", ["programmes:read", "cohorts:read"])
    assert secret.startswith("cad_") and len(secret) > 40
    assert token.secret_hash == hash_secret(secret) and secret not in token.secret_hash
    assert token_of_secret(secret) == token
    assert token.allows("cohorts:read") and not token.allows("enrolments:write")
    event = db.session.query(AuditEvent).filter_by(entity="api_token", entity_id=token.id).one()
    assert event.action == "create" and secret not in str(event.after)


@pytest.mark.parametrize(
    ("name", "scopes", "field"),
    [("", ["cohorts:read"], "name"), ("ERP", [], "scopes"), ("ERP", ["everything:write"], "scopes")],
)
def test_a_token_needs_a_name_and_known_scopes(name, scopes, field):
    with pytest.raises(ApiTokenError) as refused:
        create_token(f.UserFactory.admin(), name, scopes)
    assert refused.value.field == field


def test_two_integrations_cannot_share_a_name():
    admin = f.UserFactory.admin()
    create_token(admin, "ERP", ["cohorts:read"])
    with pytest.raises(ApiTokenError, match="déjà ce nom"):
        create_token(admin, "ERP", ["cohorts:read"])


def test_a_revoked_token_allows_nothing_and_cannot_be_revoked_twice():
    admin = f.UserFactory.admin()
    token, _ = create_token(admin, "Portail OPCO", ["awards:read"])
    revoke_token(admin, token)
    assert not token.allows("awards:read")
    with pytest.raises(ApiTokenError, match="déjà révoqué"):
        revoke_token(admin, token)
    assert db.session.query(AuditEvent).filter_by(entity="api_token", action="revoke").count() == 1
