"""The results each programme publishes (Code du travail L.6111-8, Qualiopi indicator 2), open without an account,
and the self-contained HTML fragment the CFA pastes into its own website (no iframe: the CSP forbids framing)."""

from flask import abort, render_template

from cfa.extensions import db
from cfa.models import Programme
from cfa.renderers import results_snippet
from cfa.services.public_results import public_results
from cfa.views.access import public
from cfa.views.quality import bp


def _results(programme_id: int):
    programme = db.session.get(Programme, programme_id)
    if programme is None or not programme.active:
        abort(404)
    return public_results(programme)


@bp.route("/resultats/<int:programme_id>")
@public
def public_page(programme_id: int):
    results = _results(programme_id)
    return render_template("quality/public.html", results=results, snippet=results_snippet.render(results))
