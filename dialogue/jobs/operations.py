"""Asking for background work and following it: enqueue a task, find a record's job, retry
a failed one, the files jobs produce. How a job runs is :mod:`.runner`'s; what tasks use
(``task``, ``Progress``, ``JobFailed``) and ``run_queued`` are importable from here too.
"""

import logging
import re
from datetime import timedelta
from functools import partial
from pathlib import PurePath
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..accounts.permissions import NotPermitted
from ..core.errors import UserError
from ..core.storage import FileStore, instance_store, save_with_transaction
from ..core.text import fold
from ..core.time import utcnow
from ..core.transaction import on_commit
from ..extensions import db
from ..units.models import Unit
from . import access, broker
from .models import PENDING, Job, JobState
from .runner import JobFailed, Progress, is_task, periodic, run_queued, task

__all__ = ["JobFailed", "Progress", "delay_message", "enqueue", "latest_job", "open_job_file",
           "pending_job", "periodic", "remove_old_jobs", "retry_job", "run_queued",
           "save_job_file", "task"]

log = logging.getLogger(__name__)

BACKENDS = ("database", "rq")
#: A due job waiting longer than this is late: the worker is busy, or not running.
LATE_AFTER = timedelta(minutes=2)
#: Old jobs removed in one pass of the worker's cleaning.
REMOVAL_BATCH = 500


class JobNotRetryable(UserError):
    """The job cannot be queued again: it has not failed, or the same work is pending."""


def backend() -> str:
    chosen = current_app.config["JOBS_BACKEND"]
    if chosen not in BACKENDS:
        raise ValueError(f"JOBS_BACKEND is {chosen!r}; it must be one of {BACKENDS}")
    return chosen


def _dispatch_on_commit() -> None:
    # Redis carries the job only once its row is committed (a worker could not read it
    # before); the embedded queue's workers read the table itself.
    if backend() == "rq":
        on_commit(broker.dispatch_waiting)


def enqueue(kind: str, params: dict, *, label: str, by: User | None, unit: Unit | None,
            subject: tuple[str, int] | None = None, max_attempts: int | None = None) -> Job:
    """Ask for ``kind``'s task to run on ``params`` in the background, as part of the current
    transaction: nothing runs if it does not commit.

    ``label`` is what the user sees it as; ``unit`` the unit whose data it reads or changes
    (None: the whole country), which decides who may see and retry it; ``subject`` the
    record it is about, e.g. ``("minutes", 12)``, for :func:`pending_job`.
    """
    if not is_task(kind):
        raise LookupError(f"no task {kind!r} is registered (import its module at start-up)")
    subject_type, subject_id = subject or (None, None)
    # Ids, not the records: ``by`` is often the request's current_user proxy.
    job = Job(kind=kind, params=params, label=str(label)[:300], state=JobState.QUEUED,
              created_by_id=by.id if by else None, unit_id=unit.id if unit else None,
              subject_type=subject_type, subject_id=subject_id,
              max_attempts=max_attempts or current_app.config["JOB_MAX_ATTEMPTS"],
              run_after=utcnow())
    db.session.add(job)
    db.session.flush()
    _dispatch_on_commit()
    log.info("job %s (%s) queued by %s", job.id, kind, by.username if by else "the system")
    return job


def _subject_jobs(subject_type: str, subject_id: int, kind: str | None):
    statement = select(Job).where(Job.subject_type == subject_type, Job.subject_id == subject_id)
    if kind is not None:
        statement = statement.where(Job.kind == kind)
    return statement.order_by(Job.id.desc()).limit(1)


def pending_job(subject_type: str, subject_id: int, kind: str | None = None) -> Job | None:
    """The newest job about this record still queued or running, if any."""
    return db.session.scalar(_subject_jobs(subject_type, subject_id, kind)
                             .where(Job.state.in_(PENDING)))


def latest_job(subject_type: str, subject_id: int, kind: str | None = None) -> Job | None:
    """The newest job about this record, however it ended."""
    return db.session.scalar(_subject_jobs(subject_type, subject_id, kind))


