"""``flask jobs work`` and ``flask jobs list``; real worker processes, on the embedded queue
and on Redis: killed with SIGKILL in the middle of a job, and stopped with SIGTERM or SIGINT.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from dialogue.core.time import utcnow
from dialogue.jobs.models import JobState
from dialogue.jobs.operations import run_queued
from tests.conftest import SECRET_KEY

from .test_broker import REDIS

ROOT = Path(__file__).resolve().parents[2]
FLASK = [sys.executable, "-m", "flask", "--app", "tests.jobs.worker_app:create_app()"]


def test_work_burst_runs_what_is_due_then_exits(app, enqueue_job, job_state, entries):
    first = enqueue_job("tests.echo")
    second = enqueue_job("tests.refuse")

    result = app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])

    assert result.exit_code == 0, result.output
    assert "Đã chạy 2 việc." in result.output
    assert job_state(first).state is JobState.DONE
    assert entries(first) == ["echo"]
    assert job_state(second).state is JobState.FAILED


def test_list_shows_the_latest_jobs_and_why_they_failed(app, enqueue_job):
    enqueue_job("tests.refuse", label="Xuất biên bản năm 2025")
    run_queued()
    enqueue_job("tests.echo", label="Xuất báo cáo quý I")

    result = app.test_cli_runner().invoke(args=["jobs", "list"])
    failed = app.test_cli_runner().invoke(args=["jobs", "list", "--state", "failed"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Đang chờ · tests.echo · Xuất báo cáo quý I · thuky.tinh" in lines[0]
    assert "Không thành công · tests.refuse · Xuất biên bản năm 2025" in lines[1]
    assert "lần 1/3" in lines[1]
    assert lines[2].strip() == "Năm 2025 chưa có biên bản nào đã hoàn thiện để xuất."
    assert "Xuất báo cáo quý I" not in failed.output


@pytest.fixture(params=["database", "rq"])
def backend(request, app, monkeypatch):
    """Each queue in turn (this process too uses it); Redis's database 15 emptied around."""
    monkeypatch.setitem(app.config, "JOBS_BACKEND", request.param)
    if request.param == "database":
        yield request.param
        return
    connection = Redis.from_url(REDIS)
    try:
        connection.flushdb()
    except RedisError:
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    yield request.param
    connection.flushdb()
    connection.close()


@pytest.fixture
def worker_process(database_url, tmp_path, backend):
    """``worker_process(*arguments, ignoring=None)``: ``flask jobs work`` in a process of its
    own (started with the signal ``ignoring`` ignored), on the test database and the test's
    queue, with a one-second lease; stopped at the end if still running."""
    started = []

    def start(*arguments: str, ignoring: signal.Signals | None = None) -> subprocess.Popen:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
               "JOBS_BACKEND": backend, "REDIS_URL": REDIS, "JOB_LEASE_SECONDS": "1",
               "JOB_POLL_SECONDS": "0.1", "JOB_RETRY_SECONDS": "0"}
        process = subprocess.Popen(
            [*FLASK, "jobs", "work", *arguments], cwd=ROOT, env=env, stdout=log,
            stderr=subprocess.STDOUT,
            # As a shell starts a command in the background (`make run`).
            preexec_fn=(lambda: signal.signal(ignoring, signal.SIG_IGN)) if ignoring else None)
        process.log_path = log.name
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_for(condition, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker exited ({process.returncode}):\n"
                        + Path(process.log_path).read_text())
        if time.monotonic() > deadline:
            pytest.fail("the worker did not get there:\n" + Path(process.log_path).read_text())
        time.sleep(0.05)


def test_a_worker_killed_midway_leaves_nothing_half_done_and_the_job_runs_again(
        worker_process, enqueue_job, job_state, entries, tmp_path):
    marker = tmp_path / "working"
    job = enqueue_job("tests.block", {"marker": str(marker)})
    worker = worker_process()
    _wait_for(marker.exists, worker)  # it wrote its row, not yet committed, and works on

    running = job_state(job)
    assert running.state is JobState.RUNNING
    assert running.locked_by.endswith(f":{worker.pid}")
    assert running.progress_text == "Đang ghi"
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    assert entries(job) == []  # what it wrote died with it
    assert job_state(job).state is JobState.RUNNING  # until its lease runs out
    while utcnow() <= job_state(job).locked_until:
        time.sleep(0.1)

    second = worker_process("--burst")
    assert second.wait(timeout=120) == 0, Path(second.log_path).read_text()
    assert "Đã chạy 1 việc." in Path(second.log_path).read_text()
    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.attempts == 2
    assert done.result == {"attempt": 2}
    assert entries(job) == ["attempt 2"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_worker_told_to_stop_finishes_its_job_first(
        worker_process, enqueue_job, job_state, entries, tmp_path, stop):
    marker = tmp_path / "working"
    job = enqueue_job("tests.wait", {"marker": str(marker), "seconds": 1.5})
    next_job = enqueue_job("tests.echo")
    worker = worker_process()
    _wait_for(marker.exists, worker)

    worker.send_signal(stop)

    assert worker.wait(timeout=60) == 0, Path(worker.log_path).read_text()
    assert job_state(job).state is JobState.DONE
    assert entries(job) == ["finished"]
    assert job_state(next_job).state is JobState.QUEUED  # left for the next worker


def test_an_idle_worker_stops_at_once(worker_process, tmp_path):
    worker = worker_process()
    _wait_for(lambda: "started" in Path(worker.log_path).read_text(), worker)

    began = time.monotonic()
    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=30) == 0, Path(worker.log_path).read_text()
    assert time.monotonic() - began < 5
    assert "stopped after 0 job(s)" in Path(worker.log_path).read_text()


def test_a_worker_started_in_the_background_leaves_ctrl_c_to_the_server(worker_process):
    worker = worker_process(ignoring=signal.SIGINT)
    _wait_for(lambda: "started" in Path(worker.log_path).read_text(), worker)

    worker.send_signal(signal.SIGINT)  # Ctrl+C in `make run`: for the server in front
    time.sleep(1)
    assert worker.poll() is None
    worker.send_signal(signal.SIGTERM)  # then `make run` stops its worker

    assert worker.wait(timeout=30) == 0, Path(worker.log_path).read_text()
