"""Imports from spreadsheets: the file is read in a dry run that lists every row's errors and what would change,
kept on the server under its SHA-256, then imported all at once when the admin confirms."""

import time

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from cfa import storage
from cfa.extensions import db
from cfa.forms.imports import ImportConfirmForm, ImportUploadForm
from cfa.renderers.import_template import render_import_template
from cfa.services.import_files import ImportFileError, stage, staged, unstage
from cfa.services.import_kinds import KINDS
from cfa.services.imports import ACTION_LABELS, recent_imports, run_import
from cfa.views.admin import bp
from cfa.views.downloads import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_page(report):
    form = ImportConfirmForm(kind=report.kind, digest=report.digest, filename=report.filename)
    return render_template("admin/import_report.html", report=report, kind=KINDS[report.kind], form=form)


def _dry_run(form):
    """The dry run's report, the file kept for the confirmation; None when the file is unreadable (said on the form)."""
    data, filename = form.upload.data.read(), (form.upload.data.filename or "fichier")[-200:]
    try:
        report = run_import(current_user, KINDS[form.kind.data], filename, data, apply=False)
    except ImportFileError as error:
        form.upload.errors.append(str(error))
        return None
    if report.ok:
        stage(storage.uploads(), data, time.time())
    return report


@bp.route("/imports", methods=["GET", "POST"])
def imports():
    form = ImportUploadForm()
    form.set_kinds(KINDS)
    if request.method == "GET" and request.args.get("type") in KINDS:  # back from an import: the next kind is near
        form.kind.data = request.args["type"]
    if form.validate_on_submit() and (report := _dry_run(form)) is not None:
        return _report_page(report)
    return render_template("admin/imports.html", form=form, kinds=KINDS, recent=recent_imports(), labels=ACTION_LABELS)


@bp.route("/imports/confirmer", methods=["POST"])
def confirm_import():
    form = ImportConfirmForm()
    form.set_kinds(KINDS)
    if not form.validate_on_submit():
        flash("Essai d'import inconnu : déposez le fichier à nouveau.", "error")
        return redirect(url_for("admin.imports"))
    store = storage.uploads()
    try:
        data = staged(store, form.digest.data)
        report = run_import(current_user, KINDS[form.kind.data], form.filename.data, data, apply=True)
    except ImportFileError as error:
        flash(str(error), "error")
        return redirect(url_for("admin.imports"))
    if not report.applied:  # the database changed since the dry run: show what now stands in the way
        db.session.rollback()
        return _report_page(report)
    db.session.commit()
    unstage(store, report.digest)
    counts = report.counts
    flash(f"Import terminé : {counts['create']} création(s), {counts['update']} mise(s) à jour.", "success")
    return redirect(url_for("admin.imports", type=report.kind))


@bp.route("/imports/modeles/<import_kind>.xlsx")
def import_template(import_kind: str):
    kind = KINDS.get(import_kind) or abort(404)
    data = render_import_template(kind.title, kind.columns)
    return attachment(data, f"modele-import-{kind.name}.xlsx", XLSX)
