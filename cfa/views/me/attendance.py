"""The apprentice's attendance: rates, absences, justifications, and self sign-in with the trainer's code."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from cfa import storage
from cfa.errors import render_error
from cfa.extensions import db, limiter, per_person
from cfa.formatting import long_date, today_paris
from cfa.forms.attendance import JustificationForm, SignInForm, TypedSignInForm
from cfa.models import SignatureMethod
from cfa.services import absences, justifications, notifications
from cfa.services import attendance_codes as codes
from cfa.services.attendance import AttendanceError, describe, state_of
from cfa.services.attendance_rates import rates_by_enrolment
from cfa.services.attendance_signatures import TYPED_STATEMENT, decode_signature
from cfa.services.enrolments import current_enrolment
from cfa.services.permissions import Ability, can
from cfa.views.me import bp
from cfa.views.oversized import text_fields


def _submitted(enrolment, form) -> bool:
    """The proof is filed and committed, or its refusal sits beside the file field."""
    upload = form.proof.data
    try:
        justifications.submit(
            enrolment,
            current_user,
            form.start_date.data,
            form.end_date.data,
            form.reason.data,
            upload.filename if upload else None,
            upload.stream if upload else None,
            storage.uploads(),
            quota_bytes=current_app.config["UPLOAD_QUOTA_BYTES"],
        )
    except AttendanceError as error:
        db.session.rollback()
        form.proof.errors.append(str(error))
        return False
    db.session.commit()
    return True


@bp.route("/presences", methods=["GET", "POST"])
@limiter.limit("20 per day", methods=["POST"], key_func=per_person)  # proofs are files kept for years
def attendance():
    enrolment = current_enrolment(current_user, on=today_paris())
    form = JustificationForm()
    if enrolment is not None and form.validate_on_submit() and _submitted(enrolment, form):
        flash("Justificatif envoyé : le CFA vous répondra ici.", "success")
        return redirect(url_for("me.attendance"))
    return _attendance_page(enrolment, form)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A proof over the size limit: the justification form again, with what was typed and the refusal beside the
    file field, instead of a page that leads nowhere (elsewhere in this area, the French 413 page)."""
    if request.endpoint != "me.attendance" or not can(current_user, Ability.VIEW_OWN_TRAINING):
        return render_error(413)
    form = JustificationForm(formdata=text_fields(request))
    form.validate()  # the dates and the reason are checked as usual; the file is refused below
    form.proof.errors = [justifications.TOO_LARGE]
    return _attendance_page(current_enrolment(current_user, on=today_paris()), form, 413)


def _attendance_page(enrolment, form, status: int = 200):
    ids = [enrolment.id] if enrolment else []
    marks = absences.notable_marks(ids)
    return render_template(
        "me/attendance.html",
        enrolment=enrolment,
        rate=rates_by_enrolment(ids).get(enrolment.id) if enrolment else None,
        marks=marks,
        justified=justifications.covering(marks),
        justifications=absences.justifications_of(ids),
        form=form,
        describe=lambda mark: describe(state_of(mark)),
    ), status


@bp.route("/emargement", methods=["GET", "POST"])
# A code is 6 of 31 characters and lives 60 s: at 10 tries a minute nobody guesses one.
@limiter.limit("10 per minute; 100 per day", methods=["POST"], key_func=per_person)
def sign_in():
    """Self sign-in: the QR code opens this page with the code filled in; a broken camera types it."""
    form = SignInForm(data={"code": request.args.get("code", "")} if request.method == "GET" else None)
    if form.validate_on_submit():
        drawn = form.signature.data
        done = _signed_in(
            form,
            lambda: codes.self_sign_in(
                current_user,
                form.code.data,
                request.user_agent.string,
                signature=decode_signature(drawn) if drawn else None,
            ),
        )
        if done:
            return done
    return render_template("me/sign_in.html", form=form)


@bp.route("/emargement/sans-trace", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per day", methods=["POST"], key_func=per_person)
def typed_sign_in():
    """Signing without drawing (a hand that cannot draw on a screen, a screen reader): code, password, statement."""
    form = TypedSignInForm(data={"code": request.args.get("code", "")} if request.method == "GET" else None)
    form.confirm.label.text = TYPED_STATEMENT  # what is ticked is the statement kept with the signature
    if form.validate_on_submit():
        done = _signed_in(
            form,
            lambda: codes.typed_sign_in(
                current_user, form.code.data, form.password.data, form.confirm.data, request.user_agent.string
            ),
        )
        if done:
            return done
    return render_template("me/typed_sign_in.html", form=form, method_label=SignatureMethod.TYPED.label)


def _signed_in(form, sign):
    """Sign in (the apprentice's mark committed and the tutor's alerts refreshed), or the refusal under the code."""
    try:
        mark = sign()
        notifications.refresh_absence_alerts(mark.session)
    except AttendanceError as error:
        db.session.rollback()
        getattr(form, getattr(error, "field", "code")).errors.append(str(error))
        return None
    db.session.commit()
    session = mark.session
    flash(
        f"Émargement enregistré : {long_date(session.date)}, {session.half_day.label.lower()} "
        f"({describe(state_of(mark))}).",
        "success",
    )
    return redirect(url_for("me.attendance"))
