"""The decorator that applies the permission policy to a view."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

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


def require_blueprint(blueprint, *abilities: Ability) -> None:
    """Guard every view of a blueprint (e.g. the whole admin area) with the same abilities."""

    @blueprint.before_request
    @requires(*abilities)
    def _guard():
        return None
