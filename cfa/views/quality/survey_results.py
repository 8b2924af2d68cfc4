"""A campaign's results, question by question, and each question's chart as SVG drawn by the app itself."""

from flask import Response, abort, render_template

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.models import SurveyInvitation
from cfa.renderers.survey_charts import answers_chart, svg
from cfa.services.permissions import Ability
from cfa.services.survey_campaigns import campaign_state, participation
from cfa.services.survey_results import campaign_results, named_response, shown
from cfa.views.access import requires
from cfa.views.quality import bp
from cfa.views.quality.survey_campaigns import load_campaign

# The SVG is an image of its own: its drawing attributes are its only styles, and it runs nothing.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.route("/campagnes/<int:campaign_id>/resultats")
@requires(Ability.MANAGE_QUALITY)
def campaign_results_page(campaign_id: int):
    campaign = load_campaign(campaign_id)
    return render_template(
        "quality/results.html",
        results=campaign_results(campaign),
        counts=participation([campaign.id])[campaign.id],
        state=campaign_state(campaign, today_paris()),
    )


@bp.route("/campagnes/<int:campaign_id>/resultats/<int:question_id>.svg")
@requires(Ability.MANAGE_QUALITY)
def question_chart(campaign_id: int, question_id: int):
    results = campaign_results(load_campaign(campaign_id))
    result = next((r for r in results.questions if r.question.id == question_id and r.charted), None)
    if result is None:
        abort(404)
    drawing = answers_chart([c.label for c in result.counts], [c.count for c in result.counts], result.answered)
    response = Response(svg(drawing), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    response.headers["Cache-Control"] = "private, no-store"
    return response


# A named answer is read by the quality officer only; anonymous campaigns have none (404, as for an unknown one).
@bp.route("/campagnes/<int:campaign_id>/invitations/<int:invitation_id>/reponse")
@requires(Ability.MANAGE_QUALITY)
def named_answer(campaign_id: int, invitation_id: int):
    campaign = load_campaign(campaign_id)
    response = named_response(campaign, invitation_id)
    if response is None:
        abort(404)
    invitation = db.session.get(SurveyInvitation, invitation_id)
    answers = sorted(response.answers, key=lambda a: a.question.position)
    return render_template(
        "quality/named_answer.html", campaign=campaign, invitation=invitation, answers=answers, shown=shown
    )
