"""The livret d'apprentissage of one apprentice: per field period, the activities and their evaluation by the tutor,
the apprentice's comment and the centre's view, each signed and dated; then the visits held (jury file, employer)."""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table, TableStyle

from cfa.formatting import date_time, short_date
from cfa.renderers.pdf.base import Identity, build_pdf, grid_style, identity_header, markup, page_width, para, text
from cfa.services.followup import ApprenticeSummary


def render_livret(summary: ApprenticeSummary, identity: Identity, today: date) -> bytes:
    """The periods started by `today` (those to come have nothing to show yet)."""
    enrolment = summary.enrolment
    width = page_width()
    story = [
        identity_header(identity, width),
        Spacer(1, 5 * mm),
        para("Livret d'apprentissage", "title"),
        para(f"{enrolment.apprentice.full_name} · {enrolment.cohort.programme.title}", "subtitle"),
        _facts(summary, width),
        Spacer(1, 4 * mm),
    ]
    entries = {e.period_start: e for e in summary.entries}
    for period in [p for p in summary.periods if p.started(today)]:
        story.append(KeepTogether(_period(period, entries.get(period.start), width)))
    held = [v for v in summary.visits if v.held_on]
    for index, visit in enumerate(held):
        where = "à distance" if visit.remote else (visit.place or "")
        lines = [para("Visites et entretiens", "heading")] if index == 0 else []
        lines.append(markup(f"<b>{text(visit.kind.label)} du {short_date(visit.held_on)}</b> ({text(where)})"))
        lines.append(para(visit.observations or "", "small"))
        story.append(KeepTogether(lines))
    footer = f"{identity.name} · livret d'apprentissage de {enrolment.apprentice.full_name}"
    return build_pdf(story, title=f"Livret d'apprentissage – {enrolment.apprentice.full_name}", footer=footer)


def _facts(summary: ApprenticeSummary, width: float) -> Table:
    e = summary.enrolment
    rows = [
        ("Promotion", e.cohort.name),
        ("Contrat", f"du {short_date(e.contract_start)} au {short_date(e.last_day)}"),
        ("Employeur", e.employer.name if e.employer else "–"),
        ("Maître d'apprentissage", e.tutor.full_name if e.tutor else "–"),
        ("Référent·e du CFA", e.referent.full_name if e.referent else "–"),
    ]
    table = Table([[para(k, "cell_bold"), para(v, "cell")] for k, v in rows], colWidths=[width * 0.3, width * 0.7])
    table.setStyle(TableStyle(grid_style(0)))
    return table


def _signed(label: str, comment: str | None, who, when) -> list:
    if not comment and when is None:
        return [para(f"{label} : non renseigné.", "small")]
    signature = f" — signé par {who.full_name}" if who is not None else ""
    return [
        markup(f"<b>{text(label)}</b>{text(signature)}, le {text(date_time(when))}", "small"),
        para(comment or "", "body"),
    ]


def _period(period, entry, width: float) -> list:
    head = para(f"Période en entreprise du {short_date(period.start)} au {short_date(period.end)}", "heading")
    if entry is None:
        return [head, para("Aucune saisie pour cette période.", "small")]
    rows = [["Bloc", "Activité menée", "Évaluation", "Commentaire"]]
    for a in entry.activities:
        block = a.skill_block.code if a.skill_block else "–"
        rows.append(
            [para(block, "cell"), para(a.description, "cell"), para(a.level.label, "cell"), para(a.comment, "cell")]
        )
    parts = [head]
    if len(rows) > 1:
        table = Table(rows, colWidths=[width * 0.12, width * 0.43, width * 0.18, width * 0.27], repeatRows=1)
        table.setStyle(TableStyle(grid_style()))
        parts += [table, Spacer(1, 2 * mm)]
    parts += _signed("Tuteur·rice", entry.tutor_comment, entry.tutor, entry.tutor_signed_at)
    parts += _signed("Apprenti·e", entry.apprentice_comment, entry.enrolment.apprentice, entry.apprentice_signed_at)
    parts += _signed("Regard du centre", entry.referent_comment, entry.referent, entry.referent_signed_at)
    return parts
