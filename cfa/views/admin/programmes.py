"""Programmes with their skill blocks and modules, and micro-certifications."""

import sqlalchemy as sa
from flask import abort, render_template, request, url_for
from sqlalchemy.orm import selectinload

from cfa.extensions import db
from cfa.formatting import minutes_label
from cfa.forms import choices
from cfa.forms.admin import MicroCertificationForm, ModuleForm, ProgrammeForm, SkillBlockForm
from cfa.forms.courses import ShortCourseForm
from cfa.models import MicroCertification, Module, Programme, ProgrammeKind, Role, SkillBlock
from cfa.views.admin import bp
from cfa.views.crud import Column, Crud, Unique, child_form, populate_except, register_crud

SHORT = "courte"  # ?type=courte: a new programme is a short course


def _programme_form(obj=None):
    """A title and a short course share the programme screens, each with its own fields."""
    short = obj.is_short_course if obj is not None else request.args.get("type") == SHORT
    return ShortCourseForm(obj=obj) if short else ProgrammeForm(obj=obj)


def _prepare_programme(form, obj):
    if obj is not None and request.method == "GET" and isinstance(form, ProgrammeForm):
        form.centre_days.data = list(obj.centre_days)


def _save_programme(form, obj):
    if isinstance(form, ShortCourseForm):
        form.populate_obj(obj)
        obj.kind = ProgrammeKind.SHORT_COURSE
        obj.level = obj.rncp_code = obj.duration_months = None
        return
    days = sorted(form.centre_days.data)
    form.populate_obj(obj)
    obj.centre_days = "".join(days)


def _kind_label(programme: Programme) -> str:
    return programme.audience.label if programme.is_short_course and programme.audience else programme.kind.label


def _length_or_rhythm(programme: Programme) -> str:
    if programme.is_short_course:
        return programme.modality.label if programme.modality else ""
    return f"{programme.course_weeks} sem. centre / {programme.field_weeks} sem. entreprise"


register_crud(
    bp,
    Crud(
        name="programmes",
        url="/formations",
        model=Programme,
        form=_programme_form,
        plural="Formations",
        new_label="Nouvelle formation",
        columns=[
            Column("Code", lambda p: p.code),
            Column("Intitulé", lambda p: p.title),
            Column("Type", _kind_label),
            Column("Niveau", lambda p: p.level or "–", numeric=True),
            Column("Durée", lambda p: minutes_label(p.total_minutes), numeric=True),
            Column("Rythme ou modalité", _length_or_rhythm),
        ],
        search=[Programme.code, Programme.title],
        order_by=[Programme.code],
        unique=[Unique("code", "Ce code de formation existe déjà.")],
        prepare_form=_prepare_programme,
        save=_save_programme,
        detail_endpoint="admin.programme",
        extra={"new_variants": [("Nouvelle formation courte", {"type": SHORT})]},
    ),
)


@bp.route("/formations/<int:obj_id>")
def programme(obj_id: int):
    programme = db.session.scalar(
        sa.select(Programme)
        .where(Programme.id == obj_id)
        .options(
            selectinload(Programme.skill_blocks),
            selectinload(Programme.modules).selectinload(Module.default_trainer),
            selectinload(Programme.modules).selectinload(Module.skill_block),
        )
    ) or abort(404)
    budget = sum(m.minutes for m in programme.modules)
    return render_template("admin/programme.html", programme=programme, budget=budget)


def _programme_child(model, programme_id: int, obj_id: int | None):
    programme = db.session.get(Programme, programme_id) or abort(404)
    obj = None
    if obj_id is not None:
        obj = db.session.get(model, obj_id)
        if obj is None or obj.programme_id != programme_id:
            abort(404)
    return programme, obj


def _free_in_programme(model, programme_id: int, obj, form) -> bool:
    """Position and code are unique within a programme; say so beside the field."""
    taken = False
    for name in ("position", "code"):
        column = getattr(model, name)
        stmt = sa.select(model.id).where(model.programme_id == programme_id, column == form[name].data)
        if obj is not None:
            stmt = stmt.where(model.id != obj.id)
        if db.session.scalar(stmt.limit(1)):
            form[name].errors.append("Déjà utilisé dans cette formation.")
            taken = True
    return not taken


