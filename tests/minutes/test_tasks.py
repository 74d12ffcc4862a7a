"""Finalizing as a background job, worked by real ``flask --app dialogue jobs work``
processes on the test database: a worker killed with SIGKILL in the middle leaves the
minutes a draft with no revision, and the job, run again, files them."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobState
from dialogue.minutes.models import Minutes, MinutesStatus
from dialogue.minutes.operations import request_finalizing
from tests.conftest import SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
#: A worker killed mid-job is noticed once its lease runs out: short, for the test.
LEASE_SECONDS = 2
#: Laying out 200 issues takes seconds; starting a worker, a second or two.
PATIENCE = 120


def wait_for(condition, what: str):
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def job_row(job_id: int):
    # Read on a connection of its own: the test's session would hold its first reading.
    with db.engine.connect() as connection:
        return connection.execute(sa.select(
            Job.state, Job.progress_text, Job.attempts, Job.locked_until, Job.result,
        ).where(Job.id == job_id)).one()


def on_record(minutes_id: int) -> tuple:
    """The minutes' status, their filed revisions' numbers and whether the session's issues
    are locked, as committed."""
    db.session.rollback()
    minutes = db.session.get(Minutes, minutes_id)
    found = (minutes.status, [revision.number for revision in minutes.revisions],
             minutes.session.issues_locked_at is not None)
    db.session.rollback()
    return found


@pytest.fixture
def worker_environment(database_url, tmp_path) -> dict:
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS), "JOB_POLL_SECONDS": "0.1",
            "JOB_RETRY_SECONDS": "0", "FILED_MARKER": str(tmp_path / "filed")}


@pytest.fixture
def start_worker(worker_environment, tmp_path):
    """``start_worker(app)``: ``flask --app APP jobs work`` running; killed after the test
    if it still runs."""
    started = []

    def start(app: str) -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", app, "jobs", "work"], cwd=ROOT,
            env=worker_environment, stdout=log, stderr=subprocess.STDOUT)
        started.append((process, log))
        return process

    yield start
    for process, log in started:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        log.close()


@pytest.mark.parametrize(("worker_app", "moment"), [
    ("dialogue", "laid out"),
    ("tests.minutes.worker_app", "filed"),
], ids=["while-laid-out", "while-filed-not-committed"])
def test_a_worker_killed_while_finalizing_leaves_a_draft_and_the_job_runs_again(
        long_session, minutes_details, secretary, start_worker, worker_environment,
        tmp_path, worker_app, moment):
    session = long_session(issues=200)
    job = request_finalizing(session, minutes_details(), by=secretary)
    db.session.commit()
    job_id, minutes_id = job.id, job.subject_id
    worker = start_worker(worker_app)

    if moment == "laid out":
        wait_for(lambda: job_row(job_id)[:2] == (JobState.RUNNING, "Đang dàn trang biên bản…"),
                 "the worker to start laying the minutes out")
    else:  # the revision is written in the worker's transaction, which has not committed
        wait_for((tmp_path / "filed").exists, "the worker to write the revision")
    worker.kill()
    assert worker.wait(10) == -9

    # Nothing of the filing is left: no revision, the minutes and the issues still open.
    assert job_row(job_id).state is JobState.RUNNING  # killed before the end of the job
    assert on_record(minutes_id) == (MinutesStatus.DRAFT, [], False)

    # Once its lease has run out the job is queued again, and another worker files it.
    wait_for(lambda: job_row(job_id).locked_until < utcnow(), "the lease to run out")
    again = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "dialogue", "jobs", "work", "--burst"],
        cwd=ROOT, env=worker_environment, capture_output=True, text=True, timeout=PATIENCE)
    assert again.returncode == 0, again.stderr
    assert "Đã chạy 1 việc." in again.stdout

    state, _text, attempts, _lease, result = job_row(job_id)
    assert (state, attempts, result["revision"]) == (JobState.DONE, 2, 1)
    assert on_record(minutes_id) == (MinutesStatus.FINAL, [1], True)
    revision = db.session.get(Minutes, minutes_id).revisions[0]
    assert len(revision.content["issues"]) == 200
    assert revision.pages >= 20
