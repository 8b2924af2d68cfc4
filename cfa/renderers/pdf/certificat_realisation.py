"""The certificat de réalisation (model of the Ministry of Labour) and the attestation d'assiduité.

The hours are those the marks prove: minutes attended, late arrivals and early leaves deducted.
"""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer, Table, TableStyle

from cfa.formatting import long_date, minutes_label, percent, short_date
from cfa.renderers.pdf.base import (
    LINE,
    Identity,
    build_pdf,
    grid_style,
    identity_header,
    markup,
    page_width,
    para,
    text,
)
from cfa.services.attendance_documents import Period

NATURES = [
    "Action de formation",
    "Bilan de compétences",
    "Action de VAE",
    "Action de formation par apprentissage",
]


def _box(checked: bool) -> str:
    return "[X]" if checked else "[  ]"


def nature_of(programme) -> str:
    """The nature ticked on the official model: an apprentice's training is the fourth, a short course the first."""
    return NATURES[0] if programme.is_short_course else NATURES[3]


def _nature_lines(programme) -> str:
    nature = nature_of(programme)
    return "<br/>".join(f"{_box(n == nature)} {text(n)}" for n in NATURES)


def _certificate(period: Period, identity: Identity, issued_on: date) -> list:
    enrolment = period.enrolment
    width = page_width()
    story = [identity_header(identity, width), Spacer(1, 6 * mm), markup("Certificat de réalisation", "title")]
    story.append(
        para(
            "Article L.6353-1 du Code du travail · modèle du ministère chargé de la formation professionnelle", "small"
        )
    )
    story.append(Spacer(1, 6 * mm))
    representative = identity.legal_representative or "le représentant légal"
    story.append(
        markup(
            f"Je soussigné·e <b>{text(representative)}</b>, {text(identity.legal_representative_title)}, représentant légal "
            f"du dispensateur de l'action concourant au développement des compétences <b>{text(identity.name)}</b>, atteste que :",
        )
    )
    story.append(Spacer(1, 4 * mm))
    employer = period.employer_name or "– (sans employeur sur cette période)"
    programme = enrolment.cohort.programme
    short = programme.is_short_course
    nature_lines = _nature_lines(programme)
    facts = [
        ("Stagiaire" if short else "Apprenti·e", enrolment.apprentice.full_name),
        ("Salarié·e de l'entreprise", employer),
        ("A suivi l'action", f"{programme.title} ({'session' if short else 'promotion'} {enrolment.cohort.name})"),
        ("Nature de l'action", nature_lines),
        ("Qui s'est déroulée", f"du {short_date(period.start)} au {short_date(period.end)}"),
        ("Pour une durée de", f"{minutes_label(period.rate.attended)} réalisées"),
    ]
    cells = [[para(k, "cell_bold"), markup(v, "cell") if v is nature_lines else para(v, "cell")] for k, v in facts]
    table = Table(cells, colWidths=[50 * mm, width - 50 * mm])
    table.setStyle(TableStyle(grid_style(header_rows=0) + [("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]))
    story += [table, Spacer(1, 3 * mm)]
    detail = (
        f"Détail : {minutes_label(period.rate.scheduled)} d'émargements sur la période, dont "
        f"{minutes_label(period.rate.absent_justified)} d'absences justifiées, "
        f"{minutes_label(period.rate.absent_unjustified)} d'absences non justifiées, "
        f"{minutes_label(period.rate.late + period.rate.left_early)} de retards et départs anticipés."
    )
    if period.rate.not_recorded_minutes:
        # Hours without a closed sheet are neither claimed nor hidden: the funder sees they await regularisation.
        detail += (
            f" {minutes_label(period.rate.not_recorded_minutes)} de demi-journées non renseignées "
            "(feuille d'émargement non prise), non comptées."
        )
    story += [para(detail, "small"), Spacer(1, 6 * mm)]
    story.append(
        para(
            "Sans préjudice des délais imposés par les règles fixées dans le cadre de l'utilisation des fonds publics, "
            "je m'engage à conserver l'ensemble des pièces justificatives qui ont permis d'établir le présent certificat "
            "pendant une durée de 3 ans à compter de la fin de l'année du dernier paiement. En cas de cofinancement "
            "des fonds européens, la durée de conservation est étendue conformément aux obligations conventionnelles "
            "spécifiques."
        )
    )
    story.append(Spacer(1, 10 * mm))
    sign = Table(
        [
            [
                markup(f"Fait à {text(identity.city or '…')}, le {text(short_date(issued_on))}", "body"),
                markup(
                    f"<b>{text(representative)}</b><br/>{text(identity.legal_representative_title)}<br/>"
                    "Cachet et signature du dispensateur de l'action",
                    "small",
                ),
            ]
        ],
        colWidths=[width / 2, width / 2],
        rowHeights=[35 * mm],
    )
    sign.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (1, 0), (1, 0), 0.4, LINE)]))
    story.append(sign)
    return story


