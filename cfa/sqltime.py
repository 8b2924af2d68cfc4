"""Time arithmetic in SQL that reads the same on SQLite and PostgreSQL.

Figures funders pay on are summed by the database (GROUP BY), so durations, Paris wall-clock instants and
signature seconds have to be computed in SQL too, whatever the engine.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from cfa.formatting import PARIS


def minutes_of(start, end):
    """Whole minutes between two time-of-day columns (a half-day never crosses midnight)."""
    return minutes_between(start, end)


class minutes_between(FunctionElement):
    type = sa.Integer()
    inherit_cache = True


@compiles(minutes_between, "postgresql")
def _minutes_between_pg(element, compiler, **kw):
    # One float subtraction: EXTRACT returns numeric since PostgreSQL 14, and four numeric extractions per mark
    # were most of the time of a year's attendance rates.
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"(CAST(date_part('epoch', {end} - {start}) AS INTEGER) / 60)"


@compiles(minutes_between)
def _minutes_between_default(element, compiler, **kw):
    def of(column):
        hours = sa.cast(sa.extract("hour", column), sa.Integer)
        return hours * 60 + sa.cast(sa.extract("minute", column), sa.Integer)

    start, end = list(element.clauses)
    return f"({compiler.process(of(end) - of(start), **kw)})"


class paris_to_utc(FunctionElement):
    """The naive UTC instant of a Paris wall-clock (date, time): what UTC columns are compared with."""

    type = sa.DateTime()
    inherit_cache = True


@compiles(paris_to_utc, "postgresql")
def _paris_to_utc_pg(element, compiler, **kw):
    day, moment = list(element.clauses)
    return (
        f"((({compiler.process(day, **kw)} + {compiler.process(moment, **kw)}) "
        "AT TIME ZONE 'Europe/Paris') AT TIME ZONE 'UTC')"
    )


@compiles(paris_to_utc)
def _paris_to_utc_default(element, compiler, **kw):
    return f"paris_to_utc({compiler.process(element.clauses, **kw)})"


class to_second(FunctionElement):
    """An instant truncated to its second: signatures given within the same second group together."""

    type = sa.String()
    inherit_cache = True


@compiles(to_second, "postgresql")
def _to_second_pg(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD HH24:MI:SS')"


@compiles(to_second)
def _to_second_default(element, compiler, **kw):
    return f"strftime('%Y-%m-%d %H:%M:%S', {compiler.process(element.clauses, **kw)})"


def _sqlite_paris_to_utc(day: str | None, moment: str | None) -> str | None:
    if day is None or moment is None:
        return None
    local = datetime.combine(date.fromisoformat(day), time.fromisoformat(moment), tzinfo=PARIS)
    # The format SQLAlchemy stores DateTime in on SQLite, so that text comparison orders instants.
    return local.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def register_sqlite_functions(dbapi_connection: sqlite3.Connection) -> None:
    """SQLite has no time zones: teach it Europe/Paris (development and tests; production runs PostgreSQL)."""
    dbapi_connection.create_function("paris_to_utc", 2, _sqlite_paris_to_utc, deterministic=True)


class days_between(FunctionElement):
    """Whole days from one date column to another (later minus earlier), on both engines."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between, "postgresql")
def _days_between_pg(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"({compiler.process(end, **kw)} - {compiler.process(start, **kw)})"


@compiles(days_between)
def _days_between_default(element, compiler, **kw):
    start, end = list(element.clauses)
    return f"CAST(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}) AS INTEGER)"