def retry_job(job: Job, *, by: User) -> Job:
    """Queue a failed job again, with all its attempts ahead of it."""
    if not access.can_retry_job(by, job):
        raise NotPermitted(None)
    if job.state is not JobState.FAILED:
        raise JobNotRetryable(_l("Chỉ chạy lại được việc không thành công."))
    if job.subject_type and pending_job(job.subject_type, job.subject_id, job.kind):
        raise JobNotRetryable(_l("Việc này đã được yêu cầu lại và đang chờ hoặc đang chạy; hãy "
                                 "đợi kết quả."))
    job.state = JobState.QUEUED
    job.attempts = 0
    job.error = ""
    job.result = None
    job.progress_done = job.progress_total = 0
    job.progress_text = ""
    job.run_after = utcnow()
    job.dispatched_at = job.started_at = job.finished_at = None
    _dispatch_on_commit()
    log.info("job %s (%s) queued again by %s", job.id, job.kind, by.username)
    return job


def delay_message(job: Job) -> str | None:
    """Why the user may wait longer than usual for a queued job, or None."""
    now = utcnow()
    if job.state is not JobState.QUEUED or job.run_after > now:
        return None
    if backend() == "rq" and job.dispatched_at is None:
        return _("Hàng đợi tạm thời không liên lạc được: việc sẽ chạy khi hàng đợi hoạt động "
                 "lại. Không cần yêu cầu lại.")
    if job.run_after < now - LATE_AFTER:
        return _("Việc đang chờ lâu hơn thường lệ. Nếu kéo dài, hãy báo quản trị viên kiểm tra "
                 "trình chạy việc nền.")
    return None


def job_files() -> FileStore:
    return instance_store("job-files")


def _stored_name(job: Job, filename: str) -> str:
    # The job's id first (one name per job and file: a retry writes over its last attempt's
    # file); the rest readable on the disk, without diacritics.
    path = PurePath(filename)
    stem = re.sub(r"[^a-z0-9]+", "-", fold(path.stem)).strip("-")[:80] or "tep"
    suffix = re.sub(r"[^a-z0-9]", "", path.suffix.lower())[:10]
    return f"{job.id}-{stem}" + (f".{suffix}" if suffix else "")


def save_job_file(job: Job, filename: str, data: bytes, mimetype: str) -> dict:
    """Keep a file the job produced (for its owner to download from the job's page, for
    JOB_FILES_DAYS days) and return the result to give back: {"file", "filename",
    "mimetype", "size"}. The file is removed again if the job's transaction does not
    commit."""
    name = _stored_name(job, filename)
    save_with_transaction(job_files(), name, data)
    return {"file": name, "filename": filename, "mimetype": mimetype, "size": len(data)}


def open_job_file(job: Job) -> BinaryIO:
    """The file the job produced; FileNotFoundError if it has none (or no longer)."""
    if job.state is not JobState.DONE or not job.result or not job.result.get("file"):
        raise FileNotFoundError(job.id)
    return job_files().open(job.result["file"])


def remove_old_jobs() -> int:
    """Delete the jobs that ended more than JOB_FILES_DAYS ago, and their files; returns how
    many (at most REMOVAL_BATCH a call)."""
    cutoff = utcnow() - timedelta(days=current_app.config["JOB_FILES_DAYS"])
    old = db.session.scalars(select(Job).where(
        Job.state.in_((JobState.DONE, JobState.FAILED)), Job.finished_at < cutoff,
    ).order_by(Job.id).limit(REMOVAL_BATCH)).all()
    store = job_files()
    for job in old:
        if job.result and job.result.get("file"):
            # Once the rows are gone: a failed commit keeps the job and its file.
            on_commit(partial(store.delete, job.result["file"]))
        db.session.delete(job)
    db.session.commit()
    if old:
        log.info("removed %d jobs that ended before %s", len(old), cutoff.isoformat())
    return len(old)
