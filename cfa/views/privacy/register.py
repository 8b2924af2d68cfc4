"""The register of processing activities, a page the admin prints (RGPD article 30)."""

from flask import current_app, render_template

from cfa.services.organisation import current_organisation
from cfa.services.permissions import Ability
from cfa.services.processing_register import register
from cfa.views.access import requires
from cfa.views.privacy import bp


@bp.route("/registre")
@requires(Ability.MANAGE_ACCOUNTS)
def processing_register():
    config = current_app.config
    rows = register(config["RETENTION_YEARS"], config["PROOF_RETENTION_YEARS"])
    return render_template("privacy/register.html", rows=rows, organisation=current_organisation())
