"""Forms of the administration's set-up screens."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from cfa.forms.fields import DurationField, MultiCheckboxField, OptionalSelectField
from cfa.models import EmployerKind, InterruptionKind, ParticipationForm, Role
from cfa.services.identifiers import normalise, normalise_uai, siret_error, uai_error

REQUIRED = "Ce champ est obligatoire."
POSTCODE = Regexp(r"^\d{5}$", message="Le code postal compte 5 chiffres.")
WEEKDAYS = [("1", "Lundi"), ("2", "Mardi"), ("3", "Mercredi"), ("4", "Jeudi"), ("5", "Vendredi"), ("6", "Samedi")]


def required():
    return DataRequired(REQUIRED)


def typed():
    """Required, for fields that parse their text (durations): keeps their own 'unreadable' message."""
    return InputRequired(REQUIRED)


def valid_uai(form, field):
    """The UAI with its key letter: a typo on one digit is caught here, not by the funder."""
    if message := uai_error(field.data):
        raise ValidationError(message)
    field.data = normalise_uai(field.data)


def dates_ordered(start_field: str, end_field: str, message: str):
    """A form-level check: the end date is after the start date."""

    def check(form, field):
        start = getattr(form, start_field).data
        if start and field.data and field.data <= start:
            raise ValidationError(message)

    return check


class OrganisationForm(FlaskForm):
    name = StringField("Nom de l'organisme", validators=[required(), Length(max=160)])
    legal_representative = StringField("Représentant·e légal·e", validators=[required(), Length(max=120)])
    legal_representative_title = StringField("Fonction", validators=[required(), Length(max=80)])
    siret = StringField("SIRET", validators=[required()])
    nda = StringField(
        "Numéro de déclaration d'activité (NDA)",
        validators=[required(), Regexp(r"^\d{11}$", message="Le NDA compte 11 chiffres.")],
    )
    uai = StringField("Code UAI", validators=[required(), valid_uai], description="7 chiffres et une lettre clé.")
    address = StringField("Adresse", validators=[required(), Length(max=200)])
    postcode = StringField("Code postal", validators=[required(), POSTCODE])
    city = StringField("Ville", validators=[required(), Length(max=100)])
    email = EmailField("E-mail de contact", validators=[Optional(), Email("Adresse e-mail invalide.")])
    phone = TelField("Téléphone", validators=[Optional(), Length(max=20)])
    website = StringField("Site web", validators=[Optional(), Length(max=200)])
    # The complaints procedure's own targets (Qualiopi 31) and the smallest population a public rate is shown on.
    complaint_ack_days = IntegerField(
        "Réclamations : accusé de réception sous (jours)",
        validators=[Optional(), NumberRange(min=0, max=60, message="Entre 0 et 60 jours.")],
        default=2,
    )
    complaint_answer_days = IntegerField(
        "Réclamations : réponse sous (jours)",
        validators=[Optional(), NumberRange(min=1, max=120, message="Entre 1 et 120 jours.")],
        default=15,
    )
    complaint_close_days = IntegerField(
        "Réclamations : clôture sous (jours)",
        validators=[Optional(), NumberRange(min=1, max=365, message="Entre 1 et 365 jours.")],
        default=30,
    )
    public_rate_threshold = IntegerField(
        "Effectif minimal d'un taux publié",
        validators=[Optional(), NumberRange(min=1, max=100, message="Entre 1 et 100 personnes.")],
        default=10,
        description="En dessous, la page publique affiche « effectif insuffisant ».",
    )
    TARGETS = ("complaint_ack_days", "complaint_answer_days", "complaint_close_days", "public_rate_threshold")

    def populate_obj(self, obj):
        """A target left empty keeps its value (or the default)."""
        for name in self.TARGETS:
            if self[name].data is None:
                self[name].data = getattr(obj, name, None) or self[name].default
        super().populate_obj(obj)

    def validate_siret(self, field):
        if message := siret_error(field.data):
            raise ValidationError(message)
        field.data = normalise(field.data)


class CentreForm(FlaskForm):
    name = StringField("Nom", validators=[required(), Length(max=120)])
    code = StringField("Code court", validators=[required(), Length(max=12)], description="Ex. RENNES")
    address = StringField("Adresse", validators=[Optional(), Length(max=200)])
    postcode = StringField("Code postal", validators=[Optional(), POSTCODE])
    city = StringField("Ville", validators=[required(), Length(max=100)])
    uai = StringField(
        "Code UAI du site", validators=[Optional(), valid_uai], description="7 chiffres et une lettre clé."
    )
    phone = TelField("Téléphone", validators=[Optional(), Length(max=20)])


class RoomForm(FlaskForm):
    name = StringField("Nom de la salle", validators=[required(), Length(max=80)])
    capacity = IntegerField(
        "Capacité (places)",
        validators=[Optional(), NumberRange(min=1, max=500, message="Entre 1 et 500 places.")],
    )
    active = BooleanField("Salle disponible", default=True)


class ClosureForm(FlaskForm):
    label = StringField("Libellé", validators=[required(), Length(max=120)], description="Ex. Vacances de Noël")
    start_date = DateField("Premier jour de fermeture", validators=[required()])
    end_date = DateField("Dernier jour de fermeture", validators=[required()])

    def validate_end_date(self, field):
        if self.start_date.data and field.data and field.data < self.start_date.data:
            raise ValidationError("Le dernier jour ne peut pas précéder le premier.")


class TeachingTimesChecks:
    """The checks of a programme's hours and half-day times, shared by titles and short courses (fields stay on each
    form, in the order each page shows them)."""

    def validate_total_minutes(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError("La durée doit être positive.")

    def validate_morning_end(self, field):
        if self.morning_start.data and field.data and field.data <= self.morning_start.data:
            raise ValidationError("La fin du matin doit suivre son début.")

    def validate_afternoon_start(self, field):
        if self.morning_end.data and field.data and field.data < self.morning_end.data:
            raise ValidationError("L'après-midi commence après la fin du matin.")

    def validate_afternoon_end(self, field):
        if self.afternoon_start.data and field.data and field.data <= self.afternoon_start.data:
            raise ValidationError("La fin de l'après-midi doit suivre son début.")


class ProgrammeForm(TeachingTimesChecks, FlaskForm):
    code = StringField("Code", validators=[required(), Length(max=20)], description="Ex. MSADS")
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    level = IntegerField("Niveau", validators=[required(), NumberRange(1, 8, "Niveau de 1 à 8.")])
    rncp_code = StringField(
        "Code RNCP",
        validators=[Optional(), Regexp(r"^RNCP\d{4,6}$", message="Format attendu : RNCP suivi de chiffres.")],
    )
    rncp_valid_from = DateField("Enregistré au RNCP du", validators=[Optional()])
    rncp_valid_until = DateField("au", validators=[Optional()])
    certifier = StringField("Certificateur", validators=[required(), Length(max=120)])
    total_minutes = DurationField("Durée en centre", validators=[typed()], description="Ex. « 441 h »")
    duration_months = IntegerField(
        "Durée du contrat (mois)", validators=[required(), NumberRange(1, 48, "Entre 1 et 48 mois.")]
    )
    description = TextAreaField("Présentation", validators=[Optional()])
    first_block_weeks = IntegerField(
        "Semaines au centre pour commencer",
        validators=[required(), NumberRange(1, 8, "Entre 1 et 8 semaines.")],
        default=1,
        description="Une rentrée plus longue, par exemple 2 semaines, avant le rythme habituel.",
    )
    course_weeks = IntegerField(
        "Semaines au centre par cycle", validators=[required(), NumberRange(1, 8, "Entre 1 et 8.")], default=1
    )
    field_weeks = IntegerField(
        "Semaines en entreprise par cycle", validators=[required(), NumberRange(0, 12, "Entre 0 et 12.")], default=3
    )
    centre_days = MultiCheckboxField("Jours au centre", choices=WEEKDAYS, default=["1", "2", "3", "4", "5"])
    morning_start = TimeField("Début du matin", validators=[required()])
    morning_end = TimeField("Fin du matin", validators=[required()])
    afternoon_start = TimeField("Début de l'après-midi", validators=[required()])
    afternoon_end = TimeField("Fin de l'après-midi", validators=[required()])
    active = BooleanField("Formation proposée", default=True)

    def validate_rncp_valid_until(self, field):
        if self.rncp_valid_from.data and field.data and field.data <= self.rncp_valid_from.data:
            raise ValidationError("La fin d'enregistrement doit suivre son début.")

    def validate_centre_days(self, field):
        if not field.data:
            raise ValidationError("Cochez au moins un jour.")


class SkillBlockForm(FlaskForm):
    position = IntegerField("Ordre", validators=[required(), NumberRange(1, 50, "Entre 1 et 50.")])
    code = StringField("Code", validators=[required(), Length(max=20)], description="Ex. CCP1")
    title = StringField("Intitulé", validators=[required(), Length(max=300)])
    description = TextAreaField("Compétences", validators=[Optional()])


class ModuleForm(FlaskForm):
    position = IntegerField("Ordre", validators=[required(), NumberRange(1, 200, "Entre 1 et 200.")])
    code = StringField("Code", validators=[required(), Length(max=20)])
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    skill_block_id = OptionalSelectField("Bloc de compétences", empty_label="— transversal —")
    minutes = DurationField("Volume horaire", validators=[typed()], description="Ex. « 35 h »")
    default_trainer_id = OptionalSelectField("Formateur·rice par défaut", empty_label="— à définir —")

    def validate_minutes(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError("Le volume horaire doit être positif.")


class MicroCertificationForm(FlaskForm):
    code = StringField("Code", validators=[required(), Length(max=20)])
    title = StringField("Intitulé", validators=[required(), Length(max=200)])
    domain = SelectField(
        "Domaine",
        coerce=int,
        choices=[
            (1, "1. Le cadre de la médiation sociale et la posture du médiateur"),
            (2, "2. Les bases de la communication en médiation sociale"),
            (3, "3. Les bases de la gestion de conflit"),
        ],
    )
    description = TextAreaField("Présentation", validators=[Optional()])
    learning_outcomes = TextAreaField(
        "Acquis d'apprentissage", validators=[required()], description="Un acquis par ligne."
    )
    workload_minutes = DurationField("Volume de travail", validators=[typed()], description="Ex. « 14 h »")
    eqf_level = IntegerField("Niveau CEC", validators=[Optional(), NumberRange(1, 8, "Niveau de 1 à 8.")])
    assessment_method = StringField("Modalité d'évaluation", validators=[required(), Length(max=300)])
    participation_form = SelectField("Forme de participation", choices=ParticipationForm.choices())
    quality_assurance = StringField("Assurance qualité", validators=[required(), Length(max=300)])
    prerequisites = TextAreaField("Prérequis", validators=[Optional()])
    skill_block_ids = MultiCheckboxField("Blocs de compétences liés", coerce=int)
    active = BooleanField("Proposée", default=True)

    def validate_workload_minutes(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError("Le volume de travail doit être positif.")


class EmployerForm(FlaskForm):
    name = StringField("Raison sociale", validators=[required(), Length(max=160)])
    siret = StringField("SIRET", validators=[required()], description="14 chiffres, espaces acceptés.")
    kind = SelectField("Type d'employeur", choices=EmployerKind.choices())
    address = StringField("Adresse", validators=[Optional(), Length(max=200)])
    postcode = StringField("Code postal", validators=[Optional(), POSTCODE])
    city = StringField("Ville", validators=[Optional(), Length(max=100)])
    opco = StringField("OPCO", validators=[Optional(), Length(max=80)], description="Financeur des contrats.")
    contact_name = StringField("Contact", validators=[Optional(), Length(max=120)])
    contact_email = EmailField("E-mail du contact", validators=[Optional(), Email("Adresse e-mail invalide.")])
    phone = TelField("Téléphone", validators=[Optional(), Length(max=20)])
    active = BooleanField("Employeur actif", default=True)

    def validate_siret(self, field):
        if message := siret_error(field.data):
            raise ValidationError(message)
        field.data = normalise(field.data)


class UserForm(FlaskForm):
    first_name = StringField("Prénom", validators=[required(), Length(max=80)])
    last_name = StringField("Nom", validators=[required(), Length(max=80)])
    email = EmailField(
        "Adresse e-mail",
        validators=[required(), Email("Adresse e-mail invalide."), Length(max=254)],
        filters=[lambda v: v.strip().lower() if v else v],
    )
    phone = TelField("Téléphone", validators=[Optional(), Length(max=20)])
    birth_date = DateField("Date de naissance", validators=[Optional()])
    job_title = StringField("Fonction", validators=[Optional(), Length(max=120)])
    roles = MultiCheckboxField("Rôles", choices=Role.choices())
    employer_id = OptionalSelectField(
        "Employeur", empty_label="— aucun —", description="Obligatoire pour un·e tuteur·rice."
    )

    def validate_roles(self, field):
        if not field.data:
            raise ValidationError("Choisissez au moins un rôle.")

    def validate_employer_id(self, field):
        if Role.TUTOR.value in (self.roles.data or []) and not field.data:
            raise ValidationError("Un·e tuteur·rice est rattaché·e à un employeur.")


class CohortForm(FlaskForm):
    name = StringField("Nom", validators=[required(), Length(max=120)], description="Ex. MSADS Rennes 2025-2026")
    programme_id = SelectField("Formation", coerce=int)
    centre_id = SelectField("Centre", coerce=int)
    start_date = DateField("Début", validators=[required()])
    end_date = DateField(
        "Fin",
        validators=[required(), dates_ordered("start_date", "end_date", "La fin doit suivre le début.")],
        description="Fin des contrats : aucune séance n'est planifiée au-delà.",
    )
    lead_trainer_id = OptionalSelectField("Formateur·rice référent·e")
    default_room_id = OptionalSelectField("Salle habituelle")


class EnrolmentForm(FlaskForm):
    apprentice_id = SelectField("Apprenti·e", coerce=int)
    cohort_id = SelectField("Promotion", coerce=int)
    employer_id = OptionalSelectField("Employeur", empty_label="— à renseigner —")
    tutor_id = OptionalSelectField("Tuteur·rice (maître d'apprentissage)", empty_label="— à renseigner —")
    referent_id = OptionalSelectField(
        "Référent·e du CFA",
        empty_label="— à désigner —",
        description="Le formateur ou la formatrice, ou le membre de l'équipe, qui suit l'apprenti·e : livret, visites.",
    )
    contract_start = DateField("Début du contrat", validators=[required()])
    contract_end = DateField(
        "Fin du contrat",
        validators=[
            required(),
            dates_ordered("contract_start", "contract_end", "La fin du contrat doit suivre son début."),
        ],
    )


class InterruptionForm(FlaskForm):
    interrupted_on = DateField("Date de fin effective", validators=[required()])
    kind = SelectField("Nature", choices=InterruptionKind.choices())
    reason = TextAreaField("Motif", validators=[required(), Length(max=2000)])


class ReopeningForm(FlaskForm):
    reason = TextAreaField(
        "Pourquoi remettre en cours ?",
        validators=[required(), Length(max=2000)],
        description="Saisie erronée, reprise du contrat… L'interruption effacée reste dans l'historique.",
    )
