"""Running a job: the tasks there are, claiming a queued job, the lease that tells a working
worker from a dead one, the progress the user sees, and how a run ends (done, failed, or
queued again after a pause).

Whichever queue carried the job (the embedded one or Redis), a worker runs it here, and the
row decides: a job is run only by the worker that claimed it, and only while its lease holds.
"""

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import joinedload

from ..core.errors import UserError
from ..core.time import utcnow
from ..extensions import db
from .models import Job, JobState

log = logging.getLogger(__name__)

Task = Callable[[Job, "Progress"], dict | None]
_TASKS: dict[str, Task] = {}

#: What the user reads when a job failed for a reason that is not theirs (the trace is in
#: the worker's log).
SYSTEM_ERROR = _l("Lỗi hệ thống khi chạy việc này; lỗi đã được ghi lại để quản trị viên xem "
                  "xét. Hãy bấm “Thử lại” sau ít phút hoặc báo quản trị viên.")
#: A retry waits at most this long, however many attempts came before.
MAX_RETRY_DELAY = timedelta(hours=1)


class JobFailed(UserError):
    """A failure the user can act on (the data, not the system): the job fails with this
    message and is not tried again by itself. Any other :class:`UserError` a task raises
    counts the same."""


class LeaseLost(Exception):
    """This worker no longer holds the job (its lease expired and the job was queued again
    or failed): the run stops and changes nothing."""


def task(kind: str) -> Callable[[Task], Task]:
    """Register ``function(job, progress) -> dict | None`` as the work of jobs of ``kind``.

    The function runs in a worker, in a fresh application and request context (its own
    ``db.session``; ``url_for`` builds addresses on PUBLIC_URL; no user is signed in: the
    job's ``created_by`` is who asked). ``job`` comes detached from that session, with its
    creator and unit loaded: the task reads its input from ``job.params`` and returns what
    the job produced (stored in ``job.result``). What it writes is committed with the job's
    end, unless it commits itself first. It reports ``progress(done, total, text)`` before
    it writes to the database (SQLite has one writer). Raise :class:`JobFailed` for a
    failure the user can act on; any other exception is retried with a pause, up to the
    job's ``max_attempts``.
    """

    def register(function: Task) -> Task:
        known = _TASKS.get(kind)
        if known is not None and (known.__module__, known.__qualname__) != (
                function.__module__, function.__qualname__):
            raise ValueError(f"task {kind!r} is already {known.__module__}.{known.__qualname__}")
        _TASKS[kind] = function
        return function

    return register


def is_task(kind: str) -> bool:
    return kind in _TASKS


#: (every how many seconds, function) run by each worker between jobs.
_PERIODIC: list[tuple[float, Callable[[], None]]] = []


def periodic(seconds: float) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register ``function()`` to run in every worker at most every ``seconds``, between
    jobs, in an application context: to notice work that falls due with time (a reminder's
    hour) and queue jobs for it. Every worker runs it, so it must be safe to run twice."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        if all(known is not function for _seconds, known in _PERIODIC):
            _PERIODIC.append((seconds, function))
        return function

    return register


def periodic_work() -> list[tuple[float, Callable[[], None]]]:
    return list(_PERIODIC)


