"""Forms of the quality area: complaints and their steps, improvement actions, declared rates, the audit export."""

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from cfa.forms.admin import required, typed
from cfa.forms.fields import OptionalSelectField
from cfa.models import ActionSource, ActionStatus, Audience, DeclaredRateKind
from cfa.services.complaints import CHANNELS

STAFF_CHANNELS = [(k, v) for k, v in CHANNELS.items() if k != "portal"]
COMPLAINANTS = [
    (Audience.APPRENTICE.value, "Apprenti·e ou stagiaire"),
    (Audience.EMPLOYER.value, "Employeur ou tuteur"),
    (Audience.FUNDER.value, "Financeur"),
    (Audience.TRAINER.value, "Autre (formateur, partenaire, public)"),
]


class PortalComplaintForm(FlaskForm):
    subject = StringField("Objet", validators=[required(), Length(max=200)])
    description = TextAreaField(
        "Votre réclamation",
        validators=[required(), Length(max=5000)],
        description="Décrivez les faits, leurs dates et ce que vous attendez du CFA.",
    )


class ComplaintForm(PortalComplaintForm):
    received_on = DateField("Reçue le", validators=[required()])
    channel = SelectField("Canal", choices=STAFF_CHANNELS)
    complainant_name = StringField("De la part de", validators=[required(), Length(max=120)])
    complainant_kind = SelectField("Qualité", choices=COMPLAINANTS, coerce=Audience)
    cohort_id = OptionalSelectField("Promotion concernée", empty_label="— aucune —")


class StepForm(FlaskForm):
    on = DateField("Date", validators=[required()])
    text = TextAreaField("Texte", validators=[Optional(), Length(max=5000)])


class ActionForm(FlaskForm):
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    description = TextAreaField("Description", validators=[required(), Length(max=5000)])
    source = SelectField("Origine", choices=ActionSource.choices(), coerce=ActionSource)
    complaint_id = OptionalSelectField("Réclamation d'origine", empty_label="— aucune —")
    campaign_id = OptionalSelectField("Campagne d'enquête d'origine", empty_label="— aucune —")
    owner_id = OptionalSelectField("Pilote", empty_label="— à désigner —")
    due_on = DateField("Échéance", validators=[Optional()])
    effectiveness = TextAreaField(
        "Mesure de l'efficacité", validators=[Optional(), Length(max=5000)], description="Comment l'effet sera vérifié."
    )
    indicator_ids = SelectMultipleField("Indicateurs Qualiopi concernés", coerce=int, validate_choice=True)


class ActionStatusForm(FlaskForm):
    status = SelectField(
        "Nouveau statut", choices=[(s.value, s.label) for s in ActionStatus if s != ActionStatus.PLANNED]
    )
    on = DateField("Date", validators=[Optional()])
    evidence = TextAreaField("Preuve de réalisation", validators=[Optional(), Length(max=5000)])


class DeclaredRateForm(FlaskForm):
    programme_id = OptionalSelectField("Formation", empty_label="— tout le CFA —")
    year = IntegerField("Année", validators=[typed(), NumberRange(min=2000, max=2099, message="Année invalide.")])
    kind = SelectField("Taux", choices=DeclaredRateKind.choices(), coerce=DeclaredRateKind)
    value_percent = IntegerField(
        "Valeur (%)",
        validators=[Optional(), NumberRange(min=0, max=100, message="Entre 0 et 100.")],
        description="Vide si la publication indique « effectif insuffisant ».",
    )
    population = IntegerField("Effectif", validators=[Optional(), NumberRange(min=0, max=100000)])
    source = StringField(
        "Source", validators=[required(), Length(max=200)], description="Ex. InserJeunes, publication de juin 2026."
    )
    published_on = DateField("Publié le", validators=[required()])


class ExportForm(FlaskForm):
    year = IntegerField("Année", validators=[typed(), NumberRange(min=2000, max=2099, message="Année invalide.")])
    centre_id = OptionalSelectField("Centre", empty_label="— tous les centres —")
