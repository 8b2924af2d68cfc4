"""Forms of the planning screens: generating a calendar, editing a session, a week."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TimeField
from wtforms.validators import Length, Optional, ValidationError

from cfa.forms.admin import required
from cfa.forms.fields import OptionalSelectField
from cfa.models import HalfDay

ACCEPT_HINT = "À cocher seulement si le double emploi est voulu (co-animation, salle partagée)."


class GenerateForm(FlaskForm):
    from_date = DateField(
        "Planifier à partir du",
        validators=[Optional()],
        description="Les séances passées, déjà émargées ou modifiées à la main ne sont jamais modifiées.",
    )
    accept_conflicts = BooleanField("Enregistrer malgré les conflits", description=ACCEPT_HINT)


class SessionForm(FlaskForm):
    day = DateField("Date", validators=[required()])
    half_day = SelectField("Demi-journée", choices=HalfDay.choices(), coerce=HalfDay)
    start_time = TimeField("Début", validators=[required()])
    end_time = TimeField("Fin", validators=[required()])
    module_id = OptionalSelectField("Module")
    trainer_id = OptionalSelectField("Formateur·rice")
    room_id = OptionalSelectField("Salle")
    accept_conflicts = BooleanField("Enregistrer malgré un conflit", description=ACCEPT_HINT)
    accept_warnings = BooleanField(
        "Enregistrer malgré les avertissements",
        description="À cocher seulement si ce choix est voulu (rattrapage un samedi, salle d'un autre centre…).",
    )

    def validate_end_time(self, field):
        if self.start_time.data and field.data and field.data <= self.start_time.data:
            raise ValidationError("L'heure de fin doit suivre l'heure de début.")


class CancelSessionForm(FlaskForm):
    reason = StringField(
        "Motif de l'annulation",
        validators=[required(), Length(max=300)],
        description="Visible des apprenti·es dans leur agenda.",
    )


class WeekForm(FlaskForm):
    monday = HiddenField(validators=[required()])
    at_centre = HiddenField(validators=[required()])
