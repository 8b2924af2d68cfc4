"""The admin's form for a new integration token of the JSON API."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from cfa.forms.admin import required
from cfa.forms.fields import MultiCheckboxField
from cfa.models.api_tokens import API_RESOURCES


def _scope_choices() -> list[tuple[str, str]]:
    reads = [(f"{resource}:read", f"{label} : lecture") for resource, label in API_RESOURCES.items()]
    return reads + [("enrolments:write", "Inscriptions : écriture (créer une inscription)")]


class ApiTokenForm(FlaskForm):
    name = StringField(
        "Nom de l'intégration",
        validators=[required(), Length(max=120)],
        description="Le système qui appellera l'API : site web, ERP, portail de l'OPCO…",
    )
    scopes = MultiCheckboxField(
        "Droits", choices=_scope_choices(), description="Ne cochez que ce dont l'intégration a besoin."
    )
