"""How many rows a statement would return, counted by the database: lists and home blocks show a bounded part
and say how many there are in all."""

import sqlalchemy as sa

from cfa.extensions import db


def count_rows(stmt) -> int:
    """The rows of `stmt`, counted in SQL (its ordering dropped: it changes nothing to a count)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
