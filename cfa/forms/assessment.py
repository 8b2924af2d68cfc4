"""Forms of the assessment pages: evaluations (ECF), jury sessions, micro-certification awards, verification."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, Regexp

from cfa.forms.admin import required
from cfa.forms.fields import OptionalSelectField
from cfa.models import EvaluationOutcome


class EvaluationForm(FlaskForm):
    title = StringField(
        "Intitulé", validators=[required(), Length(max=200)], description="Ex. Étude de cas, jeu de rôle"
    )
    skill_block_id = SelectField("Bloc de compétences (CCP)", coerce=int, validators=[required()])
    module_id = OptionalSelectField("Module", empty_label="— aucun module en particulier —")
    date = DateField("Date", validators=[required()])
    max_score = IntegerField(
        "Noté sur",
        validators=[Optional(), NumberRange(1, 1000, "Entre 1 et 1000.")],
        description="Laissez vide pour une évaluation en acquis / non acquis sans note.",
    )


class JurySessionForm(FlaskForm):
    cohort_id = SelectField("Promotion", coerce=int, validators=[required()])
    date = DateField("Date de la session", validators=[required()])
    start_time = StringField(
        "Heure de convocation",
        validators=[Optional(), Regexp(r"^([01]\d|2[0-3]):[0-5]\d$", message="Format attendu : 09:00.")],
        description="Ex. 09:00",
    )
    place = StringField("Lieu", validators=[required(), Length(max=200)])
    members = TextAreaField("Membres du jury", validators=[required()], description="Un membre par ligne.")


class AwardForm(FlaskForm):
    learner_id = SelectField("Apprenant·e", coerce=int, validators=[required()])
    micro_certification_id = SelectField("Micro-certification", coerce=int, validators=[required()])
    awarded_on = DateField("Date de délivrance", validators=[required()])
    evidence = TextAreaField(
        "Preuve de l'évaluation",
        validators=[required(), Length(max=2000)],
        description="L'épreuve, l'observation ou la production sur laquelle repose la décision.",
    )


class RevokeForm(FlaskForm):
    reason = TextAreaField("Motif de la révocation", validators=[required(), Length(max=2000)])


class VerifyCodeForm(FlaskForm):
    code = StringField("Code de vérification", validators=[required(), Length(max=32)], description="12 caractères")


class VerifyCredentialForm(FlaskForm):
    credential = FileField("Fichier du badge (.jwt)")
    pasted = TextAreaField("ou collez son contenu", validators=[Optional(), Length(max=100_000)])


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        "Motif de la correction",
        validators=[required(), Length(max=2000)],
        description="Ex. erreur de saisie au regard du procès-verbal du jury, décision sur recours.",
    )


class ResultCorrectionForm(FlaskForm):
    """One recorded ECF result corrected, with the reason the audit trail keeps."""

    outcome = SelectField("Résultat", choices=[(o.value, o.label) for o in EvaluationOutcome], validators=[required()])
    score = IntegerField("Note", validators=[Optional(), NumberRange(0, 1000, "Entre 0 et 1000.")])
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=2000)])
    reason = TextAreaField(
        "Motif de la correction",
        validators=[required(), Length(max=2000)],
        description="Ex. erreur de saisie, seconde correction de la copie.",
    )
