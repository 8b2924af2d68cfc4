"""Forms of the apprentice's follow-up: the livret's parts, visits and their reports, follow-up actions."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from cfa.forms.admin import required
from cfa.forms.fields import OptionalSelectField
from cfa.models import ActivityLevel, VisitKind

ACTIVITY_ROWS = 4

REASON_HELP = "Obligatoire une fois la période suivante commencée : la correction est tracée."


class ActivityForm(FlaskForm):
    class Meta:
        csrf = False  # a row of the livret form, which carries the token

    skill_block_id = OptionalSelectField("Bloc de compétences", empty_label="— sans bloc —")
    activity = StringField("Activité menée", validators=[Optional(), Length(max=300)])
    level = SelectField("Évaluation", choices=ActivityLevel.choices(), default=ActivityLevel.IN_PROGRESS.value)
    comment = StringField("Commentaire", validators=[Optional(), Length(max=500)])


class LivretTutorForm(FlaskForm):
    activities = FieldList(FormField(ActivityForm), min_entries=ACTIVITY_ROWS, max_entries=12)
    tutor_comment = TextAreaField("Commentaire du tuteur ou de la tutrice", validators=[Optional()])
    reason = StringField("Motif de la correction", validators=[Optional(), Length(max=300)], description=REASON_HELP)


class LivretCommentForm(FlaskForm):
    comment = TextAreaField("Commentaire", validators=[required()])
    reason = StringField("Motif de la correction", validators=[Optional(), Length(max=300)], description=REASON_HELP)


class VisitPlanForm(FlaskForm):
    kind = SelectField("Type", choices=VisitKind.choices())
    planned_on = DateField("Date prévue", validators=[required()])
    place = StringField("Lieu", validators=[Optional(), Length(max=200)])


class VisitReportForm(FlaskForm):
    held_on = DateField("Date de la visite", validators=[required()])
    remote = BooleanField("À distance (visioconférence, téléphone)")
    place = StringField("Lieu", validators=[Optional(), Length(max=200)])
    attendees = TextAreaField("Participant·es (un par ligne)", validators=[Optional()])
    objectives = TextAreaField("Objectifs", validators=[Optional()])
    observations = TextAreaField("Observations", validators=[required()])
    decisions = TextAreaField("Décisions", validators=[Optional()])


class VisitActionForm(FlaskForm):
    description = StringField("Action de suivi", validators=[required(), Length(max=300)])
    owner = StringField("Qui s'en charge", validators=[required(), Length(max=120)])
    due_on = DateField("Échéance", validators=[Optional()])
