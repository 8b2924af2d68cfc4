"""Forms of the micro-certification path: the request, the assessment's date and assessor, the results per
domain, the withdrawal."""

from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from cfa.forms.admin import required
from cfa.forms.fields import MultiCheckboxField, OptionalSelectField


class OwnRequestForm(FlaskForm):
    """What a person fills in on their own page."""

    domains = MultiCheckboxField(
        "Domaines demandés",
        coerce=int,
        description="Vous pouvez demander un, deux ou les trois domaines ; chacun est évalué et délivré à part.",
    )
    source_id = OptionalSelectField(
        "Formation d'origine", empty_label="— aucune —", description="La formation socle qui vous y prépare."
    )


class RequestForForm(FlaskForm):
    """What the CFA fills in for someone: the request is tied to their latest 6-day entry course, if any."""

    learner_id = SelectField("Personne", coerce=int, validators=[required()])
    domains = MultiCheckboxField("Domaines demandés", coerce=int)


class ScheduleForm(FlaskForm):
    assessment_date = DateField("Date de l'évaluation", validators=[required()])
    assessor_id = SelectField("Évaluateur·rice", coerce=int, validators=[required()])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Motif du retrait",
        validators=[required(), Length(max=300)],
        description="Ex. changement de poste, demande reportée à l'an prochain.",
    )


class ResultsForm(FlaskForm):
    """One acquired / not acquired choice and one comment per domain asked: fields added by `results_form`."""


DECISIONS = [("1", "Acquis"), ("0", "Non acquis")]


def results_form(rows, **kwargs) -> ResultsForm:
    """The results form of a request, with `acquired_<row id>` and `comment_<row id>` for each domain asked."""

    class Form(ResultsForm):
        pass

    for row in rows:
        label = f"Domaine {row.micro_certification.domain} – {row.micro_certification.title}"
        setattr(Form, f"acquired_{row.id}", RadioField(label, choices=DECISIONS, validators=[required()]))
        comment = TextAreaField(
            f"Commentaire sur le domaine {row.micro_certification.domain}", validators=[Optional(), Length(max=2000)]
        )
        setattr(Form, f"comment_{row.id}", comment)
    return Form(**kwargs)
