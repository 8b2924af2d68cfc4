"""Logging in and out, and changing one's password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from cfa.extensions import db, limiter
from cfa.forms.auth import ChangePasswordForm, LoginForm
from cfa.services import accounts
from cfa.views.forms import safe_next

bp = Blueprint("auth", __name__)


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            flash("Adresse e-mail ou mot de passe incorrect, ou compte désactivé.", "error")
        else:
            login_user(user, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
def logout():
    logout_user()
    flash("Vous êtes déconnecté·e.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError as error:
            form[error.field or "current"].errors.append(str(error))
        else:
            db.session.commit()
            flash("Votre mot de passe a été changé.", "success")
            return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
