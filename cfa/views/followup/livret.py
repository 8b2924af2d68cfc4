"""The livret d'apprentissage: the tutor's part and the référent's view per field period, the PDF, and the
completion rate per cohort for the CFA (Qualiopi indicators 13 and 28)."""

from textwrap import shorten

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.formatting import today_paris
from cfa.forms import followup as forms
from cfa.models import ActivityLevel
from cfa.renderers.pdf.livret import render_livret
from cfa.services import followup, livret
from cfa.services.block_progress import programme_blocks
from cfa.services.permissions import Ability, can_read_followup, is_referent_side, is_tutor_side
from cfa.views.access import requires, signed_in
from cfa.views.crud import commit_or_report
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.followup import bp
from cfa.views.followup.apprentices import enrolment_or_404
from cfa.views.forms import form_page
from cfa.views.params import date_arg


def _period(enrolment):
    try:
        return livret.period_of(enrolment, date_arg("periode"))
    except livret.LivretError:
        abort(404)


def _activities(form) -> list[livret.ActivityInput]:
    return [
        livret.ActivityInput(
            row.skill_block_id.data, row.activity.data or "", ActivityLevel(row.level.data), row.comment.data
        )
        for row in form.activities
    ]


def _saved_values(enrolment, period) -> dict | None:
    """What the entry holds, to correct it (a GET only: a POST keeps what was typed)."""
    entry = livret.entry_for(enrolment.id, period.start)
    if request.method != "GET" or entry is None:
        return None
    rows = [
        {"skill_block_id": a.skill_block_id, "activity": a.description, "level": a.level.value, "comment": a.comment}
        for a in entry.activities
    ]
    rows += [{}] * max(0, forms.ACTIVITY_ROWS - len(rows))
    return {"activities": rows, "tutor_comment": entry.tutor_comment, "comment": entry.referent_comment}


def _tutor_form(enrolment, period):
    form = forms.LivretTutorForm(data=_saved_values(enrolment, period))
    blocks = [
        (b.id, f"{b.code} – {shorten(b.title, 40, placeholder='…')}")
        for b in programme_blocks([enrolment.cohort.programme_id])
    ]
    for row in form.activities:
        row.skill_block_id.set_choices(blocks)
    return form


@bp.route("/apprentis/<int:enrolment_id>/livret", methods=["GET", "POST"])
@signed_in
def livret_entry(enrolment_id: int):
    enrolment = enrolment_or_404(enrolment_id)
    period, tutor = _period(enrolment), is_tutor_side(current_user, enrolment)
    if not tutor and not is_referent_side(current_user, enrolment):
        abort(403)
    form = _tutor_form(enrolment, period) if tutor else forms.LivretCommentForm(data=_saved_values(enrolment, period))
    if form.validate_on_submit():
        try:
            _save(form, enrolment, period, tutor)
        except livret.LivretError as error:
            flash(str(error), "error")
        else:
            if commit_or_report():
                flash("Livret signé et enregistré.", "success")
                return redirect(url_for("followup.apprentice", enrolment_id=enrolment.id) + "#livret")
    title = f"Livret – {enrolment.apprentice.full_name}, du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y}"
    back = url_for("followup.apprentice", enrolment_id=enrolment.id)
    if tutor:
        return render_template(
            "followup/livret_form.html", form=form, title=title, period=period, back=back, today=today_paris()
        )
    return form_page(form, title, "Le regard du centre sur la période, signé à votre nom.", back, "Signer")


def _save(form, enrolment, period, tutor: bool) -> None:
    args = (current_user, enrolment, period)
    if tutor:
        livret.sign_tutor_part(*args, _activities(form), form.tutor_comment.data, today_paris(), form.reason.data)
    else:
        livret.sign_referent_comment(*args, form.comment.data, today_paris(), form.reason.data)


@bp.route("/apprentis/<int:enrolment_id>/livret.pdf")
@signed_in
def livret_pdf(enrolment_id: int):
    enrolment = enrolment_or_404(enrolment_id, can_read_followup)
    summary = followup.summary_of(enrolment, today_paris())
    body = render_livret(summary, cfa_identity(), today_paris())
    name = f"Livret d'apprentissage {enrolment.apprentice.full_name}.pdf"
    return attachment(body, name, "application/pdf", inline=request.args.get("telecharger") is None)


@bp.route("/livret")
@requires(Ability.MANAGE_SETUP, Ability.MANAGE_QUALITY)
def completion():
    return render_template("followup/completion.html", rows=livret.completion_by_cohort(today_paris()))