def worker_name() -> str:
    """Who holds a lease: "host:pid" (read on every call: a forked process is another)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])


def _held(job_id: int, worker: str):
    """The condition under which ``worker`` still holds the job."""
    return Job.id == job_id, Job.state == JobState.RUNNING, Job.locked_by == worker


def retry_delay(attempts: int) -> timedelta:
    """The pause after the ``attempts``-th failed attempt: JOB_RETRY_SECONDS, doubling."""
    first = timedelta(seconds=current_app.config["JOB_RETRY_SECONDS"])
    return min(first * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def claim(worker: str, job_id: int | None = None) -> int | None:
    """Take a due queued job for ``worker``: ``job_id``, or else the one due first. Returns
    its id, or None when none is due (or another worker took it first).

    PostgreSQL skips the rows other workers are taking (FOR UPDATE SKIP LOCKED); SQLite has
    no row locks, so the state is checked again in the UPDATE and a lost race tries the next.
    """
    for _race in range(5):
        now = utcnow()
        due = select(Job.id).where(Job.state == JobState.QUEUED, Job.run_after <= now)
        if job_id is not None:
            due = due.where(Job.id == job_id)
        with db.engine.begin() as connection:
            candidate = connection.scalar(due.order_by(Job.run_after, Job.id).limit(1)
                                          .with_for_update(skip_locked=True))
            if candidate is None:
                return None
            taken = connection.execute(
                update(Job).where(Job.id == candidate, Job.state == JobState.QUEUED).values(
                    state=JobState.RUNNING, attempts=Job.attempts + 1, locked_by=worker,
                    locked_until=now + _lease(), started_at=now, finished_at=None,
                    progress_done=0, progress_total=0, progress_text="")).rowcount
        if taken:
            return candidate
    return None


class Progress:
    """``progress(done, total, text="")``: how far the job has got, for the user to see now.

    Written and committed on a connection of its own, not in the task's transaction (which
    commits only at the end). Steps closer together than :attr:`INTERVAL` with the same text
    are not written, except the last one. Raises :class:`LeaseLost` when the job is no
    longer this worker's, so a task that reports progress stops early.
    """

    INTERVAL = 0.5

    def __init__(self, engine: Engine, job_id: int, worker: str):
        self._engine = engine
        self._job_id = job_id
        self._worker = worker
        self._written_at: float | None = None
        self._text: str | None = None

    def __call__(self, done: int, total: int, text: str = "") -> None:
        text = str(text)[:300]
        moment = time.monotonic()
        if (self._written_at is not None and text == self._text and done < total
                and moment - self._written_at < self.INTERVAL):
            return
        try:
            with self._engine.begin() as connection:
                held = connection.execute(update(Job).where(*_held(self._job_id, self._worker))
                                          .values(progress_done=max(done, 0),
                                                  progress_total=max(total, 0),
                                                  progress_text=text)).rowcount
        except OperationalError:
            # Progress is for the eyes only: a busy database must not stop the work.
            log.warning("could not write the progress of job %s", self._job_id, exc_info=True)
            return
        self._written_at, self._text = moment, text
        if not held:
            raise LeaseLost(self._job_id)


class _Lease:
    """Renews the worker's hold on a running job, from a thread, while the task works: a
    lease that is no longer renewed means the worker died, and the job is run again."""

    def __init__(self, engine: Engine, job_id: int, worker: str, lease: timedelta):
        self._engine = engine
        self._job_id = job_id
        self._worker = worker
        self._lease = lease
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"job-{job_id}-lease",
                                        daemon=True)

    def start(self) -> "_Lease":
        self._thread.start()
        return self

    def _renew(self) -> None:
        while not self._stopped.wait(self._lease.total_seconds() / 3):
            try:
                with self._engine.begin() as connection:
                    connection.execute(update(Job).where(*_held(self._job_id, self._worker))
                                       .values(locked_until=utcnow() + self._lease))
            except Exception:
                # The next beat tries again; only a lease missed for its whole length counts.
                log.warning("could not renew the lease on job %s", self._job_id, exc_info=True)

    def stop(self) -> None:
        """Stop renewing. Called with no lock on the job's row in the task's transaction:
        the thread may be waiting for that row."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()


def run_claimed(job_id: int, worker: str) -> None:
    """Run a job ``worker`` has claimed and record how it ended."""
    app = current_app._get_current_object()
    # A fresh session for the task; a request context so that it builds addresses and reads
    # the interface's language as a page would (no client address: nobody sent it).
    with app.app_context(), app.test_request_context(
            base_url=app.config["PUBLIC_URL"], environ_base={"REMOTE_ADDR": ""}):
        job = db.session.get(Job, job_id, options=[joinedload(Job.created_by),
                                                   joinedload(Job.unit)])
        # The task gets the job detached: a change it made to it would be flushed with its
        # own writes, locking the row that progress and the lease write meanwhile.
        db.session.expunge(job)
        _run(job, worker)


