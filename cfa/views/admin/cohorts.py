"""Cohorts (promotions)."""

import sqlalchemy as sa
from flask import abort, render_template
from sqlalchemy.orm import selectinload, with_expression

from cfa.extensions import db
from cfa.forms import choices
from cfa.forms.admin import CohortForm
from cfa.models import Cohort, Enrolment, EnrolmentStatus, Role, Room, User
from cfa.models.programmes import apprenticeship_programme_ids
from cfa.renderers.spreadsheets import Field
from cfa.services import cohort_lists
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, Unique, register_crud
from cfa.views.params import id_arg, list_year


def _prepare(form, obj):
    form.programme_id.choices = choices.programmes()
    form.centre_id.choices = choices.centres()
    form.lead_trainer_id.set_choices(choices.people_with_role(Role.TRAINER, obj and obj.lead_trainer_id))
    form.default_room_id.set_choices(choices.rooms())


def _validate(form, obj) -> bool:
    if form.default_room_id.data:
        room = db.session.get(Room, form.default_room_id.data)
        if room is None or room.centre_id != form.centre_id.data:
            form.default_room_id.errors.append("Cette salle n'appartient pas au centre choisi.")
            return False
    return True


def _filters(stmt):
    # Short courses' sessions have their own list (Formations courtes); a chosen programme shows its runs here too.
    if programme_id := id_arg("programme"):
        stmt = stmt.where(Cohort.programme_id == programme_id)
    else:
        stmt = stmt.where(Cohort.programme_id.in_(apprenticeship_programme_ids()))
    return cohort_lists.narrowed(stmt, list_year(), id_arg("centre"))


register_crud(
    bp,
    Crud(
        name="cohorts",
        url="/promotions",
        model=Cohort,
        form=CohortForm,
        plural="Promotions",
        new_label="Nouvelle promotion",
        columns=[
            Column("Promotion", lambda c: c.name),
            Column("Formation", lambda c: c.programme.code),
            Column("Centre", lambda c: c.centre.name),
            Column("Dates", lambda c: f"{c.start_date:%d/%m/%Y} → {c.end_date:%d/%m/%Y}"),
            Column("Apprenti·es", lambda c: c.active_count, numeric=True),
        ],
        exports=[
            Field("Promotion", lambda c: c.name),
            Field("Formation", lambda c: c.programme.code),
            Field("Intitulé de la formation", lambda c: c.programme.title),
            Field("Centre", lambda c: c.centre.name),
            Field("Début", lambda c: c.start_date),
            Field("Fin", lambda c: c.end_date),
            Field("Apprenti·es", lambda c: c.active_count),
        ],
        search=[Cohort.name],
        order_by=[Cohort.start_date.desc(), Cohort.name],
        options=[
            selectinload(Cohort.programme),
            selectinload(Cohort.centre),
            with_expression(Cohort.active_count, cohort_lists.active_enrolments()),
        ],
        unique=[Unique("name", "Une promotion porte déjà ce nom.")],
        prepare_form=_prepare,
        validate=_validate,
        filters=_filters,
        filter_template="admin/_cohort_filters.html",
        detail_endpoint="admin.cohort",
        extra={
            "programmes": choices.programmes,
            "centres": choices.centres,
            "years": cohort_lists.years,
            "year": list_year,
        },
    ),
)


@bp.route("/promotions/<int:obj_id>")
def cohort(obj_id: int):
    cohort = db.session.scalar(
        sa.select(Cohort)
        .where(Cohort.id == obj_id)
        .options(selectinload(Cohort.programme), selectinload(Cohort.centre), selectinload(Cohort.lead_trainer))
    ) or abort(404)
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.cohort_id == obj_id)
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.employer), selectinload(Enrolment.tutor))
        .join(User, Enrolment.apprentice_id == User.id)
        .order_by(Enrolment.status != EnrolmentStatus.ACTIVE, User.last_name, User.first_name)
    ).all()
    return render_template("admin/cohort.html", cohort=cohort, enrolments=enrolments)
