"""The convocation of a candidate to the session de validation of a titre professionnel (Qualiopi indicator 16)."""

from datetime import time

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle
from werkzeug.utils import secure_filename

from cfa.formatting import PARIS, hhmm, long_date, medium_date
from cfa.models import JuryCandidate
from cfa.renderers.pdf.base import LINE, Identity, build_pdf, identity_header, markup, page_width, para, text

BRING = [
    "une pièce d'identité en cours de validité (carte d'identité, passeport ou titre de séjour) ;",
    "votre dossier professionnel (DP) complété et signé ;",
    "le cas échéant, vos certificats de compétences professionnelles (CCP) déjà obtenus ;",
    "de quoi écrire.",
]


def render_convocations(candidates: list[JuryCandidate], identity: Identity) -> bytes:
    """One page per candidate, in the order given, each dated the day it was issued (a reprint keeps that date)."""
    story = []
    for index, candidate in enumerate(candidates):
        if index:
            story.append(PageBreak())
        story += _page(candidate, identity, candidate.convened_at.astimezone(PARIS).date())
    jury = candidates[0].jury_session if candidates else None
    title = f"Convocation – session du {jury.date:%d/%m/%Y}" if jury else "Convocation"
    return build_pdf(
        story, title=title, footer=f"{identity.name} · convocation à la session de validation", author=identity.name
    )


def _page(candidate: JuryCandidate, identity: Identity, issued_on) -> list:
    jury = candidate.jury_session
    cohort = jury.cohort
    programme = cohort.programme
    person = candidate.enrolment.apprentice
    width = page_width()
    addressee = markup(f"<b>{text(person.full_name)}</b><br/>Apprenti·e, promotion {text(cohort.name)}")
    head = Table([["", addressee]], colWidths=[width * 0.55, width * 0.45])
    head.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    when = long_date(jury.date) + (f" à {_start(jury.start_time)}" if jury.start_time else "")
    facts = Table(
        [
            [para("Date et heure", "cell_bold"), para(when, "cell")],
            [para("Lieu", "cell_bold"), para(jury.place, "cell")],
            [
                para("Titre professionnel", "cell_bold"),
                para(
                    f"{programme.title} (niveau {programme.level}{', ' + programme.rncp_code if programme.rncp_code else ''})",
                    "cell",
                ),
            ],
            [
                para("Épreuves", "cell_bold"),
                para(
                    "Mise en situation professionnelle, entretien technique, entretien final avec le jury "
                    "sur la base de votre dossier professionnel",
                    "cell",
                ),
            ],
        ],
        colWidths=[width * 0.28, width * 0.72],
    )
    facts.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, LINE), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    bring = "<br/>".join(f"•&nbsp;{text(item)}" for item in BRING)
    return [
        identity_header(identity, width),
        Spacer(1, 10 * mm),
        head,
        Spacer(1, 6 * mm),
        para(f"{identity.city}, le {medium_date(issued_on)}", "right"),
        Spacer(1, 6 * mm),
        para("Convocation à la session de validation du titre professionnel", "title"),
        para(f"Objet : {programme.title}", "subtitle"),
        Spacer(1, 3 * mm),
        markup(
            f"{text(person.first_name)} {text(person.last_name)},<br/><br/>"
            "Nous avons le plaisir de vous convoquer à la session de validation du titre professionnel "
            "que vous préparez. Votre présence est obligatoire : en cas d'empêchement, prévenez le centre "
            "de formation au plus tôt et fournissez un justificatif."
        ),
        Spacer(1, 5 * mm),
        facts,
        Spacer(1, 5 * mm),
        para("Présentez-vous 15 minutes avant l'heure indiquée, muni·e de :", "heading"),
        markup(bring),
        Spacer(1, 10 * mm),
        markup(
            f"<b>{text(identity.legal_representative)}</b><br/>{text(identity.legal_representative_title)}"
            f"<br/>{text(identity.name)}",
            "right",
        ),
    ]


def _start(value: str) -> str:
    try:
        return hhmm(time.fromisoformat(value))
    except ValueError:
        return value


def convocation_filename(candidate: JuryCandidate) -> str:
    person = candidate.enrolment.apprentice
    return secure_filename(f"convocation-{person.full_name}-{candidate.jury_session.date:%Y-%m-%d}.pdf").lower()
