"""Reading query-string values: a value out of range is a French 404, never a 500 further down."""

from datetime import date

from flask import abort, request

from cfa.formatting import today_paris

# Wide enough for any real schedule or archive, narrow enough that date arithmetic (a week, a month) never overflows.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_PAGE = 10_000


def date_arg(name: str, default: date | None = None) -> date | None:
    """A date given as YYYY-MM-DD in the query string."""
    if name not in request.args:
        return default
    try:
        value = date.fromisoformat(request.args[name])
    except ValueError:
        abort(404, "Date invalide : utilisez le format AAAA-MM-JJ.")
    if not FIRST_DAY <= value <= LAST_DAY:
        abort(404, f"Date hors limites : choisissez une date entre {FIRST_DAY:%Y} et {LAST_DAY:%Y}.")
    return value


def page_arg(name: str = "page") -> int:
    """A page number of a list, from 1."""
    raw = request.args.get(name, "1")
    if not (raw.isdigit() and len(raw) <= 6) or not 1 <= int(raw) <= MAX_PAGE:
        abort(404, "Cette page de la liste n'existe pas.")
    return int(raw)


def year_arg(name: str = "annee", default: int | None = None) -> int | None:
    """A year given in the query string, within the dates the application handles."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isdigit() and FIRST_DAY.year <= int(raw) <= LAST_DAY.year):
        abort(404, f"Année invalide : choisissez une année entre {FIRST_DAY:%Y} et {LAST_DAY:%Y}.")
    return int(raw)


ALL_YEARS = "toutes"


def year_filter(name: str = "annee", default: int | None = None) -> int | None:
    """A list's year filter: the default year (the current one, so the first screen stays small) unless another
    year, or every year (`toutes`), is chosen."""
    if request.args.get(name) == ALL_YEARS:
        return None
    return year_arg(name, default)


def list_year(name: str = "annee") -> int | None:
    """The year filter of a list of cohorts or of what hangs on them: the current year unless another is chosen."""
    return year_filter(name, today_paris().year)


def id_arg(name: str) -> int | None:
    """An id given as a filter in the query string (a centre, a programme...): digits only, or a French 404."""
    raw = request.args.get(name, "")
    if not raw:
        return None
    if not (raw.isdigit() and len(raw) <= 9):
        abort(404, "Filtre invalide.")
    return int(raw)
