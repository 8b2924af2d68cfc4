"""The planning d'alternance of a cohort on one A4 landscape page, as employers receive it with the contract."""

from datetime import date, timedelta

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from cfa.formatting import MONTHS, long_date, minutes_label, short_date
from cfa.models import PeriodKind
from cfa.renderers.pdf.base import LINE, MUTED, Identity, build_pdf, identity_header, markup, page_width, para, text
from cfa.services.calendar_queries import CohortCalendar

COLOURS = {
    "course": colors.HexColor("#1f5f8b"),
    "field": colors.HexColor("#cfe3d4"),
    "holiday": colors.HexColor("#f6d38b"),
    "closure": colors.HexColor("#b9bfca"),
    "weekend": colors.HexColor("#f1f3f6"),
}
LEGEND = [
    ("course", "Au centre de formation"),
    ("field", "En entreprise"),
    ("holiday", "Jour férié"),
    ("closure", "Fermeture du centre"),
    ("weekend", "Week-end"),
]
INITIALS = "LMMJVSD"


def _day_kinds(calendar: CohortCalendar) -> dict[date, str]:
    return {cell.day: cell.kind for row in calendar.rows for cell in row.days}


def _months(start: date, end: date) -> list[date]:
    months, current = [], start.replace(day=1)
    while current <= end:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _contract_lines(enrolment) -> list:
    """The apprentice's contracts: each employer and tutor for their dates (several after a change of employer)."""
    name = f"Apprenti·e : <b>{text(enrolment.apprentice.full_name)}</b>"
    contracts = enrolment.employer_periods
    if len(contracts) <= 1:
        employer = enrolment.employer.name if enrolment.employer else "–"
        tutor = f" · maître d'apprentissage : {text(enrolment.tutor.full_name)}" if enrolment.tutor else ""
        dates = f"contrat du {text(short_date(enrolment.contract_start))} au {text(short_date(enrolment.contract_end))}"
        return [markup(f"{name} · employeur : <b>{text(employer)}</b>{tutor} · {dates}")]
    lines = [markup(name)]
    for contract in contracts:
        tutor = f" · maître d'apprentissage : {text(contract.tutor.full_name)}" if contract.tutor else ""
        ended = " (rompu)" if contract.broken else ""
        lines.append(
            markup(
                f"Employeur : <b>{text(contract.employer.name)}</b>{tutor} · contrat du "
                f"{text(short_date(contract.starts_on))} au {text(short_date(contract.last_day))}{ended}"
            )
        )
    return lines


def render_alternance_plan(
    calendar: CohortCalendar, identity: Identity, holidays: list[tuple[date, str]], enrolment=None
) -> bytes:
    """The cohort's plan; with an enrolment, the copy for that apprentice and their employer."""
    cohort = calendar.cohort
    programme = cohort.programme
    width = page_width("landscape")
    kinds = _day_kinds(calendar)
    story = [identity_header(identity, width), Spacer(1, 3 * mm)]
    story.append(markup(f"Planning d'alternance · {text(cohort.name)}", "title"))
    rncp = f" · {programme.rncp_code}" if programme.rncp_code else ""
    story.append(
        markup(
            f"{text(programme.title)} (titre professionnel de niveau {programme.level}{text(rncp)}) · "
            f"{text(cohort.centre.name)} · contrats du {text(long_date(cohort.start_date))} "
            f"au {text(long_date(cohort.end_date))}",
            "subtitle",
        )
    )
    if enrolment is not None:
        story += _contract_lines(enrolment)
    hours = f"<b>{text(minutes_label(calendar.planned_minutes))}</b> au centre sur {text(minutes_label(programme.total_minutes))}"
    if calendar.missing_minutes > 0:
        hours += f" (<font color='#b42318'>il manque {text(minutes_label(calendar.missing_minutes))}</font>)"
    facts = [
        hours,
        f"<b>{calendar.course_weeks}</b> semaines au centre",
        f"Premier jour : <b>{text(short_date(calendar.first_day))}</b> · dernier jour : <b>{text(short_date(calendar.last_day))}</b>",
        f"Rythme : {programme.first_block_weeks} sem. au centre pour commencer, puis {programme.field_weeks} en entreprise "
        f"/ {programme.course_weeks} au centre",
    ]
    if calendar.rncp_warning and enrolment is None:  # for the CFA's staff, not a worry handed to employers
        facts.append(
            f"<font color='#b42318'><b>titre enregistré au RNCP jusqu'au "
            f"{text(short_date(programme.rncp_valid_until))} seulement</b></font>"
        )
    story.append(markup(" · ".join(facts), "body"))
    story.append(Spacer(1, 2 * mm))
    story.append(_grid(cohort, kinds, width))
    story.append(Spacer(1, 1.5 * mm))
    story.append(_legend())
    story.append(Spacer(1, 1 * mm))
    story += _notes(calendar, holidays, cohort)
    return build_pdf(
        story,
        title=f"Planning d'alternance – {cohort.name}",
        orientation="landscape",
        footer=f"{identity.name} · planning d'alternance {cohort.name} · horaires : "
        f"{programme.morning_start:%H:%M}-{programme.morning_end:%H:%M} et "
        f"{programme.afternoon_start:%H:%M}-{programme.afternoon_end:%H:%M}",
        author=identity.name,
    )


