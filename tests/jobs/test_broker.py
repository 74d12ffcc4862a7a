"""The Redis queue (JOBS_BACKEND=rq): Redis down loses nothing and says so; back up, the
sweep hands the jobs over and RQ's worker runs them, once each.

Redis is the one on 127.0.0.1:6379 when it answers (the tests that need it are skipped
otherwise), database 15, emptied before and after each test; "down" is a closed port.
"""

import signal
import socket
from datetime import timedelta

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs import broker
from dialogue.jobs.models import JobState

REDIS = "redis://127.0.0.1:6379/15"
DELAYED = "Hàng đợi tạm thời không liên lạc được: việc sẽ chạy khi hàng đợi hoạt động lại"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(app, monkeypatch):
    """The Redis queue configured, on an address where nothing answers."""
    monkeypatch.setitem(app.config, "JOBS_BACKEND", "rq")
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/15")


@pytest.fixture
def redis_up(app):
    """Switches to the Redis that answers (database 15, emptied), as when it comes back."""
    connection = Redis.from_url(REDIS)
    try:
        connection.ping()
    except RedisError:
        pytest.skip("no Redis answers on 127.0.0.1:6379")
    connection.flushdb()

    def switch():
        app.config["REDIS_URL"] = REDIS  # monkeypatched by redis_down: put back after

    yield switch
    connection.flushdb()
    connection.close()


@pytest.fixture
def rq_worker():
    """``rq_worker()``: RQ's worker on the "dialogue" queue in burst mode, in this process
    (the signal handlers it installs are put back); True if it handled any message."""

    def work() -> bool:
        handlers = {number: signal.getsignal(number) for number in (signal.SIGINT,
                                                                    signal.SIGTERM)}
        connection = Redis.from_url(REDIS)
        try:
            worker = SimpleWorker([Queue(broker.QUEUE_NAME, connection=connection)],
                                  connection=connection)
            return worker.work(burst=True)
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
            connection.close()

    return work


def test_with_redis_down_a_job_is_saved_and_its_page_says_it_is_delayed(
        redis_down, client, enqueue_job, job_state):
    job = enqueue_job("tests.echo")  # no error: the request that asked succeeds

    waiting = job_state(job)
    assert waiting.state is JobState.QUEUED
    assert waiting.dispatched_at is None
    status = client.get(f"/jobs/{job.id}.json").json
    assert status["delayed"] is True
    assert status["delay_message"].startswith(DELAYED)
    assert DELAYED in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_when_redis_is_back_the_sweep_hands_the_job_over_and_rq_runs_it(
        redis_down, redis_up, rq_worker, client, enqueue_job, job_state, entries):
    job = enqueue_job("tests.echo")
    assert broker.dispatch_waiting() == 0  # still down: still waiting, nothing lost

    redis_up()
    assert broker.dispatch_waiting() == 1
    assert job_state(job).dispatched_at is not None
    assert client.get(f"/jobs/{job.id}.json").json["delayed"] is False

    assert rq_worker()
    done = job_state(job)
    assert done.state is JobState.DONE
    assert entries(job) == ["echo"]


def test_with_redis_up_a_job_is_handed_over_when_its_transaction_commits(
        redis_down, redis_up, rq_worker, enqueue_job, job_state):
    redis_up()
    older = enqueue_job("tests.echo")
    db.session.commit()

    job = enqueue_job("tests.echo")

    assert job_state(job).dispatched_at is not None
    assert job_state(older).dispatched_at is not None
    assert rq_worker()
    assert job_state(job).state is JobState.DONE
    assert job_state(older).state is JobState.DONE


def test_a_message_sent_twice_runs_the_job_once(redis_down, redis_up, rq_worker, app,
                                                 enqueue_job, job_state, entries):
    redis_up()
    job = enqueue_job("tests.echo")
    queue = Queue(broker.QUEUE_NAME, connection=Redis.from_url(REDIS))
    queue.enqueue(broker.perform, job.id)
    assert queue.count == 2

    assert rq_worker()
    assert queue.count == 0  # both messages handled; the second one found the job done

    assert job_state(job).state is JobState.DONE
    assert entries(job) == ["echo"]


def test_a_message_redis_lost_is_sent_again(redis_down, redis_up, rq_worker, app,
                                            enqueue_job, job_state):
    redis_up()
    job = enqueue_job("tests.echo")
    Redis.from_url(REDIS).flushdb()  # a restart without persistence
    assert broker.dispatch_waiting() == 0  # handed over just now: not yet suspicious

    job = job_state(job)
    job.dispatched_at = utcnow() - timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    db.session.commit()
    assert broker.dispatch_waiting() == 1

    assert rq_worker()
    assert job_state(job).state is JobState.DONE


def test_a_message_still_in_redis_is_not_sent_again(redis_down, redis_up, app, enqueue_job,
                                                    job_state):
    redis_up()
    job = enqueue_job("tests.echo")
    job = job_state(job)
    job.dispatched_at = utcnow() - timedelta(seconds=app.config["JOB_LEASE_SECONDS"] + 1)
    db.session.commit()

    assert broker.dispatch_waiting() == 0
    assert Queue(broker.QUEUE_NAME, connection=Redis.from_url(REDIS)).count == 1


def test_a_retry_waiting_for_its_time_is_not_handed_over_early(
        redis_down, redis_up, app, monkeypatch, enqueue_job, job_state):
    from dialogue.jobs.operations import run_queued

    redis_up()
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 60)
    job = enqueue_job("tests.flaky", {"fails": 1})
    run_queued()  # the first attempt fails: queued again, in a minute
    waiting = job_state(job)
    assert (waiting.state, waiting.dispatched_at) == (JobState.QUEUED, None)

    assert broker.dispatch_waiting() == 0
    assert broker.dispatch_waiting() == 0

    waiting.run_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert broker.dispatch_waiting() == 1


def test_the_worker_command_runs_rq_in_burst_mode(redis_down, redis_up, app, enqueue_job,
                                                  job_state, entries):
    job = enqueue_job("tests.echo")  # asked for while Redis was down
    redis_up()

    result = app.test_cli_runner().invoke(args=["jobs", "work", "--burst"])

    assert result.exit_code == 0, result.output
    assert "Đã chạy 1 việc." in result.output
    assert job_state(job).state is JobState.DONE
    assert entries(job) == ["echo"]
