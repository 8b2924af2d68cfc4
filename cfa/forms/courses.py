"""Forms of the short courses: a training action, its sessions de formation, their half-days and trainees."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from cfa.forms.admin import WEEKDAYS, TeachingTimesChecks, required, typed
from cfa.forms.fields import DurationField, EurosField, MultiCheckboxField, OptionalSelectField
from cfa.models import CourseAudience, ParticipationForm


class ShortCourseForm(TeachingTimesChecks, FlaskForm):
    """A short training action: what it publishes before enrolment and prints on its convention."""

    code = StringField("Code", validators=[required(), Length(max=20)], description="Ex. SOCLE")
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    audience = SelectField("Public", choices=CourseAudience.choices())
    audience_detail = TextAreaField("Public visé (précisions)", validators=[Optional()])
    entry_course = BooleanField(
        "Formation socle des nouveaux médiateurs",
        description="La formation de 6 jours que tout nouveau médiateur doit suivre.",
    )
    objectives = TextAreaField(
        "Objectifs", validators=[required()], description="Un objectif par ligne : ils figurent sur l'attestation."
    )
    content = TextAreaField("Contenu", validators=[Optional()])
    teaching_methods = TextAreaField("Méthodes pédagogiques", validators=[Optional()])
    assessment_methods = TextAreaField("Modalités d'évaluation", validators=[Optional()])
    prerequisites = TextAreaField("Prérequis", validators=[Optional()])
    total_minutes = DurationField("Durée", validators=[typed()], description="Ex. « 42 h »")
    price_cents = EurosField("Prix par stagiaire (€ TTC)", validators=[Optional()], description="En inter-entreprises.")
    modality = SelectField("Modalité", choices=ParticipationForm.choices())
    place = StringField("Lieu habituel", validators=[Optional(), Length(max=200)])
    morning_start = TimeField("Début du matin", validators=[required()])
    morning_end = TimeField("Fin du matin", validators=[required()])
    afternoon_start = TimeField("Début de l'après-midi", validators=[required()])
    afternoon_end = TimeField("Fin de l'après-midi", validators=[required()])
    active = BooleanField("Formation proposée", default=True)


class RunForm(FlaskForm):
    """A session de formation: inter-company (no client) or intra-company for one client employer."""

    programme_id = SelectField("Formation courte", coerce=int)
    centre_id = SelectField("Centre", coerce=int)
    name = StringField("Nom", validators=[required(), Length(max=120)], description="Ex. Socle Rennes mars 2026")
    start_date = DateField("Premier jour", validators=[required()])
    end_date = DateField("Dernier jour", validators=[required()], description="Le même jour pour une journée.")
    client_id = OptionalSelectField(
        "Client (intra-entreprise)",
        empty_label="— inter-entreprises —",
        description="Choisir un client seulement pour une session organisée pour lui seul.",
    )
    place = StringField(
        "Lieu", validators=[Optional(), Length(max=200)], description="Site du client, établissement pénitentiaire…"
    )
    price_cents = EurosField("Prix de la session (€ TTC)", validators=[Optional()], description="En intra seulement.")
    lead_trainer_id = OptionalSelectField("Formateur·rice")
    default_room_id = OptionalSelectField("Salle")

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("Le dernier jour ne peut pas précéder le premier.")


class PatternForm(FlaskForm):
    """Half-days placed from a pattern, e.g. 6 days over three weeks on Mondays and Tuesdays."""

    start = DateField("À partir du", validators=[required()])
    days = IntegerField("Nombre de jours", validators=[required(), NumberRange(1, 60, "Entre 1 et 60 jours.")])
    weekdays = MultiCheckboxField("Jours de la semaine", choices=WEEKDAYS, default=["1", "2"])
    parts = RadioField(
        "Demi-journées",
        choices=[("both", "Journées entières"), ("am", "Matins seulement"), ("pm", "Après-midi seulement")],
        default="both",
    )
    morning_start = TimeField("Début du matin", validators=[required()])
    morning_end = TimeField("Fin du matin", validators=[required()])
    afternoon_start = TimeField("Début de l'après-midi", validators=[required()])
    afternoon_end = TimeField("Fin de l'après-midi", validators=[required()])
    trainer_id = OptionalSelectField("Formateur·rice")
    room_id = OptionalSelectField("Salle")
    accept_conflicts = BooleanField(
        "Enregistrer malgré les conflits", description="À cocher seulement si le double emploi est voulu."
    )

    def validate_weekdays(self, field):
        if not field.data:
            raise ValidationError("Cochez au moins un jour.")

    def validate_morning_end(self, field):
        if self.morning_start.data and field.data and field.data <= self.morning_start.data:
            raise ValidationError("La fin du matin doit suivre son début.")

    def validate_afternoon_end(self, field):
        if self.afternoon_start.data and field.data and field.data <= self.afternoon_start.data:
            raise ValidationError("La fin de l'après-midi doit suivre son début.")


class TraineeForm(FlaskForm):
    """A trainee registered in a run: found by e-mail when known, else created without an account."""

    first_name = StringField("Prénom", validators=[required(), Length(max=80)])
    last_name = StringField("Nom", validators=[required(), Length(max=80)])
    email = EmailField(
        "Adresse e-mail",
        validators=[Optional(), Email("Adresse e-mail invalide."), Length(max=254)],
        description="Facultative : sans adresse, les documents sont remis sur papier.",
    )
    employer_id = OptionalSelectField("Employeur", empty_label="— à titre individuel —")


class TraineeRemovalForm(FlaskForm):
    reason = StringField("Motif", validators=[Optional(), Length(max=300)])


class EmployeeRegistrationForm(TraineeForm):
    """A client's contact registers one of their own employees: the employer is theirs, the run is chosen."""

    run_id = SelectField("Session", coerce=int, validate_choice=False)  # the service says which runs are open
    employer_id = None
