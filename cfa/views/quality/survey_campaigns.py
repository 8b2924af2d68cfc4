"""Survey campaigns: the list with live response rates, a new campaign, funders' contacts, launch and reminders."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.surveys import CampaignEditForm, CampaignForm, ContactsForm
from cfa.models import Audience, Cohort, Programme, SurveyCampaign, SurveyInvitation
from cfa.services.permissions import Ability
from cfa.services.satisfaction import satisfaction_rates
from cfa.services.survey_campaigns import (
    add_contacts,
    campaign_state,
    campaigns_listing,
    create_campaign,
    launch,
    parse_contacts,
    participation,
    responses_count,
    send_reminders,
    update_campaign,
)
from cfa.services.surveys import SurveyError, latest_versions, load_survey
from cfa.urls import public_url
from cfa.views.access import requires
from cfa.views.crud import commit_or_report, paginate
from cfa.views.forms import form_page, posted
from cfa.views.quality import bp

STATES = {"draft": "Brouillons", "open": "Ouvertes", "closed": "Closes"}


def _year_arg() -> int | None:
    raw = request.args.get("annee", "")
    if not raw:
        return None
    if not (raw.isdigit() and 2000 <= int(raw) <= 2099):
        abort(404, "Année invalide.")
    return int(raw)


@bp.route("/campagnes")
@requires(Ability.MANAGE_QUALITY)
def campaigns():
    year, state, today = _year_arg(), request.args.get("etat") or None, today_paris()
    audience = request.args.get("public") or None
    audience = Audience(audience) if audience in Audience._value2member_map_ else None
    page = paginate(campaigns_listing(year, state if state in STATES else None, today, audience))
    ids = [c.id for c in page.items]
    figures = {
        "participation": participation(ids),
        "responses": responses_count(ids),
        "satisfaction": satisfaction_rates("campaign", campaign_ids=ids) if ids else {},
    }
    return render_template(
        "quality/campaigns.html",
        page=page,
        year=year,
        state=state,
        states=STATES,
        today=today,
        figures=figures,
        state_of=campaign_state,
    )


def _campaign_form() -> CampaignForm:
    form = CampaignForm()
    form.survey_id.choices = [(s.id, f"{s.title} (v{s.version})") for s in db.session.scalars(latest_versions())]
    cohorts = db.session.scalars(
        sa.select(Cohort)
        .join(Programme, Programme.id == Cohort.programme_id)
        .order_by(Cohort.start_date.desc(), Cohort.name)
    )
    form.cohort_id.set_choices((c.id, f"{c.name} ({c.start_date:%m/%Y})") for c in cohorts)
    if request.method == "GET":
        form.survey_id.data = request.args.get("questionnaire", type=int)
        form.opens_on.data = today_paris()
    return form


def _create(form: CampaignForm) -> SurveyCampaign | None:
    survey = load_survey(form.survey_id.data)
    cohort = db.session.get(Cohort, form.cohort_id.data) if form.cohort_id.data else None
    try:
        return create_campaign(
            current_user,
            survey,
            form.title.data,
            form.opens_on.data,
            form.closes_on.data,
            bool(form.anonymous.data),
            cohort,
        )
    except SurveyError as error:
        db.session.rollback()
        getattr(form, error.field or "title").errors.append(str(error))
        return None


@bp.route("/campagnes/nouvelle", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def new_campaign():
    form = _campaign_form()
    if form.validate_on_submit() and (campaign := _create(form)) and commit_or_report():
        flash("Campagne préparée : vérifiez-la, puis lancez-la.", "success")
        return redirect(url_for("quality.campaign", campaign_id=campaign.id))
    return form_page(
        form,
        "Nouvelle campagne",
        "Une campagne envoie un questionnaire à une population.",
        url_for("quality.campaigns"),
    )


def load_campaign(campaign_id: int) -> SurveyCampaign:
    campaign = db.session.scalar(
        sa.select(SurveyCampaign)
        .where(SurveyCampaign.id == campaign_id)
        .options(selectinload(SurveyCampaign.survey), selectinload(SurveyCampaign.cohort))
    )
    if campaign is None:
        abort(404)
    return campaign


@bp.route("/campagnes/<int:campaign_id>")
@requires(Ability.MANAGE_QUALITY)
def campaign(campaign_id: int):
    campaign = load_campaign(campaign_id)
    invitations = db.session.scalars(
        sa.select(SurveyInvitation)
        .where(SurveyInvitation.campaign_id == campaign.id)
        .order_by(SurveyInvitation.name, SurveyInvitation.email)
    ).all()
    return render_template(
        "quality/campaign.html",
        campaign=campaign,
        invitations=invitations,
        counts=participation([campaign.id])[campaign.id],
        responses=responses_count([campaign.id]).get(campaign.id, 0),
        state=campaign_state(campaign, today_paris()),
        contacts_form=ContactsForm(),
    )


def _update(form: CampaignEditForm, campaign: SurveyCampaign) -> bool:
    try:
        update_campaign(
            current_user, campaign, form.title.data, form.opens_on.data, form.closes_on.data, bool(form.anonymous.data)
        )
    except SurveyError as error:
        db.session.rollback()
        getattr(form, error.field or "title").errors.append(str(error))
        return False
    return commit_or_report()


@bp.route("/campagnes/<int:campaign_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def edit_campaign(campaign_id: int):
    campaign = load_campaign(campaign_id)
    form = CampaignEditForm(obj=campaign)
    if form.validate_on_submit() and _update(form, campaign):
        flash("Campagne enregistrée.", "success")
        return redirect(url_for("quality.campaign", campaign_id=campaign.id))
    note = "Campagne lancée : seuls son titre et sa date de clôture peuvent changer." if campaign.launched_at else None
    return form_page(form, f"Modifier : {campaign.title}", note, url_for("quality.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>/contacts", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def campaign_contacts(campaign_id: int):
    campaign = load_campaign(campaign_id)
    form = ContactsForm()
    try:
        added = (
            add_contacts(current_user, campaign, parse_contacts(form.contacts.data))
            if form.validate_on_submit()
            else None
        )
    except SurveyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("quality.campaign", campaign_id=campaign.id))
    if added is not None and commit_or_report():
        flash(f"{added} contact(s) ajouté(s).", "success")
    return redirect(url_for("quality.campaign", campaign_id=campaign.id))


def _answer_link(token: str) -> str:
    return public_url("quality.answer", token=token)


def _act(campaign_id: int, action, done: str):
    campaign = load_campaign(campaign_id)
    if not posted():
        abort(400)
    try:
        count = action(current_user, campaign, _answer_link)
    except SurveyError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        if commit_or_report():
            flash(done.format(count=count), "success")
    return redirect(url_for("quality.campaign", campaign_id=campaign.id))


@bp.route("/campagnes/<int:campaign_id>/lancer", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def launch_campaign(campaign_id: int):
    return _act(campaign_id, launch, "Campagne lancée : {count} invitation(s) envoyée(s).")


@bp.route("/campagnes/<int:campaign_id>/relancer", methods=["POST"])
@requires(Ability.MANAGE_QUALITY)
def remind_campaign(campaign_id: int):
    return _act(
        campaign_id,
        send_reminders,
        "{count} relance(s) envoyée(s) ; une personne relancée aujourd'hui ne l'est pas deux fois le même jour.",
    )
