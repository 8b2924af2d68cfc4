"""Employers and their tutors."""

import sqlalchemy as sa
from flask import abort, render_template
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.forms.admin import EmployerForm
from cfa.models import Employer, Enrolment, EnrolmentStatus
from cfa.renderers.spreadsheets import Field
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, Unique, register_crud

register_crud(
    bp,
    Crud(
        name="employers",
        url="/employeurs",
        model=Employer,
        form=EmployerForm,
        plural="Employeurs",
        new_label="Nouvel employeur",
        columns=[
            Column("Raison sociale", lambda e: e.name),
            Column("Type", lambda e: e.kind.label),
            Column("Ville", lambda e: e.city or "–"),
            Column("SIRET", lambda e: e.siret),
            Column("Tuteur·rices", lambda e: len(e.tutors), numeric=True),
        ],
        exports=[
            Field("Raison sociale", lambda e: e.name),
            Field("SIRET", lambda e: e.siret),
            Field("Type", lambda e: e.kind),
            Field("Adresse", lambda e: e.address),
            Field("Code postal", lambda e: e.postcode),
            Field("Ville", lambda e: e.city),
            Field("OPCO", lambda e: e.opco),
            Field("Contact", lambda e: e.contact_name),
            Field("E-mail du contact", lambda e: e.contact_email),
            Field("Téléphone", lambda e: e.phone),
            Field("Actif", lambda e: e.active),
            Field("Tuteur·rices", lambda e: len(e.tutors)),
        ],
        search=[Employer.name, Employer.city, Employer.siret],
        order_by=[Employer.name],
        options=[selectinload(Employer.tutors)],
        unique=[Unique("siret", "Un employeur porte déjà ce SIRET.")],
        detail_endpoint="admin.employer",
    ),
)


@bp.route("/employeurs/<int:obj_id>")
def employer(obj_id: int):
    employer = db.session.scalar(
        sa.select(Employer).where(Employer.id == obj_id).options(selectinload(Employer.tutors))
    ) or abort(404)
    enrolments = db.session.scalars(
        sa.select(Enrolment)
        .where(Enrolment.employer_id == obj_id)
        .options(selectinload(Enrolment.apprentice), selectinload(Enrolment.cohort), selectinload(Enrolment.tutor))
        .order_by(Enrolment.status != EnrolmentStatus.ACTIVE, Enrolment.contract_start.desc())
    ).all()
    return render_template("admin/employer.html", employer=employer, enrolments=enrolments)
