"""Enrolments: apprenticeship contracts in a cohort, and their interruption."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import aliased, selectinload

from cfa.extensions import db
from cfa.forms import choices
from cfa.forms.admin import EnrolmentForm, InterruptionForm, ReopeningForm
from cfa.forms.contracts import NewEmployerForm, PaymentForm, RuptureForm, SearchEndForm
from cfa.models import Cohort, Enrolment, EnrolmentStatus, InterruptionKind, Role, User
from cfa.models.programmes import apprenticeship_programme_ids
from cfa.renderers.spreadsheets import Field
from cfa.services import cohort_lists, contracts, enrolments
from cfa.services.audit import history
from cfa.services.enrolments import EnrolmentError, EnrolmentValues
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, register_crud
from cfa.views.params import id_arg, list_year

Apprentice = aliased(User)


def _prepare(form, obj):
    form.apprentice_id.choices = choices.people_with_role(Role.APPRENTICE, obj and obj.apprentice_id)
    form.cohort_id.choices = choices.cohorts()
    form.employer_id.set_choices(choices.employers())
    form.tutor_id.set_choices(choices.tutors())
    form.referent_id.set_choices(choices.referents(obj and obj.referent_id))
    if obj is None and request.method == "GET" and (cohort_id := request.args.get("cohort", type=int)):
        cohort = db.session.get(Cohort, cohort_id)
        if cohort:
            form.cohort_id.data = cohort.id
            form.contract_start.data = cohort.start_date
            form.contract_end.data = cohort.end_date


def _write(actor, form, obj) -> Enrolment:
    return enrolments.save(
        actor,
        obj,
        EnrolmentValues(
            apprentice_id=form.apprentice_id.data,
            cohort_id=form.cohort_id.data,
            employer_id=form.employer_id.data,
            tutor_id=form.tutor_id.data,
            contract_start=form.contract_start.data,
            contract_end=form.contract_end.data,
            referent_id=form.referent_id.data,
        ),
    )


def _filters(stmt):
    # Short-course trainees are listed on their session's page; a chosen cohort shows whoever is in it.
    if cohort_id := id_arg("cohort"):
        stmt = stmt.where(Enrolment.cohort_id == cohort_id)
    else:
        cohorts = cohort_lists.narrowed(
            sa.select(Cohort.id).where(Cohort.programme_id.in_(apprenticeship_programme_ids())),
            list_year(),
            id_arg("centre"),
        )
        stmt = stmt.where(Enrolment.cohort_id.in_(cohorts))
    if (status := request.args.get("status")) in EnrolmentStatus._value2member_map_:
        stmt = stmt.where(Enrolment.status == status)
    return stmt.join(Apprentice, Enrolment.apprentice_id == Apprentice.id)


def _cohort_choices() -> list[tuple[int, str]]:
    """The cohorts of the chosen centre and year: a network's every cohort would make a list of hundreds."""
    if centre_id := id_arg("centre"):
        return choices.cohorts_of(list_year(), centre_id)
    chosen = db.session.get(Cohort, id_arg("cohort")) if id_arg("cohort") else None
    return [(chosen.id, chosen.name)] if chosen else []