def render_certificats(periods: list[Period], identity: Identity, issued_on: date) -> bytes:
    story = []
    for index, period in enumerate(periods):
        if index:
            story.append(PageBreak())
        story += _certificate(period, identity, issued_on)
    name = periods[0].enrolment.apprentice.full_name if len(periods) == 1 else "promotion"
    return build_pdf(
        story or [para("Aucun apprenti·e.")],
        title=f"Certificat de réalisation – {name}",
        footer=f"{identity.name} · certificat de réalisation",
        author=identity.name,
    )


def _employers(period: Period) -> str:
    """Who employed the apprentice: each contract's employer for its dates when there were several."""
    if len(period.employers) > 1:
        parts = [f"{text(name)} du {text(short_date(a))} au {text(short_date(b))}" for name, a, b in period.employers]
        return ", employé·e par " + ", puis par ".join(parts)
    return f", employé·e par {text(period.employer_name)}" if period.employer_name else ""


def render_attestation(period: Period, identity: Identity, issued_on: date) -> bytes:
    """The attestation d'assiduité: what was scheduled, what was attended, the absences counted apart."""
    enrolment = period.enrolment
    rate = period.rate
    width = page_width()
    story = [
        identity_header(identity, width),
        Spacer(1, 6 * mm),
        markup("Attestation d'assiduité", "title"),
        Spacer(1, 4 * mm),
    ]
    learner = "stagiaire de la session" if enrolment.cohort.programme.is_short_course else "apprenti·e de la promotion"
    employer = _employers(period)
    story.append(
        markup(
            f"{text(identity.name)} atteste que <b>{text(enrolment.apprentice.full_name)}</b>, {learner} "
            f"{text(enrolment.cohort.name)} ({text(enrolment.cohort.programme.title)}){employer}, a suivi la formation du "
            f"{text(long_date(period.start))} au {text(long_date(period.end))} avec l'assiduité suivante :"
        )
    )
    story.append(Spacer(1, 4 * mm))
    rows = [
        ["Heures de formation émargées", minutes_label(rate.scheduled)],
        ["Heures réalisées (retards et départs anticipés déduits)", minutes_label(rate.attended)],
        ["Taux d'assiduité", percent(rate.value, 1)],
        ["Absences justifiées", minutes_label(rate.absent_justified)],
        ["Absences non justifiées", minutes_label(rate.absent_unjustified)],
        [
            "Retards et départs anticipés",
            f"{rate.lateness} demi-journée(s), {minutes_label(rate.late + rate.left_early)}",
        ],
        [
            "Non renseigné (feuille d'émargement non prise, non comptée)",
            f"{rate.not_recorded_half_days} demi-journée(s), {minutes_label(rate.not_recorded_minutes)}",
        ],
    ]
    table = Table([[para(k, "cell_bold"), para(v, "cell")] for k, v in rows], colWidths=[100 * mm, width - 100 * mm])
    table.setStyle(TableStyle(grid_style(header_rows=0)))
    story += [table, Spacer(1, 10 * mm)]
    story.append(markup(f"Fait à {text(identity.city or '…')}, le {text(short_date(issued_on))}"))
    story.append(Spacer(1, 4 * mm))
    story.append(
        markup(f"<b>{text(identity.legal_representative)}</b>, {text(identity.legal_representative_title)}", "small")
    )
    return build_pdf(
        story,
        title=f"Attestation d'assiduité – {enrolment.apprentice.full_name}",
        footer=f"{identity.name} · attestation d'assiduité",
        author=identity.name,
    )
