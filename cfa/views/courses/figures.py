"""The yearly figures of short courses (bilan des formations courtes): per audience and per action, with an export."""

from flask import render_template

from cfa.formatting import today_paris
from cfa.renderers.course_figures_xlsx import render_course_figures
from cfa.services.course_figures import yearly_figures, years_with_courses
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.downloads import attachment
from cfa.views.params import year_arg

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.route("/bilan")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY)
def figures():
    year = year_arg(default=today_paris().year)
    years = sorted({year, today_paris().year, *years_with_courses()}, reverse=True)
    return render_template("courses/figures.html", figures=yearly_figures(year), year=year, years=years)


@bp.route("/bilan.xlsx")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY)
def figures_export():
    year = year_arg(default=today_paris().year)
    data = render_course_figures(yearly_figures(year))
    return attachment(data, f"bilan-formations-courtes-{year}.xlsx", XLSX)