register_crud(
    bp,
    Crud(
        name="enrolments",
        url="/inscriptions",
        model=Enrolment,
        form=EnrolmentForm,
        plural="Inscriptions",
        new_label="Nouvelle inscription",
        columns=[
            Column("Apprenti·e", lambda e: e.apprentice.sort_name),
            Column("Promotion", lambda e: e.cohort.name),
            Column("Employeur", lambda e: e.employer.name if e.employer else "–"),
            Column("Contrat", lambda e: f"{e.contract_start:%d/%m/%Y} → {e.contract_end:%d/%m/%Y}"),
            Column("Statut", lambda e: e.status.label),
        ],
        exports=[
            Field("Nom", lambda e: e.apprentice.last_name),
            Field("Prénom", lambda e: e.apprentice.first_name),
            Field("E-mail", lambda e: e.apprentice.email),
            Field("Promotion", lambda e: e.cohort.name),
            Field("Employeur", lambda e: e.employer.name if e.employer else None),
            Field("SIRET de l'employeur", lambda e: e.employer.siret if e.employer else None),
            Field("Tuteur·rice", lambda e: e.tutor.full_name if e.tutor else None),
            Field("Début du contrat", lambda e: e.contract_start),
            Field("Fin du contrat", lambda e: e.contract_end),
            Field("Statut", lambda e: e.status),
        ],
        search=[Apprentice.last_name, Apprentice.first_name],
        order_by=[Apprentice.last_name, Apprentice.first_name],
        options=[
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.cohort),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.tutor),
        ],
        prepare_form=_prepare,
        write=_write,
        refusal=EnrolmentError,
        filters=_filters,
        filter_template="admin/_enrolment_filters.html",
        detail_endpoint="admin.enrolment",
        extra={
            "cohorts": _cohort_choices,
            "statuses": EnrolmentStatus,
            "centres": choices.centres,
            "years": cohort_lists.years,
            "year": list_year,
        },
    ),
)


def _load(obj_id: int) -> Enrolment:
    return db.session.scalar(
        sa.select(Enrolment)
        .where(Enrolment.id == obj_id)
        .options(
            selectinload(Enrolment.apprentice),
            selectinload(Enrolment.cohort).selectinload(Cohort.programme),
            selectinload(Enrolment.employer),
            selectinload(Enrolment.tutor),
            selectinload(Enrolment.referent),
            selectinload(Enrolment.employer_periods),
        )
    ) or abort(404)


def _page(enrolment: Enrolment, interruption=None, reopening=None, status: int = 200, **forms):
    return render_template(
        "admin/enrolment.html",
        enrolment=enrolment,
        form=interruption or InterruptionForm(formdata=None),
        reopening=reopening or ReopeningForm(formdata=None),
        events=history("enrolment", enrolment.id),
        contract_file=contracts.contract_file(enrolment),
        deadline=contracts.search_deadline(enrolment),
        **contract_forms(forms),
    ), status


def contract_forms(given: dict) -> dict:
    """The contract file's forms, blank unless one comes back with its errors."""
    new_employer = given.get("new_employer") or NewEmployerForm(formdata=None)
    new_employer.employer_id.set_choices(choices.employers())
    new_employer.tutor_id.set_choices(choices.tutors())
    return {
        "rupture": given.get("rupture") or RuptureForm(formdata=None),
        "new_employer": new_employer,
        "search_end": given.get("search_end") or SearchEndForm(formdata=None),
        "payment": given.get("payment") or PaymentForm(formdata=None),
    }


@bp.route("/inscriptions/<int:obj_id>")
def enrolment(obj_id: int):
    return _page(_load(obj_id))


@bp.route("/inscriptions/<int:obj_id>/interrompre", methods=["POST"])
def interrupt_enrolment(obj_id: int):
    enrolment = _load(obj_id)
    form = InterruptionForm()
    if form.validate_on_submit():
        try:
            enrolments.interrupt(
                current_user, enrolment, form.interrupted_on.data, InterruptionKind(form.kind.data), form.reason.data
            )
        except EnrolmentError as error:
            db.session.rollback()
            form.interrupted_on.errors.append(str(error))
        else:
            db.session.commit()
            flash("Interruption enregistrée.", "success")
            return redirect(url_for("admin.enrolment", obj_id=obj_id))
    return _page(_load(obj_id), interruption=form, status=422)


@bp.route("/inscriptions/<int:obj_id>/reprendre", methods=["POST"])
def reopen_enrolment(obj_id: int):
    enrolment = _load(obj_id)
    form = ReopeningForm()
    if form.validate_on_submit():
        try:
            enrolments.reopen(current_user, enrolment, form.reason.data)
        except EnrolmentError as error:
            db.session.rollback()
            form.reason.errors.append(str(error))
        else:
            db.session.commit()
            flash("Inscription remise en cours.", "success")
            return redirect(url_for("admin.enrolment", obj_id=obj_id))
    return _page(_load(obj_id), reopening=form, status=422)