def _grid(cohort, kinds: dict[date, str], width: float) -> Table:
    month_col, total_col = 26 * mm, 16 * mm
    day_col = (width - month_col - total_col) / 31
    header = (
        [para("Mois", "cell_bold")] + [para(str(d), "cell_bold") for d in range(1, 32)] + [para("Jours", "cell_bold")]
    )
    data, styles = [header], []
    for row, month in enumerate(_months(cohort.start_date, cohort.end_date), start=1):
        line = [para(f"{MONTHS[month.month - 1].capitalize()} {month.year}", "cell_bold")]
        course_days = 0
        for day_number in range(1, 32):
            col = day_number
            try:
                day = month.replace(day=day_number)
            except ValueError:  # 30 February
                line.append("")
                styles.append(("BACKGROUND", (col, row), (col, row), colors.white))
                continue
            kind = kinds.get(day)
            if day < cohort.start_date or day > cohort.end_date:
                kind = None
            elif day.isoweekday() > 5 and kind not in ("holiday", "closure"):
                kind = "weekend"
            elif kind is None:
                kind = "field"
            if kind == "course":
                course_days += 1
            line.append(INITIALS[day.weekday()])
            if kind:
                styles.append(("BACKGROUND", (col, row), (col, row), COLOURS[kind]))
                if kind == "course":
                    styles.append(("TEXTCOLOR", (col, row), (col, row), colors.white))
            else:
                styles.append(("TEXTCOLOR", (col, row), (col, row), colors.HexColor("#c0c6cf")))
        line.append(str(course_days) if course_days else "")
        data.append(line)
    table = Table(
        data, colWidths=[month_col] + [day_col] * 31 + [total_col], rowHeights=[7 * mm] + [8 * mm] * (len(data) - 1)
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, LINE),
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("ALIGN", (1, 0), (-1, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f6")),
                ("TEXTCOLOR", (1, 1), (-2, -1), MUTED),
                *styles,
            ]
        )
    )
    return table


def _legend() -> Table:
    cells = []
    for _kind, label in LEGEND:
        cells += ["", para(label, "small")]
    table = Table([cells], colWidths=[5 * mm, 45 * mm] * len(LEGEND), hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [("BACKGROUND", (i * 2, 0), (i * 2, 0), COLOURS[kind]) for i, (kind, _) in enumerate(LEGEND)]
            + [("BOX", (i * 2, 0), (i * 2, 0), 0.4, LINE) for i in range(len(LEGEND))]
            + [("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 3)]
        )
    )
    return table


def _notes(calendar: CohortCalendar, holidays: list[tuple[date, str]], cohort) -> list:
    notes = []
    closures = sorted(
        {(p.start_date, p.end_date, p.label) for p in cohort.periods if p.kind == PeriodKind.CLOSURE and p.label}
    )
    merged: dict[str, list[date]] = {}
    for start, end, label in closures:
        span = merged.setdefault(label, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
    if merged:
        parts = [f"{text(label)} (du {short_date(s)} au {short_date(e)})" for label, (s, e) in merged.items()]
        notes.append(markup("<b>Fermetures du centre :</b> " + " ; ".join(parts), "small"))
    weekday_holidays = [(d, n) for d, n in holidays if d.isoweekday() <= 5]
    if weekday_holidays:
        parts = [f"{text(name)} ({short_date(day)})" for day, name in weekday_holidays]
        notes.append(markup("<b>Jours fériés en semaine :</b> " + ", ".join(parts), "small"))
    if calendar.moved:
        parts = [f"semaine du {short_date(r.monday)} : {text(r.label)}" for r in calendar.moved]
        notes.append(markup("<b>Semaines au centre reportées :</b> " + " ; ".join(parts), "small"))
    notes.append(
        para(
            "Pendant les semaines au centre, l'apprenti·e suit la formation et n'est pas présent·e dans l'entreprise. "
            "Toute séance des huit semaines à venir déplacée ou annulée est notifiée par e-mail à l'apprenti·e et à son tuteur.",
            "small",
        )
    )
    return notes
