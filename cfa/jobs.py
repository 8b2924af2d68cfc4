"""Long exports run outside the request: on an RQ queue over Redis when REDIS_URL is set (a worker runs
`rq worker cadence-exports`), else inline, so that development and tests need no Redis. The job row tells the
page its progress; the finished file stays in the exports store (cfa/storage.py, EXPORT_DIR) for download, which
the worker and every app server share."""

from flask import current_app, has_app_context

from cfa import storage
from cfa.extensions import db
from cfa.models import ExportJob, ExportStatus
from cfa.services import audit_export


def enqueue(job_id: int) -> None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        run_export(job_id)
        return
    from redis import Redis
    from rq import Queue

    Queue(current_app.config["EXPORT_QUEUE"], connection=Redis.from_url(url)).enqueue(
        "cfa.jobs.run_in_worker", job_id, job_timeout=1800
    )


def run_in_worker(job_id: int) -> None:
    """Entry point of the RQ worker: an application context of its own (or the caller's, for a worker run in
    process)."""
    if has_app_context():
        run_export(job_id)
        return
    from cfa import create_app

    with create_app().app_context():
        run_export(job_id)


def run_export(job_id: int) -> None:
    from cfa.renderers import audit_xlsx
    from cfa.renderers.pdf import quality_report

    job = db.session.get(ExportJob, job_id)
    if job is None or job.status != ExportStatus.QUEUED:
        return

    def progress(percent: int) -> None:
        audit_export.mark(job, ExportStatus.RUNNING, percent)
        db.session.commit()

    try:
        progress(5)
        data = audit_export.build(job.parameters["year"], job.parameters.get("centre_id"), progress)
        renderer, suffix = (audit_xlsx, "xlsx") if job.kind == "audit_xlsx" else (quality_report, "pdf")
        content = renderer.render(data)
        name = f"audit-qualiopi-{data.year}-{job.id}.{suffix}"
        storage.exports().put(name, content)
        audit_export.mark(job, ExportStatus.DONE, 100, file_path=name)
    except Exception as error:  # a failed export is shown on the page, never left "running"
        db.session.rollback()
        job = db.session.get(ExportJob, job_id)
        audit_export.mark(job, ExportStatus.FAILED, job.progress, error=str(error)[:300])
        current_app.logger.exception("audit export %s failed", job_id)
    db.session.commit()
