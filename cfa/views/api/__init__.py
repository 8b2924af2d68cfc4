"""The JSON API for the systems around the CFA (its website, an ERP, the OPCO's portal, BI tools).

flask-smorest generates the OpenAPI 3.1 document from the routes and their marshmallow schemas; it is served at
/api/openapi.json with a browsable page (docs.py), rendered by the app itself (no CDN). Integrations authenticate
with a bearer token (access.token_required); CSRF does not apply (no cookie is ever read), and each token has its
own rate limit."""

import hashlib

from flask import Blueprint as FlaskBlueprint
from flask import current_app, request
from flask_limiter.util import get_remote_address
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint
from werkzeug.exceptions import HTTPException

from cfa.extensions import csrf, limiter

MODULES = ["resources", "docs"]


class CadenceApi(Api):
    def _register_error_handlers(self):
        """flask-smorest would answer every error of the whole app in JSON: only the API's routes do (below)."""


SPEC = {
    "info": {"description": "API de lecture et d'écriture de Cadence, pour les intégrations du CFA."},
    "security": [{"jeton": []}],
}
bp = ApiBlueprint("api", __name__, url_prefix="/api", description="Données du CFA pour ses intégrations")
docs_bp = FlaskBlueprint("api_docs", __name__, url_prefix="/api")


def per_token() -> str:
    """Rate-limit key: the token (hashed, the secret never reaches the limiter's storage), else the address."""
    header = request.headers.get("Authorization", "")
    return "api:" + hashlib.sha256(header.encode()).hexdigest() if header else get_remote_address()


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    data = getattr(error, "data", None) or {}
    payload = {"code": error.code, "status": error.name, "message": data.get("message", error.description)}
    if errors := data.get("errors") or data.get("messages"):
        payload["errors"] = errors
    headers = {name: value for name, value in error.get_headers() if name != "Content-Type"}  # WWW-Authenticate
    return payload, error.code, {**headers, **(data.get("headers") or {})}


def register(app) -> None:
    app.config.setdefault("API_TITLE", "Cadence")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.1.0")
    app.config.setdefault("API_RATE_LIMIT", "120/minute")
    api = CadenceApi(app, spec_kwargs=SPEC)
    api.spec.components.security_scheme(
        "jeton", {"type": "http", "scheme": "bearer", "description": "Jeton d'intégration créé par l'admin"}
    )
    csrf.exempt(bp)
    if not getattr(bp, "_cadence_limited", False):  # the limiter is one object for every app a process builds
        bp._cadence_limited = True
        limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=per_token)(bp)
    api.register_blueprint(bp)
    app.register_blueprint(docs_bp)


def spec_of(app) -> dict:
    """The OpenAPI document of this app's API, as generated from its routes and schemas."""
    return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
