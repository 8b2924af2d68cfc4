"""Calendar subscription links (.ics): open to calendar apps with the secret token, nothing else.

The ETag is read before the feed is built (services/feeds.py says from what), so an unchanged feed costs the
token's lookup and one statement. No Last-Modified: a deleted session moves no timestamp, so a date alone
could answer 304 to a feed that changed."""

from collections.abc import Callable
from datetime import date
from functools import partial
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.renderers import ical
from cfa.services import feeds
from cfa.services.permissions import Ability
from cfa.urls import public_url
from cfa.views.access import public, requires, signed_in
from cfa.views.forms import posted, safe_next
from cfa.views.planning import cohort_or_404

bp = Blueprint("feeds", __name__, url_prefix="/agenda")


def _domain() -> str:
    """The UID domain: fixed by the public address, so that UIDs do not change with the host used."""
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "cadence"


def _ics(version: Callable[[str, date], str], build: Callable[[str, date], tuple]) -> Response:
    """304 when the calendar app holds this version already; else the feed, built and rendered."""
    domain, since = _domain(), feeds.window_start(today_paris())
    etag = version(domain, since)
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = Response(ical.render(*build(domain, since)), mimetype="text/calendar")
        response.headers["Content-Disposition"] = 'inline; filename="cadence.ics"'
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.route("/<token>.ics")
@public
def user_calendar(token: str):
    user = feeds.user_for_token(token)
    if user is None:
        abort(404)
    return _ics(partial(feeds.user_version, user), partial(feeds.user_feed, user))


@bp.route("/promotion/<token>.ics")
@public
def cohort_calendar(token: str):
    cohort = feeds.cohort_for_token(token)
    if cohort is None:
        abort(404)
    return _ics(partial(feeds.cohort_version, cohort), partial(feeds.cohort_feed, cohort))


@bp.route("/nouveau-lien", methods=["POST"])
@signed_in
def regenerate():
    if not posted():
        abort(400)
    first = current_user.calendar_token is None
    feeds.regenerate(current_user)
    db.session.commit()
    flash(
        "Lien d'abonnement créé : ajoutez-le à votre agenda."
        if first
        else "Nouveau lien d'abonnement créé : l'ancien ne fonctionne plus. Abonnez votre agenda au nouveau lien.",
        "success",
    )
    return redirect(safe_next(request.form.get("next")))


@bp.route("/promotion/<int:cohort_id>/nouveau-lien", methods=["POST"])
@requires(Ability.MANAGE_PLANNING)
def regenerate_cohort(cohort_id: int):
    cohort = cohort_or_404(cohort_id)
    if not posted():
        abort(400)
    first = cohort.calendar_token is None
    feeds.regenerate(cohort)
    db.session.commit()
    flash(
        f"Lien d'abonnement créé pour {cohort.name}."
        if first
        else f"Nouveau lien d'abonnement pour {cohort.name} : l'ancien ne fonctionne plus.",
        "success",
    )
    return redirect(url_for("planning.cohort", cohort_id=cohort.id))


def my_feed_url() -> str | None:
    """The logged-in person's subscription link; None until they create one (a GET never writes)."""
    token = current_user.calendar_token
    return public_url("feeds.user_calendar", token=token) if token else None


def cohort_feed_url(cohort) -> str | None:
    token = cohort.calendar_token
    return public_url("feeds.cohort_calendar", token=token) if token else None
