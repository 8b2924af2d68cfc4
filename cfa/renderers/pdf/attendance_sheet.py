"""The feuille d'émargement: one or more pages per half-day, each apprentice's status and signature, the trainer's.

What an auditor checks on it: every page says whose half-day it is (the running header); a signature, or why
there is none; how each absence stands; which lines were corrected after the fact (the history has the why);
why a sheet was closed before the half-day ended; and that the trainer's signature closes the list it certifies
(it never sits alone on a page).
"""

from io import BytesIO

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, PageBreak, Spacer, Table, TableStyle

from cfa.formatting import date_time, hhmm, long_date, minutes_label, to_paris
from cfa.models import AttendanceMark, Enrolment, MarkStatus, Session, SignatureMethod
from cfa.renderers.pdf.base import (
    MARGIN,
    MUTED,
    Identity,
    build_pdf,
    grid_style,
    identity_header,
    markup,
    page_width,
    para,
    text,
)
from cfa.renderers.pdf.certificat_realisation import nature_of
from cfa.services.attendance import describe, state_of
from cfa.services.attendance_documents import SheetPage
from cfa.services.justifications import ABSENCE_STANDING

KEPT_WITH_SIGNATURE = 2  # learner lines that always share the trainer's signature's page


def running_header(identity: Identity, session: Session) -> str:
    cancelled = " · ANNULÉE" if session.is_cancelled else ""
    return (
        f"{identity.name} · Feuille d'émargement · {session.cohort.name} · "
        f"{long_date(session.date)}, {session.half_day.label.lower()} ({hhmm(session.start_time)} – "
        f"{hhmm(session.end_time)}){cancelled}"
    )


class _HeaderFrom(Flowable):
    """Invisible: from the next page on, the running header names this session (placed before its page break)."""

    def __init__(self, state: dict, header: str):
        super().__init__()
        self.state, self.header = state, header
        self.width = self.height = 0

    def draw(self):
        self.state["header"] = self.header


def _signature(png: bytes | None, width: float, height: float):
    if not png:
        return None
    try:
        image = Image(BytesIO(png))
    except Exception:  # a damaged image must not stop the legal document: the time and method still print
        return para("(signature illisible)", "small")
    ratio = min(width / image.imageWidth, height / image.imageHeight)
    image.drawWidth, image.drawHeight = image.imageWidth * ratio, image.imageHeight * ratio
    return image


TYPED_PROOF = "confirmé depuis son compte personnel, avec le code de la feuille et son mot de passe"
TRAINER_TYPED_PROOF = "confirmé depuis son compte personnel, avec son mot de passe"


def _trainer_signature(page: SheetPage):
    if page.trainer_signed_at is not None and page.trainer_signature_method == SignatureMethod.TYPED:
        return [
            para(f"{SignatureMethod.TYPED.label} · {date_time(page.trainer_signed_at)}", "small"),
            para(TRAINER_TYPED_PROOF, "small"),
        ]
    return _signature(page.trainer_signature, 60 * mm, 20 * mm) or ""


def _presence(page: SheetPage, enrolment: Enrolment, mark: AttendanceMark | None) -> list:
    lines = [para(describe(state_of(mark)).capitalize(), "cell")]
    if mark is not None and mark.status == MarkStatus.ABSENT:
        lines.append(para("absence " + ABSENCE_STANDING[page.justifications.get(enrolment.id)], "small"))
    if mark is not None and mark.id in page.corrected:
        lines.append(para(f"* corrigé le {date_time(page.corrected[mark.id])}, voir l'historique", "small"))
    return lines


def _signature_cell(mark: AttendanceMark | None) -> list:
    if mark is None:
        return []
    if mark.signed_at is not None and mark.signature_method == SignatureMethod.TYPED:
        # No drawing to show: the statement of how the person signed stands in its place.
        return [
            para(f"{SignatureMethod.TYPED.label} · {date_time(mark.signed_at)}", "small"),
            para(TYPED_PROOF, "small"),
        ]
    # Room to sign by hand when the printed sheet is the fallback.
    cell = [_signature(mark.signature, 45 * mm, 10 * mm) or Spacer(1, 8 * mm)]
    if mark.signed_at is not None:
        method = mark.signature_method.label if mark.signature_method else "Signé"
        cell.append(para(f"{method} · {date_time(mark.signed_at)}", "small"))
    elif mark.status != MarkStatus.ABSENT:  # an absence is not signed, whatever reason was noted before
        why = ""
        if mark.unsigned_reason is not None:
            why = f" : {mark.unsigned_reason.label.lower()}" + (
                f" ({mark.unsigned_note})" if mark.unsigned_note else ""
            )
        cell.append(para(f"Signature absente{why}", "small"))
    return cell


