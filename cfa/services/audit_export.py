"""The Qualiopi audit file of a year and a centre: one part per indicator, with the figure and the rows it was
computed from, for the XLSX (a sheet per indicator) and the PDF report. Export jobs keep the finished file.

The data is read here; the renderers turn it into bytes; cfa/jobs.py runs it on the queue or inline.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa

from cfa.extensions import db
from cfa.formatting import percent, short_date
from cfa.models import (
    Centre,
    Cohort,
    Complaint,
    DeclaredRate,
    Enrolment,
    ExportJob,
    ExportStatus,
    ImprovementAction,
    JuryCandidate,
    JurySession,
    JuryStatus,
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    User,
)
from cfa.services import attendance_rates, complaints, quality_series
from cfa.services import quality_indicators as qi
from cfa.services.organisation import current_organisation

KINDS = {
    "audit_xlsx": "Classeur XLSX (une feuille par indicateur)",
    "audit_pdf": "Rapport PDF (chiffres et graphiques)",
}


@dataclass
class Part:
    """One indicator's sheet: its figures (label, value, numerator, denominator, definition) and its rows."""

    number: int
    title: str
    figures: list[tuple[str, str, int | str, int | str, str]]
    headers: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)


@dataclass
class AuditFile:
    year: int
    centre: str
    organisation: str
    parts: list[Part]
    series: dict


def _fig(fig: qi.Figure) -> tuple[str, str, int, int, str]:
    value = percent(fig.value) if fig.value is not None else "pas de données"
    return (
        fig.label,
        value,
        fig.rate.numerator,
        fig.rate.denominator,
        f"{fig.numerator_label} / {fig.denominator_label}",
    )


def _rate(label: str, rate, definition: str) -> tuple[str, str, int, int, str]:
    value = percent(rate.value) if rate.value is not None else "pas de données"
    return (label, value, rate.numerator, rate.denominator, definition)


def build(year: int, centre_id: int | None = None, progress: Callable[[int], None] = lambda p: None) -> AuditFile:
    scope = qi.Scope(year, centre_id=centre_id)
    ids = list(db.session.scalars(qi.enrolled_during(scope)))
    rates = attendance_rates.recorded_by_enrolment(ids, scope.start, scope.end)
    # The year's attendance figure is the sum of the rows the file lists, read now; the chart's earlier years are
    # the dashboard's kept totals (services/attendance_snapshots.py).
    summed = attendance_rates.Rate()
    for rate in rates.values():
        summed.add(rate)
    board = qi.dashboard(scope, attendance_figure=qi.figure("attendance", summed.attended, summed.scheduled))
    progress(20)
    cohorts = qi.cohort_ids(scope)
    parts = [
        _results_part(board),
        _certification_part(board, scope, cohorts),
        _attendance_part(board, ids, rates),
    ]
    progress(50)
    parts += [_integration_part(board), _appraisals_part(board, scope, cohorts)]
    parts += [_complaints_part(board, scope, cohorts), _actions_part(board)]
    progress(80)
    centre = db.session.get(Centre, centre_id).name if centre_id else "Tous les centres"
    organisation = current_organisation()
    return AuditFile(
        year,
        centre,
        organisation.name if organisation else "CFA",
        parts,
        quality_series.yearly_series(scope, kept=True),
    )


def _results_part(board) -> Part:
    figures = [_fig(f) for f in (board.success, board.interruption, board.rupture)]
    rows = [
        [
            r.programme_id or "CFA",
            r.kind.label,
            r.value_percent if r.value_percent is not None else "effectif insuffisant",
            r.population,
            r.source,
            short_date(r.published_on),
        ]
        for r in db.session.scalars(sa.select(DeclaredRate).where(DeclaredRate.year == board.scope.year))
    ]
    return Part(
        2,
        "Indicateurs de résultats (L.6111-8)",
        figures,
        ["Formation", "Taux déclaré", "Valeur (%)", "Effectif", "Source", "Publié le"],
        rows,
    )


def _certification_part(board, scope, cohorts) -> Part:
    stmt = (
        sa.select(JurySession.date, Cohort.name, User.last_name, User.first_name, JuryCandidate.decision)
        .join(JurySession, JurySession.id == JuryCandidate.jury_session_id)
        .join(Cohort, Cohort.id == JurySession.cohort_id)
        .join(Enrolment, Enrolment.id == JuryCandidate.enrolment_id)
        .join(User, User.id == Enrolment.apprentice_id)
        .where(JurySession.status == JuryStatus.PUBLISHED, JurySession.date.between(scope.start, scope.end))
        .order_by(JurySession.date, Cohort.name, User.last_name)
    )
    if cohorts is not None:
        stmt = stmt.where(Cohort.id.in_(cohorts))
    rows = [
        [short_date(d), c, f"{last.upper()} {first}", dec.label] for d, c, last, first, dec in db.session.execute(stmt)
    ]
    return Part(
        3,
        "Taux d'obtention des certifications",
        [_fig(board.success), _fig(board.partial)],
        ["Jury du", "Promotion", "Candidat·e", "Décision"],
        rows,
    )


def _attendance_part(board, ids: list[int], rates: dict[int, attendance_rates.Rate]) -> Part:
    names = {
        e_id: (cohort, f"{last.upper()} {first}", status)
        for e_id, cohort, last, first, status in db.session.execute(
            sa.select(Enrolment.id, Cohort.name, User.last_name, User.first_name, Enrolment.status)
            .join(Cohort, Cohort.id == Enrolment.cohort_id)
            .join(User, User.id == Enrolment.apprentice_id)
            .where(Enrolment.id.in_(ids))
        )
    }
    rows = [
        [
            *names[e][:2],
            names[e][2].label,
            r.scheduled,
            r.attended,
            r.absent_justified,
            r.absent_unjustified,
            percent(r.value) if r.value is not None else "pas de données",
        ]
        for e, r in sorted(rates.items(), key=lambda item: names[item[0]][:2])
    ]
    headers = [
        "Promotion",
        "Apprenti·e",
        "Statut",
        "Minutes émargées",
        "Minutes suivies",
        "Absences justifiées (min)",
        "Absences injustifiées (min)",
        "Taux",
    ]
    return Part(12, "Engagement et prévention des ruptures", [_fig(board.attendance)], headers, rows)


