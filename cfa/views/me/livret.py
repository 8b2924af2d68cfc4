"""The apprentice's livret d'apprentissage: what their tutor recorded, their own comment, the visits' reports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.forms.followup import LivretCommentForm
from cfa.services import followup
from cfa.services import livret as livret_rules
from cfa.services.enrolments import current_enrolment
from cfa.views.crud import commit_or_report
from cfa.views.me import bp
from cfa.views.params import date_arg


@bp.route("/livret", methods=["GET", "POST"])
def livret():
    enrolment = current_enrolment(current_user, today_paris())
    if enrolment is None or enrolment.cohort.programme.is_short_course:
        return render_template("me/livret.html", s=None, form=None, today=today_paris())
    form = LivretCommentForm()
    if request.method == "POST":
        try:
            period = livret_rules.period_of(enrolment, date_arg("periode"))
        except livret_rules.LivretError:
            abort(404)
        if form.validate_on_submit() and _saved(form, enrolment, period):
            return redirect(url_for("me.livret"))
    summary = followup.summary_of(enrolment, today_paris())
    return render_template("me/livret.html", s=summary, form=form, today=today_paris())


def _saved(form, enrolment, period) -> bool:
    try:
        livret_rules.sign_apprentice_comment(
            current_user, enrolment, period, form.comment.data, today_paris(), form.reason.data
        )
    except livret_rules.LivretError as error:
        flash(str(error), "error")
        return False
    if commit_or_report():
        flash("Votre commentaire est enregistré.", "success")
        return True
    return False
