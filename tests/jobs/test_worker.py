"""The worker's loop: it waits out a database that does not answer instead of dying, and
removes old jobs between jobs."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs import worker
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import run_queued

OUTAGE = OperationalError("SELECT jobs.id", {}, Exception("server closed the connection"))


def test_a_worker_waits_out_a_database_outage_then_works_on(monkeypatch, enqueue_job,
                                                             job_state):
    job = enqueue_job("tests.echo")
    stop = threading.Event()
    real_claim = worker.claim
    calls = []

    def claim_after_an_outage(name):
        calls.append(name)
        if len(calls) == 1:
            raise OUTAGE
        taken = real_claim(name)
        if taken is None:
            stop.set()  # everything done: end the test's loop
        return taken

    monkeypatch.setattr(worker, "claim", claim_after_an_outage)
    monkeypatch.setattr(worker, "OUTAGE_SECONDS", 0)

    ran = worker._work_table(burst=False, stop=stop, maintain=lambda: None, poll=0.01)

    assert ran == 1
    assert job_state(job).state is JobState.DONE


def test_in_burst_mode_an_outage_is_reported(monkeypatch):
    def down(name):
        raise OUTAGE

    monkeypatch.setattr(worker, "claim", down)

    with pytest.raises(OperationalError):
        worker._work_table(burst=True, stop=threading.Event(), maintain=lambda: None, poll=0)


def test_between_jobs_the_worker_removes_old_ones(app, enqueue_job):
    old = enqueue_job("tests.echo")
    old_id = old.id
    run_queued()
    old.finished_at = utcnow() - timedelta(days=app.config["JOB_FILES_DAYS"] + 1)
    db.session.commit()

    worker._Maintenance()()

    db.session.expire_all()
    assert db.session.get(Job, old_id) is None


def test_between_jobs_the_worker_runs_the_periodic_work_at_its_pace(monkeypatch):
    from dialogue.jobs import runner

    calls = []
    # Registered on a list of its own, so the app's periodic work stays out of the count.
    monkeypatch.setattr(runner, "_PERIODIC", [])
    runner.periodic(3600)(lambda: calls.append("hourly"))
    runner.periodic(0)(lambda: calls.append("always"))
    maintain = worker._Maintenance()

    maintain()
    maintain()

    assert calls == ["hourly", "always", "always"]
