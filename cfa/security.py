"""HTTP headers that every answer carries: what the browser may load, frame, send on and keep.

No inline script or style is allowed, so an injected <script> or style attribute does nothing; no page may be
framed (the attendance and admin buttons could otherwise be clickjacked); calendar tokens live in URLs, so no
Referer leaves the site; personal files are never stored by a browser or a proxy.
"""

from flask import Flask, Response

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


def register_security_headers(app: Flask) -> None:
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
