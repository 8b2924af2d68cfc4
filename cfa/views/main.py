"""The home page: what each person has to do now, for the first of their roles that applies (in this order)."""

from flask import Blueprint, render_template
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.navigation import nav_for
from cfa.services.home_admin import admin_home
from cfa.services.home_learner import learner_home
from cfa.services.home_quality import quality_home
from cfa.services.home_trainer import trainer_home
from cfa.services.home_tutor import tutor_home
from cfa.services.permissions import Ability, can
from cfa.views.access import public, signed_in
from cfa.views.feeds import my_feed_url

bp = Blueprint("main", __name__)

# The administration first (it holds every ability), then a trainer's day, the quality officer's register, a tutor's
# apprentices, and last the person's own training (an apprentice's or a short-course trainee's).
HOMES = [
    (Ability.MANAGE_SETUP, "main/admin_home.html", lambda user, today: admin_home(today)),
    (Ability.TAKE_ATTENDANCE, "main/trainer_home.html", lambda user, today: trainer_home(user)),
    (Ability.MANAGE_QUALITY, "main/quality_home.html", lambda user, today: quality_home(today)),
    (Ability.FOLLOW_APPRENTICES, "main/tutor_home.html", tutor_home),
    (Ability.VIEW_OWN_TRAINING, "main/learner_home.html", learner_home),
]


@bp.route("/")
@signed_in
def home():
    today = today_paris()
    for ability, template, build in HOMES:
        if can(current_user, ability):
            page = render_template(template, home=build(current_user, today), today=today, feed_url=my_feed_url())
            # After rendering (a commit expires what the page reads): the quality home keeps the closed year's
            # attendance total it computed.
            db.session.commit()
            return page
    entries = [item for _group, items in nav_for(current_user) for item in items]
    return render_template("main/home.html", entries=entries)


@bp.route("/sante")
@public
def health():
    """A liveness check for a load balancer, which reads nothing: the benchmark's baseline, since it still goes
    through every request hook and header the pages go through."""
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
