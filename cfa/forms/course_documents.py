"""Forms of a short course's agreements and end-of-course documents."""

from collections.abc import Iterable, Mapping

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from cfa.forms.admin import required, typed
from cfa.forms.fields import EurosField
from cfa.models import ObjectiveOutcome
from cfa.services.course_documents import OutcomeInput


class NewAgreementForm(FlaskForm):
    """The party is given by the button pressed on the session's list of parties without an agreement."""

    employer_id = IntegerField(validators=[Optional()])
    learner_id = IntegerField(validators=[Optional()])
    signed_at_distance = BooleanField("Contrat conclu à distance (rétractation de 14 jours)")


class AgreementForm(FlaskForm):
    trainee_count = IntegerField(
        "Nombre de stagiaires", validators=[required(), NumberRange(1, 999, "Entre 1 et 999.")]
    )
    price_cents = EurosField("Prix total TTC (€)", validators=[typed()])
    payment_terms = TextAreaField("Modalités de paiement", validators=[required(), Length(max=4000)])
    cancellation_terms = TextAreaField(
        "Conditions d'annulation, de report ou de rétractation", validators=[required(), Length(max=4000)]
    )
    signed_at_distance = BooleanField(
        "Contrat conclu à distance",
        description="Pour un contrat avec une personne : le délai de rétractation passe à 14 jours.",
    )


class SignForm(FlaskForm):
    signed_on = DateField("Signée le", validators=[required()])


class CancelForm(FlaskForm):
    reason = StringField("Motif de l'annulation", validators=[required(), Length(max=300)])


def parse_outcomes(data: Mapping[str, str], enrolment_ids: Iterable[int]) -> dict[int, OutcomeInput]:
    """The grid of the end-of-course page: `outcome-<id>` (a value of ObjectiveOutcome or empty), `note-<id>`.
    An unknown value raises ValueError with a French message."""
    entries = {}
    for enrolment_id in enrolment_ids:
        raw = data.get(f"outcome-{enrolment_id}", "")
        try:
            outcome = ObjectiveOutcome(raw) if raw else None
        except ValueError:
            raise ValueError("Résultat inconnu : choisissez dans la liste.") from None
        entries[enrolment_id] = OutcomeInput(outcome, data.get(f"note-{enrolment_id}", "")[:1000])
    return entries
