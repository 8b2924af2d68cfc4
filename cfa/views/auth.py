"""Logging in and out, one's password and sessions, and the password links sent by e-mail."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from cfa.extensions import db, limiter
from cfa.forms.auth import ChangePasswordForm, ForgotPasswordForm, LoginForm, NewPasswordForm
from cfa.services import accounts
from cfa.urls import public_url
from cfa.views.access import public, signed_in
from cfa.views.forms import posted, safe_next

bp = Blueprint("auth", __name__)

# What a person with a temporary password may still open before choosing their own.
OPEN_TO_TEMPORARY = frozenset({"auth.change_password", "auth.logout", "static"})


@bp.before_app_request
def _temporary_password_must_change():
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in OPEN_TO_TEMPORARY
    ):
        flash("Choisissez votre mot de passe : celui qui vous a été remis n'était que provisoire.", "info")
        return redirect(url_for("auth.change_password"))
    return None


def _login_key() -> str:
    """Failed log-ins are counted per account as well as per address: a flood from one proxy locks nobody out."""
    return "login:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_key)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        db.session.commit()  # failures are audited too
        if user is None:
            flash("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.", "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
@public
def logout():
    if current_user.is_authenticated:
        accounts.end_sessions(current_user, current_user, "déconnexion")
        db.session.commit()
    logout_user()
    flash("Vous êtes déconnecté·e.", "info")
    response = redirect(url_for("auth.login"))
    # The sheets kept for use without network, and anything else of this account, leave the device with it.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@signed_in
@limiter.limit("10 per hour", methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as error:
            form[error.field or "current"].errors.append(str(error))
        else:
            db.session.commit()
            _stay_logged_in()
            flash("Votre mot de passe a été changé ; vos autres sessions sont terminées.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/sessions/terminer", methods=["POST"])
@signed_in
def end_other_sessions():
    if posted():
        accounts.end_sessions(current_user, current_user, "déconnexion de tous les appareils")
        db.session.commit()
        _stay_logged_in()
        flash("Vous êtes déconnecté·e de tous vos autres appareils.", "success")
    return redirect(url_for("auth.change_password"))


def _stay_logged_in() -> None:
    """The session version moved on: this device gets a session (and cookie) of the new version."""
    remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    login_user(current_user._get_current_object(), remember=remembered)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@limiter.limit("5 per hour", methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_by_email(form.email.data)
        if user is not None and user.active:
            token = accounts.password_link_token(current_app.config["SECRET_KEY"], user, "reset")
            link = public_url("auth.password_from_link", purpose="reset", token=token)
            accounts.send_password_link(user, link, "reset")
            db.session.commit()
        # The same answer whether the address exists or not: the page tells nobody who has an account.
        flash("Si un compte actif correspond à cette adresse, un lien vient de lui être envoyé.", "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<any(reset, invitation):purpose>/<token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@public
def password_from_link(purpose: str, token: str):
    user = accounts.user_for_token(current_app.config["SECRET_KEY"], token, purpose)
    if user is None:
        flash("Ce lien a expiré ou a déjà servi. Demandez-en un nouveau.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_from_link(user, form.new.data)
        except accounts.AccountError as error:
            form.new.errors.append(str(error))
        else:
            db.session.commit()
            flash("Votre mot de passe est enregistré : connectez-vous.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/new_password.html", form=form, person=user), 200, {"Cache-Control": "no-store"}
