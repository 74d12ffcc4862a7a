"""The Redis queue (RQ), for installations with several app servers: it carries a job's id
to whichever worker is free; the job's row stays the truth.

A job is handed to Redis once its transaction has committed. When Redis does not answer
the row stays as it is, not dispatched, and the next sweep (a worker's, or the next
enqueue's) hands it over: nothing is lost. A message sent twice is harmless, since a
worker runs a job only if it can claim its row; a message Redis lost (a restart without
persistence) is sent again by the sweep.
"""

import logging
import signal
import threading
from datetime import timedelta

from flask import current_app
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus
from sqlalchemy import select, update

from ..core.time import utcnow
from ..extensions import db
from .models import Job, JobState
from .runner import claim, run_claimed, worker_name

log = logging.getLogger(__name__)

QUEUE_NAME = "dialogue"
#: A request that hands over a job waits at most this long for Redis before leaving the
#: job to the sweep.
CONNECT_SECONDS = 2
#: Jobs handed over in one sweep (the rest wait for the next).
SWEEP_SIZE = 100
#: Messages in these states will still reach a worker; any other, or none, is sent again.
_ON_ITS_WAY = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED,
               JobStatus.CREATED}


def redis_client() -> Redis:
    """The application's Redis client (one pool per process and address)."""
    url = current_app.config["REDIS_URL"]
    clients = current_app.extensions.setdefault("dialogue_redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=CONNECT_SECONDS,
                                      socket_timeout=CONNECT_SECONDS * 3)
    return clients[url]


def _message_id(job_id: int, attempts: int) -> str:
    # One message per attempt: a retry is never mistaken for the message of the last one.
    return f"dialogue-job-{job_id}-{attempts}"


def perform(job_id: int) -> None:
    """What the RQ worker runs: the job, if its row is still waiting for a worker."""
    worker = worker_name()
    if claim(worker, job_id) is None:
        log.info("job %s is not waiting (done, taken or not due yet): message skipped", job_id)
        return
    run_claimed(job_id, worker)


def dispatch_waiting() -> int:
    """Hand to Redis the due queued jobs it does not carry yet; returns how many. When Redis
    does not answer, none: they wait for the next sweep."""
    now = utcnow()
    waiting = select(Job.id, Job.attempts).where(Job.state == JobState.QUEUED,
                                                 Job.run_after <= now)
    with db.engine.connect() as connection:
        new = connection.execute(waiting.where(Job.dispatched_at.is_(None))
                                 .order_by(Job.id).limit(SWEEP_SIZE)).all()
        # Handed over a while ago and still not taken: Redis may have lost the message.
        lease = timedelta(seconds=current_app.config["JOB_LEASE_SECONDS"])
        old = connection.execute(waiting.where(Job.dispatched_at < now - lease)
                                 .order_by(Job.id).limit(SWEEP_SIZE)).all()
    if not new and not old:
        return 0
    sent = 0
    try:
        queue = Queue(QUEUE_NAME, connection=redis_client())
        lost = [(job_id, attempts) for job_id, attempts in old
                if not _on_its_way(_message_id(job_id, attempts))]
        for job_id, attempts in [*new, *lost]:
            queue.enqueue_call(perform, args=(job_id,), job_id=_message_id(job_id, attempts),
                               # The lease, not a timer, tells a dead worker from a slow job.
                               timeout=-1, result_ttl=3600, failure_ttl=7 * 86400)
            with db.engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == job_id,
                                                     Job.state == JobState.QUEUED)
                                   .values(dispatched_at=utcnow()))
            sent += 1
    except RedisError as error:
        log.warning("Redis (%s) does not answer: %s; %d job(s) wait for the next sweep",
                    current_app.config["REDIS_URL"], error, len(new) + len(old) - sent)
    return sent


def _on_its_way(message_id: str) -> bool:
    try:
        message = RQJob.fetch(message_id, connection=redis_client())
    except NoSuchJobError:
        return False
    except RedisError:
        raise
    except Exception:
        # A message RQ cannot read will not run either: sent again, it is written over.
        log.warning("unreadable RQ message %s", message_id, exc_info=True)
        return False
    return message.get_status(refresh=False) in _ON_ITS_WAY


class _Worker(SimpleWorker):
    """RQ's worker, running each job in this process and its app context, and telling the
    loop around it when SIGTERM or SIGINT asked it to stop (after the current job)."""

    def __init__(self, *args, stop: threading.Event, **kwargs):
        super().__init__(*args, **kwargs)
        self._stop_event = stop
        #: Messages handled (RQ counts its successes in Redis only).
        self.handled = 0

    def execute_job(self, job, queue):
        super().execute_job(job, queue)
        self.handled += 1

    def _install_signal_handlers(self):
        ignored = [number for number in (signal.SIGINT, signal.SIGTERM)
                   if signal.getsignal(number) is signal.SIG_IGN]
        super()._install_signal_handlers()
        for number in ignored:  # as for the embedded queue (see worker.py)
            signal.signal(number, signal.SIG_IGN)
        if self._stop_event.is_set():  # asked before RQ listened: its loop stops at once
            self._stop_requested = True

    def request_stop(self, signum, frame):
        self._stop_event.set()
        super().request_stop(signum, frame)


def work(*, burst: bool, stop: threading.Event, maintain, poll_seconds: float) -> int:
    """Run an RQ worker on the "dialogue" queue until ``stop`` is set (SIGTERM or SIGINT:
    the current job finishes first) or, with ``burst``, until the queue is empty;
    ``maintain()`` (expired leases, the sweep) runs before and, in a thread, every
    ``poll_seconds`` meanwhile. Returns how many messages it handled."""
    app = current_app._get_current_object()
    finished = threading.Event()

    def maintain_until_finished():
        while not finished.wait(poll_seconds):
            with app.app_context():
                try:
                    maintain()
                except Exception:
                    log.exception("job maintenance failed; trying again")

    # Socket reads without a timeout: the worker waits for messages in a blocking read.
    connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=CONNECT_SECONDS)
    maintain()
    thread = threading.Thread(target=maintain_until_finished, name="job-maintenance",
                              daemon=True)
    thread.start()
    ran = 0
    try:
        while not stop.is_set():
            worker = _Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection,
                             stop=stop)
            try:
                worker.work(burst=burst, logging_level="INFO")
            except RedisConnectionError as error:
                if burst:
                    raise
                log.error("Redis (%s) does not answer: %s; trying again in 5 s",
                          app.config["REDIS_URL"], error)
            ran += worker.handled
            if burst:
                break
            # RQ's worker quits on errors it does not handle (Redis gone mid-way): start
            # another, unless asked to stop.
            stop.wait(5)
    finally:
        finished.set()
        thread.join()
    return ran
