"""The Qualiopi referential with the evidence Cadence holds, the indicators dashboard and the declared rates."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.quality import DeclaredRateForm
from cfa.models import Audience, DeclaredRate, DeclaredRateKind
from cfa.renderers.quality_charts import CHART_LABELS, rates_chart, svg
from cfa.services import attendance_snapshots, quality_referential, quality_series
from cfa.services import quality_indicators as qi
from cfa.services.permissions import Ability
from cfa.services.quality_declared import DeclaredError, save_declared
from cfa.views.access import requires
from cfa.views.params import id_arg, year_arg
from cfa.views.quality import bp


@bp.route("/referentiel")
@requires(Ability.MANAGE_QUALITY)
def referential():
    return render_template(
        "quality/referential.html",
        criteria=quality_referential.by_criterion(),
        version=quality_referential.CURRENT_VERSION,
        pages=quality_referential.EVIDENCE_PAGES,
    )


def scope_from_args() -> qi.Scope:
    year = year_arg(default=today_paris().year - 1)
    return qi.Scope(year, id_arg("centre"), id_arg("formation"), id_arg("promotion"))


@bp.route("/")
@requires(Ability.MANAGE_QUALITY)
def dashboard():
    scope = scope_from_args()
    # The year's cohorts only (of the chosen centre and programme): the network's every cohort would be hundreds.
    cohorts = choices.cohorts_of(scope.year, scope.centre_id, scope.programme_id)
    chart = svg(rates_chart(quality_series.yearly_series(scope, kept=True), CHART_LABELS))
    page = render_template(
        "quality/dashboard.html",
        board=qi.dashboard(scope, kept=True),
        chart=chart,
        audiences=Audience,
        kinds=DeclaredRateKind,
        centres=choices.centres(),
        programmes=choices.programmes(),
        cohorts=cohorts,
    )
    db.session.commit()  # after rendering: the closed years' attendance totals computed for it are kept
    return page


@bp.route("/recalculer", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def recompute():
    """Forget the kept attendance totals of the years the dashboard shows: they are computed again on the way back."""
    scope = scope_from_args()
    attendance_snapshots.forget(qi.Scope(year, *scope.filters).key for year in quality_series.series_years(scope))
    db.session.commit()
    flash("Assiduité recalculée à partir des émargements.", "success")
    return redirect(url_for("quality.dashboard", **request.args))


@bp.route("/taux-declares", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def declared():
    form = DeclaredRateForm(year=today_paris().year - 1, published_on=today_paris())
    form.programme_id.set_choices(choices.programmes())
    if form.validate_on_submit():
        try:
            save_declared(current_user, **{k: v for k, v in form.data.items() if k != "csrf_token"})
        except DeclaredError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Taux déclaré enregistré.", "success")
            return redirect(url_for("quality.declared"))
    rows = db.session.scalars(
        sa.select(DeclaredRate).order_by(DeclaredRate.year.desc(), DeclaredRate.programme_id, DeclaredRate.kind)
    ).all()
    return render_template("quality/declared.html", form=form, rows=rows, programmes=dict(choices.programmes()))
