"""Improvement actions (Qualiopi 32): the plan the quality team follows, each action traced to its origin."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.forms import choices
from cfa.forms.quality import ActionForm, ActionStatusForm
from cfa.models import ActionStatus, Complaint, ImprovementAction, Role, SurveyCampaign
from cfa.renderers.spreadsheets import Field
from cfa.services import improvement_actions, quality_referential
from cfa.services.improvement_actions import ActionError
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.crud import paginate
from cfa.views.downloads import export_query
from cfa.views.params import page_arg
from cfa.views.quality import bp

EXPORT_FIELDS = [
    Field("Action", lambda a: a.title),
    Field("Description", lambda a: a.description),
    Field("Origine", lambda a: a.source),
    Field("Réclamation", lambda a: a.complaint.subject if a.complaint else None),
    Field("Enquête", lambda a: a.campaign.title if a.campaign else None),
    Field("Indicateurs", lambda a: ", ".join(str(i.number) for i in a.indicators)),
    Field("Pilote", lambda a: a.owner.full_name if a.owner else None),
    Field("Échéance", lambda a: a.due_on),
    Field("Statut", lambda a: a.status),
    Field("Réalisée le", lambda a: a.done_on),
    Field("Preuve", lambda a: a.evidence),
    Field("Efficacité", lambda a: a.effectiveness),
]


def _filtered():
    which = request.args.get("filtre") or None
    if which is not None and which not in improvement_actions.FILTERS:
        abort(404, "Filtre inconnu.")
    return which, improvement_actions.actions_query(which).options(sa.orm.selectinload(ImprovementAction.owner))


@bp.route("/actions")
@requires(Ability.MANAGE_QUALITY)
def actions():
    page_arg()
    which, stmt = _filtered()
    return render_template("quality/actions.html", page=paginate(stmt), which=which)


@bp.route("/actions.<fmt>")
@requires(Ability.MANAGE_QUALITY)
def export_actions(fmt: str):
    related = (ImprovementAction.complaint, ImprovementAction.campaign, ImprovementAction.indicators)
    stmt = _filtered()[1].options(*(sa.orm.selectinload(r) for r in related))
    return export_query(fmt, "Actions d'amélioration", EXPORT_FIELDS, stmt)


def _prepare(form: ActionForm) -> None:
    form.complaint_id.set_choices(
        (c.id, f"{c.received_on:%d/%m/%Y} · {c.subject}")
        for c in db.session.scalars(sa.select(Complaint).order_by(Complaint.received_on.desc()).limit(200))
    )
    form.campaign_id.set_choices(
        (c.id, c.title)
        for c in db.session.scalars(sa.select(SurveyCampaign).order_by(SurveyCampaign.closes_on.desc()).limit(200))
    )
    form.owner_id.set_choices(choices.people_with_role(Role.QUALITY) + choices.people_with_role(Role.ADMIN))
    form.indicator_ids.choices = [(i.id, f"{i.number}. {i.title[:80]}") for i in quality_referential.indicators()]


@bp.route("/actions/nouvelle", methods=["GET", "POST"])
@bp.route("/actions/<int:action_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def edit_action(action_id: int | None = None):
    action = _action_or_404(action_id) if action_id is not None else None
    form = ActionForm(obj=action, complaint_id=request.args.get("reclamation", type=int))
    if action is not None and request.method == "GET":
        form.indicator_ids.data = [i.id for i in action.indicators]
    _prepare(form)
    if form.validate_on_submit():
        values = {k: v for k, v in form.data.items() if k not in ("csrf_token", "indicator_ids")}
        try:
            saved = improvement_actions.save_action(current_user, action, form.indicator_ids.data, **values)
        except ActionError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(str(error))
        else:
            db.session.commit()
            flash("Action enregistrée.", "success")
            return redirect(url_for("quality.action", action_id=saved.id))
    return render_template("quality/action_form.html", form=form, action=action)


def _action_or_404(action_id: int) -> ImprovementAction:
    return db.session.get(ImprovementAction, action_id) or abort(404)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def action(action_id: int):
    item = _action_or_404(action_id)
    form = ActionStatusForm()
    if form.validate_on_submit():
        try:
            improvement_actions.change_status(
                current_user, item, ActionStatus(form.status.data), form.on.data, form.evidence.data
            )
        except ActionError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Statut de l'action enregistré.", "success")
        return redirect(url_for("quality.action", action_id=item.id))
    return render_template("quality/action.html", action=item, form=form)
