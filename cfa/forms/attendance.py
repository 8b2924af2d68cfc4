"""Forms of attendance: justifications, self sign-in, corrections, decisions."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from cfa.forms.admin import required
from cfa.models import MarkStatus


class JustificationForm(FlaskForm):
    start_date = DateField("Du", validators=[required()])
    end_date = DateField("Au", validators=[required()], description="Le même jour pour une absence d'un jour.")
    reason = StringField(
        "Motif",
        validators=[required(), Length(max=300)],
        description="Ex. arrêt maladie, convocation administrative, décès d'un proche.",
    )
    proof = FileField(
        "Justificatif",
        description="PDF, JPEG ou PNG, 5 Mo au plus.",
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("La fin de l'absence ne peut pas précéder son début.")


class SignInForm(FlaskForm):
    code = StringField(
        "Code affiché par le formateur",
        validators=[required(), Length(min=4, max=12)],
        description="Six caractères ; il change toutes les 30 secondes.",
    )
    signature = HiddenField()  # drawn on the apprentice's own phone; optional


class TypedSignInForm(FlaskForm):
    """Signing without drawing, from one's own account: the sheet's code, one's password, the statement."""

    code = StringField(
        "Code affiché par le formateur",
        validators=[required(), Length(min=4, max=12)],
        description="Six caractères ; il change toutes les 30 secondes.",
    )
    password = PasswordField("Mon mot de passe", validators=[required(), Length(max=200)])
    confirm = BooleanField(
        "Je confirme ma présence : cette saisie vaut signature",  # the view shows the full statement
        validators=[DataRequired("Cochez la déclaration pour signer sans tracé.")],
    )


class CorrectionForm(FlaskForm):
    enrolment_id = SelectField("Apprenti·e", coerce=int)
    status = SelectField("Statut", choices=MarkStatus.choices(), coerce=MarkStatus)
    minutes_late = IntegerField(
        "Minutes de retard",
        validators=[Optional(), NumberRange(min=0, max=600, message="Entre 0 et 600 minutes.")],
    )
    minutes_left_early = IntegerField(
        "Minutes de départ anticipé",
        validators=[Optional(), NumberRange(min=0, max=600, message="Entre 0 et 600 minutes.")],
        description="Un retard et un départ anticipé de la même demi-journée se saisissent ensemble.",
    )
    reason = TextAreaField(
        "Motif de la correction",
        validators=[required(), Length(min=5, max=1000)],
        description="Obligatoire : il est conservé avec l'ancienne et la nouvelle valeur.",
    )


class RefusalForm(FlaskForm):
    refusal_reason = StringField("Motif du refus", validators=[required(), Length(max=300)])


class SignatureForm(FlaskForm):
    signature = HiddenField(validators=[required()])
