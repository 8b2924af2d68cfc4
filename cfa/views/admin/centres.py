"""The organisation, its centres, rooms and closure periods."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.forms.admin import CentreForm, ClosureForm, OrganisationForm, RoomForm
from cfa.models import Centre, ClosurePeriod, Organisation, Room
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, Unique, child_form, commit_or_report, register_crud
from cfa.views.forms import form_page, posted

register_crud(
    bp,
    Crud(
        name="centres",
        url="/centres",
        model=Centre,
        form=CentreForm,
        plural="Centres de formation",
        new_label="Nouveau centre",
        columns=[
            Column("Centre", lambda c: c.name),
            Column("Ville", lambda c: c.city),
            Column("Salles", lambda c: len(c.rooms), numeric=True),
        ],
        order_by=[Centre.name],
        options=[selectinload(Centre.rooms)],
        unique=[Unique("name", "Ce nom de centre existe déjà."), Unique("code", "Ce code est déjà pris.")],
        detail_endpoint="admin.centre",
    ),
)


@bp.route("/centres/<int:obj_id>")
def centre(obj_id: int):
    centre = db.session.get(Centre, obj_id) or abort(404)
    return render_template("admin/centre.html", centre=centre)


@bp.route("/centres/<int:centre_id>/salles/nouvelle", methods=["GET", "POST"], defaults={"room_id": None})
@bp.route("/centres/<int:centre_id>/salles/<int:room_id>", methods=["GET", "POST"])
def room(centre_id: int, room_id: int | None):
    centre = db.session.get(Centre, centre_id) or abort(404)
    room = _child(Room, room_id, centre_id=centre_id)
    form = RoomForm(obj=room)

    def name_free() -> bool:
        clash = sa.select(Room.id).where(Room.centre_id == centre_id, Room.name == form.name.data)
        if db.session.scalar(clash.where(Room.id != (room_id or 0))):
            form.name.errors.append("Une salle porte déjà ce nom dans ce centre.")
            return False
        return True

    return child_form(
        form,
        room,
        lambda: Room(centre=centre),
        saved="Salle enregistrée.",
        back_url=url_for("admin.centre", obj_id=centre_id),
        title="Salle" if room_id else "Nouvelle salle",
        subtitle=centre.name,
        valid=name_free,
    )


@bp.route("/centres/<int:centre_id>/fermetures/nouvelle", methods=["GET", "POST"], defaults={"closure_id": None})
@bp.route("/centres/<int:centre_id>/fermetures/<int:closure_id>", methods=["GET", "POST"])
def closure(centre_id: int, closure_id: int | None):
    centre = db.session.get(Centre, centre_id) or abort(404)
    closure = _child(ClosurePeriod, closure_id, centre_id=centre_id)
    return child_form(
        ClosureForm(obj=closure),
        closure,
        lambda: ClosurePeriod(centre=centre),
        saved="Période de fermeture enregistrée. Replanifiez les promotions concernées.",
        back_url=url_for("admin.centre", obj_id=centre_id),
        title="Fermeture" if closure_id else "Nouvelle fermeture",
        subtitle=centre.name,
    )


@bp.route("/centres/<int:centre_id>/fermetures/<int:closure_id>/supprimer", methods=["POST"])
def delete_closure(centre_id: int, closure_id: int):
    closure = _child(ClosurePeriod, closure_id, centre_id=centre_id)
    if posted():
        db.session.delete(closure)
        db.session.commit()
        flash("Période de fermeture supprimée.", "success")
    return redirect(url_for("admin.centre", obj_id=centre_id))


@bp.route("/organisme", methods=["GET", "POST"])
def organisation():
    org = db.session.scalar(sa.select(Organisation).limit(1))
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        org = org or Organisation()
        form.populate_obj(org)
        db.session.add(org)
        if commit_or_report():
            flash("Identité de l'organisme enregistrée : elle figure sur tous les documents.", "success")
            return redirect(url_for("admin.organisation"))
    return form_page(
        form, "Identité de l'organisme", "Imprimée sur les feuilles d'émargement, certificats et attestations.", None
    )


def _child(model, obj_id: int | None, **parent):
    """Load a row that must belong to the parent named in the URL."""
    if obj_id is None:
        return None
    obj = db.session.get(model, obj_id)
    if obj is None or any(getattr(obj, key) != value for key, value in parent.items()):
        abort(404)
    return obj
