"""Rates the State computes from national data (InserJeunes, DSN), entered by the quality officer as published:
one per programme (or the whole CFA), year and kind; entering it again replaces it, and the change is audited."""

from datetime import date

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import DeclaredRate, DeclaredRateKind, User
from cfa.services import audit


class DeclaredError(ValueError):
    pass


def save_declared(
    actor: User,
    *,
    programme_id: int | None,
    year: int,
    kind: DeclaredRateKind,
    value_percent: int | None,
    population: int | None,
    source: str,
    published_on: date,
) -> DeclaredRate:
    if published_on > today_paris():
        raise DeclaredError("La date de publication ne peut pas être dans le futur.")
    if published_on.year < year:
        raise DeclaredError("Un taux de l'année ne peut pas avoir été publié avant cette année.")
    if not (source or "").strip():
        raise DeclaredError("La source du taux est obligatoire.")
    match = DeclaredRate.programme_id == programme_id if programme_id else DeclaredRate.programme_id.is_(None)
    rate = db.session.scalar(sa.select(DeclaredRate).where(match, DeclaredRate.year == year, DeclaredRate.kind == kind))
    before = audit.snapshot(rate) if rate is not None else None
    rate = rate or DeclaredRate(programme_id=programme_id, year=year, kind=kind)
    rate.value_percent, rate.population, rate.source = value_percent, population, source.strip()
    rate.published_on, rate.entered_by_id = published_on, actor.id
    db.session.add(rate)
    db.session.flush()
    audit.record_change(actor, rate, before)
    return rate
