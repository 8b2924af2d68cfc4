"""The OpenAPI document and its browsable page, both public: they describe the API, they hold no data."""

from flask import current_app, render_template

from cfa.views.access import public
from cfa.views.api import docs_bp, spec_of


@docs_bp.route("/openapi.json")
@public
def openapi_json():
    return spec_of(current_app)


@docs_bp.route("/docs")
@public
def browse():
    return render_template("api/docs.html", spec=spec_of(current_app))
