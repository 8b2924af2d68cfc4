"""The trainer's day and the sheet of a half-day: marks, signatures, the self sign-in code, closing, corrections."""

from datetime import UTC, datetime, timedelta

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from cfa.extensions import db, limiter, per_person
from cfa.formatting import today_paris
from cfa.forms.attendance import CorrectionForm, SignatureForm
from cfa.models import MarkStatus, SignatureMethod, UnsignedReason
from cfa.renderers.qr import qr_svg
from cfa.services import attendance, attendance_queries, notifications
from cfa.services import attendance_codes as codes
from cfa.services import attendance_signatures as signatures
from cfa.services.attendance import AttendanceError, MarkInput
from cfa.services.attendance_followup import trainer_to_finish
from cfa.services.audit import history
from cfa.services.permissions import Ability, can
from cfa.urls import public_url
from cfa.views.access import requires
from cfa.views.attendance import bp, session_or_404
from cfa.views.attendance.sheet_fields import posted_marks, posted_minutes, posted_status, posted_unsigned
from cfa.views.forms import posted
from cfa.views.params import date_arg, page_arg

HISTORY_PAGE_SIZE = 50


@bp.route("/aujourdhui")
@requires(Ability.TAKE_ATTENDANCE)
def today():
    day = date_arg("jour", today_paris())
    mine_only = not can(current_user, Ability.MANAGE_ATTENDANCE)
    sessions = attendance_queries.sessions_on(day, current_user if mine_only else None)
    ids = [s.id for s in sessions]
    to_finish, to_finish_total = trainer_to_finish(current_user)
    return render_template(
        "attendance/today.html",
        to_finish=to_finish,
        to_finish_total=to_finish_total,
        day=day,
        sessions=sessions,
        sheets=attendance_queries.sheets_by_session(ids),
        counts=attendance_queries.mark_counts(ids),
        previous=day - timedelta(days=1),
        next=day + timedelta(days=1),
        is_today=day == today_paris(),
        statuses=MarkStatus,
    )


def _sheet_context(session):
    sheet = attendance.sheet_of(session)
    rows = attendance.rows(session, sheet)
    locked = bool(sheet) and attendance.is_locked(sheet, session)
    correction = CorrectionForm(prefix="correction")
    correction.enrolment_id.choices = [(r.enrolment.id, r.apprentice.sort_name) for r in rows]
    return dict(
        session=session,
        sheet=sheet,
        rows=rows,
        locked=locked,
        statuses=list(MarkStatus),
        correction=correction,
        signature_form=SignatureForm(),
        trainer_typed_statement=signatures.TRAINER_TYPED_STATEMENT,
        awaiting=signatures.awaiting_signature(rows),
        unsigned_reasons=list(UnsignedReason),
        before_end=datetime.now(UTC) < attendance.session_end(session),
        corrected=attendance_queries.last_corrections(r.mark.id for r in rows if r.mark),
        late_enrolments=attendance_queries.enrolled_after_closing([session.id]).get(session.id, []),
        describe=lambda mark: attendance.describe(attendance.state_of(mark)),
    )


@bp.route("/seances/<int:session_id>")
@requires(Ability.TAKE_ATTENDANCE)
def sheet(session_id: int):
    session = session_or_404(session_id)
    return render_template("attendance/sheet.html", **_sheet_context(session))


@bp.route("/seances/<int:session_id>", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
def save(session_id: int):
    session = session_or_404(session_id)
    if not posted():
        abort(400)
    try:
        flashes = _all_present(session) if request.form.get("action") == "all-present" else _marks(session)
        notifications.refresh_absence_alerts(session)
    except AttendanceError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("attendance.sheet", session_id=session.id))
    db.session.commit()
    for category, message in flashes:
        flash(message, category)
    return redirect(url_for("attendance.sheet", session_id=session.id))


def _all_present(session) -> list[tuple[str, str]]:
    added = attendance.mark_everyone_present(session, current_user)
    if not added:
        return []
    return [("success", f"{added} apprenti·e(s) marqué·e(s) présent·e(s). Touchez maintenant les exceptions.")]


def _marks(session) -> list[tuple[str, str]]:
    """The marks posted for the sheet's rows; what another device recorded meanwhile is kept and said."""
    entries, seen = posted_marks(request.form, attendance.rows(session, attendance.sheet_of(session)))
    result = attendance.save_marks(session, current_user, entries, seen, request.user_agent.string)
    saved = f"{result.saved} émargement(s) enregistré(s)." if result.saved else "Rien de nouveau à enregistrer."
    return ([("warning", result.message)] if result.message else []) + [("success", saved)]


def _signed(session, empty: str, action, done: str, anchor: str | None = None, drawn: bool = True):
    """Run an action that needs a signature, drawn (a PNG) or not (`drawn` False: the action gets None and the
    service checks what replaces the drawing); a refusal is flashed in French and changes nothing."""
    form = SignatureForm()
    try:
        if not drawn:
            if not posted():
                abort(400)
            action(None)
        elif not form.validate_on_submit():
            raise AttendanceError(empty)
        else:
            action(signatures.decode_signature(form.signature.data))
    except AttendanceError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("attendance.sheet", session_id=session.id, _anchor=anchor))


