"""Integration tokens of the JSON API: one per system around the CFA (website, ERP, OPCO portal, BI tool).

Only a hash of the secret is stored: a copy of the database cannot be used to call the API. A token is revoked,
never deleted, so the audit trail of what it wrote keeps its name."""

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cfa.extensions import db
from cfa.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from cfa.models.people import User

# (resource, French label): each may be granted read; enrolments may also be granted write.
API_RESOURCES = {
    "programmes": "Formations",
    "cohorts": "Promotions et sessions de formation",
    "sessions": "Séances",
    "attendance": "Présences par inscription",
    "results": "Résultats de jury",
    "awards": "Certifications délivrées",
    "enrolments": "Inscriptions",
}
API_SCOPES = [f"{resource}:read" for resource in API_RESOURCES] + ["enrolments:write"]


def hash_secret(secret: str) -> str:
    """SHA-256 suffices: the secret is 32 random bytes, nothing a dictionary attack could guess."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))  # shown in the list, so an admin recognises a secret
    scopes: Mapped[str] = mapped_column(sa.String(400))  # space-separated, e.g. "cohorts:read enrolments:write"
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped["User"] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.active and scope in self.scope_list
