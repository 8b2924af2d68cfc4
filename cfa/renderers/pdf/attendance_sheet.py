"""The feuille d'émargement: one page per half-day, each apprentice's status and signature, the trainer's."""

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import Image, PageBreak, Spacer, Table, TableStyle

from cfa.formatting import date_time, hhmm, long_date, minutes_label
from cfa.models import AttendanceMark, Enrolment, Session
from cfa.renderers.pdf.base import Identity, build_pdf, grid_style, identity_header, markup, page_width, para, text
from cfa.services.attendance import describe, state_of


@dataclass
class SheetPage:
    session: Session
    rows: list[tuple[Enrolment, AttendanceMark | None]]
    trainer_signature: bytes | None
    trainer_signed_at: datetime | None
    closed: bool


def _signature(png: bytes | None, width: float, height: float):
    if not png:
        return ""
    try:
        image = Image(BytesIO(png))
    except Exception:  # a damaged image must not stop the legal document: the time and method still print
        return para("(signature illisible)", "small")
    ratio = min(width / image.imageWidth, height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    return image


def _page(page: SheetPage, identity: Identity) -> list:
    session = page.session
    cohort = session.cohort
    width = page_width()
    story = [identity_header(identity, width), Spacer(1, 4 * mm)]
    story.append(markup("Feuille d'émargement", "title"))
    story.append(
        markup(
            f"{text(cohort.programme.title)} · promotion {text(cohort.name)}<br/>"
            f"<b>{text(long_date(session.date).capitalize())}</b>, {text(session.half_day.label.lower())} de "
            f"{text(hhmm(session.start_time))} à {text(hhmm(session.end_time))} ({text(minutes_label(session.minutes))})",
            "subtitle",
        )
    )
    facts = [
        ("Module", session.module.title if session.module else "–"),
        ("Formateur·rice", session.trainer.full_name if session.trainer else "–"),
        ("Lieu", ", ".join(x for x in (session.room.name if session.room else None, cohort.centre.name) if x)),
        ("Action", "Action de formation par apprentissage"),
    ]
    info = Table([[para(k, "cell_bold"), para(v, "cell")] for k, v in facts], colWidths=[35 * mm, width - 35 * mm])
    info.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [info, Spacer(1, 4 * mm)]
    data = [
        [
            para("Apprenti·e", "cell_bold"),
            para("Présence", "cell_bold"),
            para("Signature", "cell_bold"),
            para("Signé le", "cell_bold"),
        ]
    ]
    for enrolment, mark in page.rows:
        signed = ""
        if mark is not None and mark.signed_at is not None:
            method = mark.signature_method.label if mark.signature_method else ""
            signed = para(f"{date_time(mark.signed_at)}\n{method}", "small")
        data.append(
            [
                para(enrolment.apprentice.sort_name, "cell"),
                para(describe(state_of(mark)), "cell"),
                _signature(mark.signature if mark else None, 45 * mm, 11 * mm),
                signed,
            ]
        )
    table = Table(data, colWidths=[60 * mm, 40 * mm, 50 * mm, width - 150 * mm], repeatRows=1)
    table.setStyle(TableStyle(grid_style() + [("ROWHEIGHT", (0, 1), (-1, -1), 13 * mm)]))
    story += [table, Spacer(1, 6 * mm)]
    closing = "Feuille close" if page.closed else "Feuille non close"
    when = f" le {date_time(page.trainer_signed_at)}" if page.trainer_signed_at else ""
    trainer = session.trainer.full_name if session.trainer else "Formateur·rice"
    sign = Table(
        [[markup(f"<b>Signature du formateur·rice</b><br/>{text(trainer)}<br/>{text(closing + when)}", "small"),
          _signature(page.trainer_signature, 60 * mm, 20 * mm)]],
        colWidths=[70 * mm, 70 * mm], hAlign="RIGHT",
    )  # fmt: skip
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (1, 0), (1, 0), 0.4, "#c9d1dc")]))
    story.append(sign)
    return story


def render_attendance_sheets(pages: list[SheetPage], identity: Identity) -> bytes:
    story = []
    for index, page in enumerate(pages):
        if index:
            story.append(PageBreak())
        story += _page(page, identity)
    if not story:
        story = [para("Aucune séance sur cette période.")]
    first = pages[0].session if pages else None
    title = f"Feuille d'émargement – {first.cohort.name} – {first.date:%d/%m/%Y}" if first else "Feuille d'émargement"
    return build_pdf(story, title=title, footer=f"{identity.name} · feuille d'émargement · document à conserver 3 ans",
                     author=identity.name)  # fmt: skip