@bp.route("/seances/<int:session_id>/signer/<int:enrolment_id>", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
def sign(session_id: int, enrolment_id: int):
    """The apprentice signs on the trainer's device."""
    session = session_or_404(session_id)
    user_agent = request.user_agent.string
    return _signed(
        session,
        "La signature est vide : signez dans le cadre.",
        lambda png: signatures.sign(
            session, enrolment_id, png, SignatureMethod.TRAINER_DEVICE, user_agent, current_user
        ),
        "Signature enregistrée.",
        anchor=f"r-{enrolment_id}",
    )


@bp.route("/seances/<int:session_id>/clore", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
# Signing without drawing takes the trainer's password: a few tries a minute, as at the login page.
@limiter.limit("10 per minute", methods=["POST"], key_func=per_person)
def close(session_id: int):
    session = session_or_404(session_id)
    user_agent = request.user_agent.string
    unsigned = posted_unsigned(request.form)
    early_reason = (request.form.get("early_reason") or "")[:300]
    typed = request.form.get("method") == SignatureMethod.TYPED.value
    password = (request.form.get("password") or "")[:200]
    return _signed(
        session,
        "Votre signature est vide : signez dans le cadre pour clore la feuille.",
        lambda png: signatures.close(
            session,
            current_user,
            png,
            user_agent,
            unsigned=unsigned,
            early_reason=early_reason,
            typed=(password, bool(request.form.get("confirm"))) if typed else None,
        ),
        "Feuille signée et close.",
        drawn=not typed,
    )


@bp.route("/seances/<int:session_id>/corriger", methods=["POST"])
@requires(Ability.TAKE_ATTENDANCE)
def correct(session_id: int):
    session = session_or_404(session_id)
    context = _sheet_context(session)
    form = context["correction"]
    if request.form.get("correction-status"):
        posted_status(request.form["correction-status"])
    for name in ("correction-minutes_late", "correction-minutes_left_early"):
        posted_minutes(request.form.get(name))
    on_sheet = {str(eid) for eid, _name in form.enrolment_id.choices}
    if request.form.get("correction-enrolment_id", "") not in on_sheet:
        abort(400, "Cette personne n'est pas sur cette feuille : rechargez la page et recommencez.")
    if form.validate_on_submit():
        entry = MarkInput(form.status.data, form.minutes_late.data or 0, form.minutes_left_early.data or 0)
        try:
            attendance.correct(session, form.enrolment_id.data, entry, form.reason.data, current_user)
            notifications.refresh_absence_alerts(session)
        except AttendanceError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash("Correction enregistrée ; elle figure dans l'historique de la feuille.", "success")
            return redirect(url_for("attendance.sheet", session_id=session.id))
    return render_template("attendance/sheet.html", **context), 422


@bp.route("/seances/<int:session_id>/historique")
@requires(Ability.TAKE_ATTENDANCE)
def sheet_history(session_id: int):
    session = session_or_404(session_id)
    page = page_arg()
    sheet = attendance.sheet_of(session)
    # One more than a page tells whether a next page exists.
    events = (
        history("attendance_sheet", sheet.id, HISTORY_PAGE_SIZE + 1, (page - 1) * HISTORY_PAGE_SIZE) if sheet else []
    )
    if page > 1 and not events:
        abort(404, "Cette page de l'historique n'existe pas.")
    names = {r.enrolment.id: r.apprentice.full_name for r in attendance.rows(session, sheet)}
    marks = attendance.marks_of(sheet) if sheet else {}
    mark_names = {m.id: names.get(m.enrolment_id, "?") for m in marks.values()}
    return render_template(
        "attendance/history.html",
        session=session,
        sheet=sheet,
        events=events[:HISTORY_PAGE_SIZE],
        mark_names=mark_names,
        page=page,
        has_next=len(events) > HISTORY_PAGE_SIZE,
    )


@bp.route("/seances/<int:session_id>/code", methods=["GET", "POST"])
@requires(Ability.TAKE_ATTENDANCE)
def code(session_id: int):
    """The self sign-in code and its QR, for the trainer's screen. Opening the panel POSTs (the sheet and the
    secret its codes come from are created then); the page then GETs a fresh code every 30 s, reading only."""
    session = session_or_404(session_id)
    if request.method == "POST":
        if not posted():
            abort(400)
        try:
            sheet = attendance.lock_sheet(session)
        except AttendanceError as error:
            db.session.rollback()
            return jsonify(error=str(error)), 409
        db.session.commit()
    else:
        sheet = attendance.sheet_of(session)
        if sheet is None or sheet.qr_secret is None:
            return jsonify(error="Ouvrez d'abord l'auto-émargement depuis la feuille."), 409
    now = datetime.now(UTC)
    value, expires = codes.current_code(sheet, now)
    link = public_url("me.sign_in", code=value)
    return jsonify(code=value, expires_in=max(1, int((expires - now).total_seconds())), svg=qr_svg(link), link=link)


@bp.route("/seances/<int:session_id>/etat")
@requires(Ability.TAKE_ATTENDANCE)
def state(session_id: int):
    """What the sheet holds now, for the trainer's page to show sign-ins as they arrive."""
    session = session_or_404(session_id)
    sheet = attendance.sheet_of(session)
    marks = attendance.marks_of(sheet) if sheet else {}
    return jsonify(
        version=sheet.version if sheet else 0,
        marks={
            str(eid): {
                "status": m.status.value,
                "late": m.minutes_late,
                "early": m.minutes_left_early,
                "signed": m.signed_at is not None,
                "method": m.signature_method.label.lower() if m.signature_method else "",
            }
            for eid, m in marks.items()
        },
    )
