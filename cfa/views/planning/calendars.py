"""The list of cohorts' calendars, a cohort's year overview and its week view."""

from datetime import timedelta

import sqlalchemy as sa
from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.models import Cohort, Enrolment
from cfa.renderers.pdf.alternance_plan import render_alternance_plan
from cfa.services import calendar_queries, cohort_lists
from cfa.services.calendar_generation import french_holidays, monday_of
from cfa.services.permissions import Ability, can, can_view_cohort_calendar, can_view_enrolment, teaches_cohort_clause
from cfa.views.access import requires, signed_in
from cfa.views.crud import paginate
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.feeds import cohort_feed_url
from cfa.views.params import id_arg, list_year
from cfa.views.planning import bp, cohort_or_404, known_id, parse_day


@bp.route("/")
@requires(Ability.VIEW_ALL_PLANNING, Ability.TAKE_ATTENDANCE)
def cohorts():
    year, centre_id = list_year(), id_arg("centre")
    stmt = cohort_lists.narrowed(
        sa.select(Cohort)
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre))
        .order_by(Cohort.start_date.desc(), Cohort.name),
        year,
        centre_id,
    )
    if not can(current_user, Ability.VIEW_ALL_PLANNING):
        stmt = stmt.where(teaches_cohort_clause(current_user, Cohort.id))
    page = paginate(stmt)
    return render_template(
        "planning/cohorts.html",
        page=page,
        minutes=calendar_queries.planned_minutes_by_cohort(c.id for c in page.items),
        year=year,
        centre_id=centre_id,
        years=cohort_lists.years(),
        centres=choices.centres(),
    )


@bp.route("/promotions/<int:cohort_id>")
@signed_in
def cohort(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    return render_template(
        "planning/cohort.html",
        cohort=cohort,
        calendar=calendar_queries.cohort_calendar(cohort),
        skill_blocks=calendar_queries.cohort_skill_blocks(cohort),
        cohort_feed_url=cohort_feed_url,
        today=today_paris(),
        week=timedelta(days=7),
    )


@bp.route("/promotions/<int:cohort_id>/semaine")
@signed_in
def week(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    day = parse_day(request.args.get("du")) or max(cohort.start_date, min(today_paris(), cohort.end_date))
    monday = monday_of(day)
    sessions = calendar_queries.cohort_sessions(cohort.id, monday, monday + timedelta(days=6))
    days = [monday + timedelta(days=i) for i in range(5)]
    grid = {(s.date, s.half_day.value): s for s in sessions if not s.is_cancelled}
    cancelled = [s for s in sessions if s.is_cancelled]
    return render_template(
        "planning/week.html",
        cohort=cohort,
        monday=monday,
        days=days,
        grid=grid,
        cancelled=cancelled,
        minutes=sum(s.minutes for s in grid.values()),
        previous=monday - timedelta(days=7),
        next=monday + timedelta(days=7),
        today=today_paris(),
    )


@bp.route("/promotions/<int:cohort_id>/planning.pdf")
@signed_in
def year_plan_pdf(cohort_id: int):
    cohort = cohort_or_404(cohort_id, can_view_cohort_calendar)
    enrolment = None
    if enrolment_id := request.args.get("inscription", type=int):
        enrolment = db.session.get(Enrolment, known_id(enrolment_id))
        if enrolment is None or enrolment.cohort_id != cohort.id or not can_view_enrolment(current_user, enrolment):
            abort(404)
    body = render_alternance_plan(
        calendar_queries.cohort_calendar(cohort),
        cfa_identity(),
        sorted(french_holidays(cohort.start_date, cohort.end_date).items()),
        enrolment,
    )
    return attachment(body, f"Planning d'alternance {cohort.name}.pdf", "application/pdf", inline=True)
