"""The Qualiopi audit export: asked here, run as a job (queue or inline), its progress shown, its file kept."""

from pathlib import PurePosixPath

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from cfa import storage
from cfa.extensions import db
from cfa.formatting import today_paris
from cfa.forms import choices
from cfa.forms.quality import ExportForm
from cfa.jobs import enqueue
from cfa.models import ExportJob, ExportStatus
from cfa.services import audit_export
from cfa.services.permissions import Ability
from cfa.storage import StorageError
from cfa.views.access import requires
from cfa.views.downloads import attachment
from cfa.views.quality import bp

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@bp.route("/export-audit", methods=["GET", "POST"])
@requires(Ability.MANAGE_QUALITY)
def exports():
    form = ExportForm(year=today_paris().year - 1)
    form.centre_id.set_choices(choices.centres())
    if form.validate_on_submit():
        jobs = [
            audit_export.request_export(current_user, kind, form.year.data, form.centre_id.data)
            for kind in audit_export.KINDS
        ]
        db.session.commit()
        for job in jobs:
            enqueue(job.id)
        flash("Export demandé : les fichiers apparaissent ci-dessous dès qu'ils sont prêts.", "success")
        return redirect(url_for("quality.exports"))
    jobs = audit_export.recent_jobs()
    busy = any(j.status in (ExportStatus.QUEUED, ExportStatus.RUNNING) for j in jobs)
    return render_template("quality/exports.html", form=form, jobs=jobs, busy=busy, kinds=audit_export.KINDS)


@bp.route("/export-audit/<int:job_id>/fichier")
@requires(Ability.MANAGE_QUALITY)
def export_file(job_id: int):
    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != ExportStatus.DONE or not job.file_path:
        abort(404, "Ce fichier n'est pas (ou plus) disponible.")
    name = PurePosixPath(job.file_path).name
    try:
        data = storage.exports().get(name)
    except StorageError:
        abort(404, "Ce fichier n'est plus disponible : relancez l'export.")
    return attachment(data, name, MIMETYPES[PurePosixPath(name).suffix.lstrip(".")])
