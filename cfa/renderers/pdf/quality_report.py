"""The Qualiopi audit report of a year: each indicator's figures with numerator, denominator and definition, the
chart of the rates over the years (the dashboard's drawing), and the rows' counts (the XLSX holds the rows)."""

from reportlab.platypus import Spacer, Table

from cfa.renderers.pdf.base import build_pdf, grid_style, page_width, para
from cfa.renderers.quality_charts import CHART_LABELS, rates_chart
from cfa.services.audit_export import AuditFile


def render(data: AuditFile) -> bytes:
    width = page_width()
    story = [
        para(f"Dossier d'audit Qualiopi {data.year}", "title"),
        para(f"{data.organisation} — {data.centre}", "subtitle"),
        para("Taux sur quatre ans", "heading"),
        rates_chart(data.series, CHART_LABELS, width=int(width), height=220),
    ]
    for part in data.parts:
        story.append(para(f"Indicateur {part.number} — {part.title}", "heading"))
        rows = [[para(h, "cell_bold") for h in ("Indicateur", "Valeur", "Num.", "Dén.", "Définition")]]
        rows += [[para(v, "cell") for v in figure] for figure in part.figures]
        if len(rows) == 1:
            rows.append([para("Pas de données", "cell"), "", "", "", ""])
        table = Table(rows, colWidths=[width * w for w in (0.27, 0.13, 0.1, 0.1, 0.4)], repeatRows=1)
        table.setStyle(grid_style())
        story.append(table)
        if part.headers:
            story.append(
                para(
                    f"{len(part.rows)} ligne(s) de calcul dans la feuille « Ind. {part.number} » du classeur.", "small"
                )
            )
        story.append(Spacer(1, 4))
    return build_pdf(
        story, f"Dossier d'audit Qualiopi {data.year}", footer=f"{data.organisation} — Qualiopi {data.year}"
    )
