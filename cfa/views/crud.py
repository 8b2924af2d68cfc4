"""List / create / edit screens for set-up data, declared once per model instead of copied.

Programme hours, blocks, centres and contracts are what published figures and funders' documents are computed
from: every create and edit made here leaves an audit event with the values before and after.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from cfa.extensions import db
from cfa.renderers.spreadsheets import Field
from cfa.services import audit
from cfa.views.downloads import export_query
from cfa.views.forms import form_page
from cfa.views.params import page_arg


@dataclass(frozen=True)
class Column:
    label: str
    value: Callable[[Any], Any]
    numeric: bool = False


@dataclass(frozen=True)
class Unique:
    """A column whose value must be unique, checked before the database refuses it."""

    field: str
    message: str


@dataclass
class Crud:
    name: str  # endpoint suffix and template key, e.g. "employers"
    url: str  # e.g. "/employeurs"
    model: type
    form: type
    plural: str  # page titles, in French
    new_label: str  # e.g. "Nouvel employeur"
    columns: Sequence[Column]
    search: Sequence[Any] = ()  # columns searched with ?q=
    order_by: Sequence[Any] = ()
    options: Sequence[Any] = ()  # eager loads for the columns shown
    unique: Sequence[Unique] = ()
    prepare_form: Callable[[Any, Any], None] | None = None  # (form, obj): fill select choices
    validate: Callable[[Any, Any], bool] | None = None  # (form, obj): rules across fields and rows
    save: Callable[[Any, Any], None] | None = None  # (form, obj): copy the form into the model
    # (actor, form, obj or None) -> the row: a service that checks, writes and audits, instead of the steps above.
    # It raises an error with a `field` attribute (the form field) and a French message to refuse.
    write: Callable[[Any, Any, Any], Any] | None = None
    refusal: type[Exception] | None = None  # the error `write` raises
    after_save: Callable[[Any, bool], None] | None = None  # (obj, created), once committed
    filters: Callable[[Any], Any] | None = None  # (stmt) -> stmt, from request.args
    filter_template: str | None = None
    detail_endpoint: str | None = None  # rows link to a detail page rather than the edit form
    hint: str | None = None
    # The export's columns, with typed values (dates, numbers); the list's columns when empty.
    exports: Sequence[Field] = ()
    extra: dict = field(default_factory=dict)

    def endpoint(self, action: str) -> str:
        return f"{action}_{self.name}" if action != "list" else self.name


def search_clause(q: str, columns) -> Any:
    pattern = f"%{q.strip()}%"
    return sa.or_(*(col.ilike(pattern) for col in columns))


def paginate(stmt, name: str = "page"):
    """One page of the statement's rows (the page number read by page_arg: a bad one is a French 404)."""
    return db.paginate(stmt, page=page_arg(name), per_page=current_app.config["PAGE_SIZE"], error_out=False)


def check_unique(form, obj, rules: Sequence[Unique], model) -> bool:
    ok = True
    for rule in rules:
        form_field = form[rule.field]
        column = getattr(model, rule.field)
        stmt = sa.select(model.id).where(column == form_field.data)
        if obj is not None and obj.id is not None:
            stmt = stmt.where(model.id != obj.id)
        if form_field.data and db.session.scalar(stmt.limit(1)) is not None:
            form_field.errors = list(form_field.errors) + [rule.message]
            ok = False
    return ok


CONFLICT = "Enregistrement impossible : une donnée entre en conflit avec une autre."


def commit_or_report(message: str = CONFLICT) -> bool:
    """Commit once; on a refused constraint, roll back everything and tell the user."""
    try:
        db.session.flush()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(message, "error")
        return False
    return True


def list_query(crud: Crud, q: str):
    """The list's rows as filtered by the page's arguments: the page and its exports show the same rows."""
    stmt = sa.select(crud.model).options(*crud.options).order_by(*crud.order_by)
    if q and crud.search:
        stmt = stmt.where(search_clause(q, crud.search))
    if crud.filters:
        stmt = crud.filters(stmt)
    return stmt