def _run(job: Job, worker: str) -> None:
    job_id, kind, attempts, max_attempts = job.id, job.kind, job.attempts, job.max_attempts
    lease = _Lease(db.engine, job_id, worker, _lease()).start()
    try:
        function = _TASKS.get(kind)
        if function is None:
            raise LookupError(f"no task {kind!r} is registered in this worker")
        result = function(job, Progress(db.engine, job_id, worker))
        if result is not None and not isinstance(result, dict):
            raise TypeError(f"task {kind!r} returned {type(result).__name__}, not a dict")
        lease.stop()
        ended = db.session.execute(
            update(Job).where(*_held(job_id, worker)).values(
                state=JobState.DONE, result=result, finished_at=utcnow(), locked_by="",
                locked_until=None, error="", progress_done=Job.progress_total)
            .execution_options(synchronize_session=False)).rowcount
        if not ended:
            raise LeaseLost(job_id)
        db.session.commit()
        log.info("job %s (%s) done on attempt %s", job_id, kind, attempts)
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s (%s): %s lost its lease; its work was undone", job_id, kind, worker)
    except UserError as error:
        db.session.rollback()
        lease.stop()
        log.info("job %s (%s) failed: %s", job_id, kind, error.message)
        _end(job_id, worker, state=JobState.FAILED, error=str(error.message))
    except Exception:
        log.exception("job %s (%s) failed on attempt %s of %s", job_id, kind, attempts,
                      max_attempts)
        db.session.rollback()
        lease.stop()
        if attempts < max_attempts:
            delay = retry_delay(attempts)
            _end(job_id, worker, state=JobState.QUEUED, run_after=utcnow() + delay,
                 dispatched_at=None, finished_at=None, progress_text=_(
                     "Lần chạy thứ %(attempt)d gặp lỗi; sẽ tự chạy lại sau %(seconds)d giây.",
                     attempt=attempts, seconds=round(delay.total_seconds())))
        else:
            _end(job_id, worker, state=JobState.FAILED, error=str(SYSTEM_ERROR))
    finally:
        lease.stop()


def _end(job_id: int, worker: str, **values) -> None:
    values.setdefault("finished_at", utcnow())
    db.session.execute(update(Job).where(*_held(job_id, worker))
                       .values(locked_by="", locked_until=None, **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def recover_expired() -> int:
    """Queue again the running jobs whose lease expired (their worker died: killed, out of
    memory, the machine stopped), or fail those that used all their attempts. Returns how
    many were found."""
    now = utcnow()
    with db.engine.connect() as connection:
        expired = connection.execute(select(
            Job.id, Job.kind, Job.attempts, Job.max_attempts, Job.locked_by).where(
            Job.state == JobState.RUNNING, Job.locked_until < now)).all()
    for job_id, kind, attempts, max_attempts, worker in expired:
        if attempts < max_attempts:
            values = {"state": JobState.QUEUED, "run_after": now + retry_delay(attempts),
                      "dispatched_at": None, "progress_text": _(
                          "Lần chạy trước bị gián đoạn; việc được xếp lại vào hàng đợi.")}
        else:
            values = {"state": JobState.FAILED, "error": str(SYSTEM_ERROR), "finished_at": now}
        with db.engine.begin() as connection:
            # Still expired and still that worker's: another sweep may have been first.
            recovered = connection.execute(
                update(Job).where(*_held(job_id, worker), Job.locked_until < now)
                .values(locked_by="", locked_until=None, **values)).rowcount
        if recovered:
            log.warning("job %s (%s): worker %s stopped renewing its lease on attempt %s of "
                        "%s; %s", job_id, kind, worker, attempts, max_attempts,
                        "queued again" if attempts < max_attempts else "failed")
    return len(expired)


def run_queued(limit: int | None = None) -> int:
    """Run the due queued jobs in this process now, one after the other (at most
    ``limit``), and return how many ran: for tests and ``jobs work --burst``.

    Commit first: the jobs run on their own connections and see only what is committed.
    Afterwards the caller's objects are expired, so they read what the jobs did.
    """
    if has_app_context() and (db.session.new or db.session.dirty or db.session.deleted):
        raise RuntimeError("run_queued() sees only committed rows: commit or roll back first")
    worker = worker_name()
    recover_expired()
    ran = 0
    while limit is None or ran < limit:
        job_id = claim(worker)
        if job_id is None:
            break
        run_claimed(job_id, worker)
        ran += 1
    db.session.expire_all()
    return ran
