"""The trainee's documents of a short course: the convocation (each half-day, the place, what to bring, whom to
call) and the attestation de fin de formation (L.6353-1: objectives, nature, duration, results of the assessment),
whose hours are those the sign-in sheets prove, lateness and early leaves deducted."""

from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Spacer

from cfa.formatting import long_date, medium_date, minutes_label, short_date
from cfa.renderers.pdf.base import (
    Identity,
    build_pdf,
    facts_table,
    identity_header,
    lines_markup,
    markup,
    page_width,
    para,
    text,
)
from cfa.renderers.pdf.certificat_realisation import nature_of
from cfa.services.attendance_documents import Period
from cfa.services.course_documents import BRING, Convocation


def _convocation(convocation: Convocation, identity: Identity, issued_on: date) -> list:
    enrolment = convocation.enrolment
    cohort = enrolment.cohort
    person = enrolment.apprentice
    width = page_width()
    employer = enrolment.employer.name if enrolment.employer else None
    rows = [
        ("Formation", cohort.programme.title),
        ("Session", cohort.name),
        ("Durée", minutes_label(convocation.minutes)),
        ("Dates et horaires", lines_markup(convocation.schedule or ["à préciser"])),
        ("Lieu", convocation.place),
        ("Contact", convocation.contact),
    ]
    return [
        identity_header(identity, width),
        Spacer(1, 8 * mm),
        markup(
            f"<b>{text(person.full_name)}</b>" + (f"<br/>{text(employer)}" if employer else ""),
            "right",
        ),
        Spacer(1, 4 * mm),
        para(f"{identity.city}, le {medium_date(issued_on)}", "right"),
        Spacer(1, 4 * mm),
        para("Convocation à une action de formation", "title"),
        Spacer(1, 2 * mm),
        markup(
            f"{text(person.full_name)},<br/><br/>Vous êtes inscrit·e à la formation ci-dessous ; nous avons le plaisir "
            "de vous y convoquer. Chaque demi-journée, vous signerez la feuille d'émargement. En cas "
            "d'empêchement, prévenez-nous au plus tôt ainsi que votre employeur."
        ),
        Spacer(1, 4 * mm),
        facts_table(rows, width, key_width=38 * mm),
        para("Merci d'apporter :", "heading"),
        lines_markup(BRING, "body"),
        Spacer(1, 8 * mm),
        markup(
            f"<b>{text(identity.legal_representative)}</b><br/>{text(identity.legal_representative_title)}"
            f"<br/>{text(identity.name)}",
            "right",
        ),
    ]


def render_course_convocations(convocations: list[Convocation], identity: Identity, issued_on: date) -> bytes:
    """One page per trainee, in the order given (a session's trainees without e-mail get them on paper)."""
    story: list = []
    for index, convocation in enumerate(convocations):
        if index:
            story.append(PageBreak())
        story += _convocation(convocation, identity, issued_on)
    return build_pdf(
        story or [para("Aucun stagiaire à convoquer.")],
        title="Convocation à une action de formation",
        footer=f"{identity.name} · convocation",
        author=identity.name,
    )


def _attestation(period: Period, identity: Identity, issued_on: date) -> list:
    enrolment, rate = period.enrolment, period.rate
    cohort = enrolment.cohort
    programme = cohort.programme
    width = page_width()
    outcome = enrolment.outcome.label if enrolment.outcome else "Évaluation non renseignée"
    rows = [
        ("Stagiaire", enrolment.apprentice.full_name),
        ("Employeur", enrolment.employer.name if enrolment.employer else "À titre individuel"),
        ("Intitulé de l'action", f"{programme.title} (session {cohort.name})"),
        ("Nature de l'action", f"{nature_of(programme)} (article L.6313-1 du Code du travail)"),
        ("Objectifs", lines_markup(programme.objective_lines)),
        ("Dates", f"du {long_date(period.start)} au {long_date(period.end)}"),
        ("Durée prévue", minutes_label(programme.total_minutes)),
        ("Heures suivies", f"{minutes_label(rate.attended)} (retards et départs anticipés déduits)"),
        ("Évaluation des acquis", outcome + (f" – {enrolment.outcome_note}" if enrolment.outcome_note else "")),
    ]
    detail = (
        f"Selon les feuilles d'émargement : {minutes_label(rate.scheduled)} émargées, dont "
        f"{minutes_label(rate.absent_justified + rate.absent_unjustified)} d'absence et "
        f"{minutes_label(rate.late + rate.left_early)} de retards et départs anticipés."
    )
    if rate.not_recorded_minutes:
        detail += f" {minutes_label(rate.not_recorded_minutes)} sans feuille d'émargement, non comptées."
    return [
        identity_header(identity, width),
        Spacer(1, 6 * mm),
        markup("Attestation de fin de formation", "title"),
        para("Article L.6353-1 du Code du travail", "small"),
        Spacer(1, 5 * mm),
        markup(
            f"Je soussigné·e <b>{text(identity.legal_representative)}</b>, "
            f"{text(identity.legal_representative_title)} de <b>{text(identity.name)}</b>, atteste que la personne "
            "ci-dessous a suivi l'action de formation suivante :"
        ),
        Spacer(1, 4 * mm),
        facts_table(rows, width),
        Spacer(1, 2 * mm),
        para(detail, "small"),
        Spacer(1, 8 * mm),
        para(f"Fait à {identity.city or '…'}, le {short_date(issued_on)}"),
        Spacer(1, 3 * mm),
        markup(
            f"<b>{text(identity.legal_representative)}</b>, {text(identity.legal_representative_title)}<br/>"
            "Cachet et signature",
            "small",
        ),
    ]


def render_end_of_course_attestations(periods: list[Period], identity: Identity, issued_on: date) -> bytes:
    story: list = []
    for index, period in enumerate(periods):
        if index:
            story.append(PageBreak())
        story += _attestation(period, identity, issued_on)
    name = periods[0].enrolment.apprentice.full_name if len(periods) == 1 else "session"
    return build_pdf(
        story or [para("Aucun stagiaire.")],
        title=f"Attestation de fin de formation – {name}",
        footer=f"{identity.name} · attestation de fin de formation",
        author=identity.name,
    )
