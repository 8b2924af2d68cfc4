"""Public verification of certificates: /verify/<code>, an uploaded badge, the CFA's published key.

No login. The page shows the least personal data needed: the learner's name, what, when, the issuer
and whether the award is valid or revoked; never an e-mail, a birth date or the evidence.
"""

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, url_for

from cfa.extensions import limiter
from cfa.forms.assessment import VerifyCodeForm, VerifyCredentialForm
from cfa.services.assessment_awards import award_by_code, certified
from cfa.services.assessment_credentials import (
    ISSUER_PATH,
    JWKS_PATH,
    STATUS_LIST_PATH,
    STATUS_LIST_TTL_SECONDS,
    SigningKeyMissing,
    issuer_profile,
    jwks,
    verify_credential,
)
from cfa.services.credential_status import sign_status_list, status_list_exists
from cfa.services.organisation import current_organisation
from cfa.urls import public_base_url, public_url
from cfa.views.access import public

bp = Blueprint("verify", __name__)
MAX_BADGE_BYTES = 200_000


def _uploaded_token(form: VerifyCredentialForm) -> str:
    """The badge's text, from the file or the pasted content; a French error on the form when there is none."""
    token = form.pasted.data or ""
    if upload := form.credential.data:
        raw = upload.read(MAX_BADGE_BYTES + 1)
        if len(raw) > MAX_BADGE_BYTES:
            form.credential.errors.append("Fichier trop volumineux pour un badge.")
            raw = b""
        token = raw.decode("utf-8", errors="replace")
    if not token.strip() and not form.credential.errors:
        form.credential.errors.append("Choisissez le fichier du badge ou collez son contenu.")
    return token.strip()


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit("30/minute", methods=["POST"])
@public
def index():
    code_form = VerifyCodeForm(prefix="code")
    upload_form = VerifyCredentialForm(prefix="badge")
    result = None
    if code_form.code.data and code_form.validate_on_submit():
        return redirect(url_for("verify.award", code=code_form.code.data.strip().upper()))
    if upload_form.validate_on_submit() and not code_form.code.data and (token := _uploaded_token(upload_form)):
        result = verify_credential(token, current_app.config["KEYS_DIR"])
    return render_template(
        "verify/index.html",
        code_form=code_form,
        upload_form=upload_form,
        result=result,
        what=certified(result.award) if result and result.award else None,
    )


@bp.route("/verify/<code>")
@limiter.limit("60/minute")
@public
def award(code: str):
    award = award_by_code(code)
    if award is None:
        return render_template("verify/unknown.html", code=code[:32]), 404
    return render_template("verify/award.html", award=award, what=certified(award), issuer=current_organisation())


@bp.route("/verify/<code>/status")
@limiter.limit("60/minute")
@public
def status(code: str):
    """Whether one award was revoked, for a person checking by hand (badges point to the status list)."""
    award = award_by_code(code)
    if award is None:
        return jsonify(error="unknown"), 404
    return jsonify(id=public_url("verify.award", code=award.verification_code), revoked=award.is_revoked)


def _public(response: Response, max_age: int = 300) -> Response:
    """Read by wallets and verifiers from any site."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    return response


@bp.route(JWKS_PATH)
@public
def published_keys():
    return _public(jsonify(jwks(current_app.config["KEYS_DIR"], public_base_url())))


@bp.route(ISSUER_PATH)
@public
def issuer():
    profile = issuer_profile(current_organisation(), public_base_url())
    profile["publicKey"] = public_url("verify.published_keys")
    return _public(jsonify(profile))


@bp.route(STATUS_LIST_PATH)
@limiter.limit("120/minute")
@public
def status_list(number: int):
    """The Bitstring Status List of revoked badges, a VC-JWT signed with the badges' key."""
    if not status_list_exists(number):
        abort(404)
    try:
        token = sign_status_list(number, public_base_url(), current_app.config["KEYS_DIR"])
    except SigningKeyMissing:
        abort(404)
    return _public(Response(token, mimetype="application/vc+jwt"), STATUS_LIST_TTL_SECONDS)
