"""Retention from the admin: the dry run lists who would be anonymised and which proofs deleted; confirming
applies exactly that list."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa import storage
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.services import retention
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.forms import posted
from cfa.views.privacy import bp


def _years() -> tuple[int, int]:
    return current_app.config["RETENTION_YEARS"], current_app.config["PROOF_RETENTION_YEARS"]


@bp.route("/conservation")
@requires(Ability.MANAGE_ACCOUNTS)
def retention_plan():
    due = retention.plan(today_paris(), *_years())
    return render_template("privacy/retention.html", plan=due, years=_years())


def _ids(name: str) -> set[int]:
    return {int(value) for value in request.form.getlist(name) if value.isascii() and value.isdigit()}


@bp.route("/conservation", methods=["POST"])
@requires(Ability.MANAGE_ACCOUNTS)
def apply_retention():
    if not posted():
        flash("Formulaire expiré : rien n'a été modifié.", "error")
        return redirect(url_for("privacy.retention_plan"))
    confirmed = (_ids("personne"), _ids("justificatif"))
    report = retention.apply(current_user, today_paris(), *_years(), confirmed)
    db.session.commit()
    retention.delete_files(storage.uploads(), report.files_to_delete)
    flash(f"{report.anonymised} personne(s) anonymisée(s), {report.proofs_deleted} pièce(s) supprimée(s).", "success")
    return redirect(url_for("privacy.retention_plan"))
