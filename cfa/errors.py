"""French error pages."""

from urllib.parse import urlsplit

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, SecurityError

from cfa.extensions import db

MESSAGES = {
    400: ("Requête invalide", "La demande envoyée n'a pas pu être comprise."),
    403: ("Accès refusé", "Vous n'avez pas les droits nécessaires pour accéder à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'existe plus."),
    405: ("Méthode non autorisée", "Cette action n'est pas possible à cette adresse."),
    409: ("Conflit", "La ressource a été modifiée entre-temps."),
    413: (
        "Fichier trop volumineux",
        "Le fichier envoyé dépasse la taille autorisée (5 Mo) : revenez au formulaire et choisissez un fichier "
        "plus léger (photo réduite ou PDF).",
    ),
    429: ("Trop de tentatives", "Trop de tentatives en peu de temps : patientez une minute puis réessayez."),
    500: ("Erreur interne", "Une erreur inattendue s'est produite. Elle a été enregistrée ; réessayez plus tard."),
}


# Errors that come from what the person just sent: the page leads back to where they sent it from.
GO_BACK = {413, 429}


def render_error(code: int, message: str | None = None):
    title, default = MESSAGES.get(code, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=title, message=message or default), code
    back = _same_site_referrer() if code in GO_BACK else None
    return render_template("errors/error.html", code=code, title=title, message=message or default, back=back), code


def _same_site_referrer() -> str | None:
    """The page the request came from, when it is one of ours (never a link to another site)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or referrer.scheme not in ("http", "https"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _own_message(error: HTTPException) -> str | None:
    """The message given to abort(code, "…"), not Werkzeug's English default."""
    description = getattr(error, "description", None)
    return description if description and description != type(error).description else None


def register_error_handlers(app) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code not in MESSAGES or error.code == 500:
            return error
        # Flask-Limiter describes the limit in English ("10 per 1 minute"): the page says it in French.
        return render_error(error.code, None if error.code == 429 else _own_message(error))

    @app.errorhandler(SecurityError)
    def untrusted_host(_error):
        # No page can be built for a host Cadence does not answer to (its links would carry that host).
        return "Hôte non autorisé.", 400, {"Content-Type": "text/plain; charset=utf-8"}

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, "Le formulaire a expiré ou n'est pas authentique : rechargez la page et recommencez.")

    @app.errorhandler(500)
    def internal_error(_error):
        db.session.rollback()
        return render_error(500)
