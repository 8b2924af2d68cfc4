"""The installable app: its web manifest and its service worker, both served from the site's root.

The service worker must be served from `/` to control every page (a script under /static/ would only control
/static/); neither holds personal data, so both are public: a phone fetches them again after its session ended.
"""

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, url_for

from cfa.views.access import public

bp = Blueprint("app_shell", __name__)


@bp.route("/manifest.webmanifest")
@public
def manifest():
    icons = [
        {"src": url_for("static", filename=f"icons/cadence-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    response = jsonify(
        name="Cadence · gestion du CFA",
        short_name="Cadence",
        lang="fr",
        start_url=url_for("main.home"),
        scope="/",
        display="standalone",
        background_color="#ffffff",
        theme_color="#1f5f8b",
        icons=icons + [{**icons[-1], "purpose": "maskable"}],
    )
    response.mimetype = "application/manifest+json"
    return response


@bp.route("/sw.js")
@public
def service_worker():
    script = (Path(current_app.static_folder) / "js" / "service-worker.js").read_bytes()
    return Response(
        script,
        mimetype="text/javascript",
        # no-cache: a new version reaches the phones at their next visit.
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )
