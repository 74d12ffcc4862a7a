"""The worker process (``flask --app dialogue jobs work``): runs jobs until told to stop,
and keeps the queue healthy meanwhile (jobs of dead workers queued again, old jobs and
their files removed, with Redis the jobs it missed handed over).

SIGTERM or SIGINT stops it once the current job has finished; a second one stops it at
once (the job's lease then expires and another worker runs it again).
"""

import logging
import signal
import threading
import time
from contextlib import contextmanager

from flask import current_app
from sqlalchemy.exc import OperationalError

from . import broker
from .operations import backend, remove_old_jobs
from .runner import claim, periodic_work, recover_expired, run_claimed, worker_name

log = logging.getLogger(__name__)

#: How often old jobs are looked for.
CLEANING_SECONDS = 3600
#: The pause before trying a database that did not answer again.
OUTAGE_SECONDS = 5
_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Maintenance:
    """What a worker does before looking for its next job (the cleaning once an hour, the
    periodic work modules registered)."""

    def __init__(self):
        self._cleaned_at: float | None = None
        self._ran_at: dict = {}

    def __call__(self) -> None:
        # In a context of its own: nothing is held, or left in the session, between polls.
        with current_app._get_current_object().app_context():
            recover_expired()
            if backend() == "rq":
                broker.dispatch_waiting()
            if (self._cleaned_at is None
                    or time.monotonic() - self._cleaned_at > CLEANING_SECONDS):
                remove_old_jobs()
                self._cleaned_at = time.monotonic()
            for seconds, function in periodic_work():
                last = self._ran_at.get(function)
                if last is None or time.monotonic() - last >= seconds:
                    # Noted first: a function that fails waits its period, not a poll.
                    self._ran_at[function] = time.monotonic()
                    function()


@contextmanager
def _stop_on_signals(stop: threading.Event):
    def request_stop(signum, _frame):
        if stop.is_set():
            raise SystemExit(128 + signum)
        log.info("%s: stopping after the current job (again to stop now)",
                 signal.Signals(signum).name)
        stop.set()

    # A signal ignored by whoever started the worker stays ignored: `make run` starts it in
    # the background, so Ctrl+C reaches the server and the worker is stopped by SIGTERM.
    previous = {number: signal.signal(number, request_stop) for number in _STOP_SIGNALS
                if signal.getsignal(number) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def work(*, burst: bool = False) -> int:
    """Work the queue (JOBS_BACKEND) until SIGTERM or SIGINT or, with ``burst``, until no
    job is due; returns how many jobs ran."""
    stop = threading.Event()
    maintain = _Maintenance()
    poll = current_app.config["JOB_POLL_SECONDS"]
    log.info("job worker %s started (%s queue)", worker_name(), backend())
    with _stop_on_signals(stop):
        if backend() == "rq":
            ran = broker.work(burst=burst, stop=stop, maintain=maintain, poll_seconds=poll)
        else:
            ran = _work_table(burst=burst, stop=stop, maintain=maintain, poll=poll)
    log.info("job worker %s stopped after %d job(s)", worker_name(), ran)
    return ran


def _work_table(*, burst: bool, stop: threading.Event, maintain: _Maintenance,
                poll: float) -> int:
    """The embedded queue: claim the job due first from the table, run it, and so on; when
    none is due, wait a poll."""
    worker = worker_name()
    ran = 0
    while not stop.is_set():
        try:
            maintain()
            job_id = claim(worker)
            if job_id is not None:
                run_claimed(job_id, worker)
                ran += 1
                continue
        except OperationalError:
            if burst:
                raise
            # The database is down or busy: wait for it as the web server does (a job
            # that was running is run again once its lease expires).
            log.exception("job worker %s cannot reach the database; trying again", worker)
            stop.wait(max(poll, OUTAGE_SECONDS))
            continue
        if burst:
            break
        stop.wait(poll)
    return ran
