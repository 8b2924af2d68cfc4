"""Answering: the one-time link (open without an account, on purpose), a person's own questionnaires, and the
paper answer sheets the quality officer types in."""

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.services.permissions import Ability
from cfa.services.survey_answers import (
    AnswerErrors,
    enter_paper_answers,
    field_name,
    invitation_by_token,
    refusal,
    submit,
)
from cfa.services.survey_campaigns import my_invitations
from cfa.services.surveys import SurveyError
from cfa.views.access import public, requires, signed_in
from cfa.views.crud import commit_or_report
from cfa.views.forms import posted
from cfa.views.quality import bp
from cfa.views.quality.survey_campaigns import load_campaign

INVALID = "Ce lien de questionnaire n'est pas valide : vérifiez qu'il est complet, ou demandez-en un nouveau au CFA."


def _form_page(campaign, action: str, errors: dict, values: dict, status: int = 200):
    return render_template(
        "quality/answer.html", campaign=campaign, action=action, errors=errors, values=values, field_name=field_name
    ), status


def _ended(message: str, status: int = 200):
    return render_template("quality/answer_ended.html", message=message), status


@bp.route("/questionnaire/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    invitation = invitation_by_token(token)
    if invitation is None:
        return _ended(INVALID, 404)
    if (reason := refusal(invitation, datetime.now(UTC))) is not None:
        return _ended(reason)
    values = request.form.to_dict(flat=False)
    if request.method == "POST" and posted():
        try:
            submit(token, values)
        except AnswerErrors as error:
            db.session.rollback()
            return _form_page(invitation.campaign, request.path, error.errors, values, 422)
        except SurveyError as error:
            db.session.rollback()
            return _ended(str(error))
        if commit_or_report("Votre réponse n'a pas pu être enregistrée : réessayez."):
            return _ended("Merci ! Votre réponse est enregistrée.")
    return _form_page(invitation.campaign, request.path, {}, values if request.method == "POST" else {})


@bp.route("/mes-questionnaires")
@signed_in
def my_surveys():
    return render_template("quality/my_surveys.html", invitations=my_invitations(current_user), today=today_paris())


@bp.route("/campagnes/<int:campaign_id>/saisie-papier", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def paper_answers(campaign_id: int):
    campaign = load_campaign(campaign_id)
    values = request.form.to_dict(flat=False)
    if request.method == "POST" and posted():
        try:
            enter_paper_answers(current_user, campaign, values)
        except AnswerErrors as error:
            db.session.rollback()
            return _form_page(campaign, request.path, error.errors, values, 422)
        except SurveyError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(url_for("quality.campaign", campaign_id=campaign.id))
        if commit_or_report():
            flash("Questionnaire papier enregistré : saisissez le suivant.", "success")
            return redirect(url_for("quality.paper_answers", campaign_id=campaign.id))
    return _form_page(campaign, request.path, {}, {})
