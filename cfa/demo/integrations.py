"""The demo's integration: a read-only API token with a secret printed by `flask seed-demo` and in the README,
so that the API can be tried at once (curl, the OpenAPI page). A real token's secret is random and shown once."""

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import ApiToken, User
from cfa.models.api_tokens import API_SCOPES
from cfa.services.api_tokens import create_token

DEMO_API_TOKEN_NAME = "Site web du CFA (démo)"
DEMO_API_SECRET = "cad_demo-lecture-seule-0123456789"


def seed_integrations(_rng, _calendar) -> None:
    if db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == DEMO_API_TOKEN_NAME)):
        return
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@cadence.test"))
    reads = [scope for scope in API_SCOPES if scope.endswith(":read")]
    create_token(admin, DEMO_API_TOKEN_NAME, reads, secret=DEMO_API_SECRET)
