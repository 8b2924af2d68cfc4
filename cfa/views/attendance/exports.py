"""Attendance as spreadsheets: a cohort's month (each apprentice's hours, as funders and employers ask for them)
and the justifications of absences."""

from datetime import date

from flask import abort, request

from cfa.formatting import month_year
from cfa.models import JustificationStatus
from cfa.renderers.spreadsheets import Field, Hours
from cfa.services import calendar_queries, justifications
from cfa.services.attendance_documents import month_bounds
from cfa.services.attendance_rates import rates_by_enrolment
from cfa.services.enrolments import cohort_enrolments
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.attendance import bp
from cfa.views.downloads import export, export_query


def _rate_percent(rate) -> float | None:
    return None if rate.value is None else round(rate.value * 100, 1)


MONTH_FIELDS = [
    Field("Nom", lambda r: r[0].apprentice.last_name),
    Field("Prénom", lambda r: r[0].apprentice.first_name),
    Field("Employeur", lambda r: r[0].employer.name if r[0].employer else None),
    Field("Statut", lambda r: r[0].status),
    Field("Demi-journées émargées", lambda r: r[1].half_days),
    Field("Heures émargées", lambda r: Hours.of(r[1].scheduled)),
    Field("Heures de présence", lambda r: Hours.of(r[1].attended)),
    Field("Taux d'assiduité (%)", lambda r: _rate_percent(r[1])),
    Field("Retards (h)", lambda r: Hours.of(r[1].late)),
    Field("Départs anticipés (h)", lambda r: Hours.of(r[1].left_early)),
    Field("Absences justifiées (h)", lambda r: Hours.of(r[1].absent_justified)),
    Field("Absences non justifiées (h)", lambda r: Hours.of(r[1].absent_unjustified)),
    Field("Non renseigné (h)", lambda r: Hours.of(r[1].not_recorded_minutes)),
]

JUSTIFICATION_FIELDS = [
    Field("Nom", lambda j: j.enrolment.apprentice.last_name),
    Field("Prénom", lambda j: j.enrolment.apprentice.first_name),
    Field("Promotion", lambda j: j.enrolment.cohort.name),
    Field("Du", lambda j: j.start_date),
    Field("Au", lambda j: j.end_date),
    Field("Motif", lambda j: j.reason),
    Field("Pièce jointe", lambda j: j.proof_path is not None),
    Field("Envoyé le", lambda j: j.created_at),
    Field("Décision", lambda j: j.status),
    Field("Décidé le", lambda j: j.decided_at),
    Field("Motif du refus", lambda j: j.refusal_reason),
]


@bp.route("/promotions/<int:cohort_id>/assiduite-<month>.<fmt>")
@requires(Ability.MANAGE_ATTENDANCE, Ability.MANAGE_QUALITY)
def export_cohort_month(cohort_id: int, month: str, fmt: str):
    cohort = calendar_queries.load_cohort(cohort_id) or abort(404)
    try:
        start, end = month_bounds(date.fromisoformat(f"{month}-01"))
    except (ValueError, OverflowError):
        abort(404)
    enrolments = cohort_enrolments(cohort.id)
    rates = rates_by_enrolment([e.id for e in enrolments], start, end)
    rows = [(e, rates[e.id]) for e in enrolments]
    return export(fmt, f"Assiduité {cohort.name} {month_year(start)}", MONTH_FIELDS, rows)


@bp.route("/justificatifs.<fmt>")
@requires(Ability.MANAGE_ATTENDANCE, Ability.MANAGE_QUALITY)
def export_justifications(fmt: str):
    status = request.args.get("statut")
    if status and status not in JustificationStatus._value2member_map_:
        abort(404, "Statut inconnu.")
    stmt = justifications.listing(JustificationStatus(status) if status else None)
    return export_query(fmt, "Justificatifs d'absence", JUSTIFICATION_FIELDS, stmt)
