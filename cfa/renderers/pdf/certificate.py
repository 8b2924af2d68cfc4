"""The certificate of an award (micro-certification, CCP or title), with its verification code and QR code."""

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle
from werkzeug.utils import secure_filename

from cfa.formatting import medium_date
from cfa.models import Award, AwardKind
from cfa.renderers.pdf.base import (
    BRAND,
    LINE,
    MUTED,
    SOFT,
    STYLES,
    Identity,
    build_pdf,
    identity_header,
    markup,
    page_width,
    para,
    text,
)
from cfa.renderers.pdf.qr import QRCode
from cfa.services.assessment_awards import COUNTRY_NAME, certified

CENTERED = {
    "kicker": ParagraphStyle(
        "kicker", parent=STYLES["body"], alignment=TA_CENTER, fontSize=11, leading=14, textColor=MUTED
    ),
    "heading": ParagraphStyle(
        "cert_heading", parent=STYLES["title"], alignment=TA_CENTER, fontSize=26, leading=31, spaceAfter=0
    ),
    "name": ParagraphStyle(
        "cert_name", parent=STYLES["body"], alignment=TA_CENTER, fontName="Helvetica-Bold", fontSize=22, leading=27
    ),
    "what": ParagraphStyle(
        "cert_what",
        parent=STYLES["body"],
        alignment=TA_CENTER,
        fontName="Helvetica-Bold",
        fontSize=15,
        leading=19,
        textColor=BRAND,
    ),
    "body": ParagraphStyle("cert_body", parent=STYLES["body"], alignment=TA_CENTER, fontSize=11, leading=15),
    "revoked": ParagraphStyle(
        "cert_revoked",
        parent=STYLES["body"],
        alignment=TA_CENTER,
        fontName="Helvetica-Bold",
        fontSize=12,
        leading=15,
        textColor=colors.HexColor("#b42318"),
    ),
}

VERBS = {
    AwardKind.MICRO_CERTIFICATION: "a obtenu la micro-certification",
    AwardKind.SKILL_BLOCK: "a validé le certificat de compétences professionnelles",
    AwardKind.TITLE: "a obtenu le titre professionnel",
}


def _centered(value: str, style: str) -> Paragraph:
    return Paragraph(text(value), CENTERED[style])


def render_certificate(award: Award, identity: Identity, verify_url: str) -> bytes:
    what = certified(award)
    width = page_width()
    story = [identity_header(identity, width), Spacer(1, 24 * mm)]
    story += [
        _centered(what.kind_label.upper(), "kicker"),
        Spacer(1, 3 * mm),
        _centered("Certificat", "heading"),
        Spacer(1, 12 * mm),
        _centered(f"{identity.name} certifie que", "body"),
        Spacer(1, 4 * mm),
        _centered(award.learner.full_name, "name"),
        Spacer(1, 4 * mm),
        _centered(VERBS[award.kind], "body"),
        Spacer(1, 3 * mm),
        _centered(what.title, "what"),
    ]
    facts = [what.reference, what.level, f"Volume de formation : {what.workload}" if what.workload else None]
    story += [Spacer(1, 3 * mm), _centered(" · ".join(f for f in facts if f), "kicker")]
    story += [Spacer(1, 5 * mm), _centered(f"Délivré le {medium_date(award.awarded_on)}", "body")]
    if award.is_revoked:
        story += [Spacer(1, 4 * mm), _centered(f"Certificat révoqué le {award.revoked_at:%d/%m/%Y}", "revoked")]
    story.append(Spacer(1, 16 * mm))

    if what.outcomes:
        heading = "Acquis d'apprentissage" if award.kind != AwardKind.TITLE else "Certificats de compétences (CCP)"
        items = "<br/>".join(f"•&nbsp;{text(outcome)}" for outcome in what.outcomes)
        outcomes = Table([[para(heading, "heading")], [markup(items)]], colWidths=[width])
        outcomes.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story += [outcomes, Spacer(1, 4 * mm)]

    # The awarding body and its country are mandatory elements of an EU micro-credential.
    rows = [
        ["Délivré par", identity.name],
        ["Pays de délivrance", COUNTRY_NAME],
        ["Modalité d'évaluation", what.assessment],
    ]
    if what.participation:
        rows.append(["Forme de participation", what.participation])
    rows.append(["Assurance qualité", what.quality_assurance])
    if what.certifier:
        rows.append(["Certificateur", what.certifier])
    if award.assessor:
        rows.append(["Évaluateur·rice", award.assessor.full_name])
    table = Table([[para(k, "cell_bold"), para(v, "cell")] for k, v in rows], colWidths=[width * 0.3, width * 0.7])
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story += [table, Spacer(1, 16 * mm)]

    signature = markup(
        f"Fait à {text(identity.city or '')}, le {text(medium_date(award.awarded_on))}<br/><br/>"
        f"<b>{text(identity.legal_representative)}</b><br/>{text(identity.legal_representative_title)}"
        f"<br/>{text(identity.name)}"
    )
    qr_size = 30 * mm
    verification = markup(
        f"<b>Vérifier ce certificat</b><br/>Code : <b>{text(award.verification_code)}</b><br/>"
        f"<font size=7.5>{text(verify_url)}</font><br/>"
        "<font size=7.5>Scannez le code ou saisissez l'adresse : la page indique si le certificat est valide.</font>",
        "small",
    )
    box_width = width * 0.56
    box = Table(
        [[QRCode(verify_url, qr_size), verification]], colWidths=[qr_size + 4 * mm, box_width - qr_size - 4 * mm]
    )
    box.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, -1), SOFT),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    bottom = Table([[signature, box]], colWidths=[width - box_width, box_width])
    bottom.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    story.append(KeepTogether([bottom]))
    title = f"Certificat – {award.learner.full_name} – {what.title}"
    return build_pdf(
        story, title=title, footer=f"{identity.name} · certificat {award.verification_code}", author=identity.name
    )


def certificate_filename(award: Award) -> str:
    return secure_filename(f"certificat-{award.learner.full_name}-{award.verification_code}.pdf").lower()