def register_crud(bp, crud: Crud) -> None:
    def list_view():
        q = request.args.get("q", "").strip()
        return render_template("admin/list.html", crud=crud, page=paginate(list_query(crud, q)), q=q)

    def export_view(fmt: str):
        stmt = list_query(crud, request.args.get("q", "").strip())
        return export_query(fmt, crud.plural, crud.exports or crud.columns, stmt)

    def edit_view(obj_id: int | None = None):
        obj = db.session.get(crud.model, obj_id) if obj_id is not None else None
        if obj_id is not None and obj is None:
            abort(404)
        form = crud.form(obj=obj)
        if crud.prepare_form:
            crud.prepare_form(form, obj)
        valid = (
            form.validate_on_submit()
            and check_unique(form, obj, crud.unique, crud.model)
            and (crud.validate is None or crud.validate(form, obj))
        )
        if valid and (target := _write(crud, form, obj)) is not None and commit_or_report():
            flash("Enregistré.", "success")
            if crud.after_save:
                crud.after_save(target, obj is None)
            if crud.detail_endpoint:
                return redirect(url_for(crud.detail_endpoint, obj_id=target.id))
            return redirect(url_for(f".{crud.endpoint('list')}"))
        title = crud.new_label if obj is None else f"Modifier : {obj_title(obj)}"
        return render_template("admin/form.html", crud=crud, form=form, obj=obj, title=title)

    bp.add_url_rule(crud.url, crud.endpoint("list"), list_view)
    bp.add_url_rule(f"{crud.url}.<fmt>", crud.endpoint("export"), export_view)
    bp.add_url_rule(f"{crud.url}/nouveau", crud.endpoint("new"), edit_view, methods=["GET", "POST"])
    bp.add_url_rule(f"{crud.url}/<int:obj_id>/modifier", crud.endpoint("edit"), edit_view, methods=["GET", "POST"])


def _write(crud: Crud, form, obj):
    """The saved row, or None when the service refused (its message then sits on the form field)."""
    if crud.write is not None:
        try:
            return crud.write(current_user, form, obj)
        except crud.refusal as error:
            db.session.rollback()
            target_field = form._fields.get(error.field)
            if target_field is not None:
                target_field.errors = list(target_field.errors) + [str(error)]
            else:
                form.form_errors.append(str(error))
            return None
    return populate_audited(form, obj, crud.model, crud.save)


def populate_audited(form, obj, model, save: Callable[[Any, Any], None] | None = None):
    """Copy the form into the row (a new one when obj is None) and audit what changed."""
    before = audit.snapshot(obj) if obj is not None else None
    target = obj if obj is not None else model()
    (save or (lambda f, o: f.populate_obj(o)))(form, target)
    db.session.add(target)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        flash(CONFLICT, "error")
        return None
    audit.record_change(current_user, target, before)
    return target


def obj_title(obj) -> str:
    for attr in ("name", "full_name", "title", "label"):
        if hasattr(obj, attr):
            return getattr(obj, attr)
    return str(obj)


def populate_except(form, obj, *skipped: str) -> None:
    """form.populate_obj for the fields that are columns; the others are set by the caller."""
    for name, form_field in form._fields.items():
        if name not in skipped and name != "csrf_token" and form_field.type != "SubmitField":
            form_field.populate_obj(obj, name)


def child_form(
    form,
    obj,
    create: Callable[[], Any],
    *,
    saved: str,
    back_url: str,
    title: str,
    subtitle: str | None,
    valid: Callable[[], bool] = lambda: True,
):
    """Create or edit a row that belongs to a parent page (a room of a centre, a module of a programme).

    `valid` runs after the form's own validation, for rules that need the database (uniqueness within the parent).
    """
    written = form.validate_on_submit() and valid() and populate_audited(form, obj, create) is not None
    if written and commit_or_report():
        flash(saved, "success")
        return redirect(back_url)
    return form_page(form, title, subtitle, back_url)
