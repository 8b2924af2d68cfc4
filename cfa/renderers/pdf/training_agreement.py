"""The convention de formation with a client (Code du travail L.6353-1, D.6353-1) and its variant, the contrat
de formation with a person paying for themselves (L.6353-3 to L.6353-7), the programme attached on the last page.

What a funder checks is all here: both parties with their SIRET, the NDA, the action and its objectives, content,
means and assessment, dates, hours, place, modality, trainees, price, payment and cancellation terms, signatures.
"""

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Spacer

from cfa.formatting import euros, long_date, minutes_label, short_date
from cfa.renderers.pdf.base import (
    Identity,
    build_pdf,
    facts_table,
    identity_header,
    lines_markup,
    markup,
    page_width,
    para,
    signature_boxes,
    text,
)
from cfa.renderers.pdf.certificat_realisation import nature_of
from cfa.services.course_documents import AgreementDocument


def _client_lines(doc: AgreementDocument) -> str:
    agreement = doc.agreement
    if agreement.is_contract:
        person = agreement.learner
        contact = " · ".join(x for x in (person.email, person.phone) if x)
        return (
            f"<b>{text(person.full_name)}</b><br/>Personne physique contractant à titre individuel et à ses frais"
            + (f"<br/>{text(contact)}" if contact else "")
            + "<br/>ci-après « le stagiaire »"
        )
    employer = agreement.employer
    town = " ".join(x for x in (employer.postcode, employer.city) if x)
    address = ", ".join(x for x in (employer.address, town) if x)
    return (
        f"<b>{text(employer.name)}</b><br/>{text(address)}<br/>SIRET {text(employer.siret)}"
        + (f"<br/>Représenté par {text(employer.contact_name)}" if employer.contact_name else "")
        + "<br/>ci-après « le client »"
    )


def _parties(doc: AgreementDocument, identity: Identity, width: float) -> list:
    body = (
        f"<b>{text(identity.name)}</b><br/>{text(identity.address)}<br/>SIRET {text(identity.siret)}<br/>"
        f"Déclaration d'activité enregistrée sous le numéro {text(identity.nda)} auprès du préfet de région "
        "(cet enregistrement ne vaut pas agrément de l'État)<br/>"
        f"Représenté par {text(identity.legal_representative)}, {text(identity.legal_representative_title)}"
        "<br/>ci-après « l'organisme de formation »"
    )
    return [
        para("Entre les soussignés", "heading"),
        facts_table(
            [("L'organisme de formation", markup(body, "cell")), ("Et", markup(_client_lines(doc), "cell"))],
            width,
        ),
    ]


def _action(doc: AgreementDocument, width: float) -> list:
    cohort = doc.agreement.cohort
    programme = cohort.programme
    rows = [
        ("Intitulé", programme.title),
        ("Nature", f"{nature_of(programme)} (article L.6313-1 du Code du travail)"),
        ("Objectifs", lines_markup(programme.objective_lines)),
        (
            "Public et prérequis",
            " – ".join(x for x in (programme.audience_detail, programme.prerequisites) if x) or "–",
        ),
    ]
    title = "du contrat" if doc.agreement.is_contract else "de la convention"
    return [para(f"Article 1 – Objet {title}", "heading"), facts_table(rows, width)]


def _organisation(doc: AgreementDocument, width: float) -> list:
    agreement, cohort = doc.agreement, doc.agreement.cohort
    programme = cohort.programme
    names = [t.full_name for t in doc.trainees] or ["(à désigner)"]
    rows = [
        ("Dates", f"du {long_date(cohort.start_date)} au {long_date(cohort.end_date)}"),
        ("Durée", f"{minutes_label(doc.minutes)} de formation, en {len(doc.sessions) or '–'} demi-journée(s)"),
        ("Lieu", doc.place),
        ("Modalité", programme.modality.label if programme.modality else "Présentiel"),
        ("Session", f"{cohort.name} ({'intra-entreprise' if cohort.is_intra else 'inter-entreprises'})"),
        (f"Stagiaire(s) ({agreement.trainee_count})", lines_markup(names)),
    ]
    return [para("Article 2 – Organisation de l'action", "heading"), facts_table(rows, width)]


def _price(doc: AgreementDocument, width: float) -> list:
    agreement = doc.agreement
    each = agreement.price_cents // agreement.trainee_count if agreement.trainee_count else agreement.price_cents
    rows = [
        ("Prix total TTC", euros(agreement.price_cents)),
        ("Soit par stagiaire", euros(each)),
        ("Modalités de paiement", agreement.payment_terms),
    ]
    return [para("Article 3 – Prix et modalités de paiement", "heading"), facts_table(rows, width)]