def _integration_part(board) -> Part:
    figures = [_fig(board.integration_estimate), _fig(board.continuation_estimate)]
    for kind, rate in board.declared.items():
        value = f"{rate.value_percent} %" if rate.value_percent is not None else "effectif insuffisant"
        figures.append(
            (
                f"{kind.label} (déclaré)",
                value,
                "",
                rate.population or "",
                f"{rate.source}, publié le {short_date(rate.published_on)}",
            )
        )
    return Part(29, "Insertion professionnelle et poursuite d'études", figures)


def _appraisals_part(board, scope, cohorts) -> Part:
    figures = [
        _rate(f"Satisfaction : {a.label}", r, "réponses 4 ou 5 sur 5 / réponses à la question globale")
        for a, r in board.satisfaction.items()
    ]
    figures += [
        _rate(f"Taux de réponse : {a.label}", r, "invitations répondues / invitations envoyées")
        for a, r in board.responses.items()
    ]
    stmt = (
        sa.select(
            SurveyCampaign.title,
            Survey.audience,
            SurveyCampaign.closes_on,
            sa.func.count(SurveyInvitation.id).filter(SurveyInvitation.sent_at.is_not(None)),
            sa.func.count(SurveyInvitation.id).filter(SurveyInvitation.responded_at.is_not(None)),
        )
        .join(Survey, Survey.id == SurveyCampaign.survey_id)
        .outerjoin(SurveyInvitation, SurveyInvitation.campaign_id == SurveyCampaign.id)
        .where(SurveyCampaign.closes_on.between(scope.start, scope.end))
        .group_by(SurveyCampaign.id, SurveyCampaign.title, Survey.audience, SurveyCampaign.closes_on)
        .order_by(SurveyCampaign.closes_on)
    )
    if cohorts is not None:
        stmt = stmt.where(SurveyCampaign.cohort_id.in_(cohorts))
    rows = [[t, a.label, short_date(c), sent, answered] for t, a, c, sent, answered in db.session.execute(stmt)]
    return Part(
        30, "Recueil des appréciations", figures, ["Campagne", "Public", "Close le", "Invitations", "Réponses"], rows
    )


def _complaints_part(board, scope, cohorts) -> Part:
    stmt = complaints.register_query(scope.year)
    if cohorts is not None:
        stmt = stmt.where(Complaint.cohort_id.in_(cohorts))
    goal = complaints.targets()
    rows = []
    for c in db.session.scalars(stmt):
        ack, answer, close = complaints.delays(c, goal=goal)
        rows.append(
            [
                short_date(c.received_on),
                complaints.CHANNELS.get(c.channel, c.channel),
                c.complainant_kind.label,
                c.subject,
                c.status.label,
                ack.days if ack.done_on else "",
                answer.days if answer.done_on else "",
                close.days if close.done_on else "",
                "oui" if any(s.late for s in (ack, answer, close)) else "non",
            ]
        )
    headers = [
        "Reçue le",
        "Canal",
        "Qualité",
        "Objet",
        "Statut",
        "Accusé (j)",
        "Réponse (j)",
        "Clôture (j)",
        "Hors délai",
    ]
    return Part(31, "Traitement des réclamations", [_fig(board.complaints)], headers, rows)


def _actions_part(board) -> Part:
    counts = board.action_counts
    figures = [_fig(board.actions)] + [
        (label, str(counts[key]), "", "", "nombre d'actions")
        for key, label in (("open", "Actions ouvertes"), ("late", "dont en retard"), ("done", "Actions réalisées"))
    ]
    stmt = (
        sa.select(ImprovementAction)
        .order_by(ImprovementAction.id)
        .options(sa.orm.selectinload(ImprovementAction.indicators), sa.orm.selectinload(ImprovementAction.owner))
    )
    rows = [
        [
            a.title,
            a.source.label,
            a.owner.full_name if a.owner else "",
            short_date(a.due_on) if a.due_on else "",
            a.status.label,
            short_date(a.done_on) if a.done_on else "",
            a.evidence or "",
            ", ".join(str(i.number) for i in a.indicators),
        ]
        for a in db.session.scalars(stmt)
    ]
    headers = ["Action", "Origine", "Pilote", "Échéance", "Statut", "Réalisée le", "Preuve", "Indicateurs"]
    return Part(32, "Mesures d'amélioration", figures, headers, rows)


def request_export(actor: User, kind: str, year: int, centre_id: int | None) -> ExportJob:
    if kind not in KINDS:
        raise ValueError("Type d'export inconnu.")
    job = ExportJob(kind=kind, parameters={"year": year, "centre_id": centre_id}, requested_by_id=actor.id)
    db.session.add(job)
    db.session.flush()
    return job


def mark(job: ExportJob, status: ExportStatus, progress: int, **values) -> None:
    job.status, job.progress = status, progress
    for key, value in values.items():
        setattr(job, key, value)
    if status in (ExportStatus.DONE, ExportStatus.FAILED):
        job.finished_at = datetime.now(UTC)
    db.session.flush()


def recent_jobs(limit: int = 20) -> list[ExportJob]:
    return list(db.session.scalars(sa.select(ExportJob).order_by(ExportJob.id.desc()).limit(limit)))
