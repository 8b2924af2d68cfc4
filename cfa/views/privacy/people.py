"""The admin's downloads of one person's data export, from the person's page."""

from flask import abort

from cfa.extensions import db
from cfa.models import User
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.privacy import bp
from cfa.views.privacy.files import data_response, documents_response


def _person(obj_id: int) -> User:
    return db.session.get(User, obj_id) or abort(404)


@bp.route("/personnes/<int:obj_id>/donnees.json")
@requires(Ability.MANAGE_ACCOUNTS)
def user_data(obj_id: int):
    return data_response(_person(obj_id))


@bp.route("/personnes/<int:obj_id>/documents.zip")
@requires(Ability.MANAGE_ACCOUNTS)
def user_documents(obj_id: int):
    return documents_response(_person(obj_id))
