"""Running jobs: claiming, progress, the end of a run, retries and their pause, leases."""

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import run_queued, task
from dialogue.jobs.runner import SYSTEM_ERROR, claim, recover_expired


def test_a_job_runs_in_a_worker_and_keeps_what_its_task_wrote(
        enqueue_job, job_state, entries, secretary):
    job = enqueue_job("tests.echo", {"steps": 3})
    assert job.state is JobState.QUEUED

    assert run_queued() == 1

    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.result == {"echo": {"steps": 3}, "who": secretary.username}
    assert done.attempts == 1
    assert (done.progress_done, done.progress_total) == (3, 3)
    assert done.locked_by == "" and done.locked_until is None
    assert done.started_at <= done.finished_at
    assert entries(job) == ["echo"]
    assert run_queued() == 0


def test_a_job_asked_for_in_a_transaction_rolled_back_never_runs(enqueue_job):
    from dialogue.jobs.operations import enqueue

    enqueue("tests.echo", {}, label="Bỏ dở", by=None, unit=None)
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    assert run_queued() == 0


def test_a_task_nobody_registered_is_refused_when_asked_for():
    from dialogue.jobs.operations import enqueue

    with pytest.raises(LookupError, match=r"tests\.unknown"):
        enqueue("tests.unknown", {}, label="Không có", by=None, unit=None)


def test_another_function_cannot_take_a_registered_kind():
    with pytest.raises(ValueError, match="already"):
        @task("tests.echo")
        def impostor(job, progress):
            return None


def test_run_queued_refuses_to_run_past_uncommitted_changes(enqueue_job):
    job = enqueue_job("tests.echo")
    job.label = "Sửa chưa lưu"
    with pytest.raises(RuntimeError, match="commit"):
        run_queued()
    db.session.rollback()


def test_progress_is_committed_apart_so_the_page_sees_it_during_the_work(
        enqueue_job, job_state, entries):
    job = enqueue_job("tests.progress_seen")

    run_queued()

    done = job_state(job)
    assert done.result == {"seen": [1, 4, "Đang đếm các phiên"]}
    assert entries(job) == ["counted"]


def test_a_failure_the_user_can_act_on_ends_the_job_with_its_message(
        enqueue_job, job_state, entries):
    job = enqueue_job("tests.refuse", max_attempts=3)

    assert run_queued() == 1

    failed = job_state(job)
    assert failed.state is JobState.FAILED
    assert failed.error == "Năm 2025 chưa có biên bản nào đã hoàn thiện để xuất."
    assert failed.attempts == 1  # not tried again: the same data would fail the same way
    assert entries(job) == []  # what it wrote before failing is undone
    assert run_queued() == 0


def test_an_accident_is_tried_again_and_only_the_good_attempt_counts(
        enqueue_job, job_state, entries, caplog):
    job = enqueue_job("tests.flaky", {"fails": 1})

    with caplog.at_level(logging.ERROR, logger="dialogue.jobs.runner"):
        assert run_queued() == 2

    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.result == {"attempts": 2}
    assert entries(job) == ["attempt 2"]
    assert "the disk went away" in caplog.text  # the trace is in the log, not on the page


def test_retries_wait_longer_each_time_then_the_job_fails_with_a_plain_message(
        app, monkeypatch, enqueue_job, job_state):
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 30)
    job = enqueue_job("tests.flaky", {"fails": 5}, max_attempts=3)

    pauses = []
    for _attempt in range(2):
        before = utcnow()
        assert run_queued() == 1
        waiting = job_state(job)
        assert waiting.state is JobState.QUEUED
        pauses.append((waiting.run_after - before).total_seconds())
        assert run_queued() == 0  # not before its time
        assert "sẽ tự chạy lại sau" in waiting.progress_text
        waiting.run_after = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert 29 <= pauses[0] <= 31
    assert 59 <= pauses[1] <= 61

    assert run_queued() == 1
    failed = job_state(job)
    assert failed.state is JobState.FAILED
    assert failed.attempts == 3
    assert failed.error == str(SYSTEM_ERROR)
    assert "Lỗi hệ thống khi chạy việc này" in failed.error


def test_jobs_run_in_the_order_they_are_due(enqueue_job, job_state):
    later = enqueue_job("tests.echo", {"steps": 1})
    later.run_after = utcnow() + timedelta(hours=1)
    first = enqueue_job("tests.echo", {"steps": 1})
    db.session.commit()

    assert claim("host:1") == first.id
    assert claim("host:1") is None
    assert job_state(later).state is JobState.QUEUED


def test_two_workers_never_take_the_same_job(app, enqueue_job):
    job_ids = [enqueue_job("tests.echo").id for _job in range(6)]
    db.session.remove()
    taken: list[int] = []
    start = threading.Barrier(4)

    def take(name):
        with app.app_context():
            start.wait()
            while (job_id := claim(name)) is not None:
                taken.append(job_id)

    threads = [threading.Thread(target=take, args=(f"host:{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(taken) == job_ids


def _claimed_by_dead_worker(job: Job) -> None:
    """As if a worker took the job and died: claimed, and its lease long expired."""
    assert claim("dead-host:4242", job.id) == job.id
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        locked_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_a_job_whose_worker_died_is_run_again(enqueue_job, job_state, entries, caplog):
    job = enqueue_job("tests.echo")
    _claimed_by_dead_worker(job)

    with caplog.at_level(logging.WARNING, logger="dialogue.jobs.runner"):
        assert run_queued() == 1

    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.attempts == 2  # the lost attempt counts
    assert entries(job) == ["echo"]
    assert "dead-host:4242 stopped renewing its lease" in caplog.text


def test_a_job_whose_worker_died_on_its_last_attempt_fails(enqueue_job, job_state):
    job = enqueue_job("tests.echo", max_attempts=1)
    _claimed_by_dead_worker(job)

    assert recover_expired() == 1

    failed = job_state(job)
    assert failed.state is JobState.FAILED
    assert failed.error == str(SYSTEM_ERROR)
    assert run_queued() == 0


def test_a_running_job_keeps_its_lease_while_its_task_works(app, monkeypatch, enqueue_job,
                                                            job_state):
    monkeypatch.setitem(app.config, "JOB_LEASE_SECONDS", 0.3)
    job = enqueue_job("tests.slow", {"seconds": 1.2})

    run_queued()

    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.result == {"expired_meanwhile": 0}
    assert done.attempts == 1


def test_a_worker_that_lost_its_job_undoes_its_work_and_leaves_the_row(
        enqueue_job, job_state, entries):
    job = enqueue_job("tests.stolen")

    run_queued()

    taken = job_state(job)
    assert taken.state is JobState.RUNNING
    assert taken.locked_by == "other:1"
    assert taken.result is None
    assert entries(job) == []


def test_on_postgresql_a_worker_skips_the_job_another_is_taking(enqueue_job):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no row locks: its claim is decided by the conditional UPDATE "
                    "(test_two_workers_never_take_the_same_job)")
    first = enqueue_job("tests.echo")
    second = enqueue_job("tests.echo")
    with db.engine.connect() as other_worker, other_worker.begin():
        other_worker.execute(sa.select(Job.id).where(Job.id == first.id).with_for_update())

        assert claim("host:2") == second.id  # at once, without waiting for the other
