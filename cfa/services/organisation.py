"""The CFA's identity, printed on every document."""

import sqlalchemy as sa

from cfa.extensions import db
from cfa.models import Organisation


def current_organisation() -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).order_by(Organisation.id).limit(1))
