"""French formatting of dates, times and durations, without depending on the system locale.

Month and day names and number formats come from Babel (the Unicode CLDR data); what CLDR does not say is ours:
"1er" for the first of the month, "9 h 00" for times, hours and minutes for durations.
"""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal

PARIS = ZoneInfo("Europe/Paris")
LOCALE = "fr_FR"
NARROW_NBSP = "\u202f"  # the French typographers' thin space before "%"
MONTHS = [get_month_names("wide", locale=LOCALE)[number] for number in range(1, 13)]


def _first_of_month(day: date, pattern: str) -> str:
    """CLDR writes '1 septembre'; French writes '1er septembre'."""
    if day.day == 1:
        pattern = pattern.replace("d ", "d'er' ", 1)
    return format_date(day, pattern, locale=LOCALE)


def long_date(day: date | None) -> str:
    """'lundi 7 septembre 2026'."""
    return _first_of_month(day, "EEEE d MMMM y") if day else ""


def medium_date(day: date | None) -> str:
    """'7 septembre 2026'."""
    return _first_of_month(day, "d MMMM y") if day else ""


def short_date(day: date | None) -> str:
    """'07/09/2026'."""
    return day.strftime("%d/%m/%Y") if day else ""


def month_year(day: date) -> str:
    """'septembre 2026'."""
    return format_date(day, "MMMM y", locale=LOCALE)


def hhmm(value: time | None) -> str:
    """'9 h 00' is what French readers expect; '09:00' is too machine-like."""
    return f"{value.hour} h {value.minute:02d}" if value else ""


def to_paris(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS)


def date_time(moment: datetime | None) -> str:
    """'07/09/2026 à 9 h 05', in Paris time."""
    local = to_paris(moment)
    return f"{local:%d/%m/%Y} à {local.hour} h {local.minute:02d}" if local else ""


def minutes_label(minutes: int | None) -> str:
    """26460 -> '441 h'; 210 -> '3 h 30'; 45 -> '45 min'."""
    if minutes is None:
        return ""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if hours == 0:
        return f"{sign}{rest} min"
    return f"{sign}{hours} h {rest:02d}" if rest else f"{sign}{hours} h"


def euros(cents: int | None) -> str:
    """90000 -> '900,00 €' (prices are whole cents, never floats)."""
    if cents is None:
        return "–"
    units, rest = divmod(cents, 100)
    return f"{format_decimal(units, '#,##0', locale=LOCALE)},{rest:02d}\u00a0€"


def percent(value: float | None, digits: int = 0) -> str:
    """0.934 -> '93 %' with the French narrow space before the sign."""
    if value is None:
        return "–"
    pattern = "0." + "0" * digits if digits else "0"
    return f"{format_decimal(round(value * 100, digits), pattern, locale=LOCALE)}{NARROW_NBSP}%"


def today_paris() -> date:
    return datetime.now(PARIS).date()
