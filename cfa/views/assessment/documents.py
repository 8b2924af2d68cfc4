"""Sending an award's documents (certificate PDF, signed badge): shared by the staff's and the learner's pages."""

from flask import Response, current_app

from cfa.models import Award
from cfa.renderers.certificates_zip import render_certificates_zip
from cfa.renderers.pdf.certificate import certificate_filename, render_certificate
from cfa.services.assessment_credentials import SigningKeyMissing, credential_url, sign_credential
from cfa.services.organisation import current_organisation
from cfa.urls import public_base_url
from cfa.views.downloads import attachment, cfa_identity


def verify_url(award: Award) -> str:
    return credential_url(public_base_url(), award)


def certificate_response(award: Award) -> Response:
    identity = cfa_identity()
    data = render_certificate(award, identity, verify_url(award))
    return attachment(data, certificate_filename(award), "application/pdf")


def badge_response(award: Award) -> Response | None:
    """The signed Open Badges 3.0 credential, or None when the CFA has no signing key yet."""
    try:
        token = sign_credential(award, current_organisation(), public_base_url(), current_app.config["KEYS_DIR"])
    except SigningKeyMissing:
        return None
    filename = certificate_filename(award).replace("certificat-", "badge-").replace(".pdf", ".jwt")
    return attachment(token.encode("ascii"), filename, "application/vc+ld+json+jwt")


def certificates_zip_response(awards: list[Award], filename: str) -> Response:
    identity = cfa_identity()
    return attachment(render_certificates_zip(awards, identity, verify_url), filename, "application/zip")
