"""Jinja filters and globals: French formatting and the navigation."""

from flask_login import current_user

from cfa import formatting
from cfa.navigation import nav_for
from cfa.services.justifications import absence_standing
from cfa.services.permissions import Ability, can
from cfa.urls import public_url


def register_template_helpers(app) -> None:
    app.jinja_env.filters.update(
        long_date=formatting.long_date,
        month_year=formatting.month_year,
        medium_date=formatting.medium_date,
        short_date=formatting.short_date,
        date_time=formatting.date_time,
        hhmm=formatting.hhmm,
        hours=formatting.minutes_label,
        percent=formatting.percent,
        euros=formatting.euros,
    )
    app.jinja_env.globals.update(Ability=Ability, public_url=public_url, absence_standing=absence_standing)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def inject_user_helpers():
        return {
            "can": lambda ability: can(current_user, ability),
            "navigation": lambda: nav_for(current_user),
        }
