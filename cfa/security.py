"""What every request and answer goes through: input no database can store is refused, and headers say what the
browser may load, frame, send on and keep.

A NUL character cannot be stored in a PostgreSQL text column: refused at the door with a French message, it never
reaches a form, a query or a half-written import.

No inline script or style is allowed, so an injected <script> or style attribute does nothing; no page may be
framed (the attendance and admin buttons could otherwise be clickjacked); calendar tokens live in URLs, so no
Referer leaves the site; personal files are never stored by a browser or a proxy.
"""

from flask import Flask, Response, abort, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # signatures are drawn into data: URLs before they are posted
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=31536000; includeSubDomains"


def register_security(app: Flask) -> None:
    @app.before_request
    def _refuse_nul_characters():
        values = [*request.args.values(), *request.form.values(), request.path]
        if any("\x00" in value for value in values):
            abort(400, "La saisie contient un caractère invalide (caractère nul) : corrigez-la et recommencez.")

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):  # production, behind TLS
            headers.setdefault("Strict-Transport-Security", HSTS)
        if "Content-Disposition" in headers:  # proofs, certificates, sheets: personal files
            headers["Cache-Control"] = "private, no-store"
        return response
