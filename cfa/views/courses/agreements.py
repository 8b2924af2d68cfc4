"""The agreements of a session de formation: conventions with employers, contrats with individuals."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms.course_documents import AgreementForm, CancelForm, NewAgreementForm, SignForm
from cfa.models import Employer, User
from cfa.renderers.pdf.training_agreement import render_agreement
from cfa.services import agreements
from cfa.services.agreements import AgreementError, AgreementValues
from cfa.services.course_documents import agreement_document
from cfa.services.permissions import Ability
from cfa.views.access import requires
from cfa.views.courses import bp
from cfa.views.courses.loading import agreement_or_404, run_or_404
from cfa.views.crud import commit_or_report
from cfa.views.downloads import attachment, cfa_identity
from cfa.views.forms import form_page
from cfa.views.planning import known_id


def _label(agreement) -> str:
    return f"{'Contrat' if agreement.is_contract else 'Convention'} {agreement.number}"


def _list_url(cohort_id: int) -> str:
    return url_for("courses.agreements", cohort_id=cohort_id)


@bp.route("/sessions/<int:cohort_id>/conventions", endpoint="agreements")
@requires(Ability.MANAGE_SETUP)
def agreements_page(cohort_id: int):
    cohort = run_or_404(cohort_id)
    return render_template(
        "courses/agreements.html",
        cohort=cohort,
        agreements=agreements.run_agreements(cohort.id),
        parties=agreements.parties_without_agreement(cohort),
        new_form=NewAgreementForm(),
        sign_form=SignForm(),
        cancel_form=CancelForm(),
        today=today_paris(),
    )


def _refused(error: AgreementError, cohort_id: int):
    db.session.rollback()
    flash(str(error), "error")
    return redirect(_list_url(cohort_id))


@bp.route("/sessions/<int:cohort_id>/conventions", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def new_agreement(cohort_id: int):
    cohort = run_or_404(cohort_id)
    form = NewAgreementForm()
    if not form.validate_on_submit():
        flash("Demande incomplète : choisissez la partie dans la liste.", "error")
        return redirect(_list_url(cohort.id))
    employer = db.session.get(Employer, known_id(form.employer_id.data)) if form.employer_id.data else None
    learner = db.session.get(User, known_id(form.learner_id.data)) if form.learner_id.data else None
    try:
        agreement = agreements.create_agreement(
            current_user,
            cohort,
            employer=employer,
            learner=learner,
            signed_at_distance=form.signed_at_distance.data,
            today=today_paris(),
        )
    except AgreementError as error:
        return _refused(error, cohort.id)
    if commit_or_report():
        flash(f"{_label(agreement)} établi(e) en brouillon : vérifiez les conditions.", "success")
        return redirect(url_for("courses.edit_agreement", cohort_id=cohort.id, agreement_id=agreement.id))
    return redirect(_list_url(cohort.id))


def _save(form: AgreementForm, agreement) -> bool:
    values = AgreementValues(
        form.trainee_count.data,
        form.price_cents.data,
        form.payment_terms.data,
        form.cancellation_terms.data,
        form.signed_at_distance.data,
    )
    try:
        agreements.update_agreement(current_user, agreement, values)
    except AgreementError as error:
        db.session.rollback()
        getattr(form, error.field or "trainee_count").errors.append(str(error))
        return False
    return commit_or_report()


@bp.route("/sessions/<int:cohort_id>/conventions/<int:agreement_id>/modifier", methods=["GET", "POST"])
@requires(Ability.MANAGE_SETUP)
def edit_agreement(cohort_id: int, agreement_id: int):
    agreement = agreement_or_404(cohort_id, agreement_id)
    form = AgreementForm(obj=agreement)
    if form.validate_on_submit() and _save(form, agreement):
        flash(f"{_label(agreement)} enregistré(e).", "success")
        return redirect(_list_url(cohort_id))
    kind = "Contrat" if agreement.is_contract else "Convention"
    party = agreement.learner.full_name if agreement.is_contract else agreement.employer.name
    return form_page(
        form,
        f"{kind} {agreement.number} – {party}",
        "Les conditions se modifient tant que le document est en brouillon ; le prix est celui de tout le document.",
        _list_url(cohort_id),
    )


def _transition(cohort_id: int, agreement_id: int, change, done: str):
    agreement = agreement_or_404(cohort_id, agreement_id)
    try:
        change(agreement)
    except AgreementError as error:
        return _refused(error, cohort_id)
    if commit_or_report():
        flash(f"{_label(agreement)} : {done}.", "success")
    return redirect(_list_url(cohort_id))


@bp.route("/sessions/<int:cohort_id>/conventions/<int:agreement_id>/envoyee", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def send_agreement(cohort_id: int, agreement_id: int):
    if not NewAgreementForm().validate_on_submit():
        return redirect(_list_url(cohort_id))
    return _transition(cohort_id, agreement_id, lambda a: agreements.mark_sent(current_user, a), "envoi noté")


@bp.route("/sessions/<int:cohort_id>/conventions/<int:agreement_id>/signee", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def sign_agreement(cohort_id: int, agreement_id: int):
    form = SignForm()
    on = form.signed_on.data if form.validate_on_submit() else None
    return _transition(
        cohort_id, agreement_id, lambda a: agreements.mark_signed(current_user, a, on, today_paris()), "signature notée"
    )


@bp.route("/sessions/<int:cohort_id>/conventions/<int:agreement_id>/annulee", methods=["POST"])
@requires(Ability.MANAGE_SETUP)
def cancel_agreement(cohort_id: int, agreement_id: int):
    form = CancelForm()
    reason = form.reason.data if form.validate_on_submit() else ""
    return _transition(
        cohort_id, agreement_id, lambda a: agreements.cancel(current_user, a, reason), "annulation notée"
    )


@bp.route("/sessions/<int:cohort_id>/conventions/<int:agreement_id>.pdf")
@requires(Ability.MANAGE_SETUP)
def agreement_pdf(cohort_id: int, agreement_id: int):
    agreement = agreement_or_404(cohort_id, agreement_id)
    body = render_agreement(agreement_document(agreement), cfa_identity())
    kind = "Contrat" if agreement.is_contract else "Convention"
    return attachment(body, f"{kind} de formation {agreement.number}.pdf", "application/pdf", inline=True)
