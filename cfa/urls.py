"""The public address of Cadence, for every link that leaves the browser: certificates, QR codes, badges, feeds.

PUBLIC_BASE_URL wins when set (behind a proxy the request's host may be an internal name); otherwise the
address the request came to. Never a hard-coded host: a link printed on a certificate must lead back here.
"""

from flask import current_app, has_request_context, request, url_for


def public_base_url() -> str:
    """The application's root URL, without a trailing slash."""
    configured = (current_app.config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")
    if configured:
        return configured
    if has_request_context():
        return request.url_root.rstrip("/")
    raise RuntimeError("PUBLIC_BASE_URL n'est pas défini : impossible de construire un lien public hors requête.")


def public_url(endpoint: str, **values) -> str:
    """url_for(endpoint) as an absolute link on the public address."""
    path = url_for(endpoint, **values)
    # url_for includes the mount point (script root), which the base URL already ends with.
    root = request.script_root if has_request_context() else ""
    if root and path.startswith(root):
        path = path[len(root) :]
    return public_base_url() + path
