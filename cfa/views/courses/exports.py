"""The lists of short courses as spreadsheets: the runs (sessions de formation) as filtered on their page, and a
run's trainees, for the training organisation's own files, a client or a funder."""

from flask import request

from cfa.renderers.spreadsheets import Field, Hours
from cfa.services import short_courses
from cfa.services.permissions import Ability
from cfa.services.trainees import run_trainees_statement
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.courses.runs import audience_filter, run_or_404
from cfa.views.downloads import export_query

RUN_FIELDS = [
    Field("Début", lambda r: r[0].start_date),
    Field("Fin", lambda r: r[0].end_date),
    Field("Formation", lambda r: r[0].programme.title),
    Field("Session", lambda r: r[0].name),
    Field("Public", lambda r: r[0].programme.audience),
    Field("Client (intra)", lambda r: r[0].client.name if r[0].client else None),
    Field("Lieu", lambda r: short_courses.place_of(r[0])),
    Field("Stagiaires", lambda r: r[1].trainees),
    Field("Demi-journées", lambda r: r[1].half_days),
    Field("Heures planifiées", lambda r: Hours.of(r[1].minutes)),
    Field("Heures prévues", lambda r: Hours.of(r[0].programme.total_minutes)),
]

TRAINEE_FIELDS = [
    Field("Nom", lambda e: e.apprentice.last_name),
    Field("Prénom", lambda e: e.apprentice.first_name),
    Field("E-mail", lambda e: e.apprentice.email),
    Field("Téléphone", lambda e: e.apprentice.phone),
    Field("Employeur", lambda e: e.employer.name if e.employer else "À titre individuel"),
    Field("SIRET", lambda e: e.employer.siret if e.employer else None),
    Field("Statut", lambda e: e.status),
    Field("Convoqué·e le", lambda e: e.convened_at),
    Field("Objectifs", lambda e: e.outcome),
    Field("Observation", lambda e: e.outcome_note),
]


@bp.route("/sessions.<fmt>")
@requires(Ability.MANAGE_SETUP)
def export_runs(fmt: str):
    stmt = short_courses.runs_statement(
        request.args.get("annee", type=int), audience_filter(), request.args.get("formation", type=int)
    )
    counts = short_courses.run_counts
    return export_query(fmt, "Sessions de formation", RUN_FIELDS, stmt, lambda runs: counts([r.id for r in runs]))


@bp.route("/sessions/<int:cohort_id>/stagiaires.<fmt>")
@requires(Ability.MANAGE_SETUP)
def export_trainees(cohort_id: int, fmt: str):
    run = run_or_404(cohort_id)
    stmt = run_trainees_statement(run.id)
    return export_query(fmt, f"Stagiaires {run.name}", TRAINEE_FIELDS, stmt)
