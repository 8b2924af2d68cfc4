"""Forms of the satisfaction surveys: templates, their questions, campaigns, funders' contacts.

The answering form itself is built from the questions (views/quality/survey_answers.py), its values checked by
services/survey_answers.py.
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from cfa.forms.admin import required
from cfa.forms.fields import OptionalSelectField
from cfa.models import Audience, QuestionKind, SurveyTiming
from cfa.services.surveys import MEASURES


class SurveyForm(FlaskForm):
    title = StringField("Titre", validators=[required(), Length(max=200)])
    audience = SelectField("Personnes interrogées", choices=Audience.choices(), validators=[required()])
    timing = SelectField("Moment", choices=SurveyTiming.choices(), validators=[required()])
    introduction = TextAreaField(
        "Introduction", validators=[Optional(), Length(max=2000)], description="Affichée en tête du questionnaire."
    )


class SurveyHeaderForm(SurveyForm):
    """Editing a template: its audience stays, since campaigns chose it for their population."""

    audience = None


class QuestionForm(FlaskForm):
    text = StringField("Question", validators=[required(), Length(max=300)])
    kind = SelectField("Type de réponse", choices=QuestionKind.choices(), validators=[required()])
    choices = TextAreaField(
        "Réponses proposées",
        validators=[Optional(), Length(max=3000)],
        description="Pour un choix unique ou multiple : une réponse par ligne.",
    )
    mandatory = BooleanField("Réponse obligatoire", default=True)
    measure = SelectField(
        "Indicateur mesuré",
        choices=[("", "— aucun —"), *MEASURES.items()],
        validators=[Optional()],
        description="La satisfaction globale se lit sur une échelle de 1 à 5, la recommandation sur 0 à 10.",
    )


class CampaignForm(FlaskForm):
    survey_id = SelectField("Questionnaire", coerce=int, validators=[required()])
    cohort_id = OptionalSelectField(
        "Promotion ou session",
        empty_label="— aucune (formateur·rices, financeurs) —",
        description="Les apprenti·es, tuteur·rices ou stagiaires de cette promotion ou session sont invités.",
    )
    title = StringField("Titre de la campagne", validators=[required(), Length(max=200)])
    opens_on = DateField("Ouverture", validators=[required()])
    closes_on = DateField("Clôture", validators=[required()])
    anonymous = BooleanField(
        "Réponses anonymes",
        default=True,
        description="Aucune réponse n'est reliée à une personne ; chaque lien ne répond qu'une fois.",
    )


class CampaignEditForm(CampaignForm):
    """A campaign's title and dates; its questionnaire and people were chosen when it was prepared."""

    survey_id = None
    cohort_id = None


class ContactsForm(FlaskForm):
    contacts = TextAreaField(
        "Contacts à inviter",
        validators=[required(), Length(max=20000)],
        description="Un contact par ligne : adresse ; nom ; organisme. Ex. : j.martin@opco.fr ; Julie Martin ; OPCO EP",
    )
