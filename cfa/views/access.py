"""How each route declares who may open it: `requires` (abilities of services/permissions.py), `signed_in` (any
account, then an object rule), `public` (on purpose), or a blueprint-wide guard. A test checks every route."""

from functools import wraps

from flask import abort, g, request
from flask_login import current_user, login_required
from werkzeug.datastructures import WWWAuthenticate

from cfa.services.permissions import Ability, can


def requires(*abilities: Ability):
    """Anonymous users go to the login page; logged-in users without one of the abilities get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not any(can(current_user, ability) for ability in abilities):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_abilities = abilities
        return wrapped

    return decorator


def signed_in(view):
    """Any logged-in person; the view then applies an object rule of services/permissions.py (their own record,
    a cohort they teach or follow). Anonymous users go to the login page before anything is looked up."""
    wrapped = login_required(view)
    wrapped.required_abilities = ()
    return wrapped


def public(view):
    """Open without an account, on purpose: log-in pages, certificate verification, secret-token calendar feeds."""
    view.public = True
    return view


def require_blueprint(blueprint, *abilities: Ability) -> None:
    """Guard every view of a blueprint (e.g. the whole admin area) with the same abilities."""

    @blueprint.before_request
    @requires(*abilities)
    def _guard():
        return None

    blueprint.required_abilities = abilities


def token_required(scope: str):
    """An API route: a bearer token of an integration holding `scope` (e.g. "cohorts:read"). A browser's session
    never opens it, so a page's cookie cannot be turned against the API. Missing, unknown or revoked token: 401;
    a token without the scope: 403; both in JSON."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            from cfa.extensions import db
            from cfa.services.api_tokens import mark_used, token_of_secret

            kind, _, secret = request.headers.get("Authorization", "").partition(" ")
            token = token_of_secret(secret.strip()) if kind.lower() == "bearer" else None
            if token is None or not token.active:
                message = "Jeton révoqué." if token is not None else "Jeton d'intégration absent ou inconnu."
                abort(401, description=message, www_authenticate=WWWAuthenticate("bearer"))
            if not token.allows(scope):
                abort(403, description=f"Ce jeton n'a pas le droit « {scope} ».")
            if mark_used(token):
                db.session.commit()  # before the view, so a refused write still shows the token was used
            g.api_token = token
            return view(*args, **kwargs)

        wrapped.token_scope = scope
        return wrapped

    return decorator