def _closing_articles(doc: AgreementDocument, width: float) -> list:
    agreement = doc.agreement
    title = "Délai de rétractation et interruption" if agreement.is_contract else "Annulation, report, dédit"
    articles = [
        (f"Article 4 – {title}", agreement.cancellation_terms),
        (
            "Article 5 – Suivi, évaluation et sanction de l'action",
            "L'assiduité est attestée par des feuilles d'émargement signées par demi-journée par chaque stagiaire et "
            "le formateur. Les acquis sont évalués selon les modalités du programme annexé. À l'issue de l'action, "
            "chaque stagiaire reçoit une attestation de fin de formation (objectifs, nature, durée, résultats de "
            "l'évaluation) ; un certificat de réalisation est remis au financeur.",
        ),
        (
            "Article 6 – Différends",
            "Les parties recherchent d'abord une solution amiable ; à défaut, le tribunal compétent du siège de "
            "l'organisme de formation est saisi.",
        ),
    ]
    # A heading never ends a page without its text.
    return [KeepTogether([para(heading, "heading"), para(body)]) for heading, body in articles]


def _signatures(doc: AgreementDocument, identity: Identity, width: float) -> list:
    agreement = doc.agreement
    signed = f"le {short_date(agreement.signed_on)}" if agreement.signed_on else "le ____________"
    other = "Le stagiaire" if agreement.is_contract else f"Pour le client, {text(agreement.employer.name)}"
    return [
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                para(f"Fait en deux exemplaires originaux, à {identity.city or '…'}, {signed}."),
                Spacer(1, 3 * mm),
                signature_boxes(
                    f"<b>Pour l'organisme de formation</b><br/>{text(identity.legal_representative)}, "
                    f"{text(identity.legal_representative_title)}<br/>Cachet et signature",
                    f"<b>{other}</b><br/>Nom, qualité, cachet et signature<br/>précédés de « Lu et approuvé »",
                    width,
                ),
            ]
        )
    ]


def _programme(doc: AgreementDocument, width: float) -> list:
    programme = doc.agreement.cohort.programme
    rows = [
        ("Intitulé", programme.title),
        ("Objectifs", lines_markup(programme.objective_lines)),
        ("Contenu", programme.content or "–"),
        ("Méthodes pédagogiques", programme.teaching_methods or "–"),
        ("Modalités d'évaluation", programme.assessment_methods or "–"),
        ("Prérequis", programme.prerequisites or "Aucun"),
        ("Public visé", programme.audience_detail or (programme.audience.label if programme.audience else "–")),
        ("Durée", minutes_label(doc.minutes)),
        ("Calendrier", lines_markup([_half_day(s) for s in doc.sessions] or ["à préciser"])),
    ]
    return [
        PageBreak(),
        markup("Annexe – Programme de la formation", "title"),
        para(
            f"Annexé {'au' if doc.agreement.is_contract else 'à la'} {_kind(doc)} n° {doc.agreement.number}", "subtitle"
        ),
        facts_table(rows, width),
    ]


def _half_day(session) -> str:
    return (
        f"{short_date(session.date)} {session.half_day.label.lower()}, "
        f"{session.start_time:%H:%M}-{session.end_time:%H:%M}"
        + (f" ({session.trainer.full_name})" if session.trainer else "")
    )


def _kind(doc: AgreementDocument) -> str:
    return "contrat de formation" if doc.agreement.is_contract else "convention de formation"


def render_agreement(doc: AgreementDocument, identity: Identity) -> bytes:
    agreement = doc.agreement
    width = page_width()
    law = "articles L.6353-3 à L.6353-7" if agreement.is_contract else "articles L.6353-1 et D.6353-1"
    story = [
        identity_header(identity, width),
        Spacer(1, 5 * mm),
        markup(f"{text(_kind(doc)).capitalize()} professionnelle", "title"),
        para(f"N° {agreement.number} · {law} du Code du travail", "subtitle"),
    ]
    if agreement.is_contract:
        story.append(
            para(
                f"Délai de rétractation : {agreement.withdrawal_days} jours à compter de la signature"
                + (" (contrat conclu à distance)." if agreement.signed_at_distance else "."),
                "small",
            )
        )
    story += _parties(doc, identity, width)
    story += _action(doc, width) + _organisation(doc, width) + _price(doc, width)
    story += _closing_articles(doc, width) + _signatures(doc, identity, width) + _programme(doc, width)
    return build_pdf(
        story,
        title=f"{_kind(doc).capitalize()} {agreement.number}",
        footer=f"{identity.name} · {_kind(doc)} n° {agreement.number}",
        author=identity.name,
    )
