"""A job's page, its status for the page's script, its retry and the file it produced."""

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.permissions import require, visible_or_404
from ..core.web import get_or_404, local_path, paginate, run_operation
from . import access, operations
from .models import Job, JobState

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
#: Jobs on one page of the user's list.
PER_PAGE = 30


def _job_or_404(job_id: int) -> Job:
    job = get_or_404(Job, job_id)
    visible_or_404(access.can_see_job(current_user, job))
    return job


def result_url(job: Job) -> str | None:
    """Where the user finds what a finished job produced: its file, or the page the task
    named (``{"url": ...}`` in its result)."""
    if job.state is not JobState.DONE or not job.result:
        return None
    if job.result.get("file"):
        return url_for("jobs.download", job_id=job.id)
    if job.result.get("url"):
        return local_path(job.result["url"])
    return None


def status(job: Job) -> dict:
    """What the panel shows, for the page's script to follow."""
    delay = operations.delay_message(job)
    total, done = job.progress_total, job.progress_done
    if job.state is JobState.DONE:
        percent = 100
    else:
        percent = min(100, round(100 * done / total)) if total else None
    return {"id": job.id, "state": job.state.value, "state_label": job.state.label,
            "label": job.label, "pending": job.is_pending,
            "progress": {"done": done, "total": total, "percent": percent},
            "text": job.progress_text, "error": job.error, "delayed": delay is not None,
            "delay_message": delay or "", "result_url": result_url(job)}


# Globals, not a context processor: the panel is a macro other templates import.
bp.add_app_template_global(status, "job_status")


@bp.app_template_global()
def can_retry_job(job: Job) -> bool:
    return access.can_retry_job(current_user, job)


@bp.route("/")
def list_jobs():
    """The jobs the user asked for, newest first."""
    page = paginate(select(Job).where(Job.created_by_id == current_user.id)
                    .order_by(Job.id.desc()), PER_PAGE)
    return render_template("jobs/list.html", page=page)


@bp.route("/<int:job_id>")
def show_job(job_id: int):
    return render_template("jobs/show.html", job=_job_or_404(job_id))


@bp.route("/<int:job_id>.json")
def job_json(job_id: int):
    response = jsonify(status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:job_id>/retry", methods=["POST"])
def retry(job_id: int):
    job = _job_or_404(job_id)
    require(access.can_retry_job(current_user, job))
    saved, _job = run_operation(None, lambda: operations.retry_job(job, by=current_user))
    if saved:
        flash(_("Đã xếp việc vào hàng đợi để chạy lại."), "success")
    target = request.form.get("next", "")
    return redirect(local_path(target) if target else url_for(".show_job", job_id=job_id))


@bp.route("/<int:job_id>/file")
def download(job_id: int):
    job = _job_or_404(job_id)
    try:
        document = operations.open_job_file(job)
    except FileNotFoundError:
        abort(404)
    response = send_file(document, mimetype=job.result.get("mimetype"), as_attachment=True,
                         download_name=job.result.get("filename") or job.result["file"])
    response.headers["Cache-Control"] = "private, no-store"
    return response
