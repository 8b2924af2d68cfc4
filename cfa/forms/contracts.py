"""Forms of an apprentice's contract file: a rupture, a new employer, the end of the months without employer, a
payment received from the OPCO."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from cfa.forms.fields import EurosField, OptionalSelectField
from cfa.models import MilestoneKind, RuptureCause, RuptureParty, SearchOutcome

REQUIRED = "Ce champ est obligatoire."


class RuptureForm(FlaskForm):
    ended_on = DateField("Dernier jour du contrat", validators=[DataRequired(REQUIRED)])
    ended_by = SelectField("Rompu à l'initiative de", choices=RuptureParty.choices())
    end_cause = SelectField("Cause", choices=RuptureCause.choices())
    reason = TextAreaField("Précisions", validators=[Optional(), Length(max=2000)])


class NewEmployerForm(FlaskForm):
    employer_id = OptionalSelectField("Nouvel employeur", validators=[DataRequired(REQUIRED)])
    tutor_id = OptionalSelectField("Maître d'apprentissage")
    starts_on = DateField("Début du contrat", validators=[DataRequired(REQUIRED)])
    ends_on = DateField("Fin du contrat", validators=[DataRequired(REQUIRED)])
    salary_scale = StringField("Grille de salaire (facultatif)", validators=[Optional(), Length(max=80)])


class SearchEndForm(FlaskForm):
    outcome = SelectField(
        "Issue", choices=[(o.value, o.label) for o in SearchOutcome if o != SearchOutcome.NEW_EMPLOYER]
    )
    ended_on = DateField("Date", validators=[DataRequired(REQUIRED)])
    reason = TextAreaField("Comment la recherche s'est terminée", validators=[DataRequired(REQUIRED), Length(max=2000)])


class PaymentForm(FlaskForm):
    kind = SelectField("Échéance", choices=MilestoneKind.choices())
    received_on = DateField("Reçu le", validators=[DataRequired(REQUIRED)])
    amount = EurosField("Montant reçu", validators=[DataRequired(REQUIRED)])
