"""Every account's own data: what Cadence holds about them, to download (RGPD articles 15 and 20)."""

from flask import current_app, render_template
from flask_login import current_user

from cfa.services.processing_register import register
from cfa.views.access import signed_in
from cfa.views.privacy import bp
from cfa.views.privacy.files import data_response, documents_response


@bp.route("/moi")
@signed_in
def mine():
    config = current_app.config
    rows = register(config["RETENTION_YEARS"], config["PROOF_RETENTION_YEARS"])
    return render_template("privacy/mine.html", rows=rows)


@bp.route("/moi/donnees.json")
@signed_in
def my_data():
    return data_response(current_user)


@bp.route("/moi/documents.zip")
@signed_in
def my_documents():
    return documents_response(current_user)
