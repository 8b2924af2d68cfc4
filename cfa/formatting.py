"""French formatting of dates, times and durations, without depending on the system locale."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip


def long_date(day: date | None) -> str:
    """'lundi 7 septembre 2026'."""
    if day is None:
        return ""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{DAYS[day.weekday()]} {first} {MONTHS[day.month - 1]} {day.year}"


def medium_date(day: date | None) -> str:
    """'7 septembre 2026'."""
    if day is None:
        return ""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def short_date(day: date | None) -> str:
    """'07/09/2026'."""
    return day.strftime("%d/%m/%Y") if day else ""


def month_year(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


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


def percent(value: float | None, digits: int = 0) -> str:
    """0.934 -> '93 %' with the French narrow space before the sign."""
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}".replace(".", ",")
    return f"{text}\u202f%"


def today_paris() -> date:
    return datetime.now(PARIS).date()