@bp.route("/formations/<int:programme_id>/blocs/nouveau", methods=["GET", "POST"], defaults={"obj_id": None})
@bp.route("/formations/<int:programme_id>/blocs/<int:obj_id>", methods=["GET", "POST"])
def skill_block(programme_id: int, obj_id: int | None):
    programme, block = _programme_child(SkillBlock, programme_id, obj_id)
    form = SkillBlockForm(obj=block)
    if request.method == "GET" and block is None:
        form.position.data = len(programme.skill_blocks) + 1
        form.code.data = f"CCP{len(programme.skill_blocks) + 1}"
    return child_form(
        form,
        block,
        lambda: SkillBlock(programme=programme),
        saved="Bloc de compétences enregistré.",
        back_url=url_for("admin.programme", obj_id=programme_id),
        title=f"Bloc {block.code}" if block else "Nouveau bloc de compétences",
        subtitle=programme.title,
        valid=lambda: _free_in_programme(SkillBlock, programme_id, block, form),
    )


@bp.route("/formations/<int:programme_id>/modules/nouveau", methods=["GET", "POST"], defaults={"obj_id": None})
@bp.route("/formations/<int:programme_id>/modules/<int:obj_id>", methods=["GET", "POST"])
def module(programme_id: int, obj_id: int | None):
    programme, module = _programme_child(Module, programme_id, obj_id)
    form = ModuleForm(obj=module)
    form.skill_block_id.set_choices((b.id, f"{b.code} – {b.title}") for b in programme.skill_blocks)
    form.default_trainer_id.set_choices(choices.people_with_role(Role.TRAINER, module and module.default_trainer_id))
    if request.method == "GET" and module is None:
        form.position.data = len(programme.modules) + 1
    return child_form(
        form,
        module,
        lambda: Module(programme=programme),
        saved="Module enregistré.",
        back_url=url_for("admin.programme", obj_id=programme_id),
        title=f"Module {module.code}" if module else "Nouveau module",
        subtitle=programme.title,
        valid=lambda: _free_in_programme(Module, programme_id, module, form),
    )


def _prepare_micro_certification(form, obj):
    stmt = sa.select(SkillBlock).join(Programme).order_by(Programme.code, SkillBlock.position)
    form.skill_block_ids.choices = [
        (b.id, f"{b.programme.code} {b.code} – {b.title}")
        for b in db.session.scalars(stmt.options(selectinload(SkillBlock.programme)))
    ]
    if obj is not None and request.method == "GET":
        form.skill_block_ids.data = [b.id for b in obj.skill_blocks]


def _save_micro_certification(form, obj):
    ids = form.skill_block_ids.data or []
    populate_except(form, obj, "skill_block_ids")
    obj.skill_blocks = list(db.session.scalars(sa.select(SkillBlock).where(SkillBlock.id.in_(ids)))) if ids else []


register_crud(
    bp,
    Crud(
        name="micro_certifications",
        url="/micro-certifications",
        model=MicroCertification,
        form=MicroCertificationForm,
        plural="Micro-certifications",
        new_label="Nouvelle micro-certification",
        columns=[
            Column("Intitulé", lambda m: m.title),
            Column("Code", lambda m: m.code),
            Column("Domaine", lambda m: m.domain, numeric=True),
            Column("Volume", lambda m: minutes_label(m.workload_minutes), numeric=True),
            Column("Proposée", lambda m: "oui" if m.active else "non"),
        ],
        search=[MicroCertification.title, MicroCertification.code],
        order_by=[MicroCertification.domain, MicroCertification.code],
        unique=[Unique("code", "Ce code existe déjà.")],
        prepare_form=_prepare_micro_certification,
        save=_save_micro_certification,
        hint="Définitions conformes à la recommandation européenne du 16 juin 2022 sur les micro-certifications.",
    ),
)
