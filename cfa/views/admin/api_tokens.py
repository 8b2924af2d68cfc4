"""The integrations of the JSON API: their tokens, created (the secret is shown once) and revoked."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.forms.api_tokens import ApiTokenForm
from cfa.models import ApiToken
from cfa.services.api_tokens import ApiTokenError, all_tokens, create_token, revoke_token
from cfa.views.admin import bp
from cfa.views.forms import form_page, posted


@bp.route("/integrations")
def api_tokens():
    return render_template("admin/api_tokens.html", tokens=all_tokens())


@bp.route("/integrations/nouvelle", methods=["GET", "POST"])
def new_api_token():
    form = ApiTokenForm()
    if form.validate_on_submit():
        try:
            token, secret = create_token(current_user, form.name.data, form.scopes.data or [])
        except ApiTokenError as error:
            getattr(form, error.field or "name").errors.append(str(error))
        else:
            db.session.commit()
            response = render_template("admin/api_token_secret.html", token=token, secret=secret)
            return response, 200, {"Cache-Control": "no-store"}  # the secret must not stay in a cache
    subtitle = "Un jeton pour un système qui appellera l'API de Cadence. Son secret ne sera affiché qu'une fois."
    return form_page(form, "Nouvelle intégration", subtitle, url_for("admin.api_tokens"), "Créer le jeton")


@bp.route("/integrations/<int:api_token_id>/revoquer", methods=["POST"])
def revoke_api_token(api_token_id: int):
    token = db.session.get(ApiToken, api_token_id) or abort(404)
    if posted():
        try:
            revoke_token(current_user, token)
            db.session.commit()
            flash(f"Le jeton de « {token.name} » est révoqué : ses appels sont refusés dès maintenant.", "success")
        except ApiTokenError as error:
            flash(str(error), "error")
    return redirect(url_for("admin.api_tokens"))
