"""Personal data (RGPD): a person's export from their own menu and from the admin, retention and anonymisation,
the register of processing. Each route declares its own access: the portal is for every account."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/donnees-personnelles")

MODULES: list[str] = ["own", "people", "retention", "register"]
