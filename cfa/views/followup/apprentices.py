"""Each apprentice on one page: the tutor's "Mes apprentis", the référent's list with what needs action, and the
apprentice's follow-up page (summary, livret, visits, first-contact checklist)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import Enrolment, OnboardingItem
from cfa.services import followup, visits
from cfa.services.permissions import (
    Ability,
    can_follow_enrolment,
    followed_enrolments_clause,
    followup_enrolments_clause,
    is_referent_side,
)
from cfa.views.access import requires, signed_in
from cfa.views.crud import commit_or_report
from cfa.views.followup import bp
from cfa.views.forms import posted
from cfa.views.params import page_arg


def enrolment_or_404(enrolment_id: int, rule=can_follow_enrolment) -> Enrolment:
    """The enrolment, if the rule lets the user see it; a 404 otherwise (never confirm another's record exists)."""
    enrolment = db.session.get(Enrolment, enrolment_id)
    if enrolment is None or not rule(current_user, enrolment):
        abort(404)
    return enrolment


@bp.route("/mes-apprentis")
@requires(Ability.FOLLOW_APPRENTICES)
def my_apprentices():
    enrolments = followup.followed(followed_enrolments_clause(current_user))
    return render_template(
        "followup/my_apprentices.html", summaries=followup.summaries(enrolments, today_paris()), today=today_paris()
    )


@bp.route("/referent")
@requires(Ability.TAKE_ATTENDANCE, Ability.MANAGE_SETUP)
def referent():
    only_action = request.args.get("a_traiter") == "1"
    page = followup.referent_page(followup_enrolments_clause(current_user), today_paris(), only_action, page_arg())
    return render_template("followup/referent.html", page=page, only_action=only_action, labels=followup.FLAG_LABELS)


@bp.route("/apprentis/<int:enrolment_id>")
@signed_in
def apprentice(enrolment_id: int):
    enrolment = enrolment_or_404(enrolment_id)
    return render_template(
        "followup/apprentice.html",
        s=followup.summary_of(enrolment, today_paris()),
        checks=visits.checks_of(enrolment.id),
        items=list(OnboardingItem),
        labels=followup.FLAG_LABELS,
        referent_side=is_referent_side(current_user, enrolment),
        today=today_paris(),
    )


@bp.route("/apprentis/<int:enrolment_id>/accueil/<item>", methods=["POST"])
@signed_in
def tick(enrolment_id: int, item: str):
    enrolment = enrolment_or_404(enrolment_id)
    if item not in OnboardingItem._value2member_map_ or not posted():
        abort(404)
    try:
        visits.tick(current_user, enrolment, OnboardingItem(item))
    except visits.VisitError as error:
        flash(str(error), "error")
    else:
        if commit_or_report("Cet élément vient d'être coché par quelqu'un d'autre."):
            flash("Élément de l'accueil coché.", "success")
    return redirect(url_for("followup.apprentice", enrolment_id=enrolment.id) + "#accueil")
