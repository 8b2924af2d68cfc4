"""People: accounts, roles, activation and password resets."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.forms import choices
from cfa.forms.admin import UserForm
from cfa.models import Enrolment, Role, User, UserRole
from cfa.renderers.spreadsheets import Field
from cfa.services import accounts
from cfa.services.permissions import Ability
from cfa.urls import public_url
from cfa.views.access import requires
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, Unique, populate_except, register_crud
from cfa.views.forms import posted


def _prepare(form, obj):
    form.employer_id.set_choices(choices.employers())
    if obj is None and request.method == "GET":
        form.roles.data = [request.args["role"]] if request.args.get("role") in Role._value2member_map_ else []
        form.employer_id.data = request.args.get("employer", type=int)
    elif obj is not None and request.method == "GET":
        form.roles.data = [r.value for r in obj.roles]


def _save(form, user):
    before = set(user.roles) if user.id is not None else None
    populate_except(form, user, "roles")
    user.set_roles(form.roles.data)
    if before is not None:
        accounts.record_roles_change(current_user, user, before)


def _invite(user, created):
    """A new account has no password: its owner chooses one from the link e-mailed to them."""
    if created:
        token = accounts.password_link_token(current_app.config["SECRET_KEY"], user, "invitation")
        link = public_url("auth.password_from_link", purpose="invitation", token=token)
        accounts.send_password_link(user, link, "invitation")
        db.session.commit()
        flash(f"Compte créé. {user.first_name} reçoit par e-mail un lien pour choisir son mot de passe.", "success")


def _filters(stmt):
    role = request.args.get("role")
    if role in Role._value2member_map_:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    state = request.args.get("etat")
    if state == "actifs":
        stmt = stmt.where(User.active)
    elif state == "desactives":
        stmt = stmt.where(sa.not_(User.active))
    return stmt


register_crud(
    bp,
    Crud(
        name="users",
        url="/personnes",
        model=User,
        form=UserForm,
        plural="Personnes",
        new_label="Nouvelle personne",
        columns=[
            Column("Nom", lambda u: u.sort_name),
            Column("E-mail", lambda u: u.email),
            Column("Rôles", lambda u: ", ".join(r.label for r in sorted(u.roles))),
            Column("Employeur", lambda u: u.employer.name if u.employer else "–"),
            Column("Compte", lambda u: "actif" if u.active else "désactivé"),
        ],
        exports=[
            Field("Nom", lambda u: u.last_name),
            Field("Prénom", lambda u: u.first_name),
            Field("E-mail", lambda u: u.email),
            Field("Téléphone", lambda u: u.phone),
            Field("Date de naissance", lambda u: u.birth_date),
            Field("Rôles", lambda u: ", ".join(r.label for r in sorted(u.roles))),
            Field("Employeur", lambda u: u.employer.name if u.employer else None),
            Field("Fonction", lambda u: u.job_title),
            Field("Compte actif", lambda u: u.active),
        ],
        search=[User.last_name, User.first_name, User.email],
        order_by=[User.last_name, User.first_name],
        options=[selectinload(User.employer)],
        unique=[Unique("email", "Un compte existe déjà avec cette adresse e-mail.")],
        prepare_form=_prepare,
        save=_save,
        after_save=_invite,
        filters=_filters,
        filter_template="admin/_user_filters.html",
        detail_endpoint="admin.user",
        extra={"roles": Role},
    ),
)


@bp.route("/personnes/<int:obj_id>")
def user(obj_id: int):
    person = db.session.get(User, obj_id) or abort(404)
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .where(sa.or_(Enrolment.apprentice_id == obj_id, Enrolment.tutor_id == obj_id))
        .options(selectinload(Enrolment.cohort), selectinload(Enrolment.apprentice), selectinload(Enrolment.employer))
        .order_by(Enrolment.contract_start.desc())
    ).all()
    return render_template("admin/user.html", person=person, enrolments=enrolments)


@bp.route("/personnes/<int:obj_id>/activation", methods=["POST"])
@requires(Ability.MANAGE_ACCOUNTS)
def toggle_user(obj_id: int):
    person = db.session.get(User, obj_id) or abort(404)
    if posted():
        try:
            accounts.set_active(current_user, person, not person.active)
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                "Compte réactivé." if person.active else "Compte désactivé : la personne ne peut plus se connecter.",
                "success",
            )
    return redirect(url_for("admin.user", obj_id=obj_id))


@bp.route("/personnes/<int:obj_id>/reinitialiser", methods=["POST"])
@requires(Ability.MANAGE_ACCOUNTS)
def reset_user_password(obj_id: int):
    person = db.session.get(User, obj_id) or abort(404)
    if not posted():
        return redirect(url_for("admin.user", obj_id=obj_id))
    password = accounts.reset_password(current_user, person)
    db.session.commit()
    # Shown on this page only, never in a flash message (which would travel in the session cookie) nor cached.
    page = render_template("admin/temporary_password.html", person=person, password=password)
    return page, 200, {"Cache-Control": "no-store"}
