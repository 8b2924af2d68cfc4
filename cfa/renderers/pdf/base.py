"""What every Cadence PDF shares: page sizes, French typography, the CFA's identity, the footer.

Documents build a list of reportlab flowables and call `build_pdf`; they never touch files.
"""

from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

BRAND = colors.HexColor("#1f5f8b")
MUTED = colors.HexColor("#5b6475")
LINE = colors.HexColor("#c9d1dc")
SOFT = colors.HexColor("#eef2f6")
MARGIN = 15 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["Normal"], fontName="Helvetica", fontSize=9.5, leading=12.5)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5),
        "cell_bold": ParagraphStyle("cell_bold", parent=body, fontSize=8.5, leading=10.5, fontName="Helvetica-Bold"),
        "title": ParagraphStyle(
            "title", parent=body, fontName="Helvetica-Bold", fontSize=16, leading=20, textColor=BRAND, spaceAfter=4
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=14, textColor=MUTED, spaceAfter=6),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8, spaceAfter=4
        ),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
    }


STYLES = _styles()


def text(value) -> str:
    """Escape for reportlab's mini-markup and replace characters the standard fonts lack."""
    return escape(str(value if value is not None else "")).replace("\u202f", " ").replace("\u2011", "-")


def para(value, style: str = "body") -> Paragraph:
    return Paragraph(text(value), STYLES[style])


def markup(value: str, style: str = "body") -> Paragraph:
    """A paragraph whose caller already escaped the dynamic parts (to keep <b> and <br/>)."""
    return Paragraph(value, STYLES[style])


@dataclass(frozen=True)
class Identity:
    """The CFA's identity as printed on its documents (from the Organisation row)."""

    name: str
    address: str
    siret: str
    nda: str
    uai: str
    legal_representative: str
    legal_representative_title: str
    city: str

    @classmethod
    def from_organisation(cls, org) -> "Identity":
        if org is None:
            return cls("Organisme de formation (identité à renseigner)", "", "", "", "", "", "", "")
        return cls(
            name=org.name,
            address=f"{org.address}, {org.postcode} {org.city}",
            siret=org.siret,
            nda=org.nda,
            uai=org.uai,
            legal_representative=org.legal_representative,
            legal_representative_title=org.legal_representative_title,
            city=org.city,
        )

    @property
    def identifiers(self) -> str:
        parts = [
            f"SIRET {self.siret}" if self.siret else "",
            f"NDA {self.nda}" if self.nda else "",
            f"UAI {self.uai}" if self.uai else "",
        ]
        return " · ".join(p for p in parts if p)


def identity_header(identity: Identity, width: float) -> Table:
    """The top band: the CFA's name and identifiers."""
    left = markup(f"<b>{text(identity.name)}</b><br/>{text(identity.address)}", "small")
    right = markup(text(identity.identifiers), "small")
    table = Table([[left, right]], colWidths=[width * 0.55, width * 0.45])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LINEBELOW", (0, 0), (-1, 0), 1, BRAND),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def grid_style(header_rows: int = 1) -> list:
    """The table look of every document: a soft header (if any), thin lines."""
    header = [
        ("FONTNAME", (0, 0), (-1, header_rows - 1), "Helvetica-Bold"),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), SOFT),
    ]
    return (header if header_rows else []) + [
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]


def page_width(orientation: str = "portrait") -> float:
    size = landscape(A4) if orientation == "landscape" else A4
    return size[0] - 2 * MARGIN


def build_pdf(
    flowables: list,
    title: str,
    orientation: str = "portrait",
    footer: str | None = None,
    author: str = "Cadence",
    on_page=None,
) -> bytes:
    """Lay the flowables out on A4 pages with a numbered footer; return the PDF bytes.
    `on_page(canvas, doc)` draws what a document repeats on each page (e.g. a running header)."""
    buffer = BytesIO()
    size = landscape(A4) if orientation == "landscape" else A4

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(MUTED)
        if footer:
            canvas.drawString(MARGIN, 8 * mm, text(footer))
        canvas.drawRightString(size[0] - MARGIN, 8 * mm, f"Page {doc.page}")
        if on_page is not None:
            on_page(canvas, doc)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=size,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=14 * mm,
        title=title,
        author=author,
        creator="Cadence",
    )
    doc.build(flowables, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def facts_table(rows: list[tuple[str, object]], width: float, key_width: float = 45 * mm) -> Table:
    """A two-column grid of labels and values; a value that is already a flowable (a list, markup) stays one."""
    cells = [[para(key, "cell_bold"), value if hasattr(value, "wrap") else para(value, "cell")] for key, value in rows]
    table = Table(cells, colWidths=[key_width, width - key_width])
    table.setStyle(TableStyle(grid_style(header_rows=0) + [("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def lines_markup(lines: list[str], style: str = "cell") -> Paragraph:
    """Bulleted lines in one paragraph (objectives, half-days), each escaped."""
    return markup("<br/>".join(f"•&nbsp;{text(line)}" for line in lines) or "–", style)


def signature_boxes(left: str, right: str, width: float, height: float = 32 * mm) -> Table:
    """Two boxes side by side where each party signs (captions already escaped markup)."""
    table = Table(
        [[markup(left, "small"), markup(right, "small")]], colWidths=[width / 2, width / 2], rowHeights=[height]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.4, LINE),
                ("BOX", (1, 0), (1, 0), 0.4, LINE),
            ]
        )
    )
    return table
