"""Integration tokens of the JSON API: created by an admin (the secret is shown once), checked on every call,
revoked. Creation and revocation are audited; a token's calls that write are audited in the name of its author,
with the token's name as the reason."""

import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import ApiToken, User
from cfa.models.api_tokens import API_SCOPES, hash_secret
from cfa.services import audit

SECRET_PREFIX = "cad_"
# last_used_at is written at most once a minute per token: a busy integration must not write on every read.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def create_token(actor: User, name: str, scopes: list[str], secret: str | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret, which is stored only as a hash: the caller shows it once."""
    name = (name or "").strip()
    if not name:
        raise ApiTokenError("Donnez un nom à l'intégration.", "name")
    if db.session.scalar(sa.select(ApiToken.id).where(ApiToken.name == name)):
        raise ApiTokenError("Une intégration porte déjà ce nom.", "name")
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown:
        raise ApiTokenError(f"Droit inconnu : {', '.join(unknown)}.", "scopes")
    if not scopes:
        raise ApiTokenError("Cochez au moins un droit.", "scopes")
    secret = secret or SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        secret_hash=hash_secret(secret),
        prefix=secret[:10],
        scopes=" ".join(scope for scope in API_SCOPES if scope in scopes),
        created_by_id=actor.id,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token", token.id, "create", after={"name": token.name, "scopes": token.scopes})
    return token, secret


def revoke_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise ApiTokenError("Ce jeton est déjà révoqué.")
    token.revoked_at = datetime.now(UTC)
    db.session.flush()
    audit.record(actor, "api_token", token.id, "revoke", before={"name": token.name, "scopes": token.scopes})


def token_of_secret(secret: str | None) -> ApiToken | None:
    """The token a secret belongs to, revoked or not (the caller tells the two apart), or None."""
    if not secret:
        return None
    return db.session.scalar(sa.select(ApiToken).where(ApiToken.secret_hash == hash_secret(secret)))


def mark_used(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether last_used_at changed (the caller commits it)."""
    now = now or datetime.now(UTC)
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return False
    token.last_used_at = now
    db.session.flush()
    return True


def all_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .options(sa.orm.selectinload(ApiToken.created_by))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.name)
        )
    )