def _roster_table(rows: list, width: float, header: bool, who: str = "Apprenti·e") -> Table:
    head = [[para(who, "cell_bold"), para("Présence", "cell_bold"), para("Signature", "cell_bold")]]
    table = Table(
        (head if header else []) + rows, colWidths=[55 * mm, 55 * mm, width - 110 * mm], repeatRows=1 if header else 0
    )
    table.setStyle(TableStyle(grid_style(1 if header else 0)))
    return table


def _closing(page: SheetPage, width: float) -> list:
    session = page.session
    parts = []
    if page.closed and page.early_close_reason:
        closed_at = to_paris(page.trainer_signed_at)
        at = f" à {closed_at.hour} h {closed_at.minute:02d}" if closed_at else ""
        parts.append(
            markup(
                f"<b>Feuille close{text(at)}, avant la fin prévue ({text(hhmm(session.end_time))})</b> : "
                f"{text(page.early_close_reason)}",
                "small",
            )
        )
    closing = "Feuille close" if page.closed else "Feuille non close"
    when = f" le {date_time(page.trainer_signed_at)}" if page.trainer_signed_at else ""
    trainer = session.trainer.full_name if session.trainer else "Formateur·rice"
    sign = Table(
        [
            [
                markup(f"<b>Signature du formateur·rice</b><br/>{text(trainer)}<br/>{text(closing + when)}", "small"),
                _trainer_signature(page),
            ]
        ],
        colWidths=[70 * mm, 70 * mm],
        rowHeights=[24 * mm],
        hAlign="RIGHT",
    )
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (1, 0), (1, 0), 0.4, "#c9d1dc")]))
    return [*parts, Spacer(1, 3 * mm), sign]


def _page(page: SheetPage, identity: Identity) -> list:
    session = page.session
    cohort = session.cohort
    width = page_width()
    who = "Stagiaire" if cohort.programme.is_short_course else "Apprenti·e"
    story = [identity_header(identity, width), Spacer(1, 4 * mm)]
    story.append(markup("Feuille d'émargement", "title"))
    story.append(
        markup(
            f"{text(cohort.programme.title)} · {'session' if cohort.programme.is_short_course else 'promotion'} "
            f"{text(cohort.name)}<br/>"
            f"<b>{text(long_date(session.date).capitalize())}</b>, {text(session.half_day.label.lower())} de "
            f"{text(hhmm(session.start_time))} à {text(hhmm(session.end_time))} ({text(minutes_label(session.minutes))})",
            "subtitle",
        )
    )
    facts = [
        ("Module", session.module.title if session.module else "–"),
        ("Formateur·rice", session.trainer.full_name if session.trainer else "–"),
        # A short course may run at a client's site or in a prison rather than at the centre.
        (
            "Lieu",
            ", ".join(
                x for x in (session.room.name if session.room else None, cohort.place or cohort.centre.name) if x
            ),
        ),
        ("Action", nature_of(cohort.programme)),
    ]
    info = Table([[para(k, "cell_bold"), para(v, "cell")] for k, v in facts], colWidths=[35 * mm, width - 35 * mm])
    info.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [info, Spacer(1, 4 * mm)]
    if session.is_cancelled:
        story.append(markup("SÉANCE ANNULÉE", "title"))
        story.append(markup(f"<b>Motif :</b> {text(session.note or 'non précisé')}", "body"))
        story.append(para("Aucun émargement n'est recueilli pour une séance annulée.", "small"))
        return story
    lines = [
        [para(enrolment.apprentice.sort_name, "cell"), _presence(page, enrolment, mark), _signature_cell(mark)]
        for enrolment, mark in page.rows
    ]
    if not lines:
        story.append(para(f"Aucun·e {who.lower()} inscrit·e à cette date.", "body"))
        return story + _closing(page, width)
    body, tail = lines[:-KEPT_WITH_SIGNATURE], lines[-KEPT_WITH_SIGNATURE:]
    if body:
        story.append(_roster_table(body, width, header=True, who=who))
    # The last lines travel with the trainer's signature, so it never stands alone on a page.
    story.append(
        KeepTogether([_roster_table(tail, width, header=not body, who=who), Spacer(1, 4 * mm), *_closing(page, width)])
    )
    return story


def render_attendance_sheets(pages: list[SheetPage], identity: Identity) -> bytes:
    state = {"header": running_header(identity, pages[0].session) if pages else ""}
    story = []
    for index, page in enumerate(pages):
        if index:
            story += [_HeaderFrom(state, running_header(identity, page.session)), PageBreak()]
        story += _page(page, identity)
    if not story:
        story = [para("Aucune séance sur cette période.")]
    first = pages[0].session if pages else None
    title = f"Feuille d'émargement – {first.cohort.name} – {first.date:%d/%m/%Y}" if first else "Feuille d'émargement"

    def header(canvas, doc):
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, doc.pagesize[1] - 9 * mm, text(state["header"]))

    return build_pdf(
        story,
        title=title,
        footer=f"{identity.name} · feuille d'émargement · document à conserver 3 ans",
        author=identity.name,
        on_page=header,
    )
