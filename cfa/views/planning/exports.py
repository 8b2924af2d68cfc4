"""A cohort's half-days as a spreadsheet (date, times, hours, module, trainer, room, status), for whoever may read
its planning page: the CFA's staff and the trainers who teach the cohort."""

from cfa.renderers.spreadsheets import Field, Hours
from cfa.services.calendar_queries import cohort_sessions_statement
from cfa.views.access import signed_in
from cfa.views.downloads import export_query
from cfa.views.planning import bp, cohort_or_404

SESSION_FIELDS = [
    Field("Date", lambda s: s.date),
    Field("Demi-journée", lambda s: s.half_day),
    Field("Début", lambda s: s.start_time),
    Field("Fin", lambda s: s.end_time),
    Field("Heures", lambda s: Hours.of(s.minutes)),
    Field("Module", lambda s: s.module.title if s.module else None),
    Field("Formateur·rice", lambda s: s.trainer.full_name if s.trainer else None),
    Field("Salle", lambda s: s.room.name if s.room else None),
    Field("Statut", lambda s: s.status),
    Field("Note", lambda s: s.note),
]


@bp.route("/promotions/<int:cohort_id>/seances.<fmt>")
@signed_in
def export_sessions(cohort_id: int, fmt: str):
    cohort = cohort_or_404(cohort_id)
    return export_query(fmt, f"Séances {cohort.name}", SESSION_FIELDS, cohort_sessions_statement(cohort.id))
