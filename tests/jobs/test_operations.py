"""Asking for jobs and following them: a record's job, retries, the files jobs produce."""

from datetime import timedelta

import pytest

from dialogue.accounts.models import Role
from dialogue.accounts.permissions import NotPermitted
from dialogue.core.errors import UserError
from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.models import JobState
from dialogue.jobs.operations import (
    delay_message,
    latest_job,
    open_job_file,
    pending_job,
    remove_old_jobs,
    retry_job,
    run_queued,
)


def test_a_records_pending_and_latest_job(enqueue_job):
    older = enqueue_job("tests.echo", subject=("minutes", 7))
    run_queued()
    newer = enqueue_job("tests.echo", subject=("minutes", 7))
    enqueue_job("tests.refuse", subject=("minutes", 7))
    enqueue_job("tests.echo", subject=("minutes", 8))

    assert pending_job("minutes", 7, "tests.echo") == newer
    assert latest_job("minutes", 7, "tests.echo") == newer
    run_queued()
    assert pending_job("minutes", 7, "tests.echo") is None
    assert latest_job("minutes", 7, "tests.echo") == newer
    assert latest_job("minutes", 7).kind == "tests.refuse"
    assert older.state is JobState.DONE
    assert pending_job("minutes", 9) is None and latest_job("minutes", 9) is None


def test_a_failed_job_retried_runs_again_with_all_its_attempts(
        enqueue_job, job_state, secretary):
    job = enqueue_job("tests.flaky", {"fails": 1}, max_attempts=1)
    run_queued()
    failed = job_state(job)
    assert failed.state is JobState.FAILED
    failed.params = {"fails": 0}  # what broke is mended

    retry_job(failed, by=secretary)
    db.session.commit()
    queued = job_state(job)
    assert (queued.state, queued.attempts, queued.error) == (JobState.QUEUED, 0, "")
    assert queued.finished_at is None

    run_queued()
    done = job_state(job)
    assert done.state is JobState.DONE
    assert done.result == {"attempts": 1}


def test_only_a_failed_job_is_retried(enqueue_job, secretary):
    job = enqueue_job("tests.echo")
    with pytest.raises(UserError, match="không thành công"):
        retry_job(job, by=secretary)


def test_a_failed_job_asked_for_again_meanwhile_is_not_retried(enqueue_job, secretary):
    failed = enqueue_job("tests.refuse", subject=("minutes", 3))
    run_queued()
    enqueue_job("tests.refuse", subject=("minutes", 3))

    with pytest.raises(UserError, match="đang chờ hoặc đang chạy"):
        retry_job(failed, by=secretary)


def test_retrying_takes_the_right_to_change_the_units_data(
        enqueue_job, create_user, commune_secretary, admin):
    job = enqueue_job("tests.refuse")
    run_queued()
    viewer = create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai")

    for outsider in (commune_secretary, viewer):
        with pytest.raises(NotPermitted):
            retry_job(job, by=outsider)
    retry_job(job, by=admin)


def test_a_job_of_the_whole_country_is_retried_by_an_administrator_only(
        enqueue_job, secretary, admin):
    job = enqueue_job("tests.refuse", unit=None, by=secretary)
    run_queued()

    with pytest.raises(NotPermitted):
        retry_job(job, by=secretary)
    retry_job(job, by=admin)


def test_a_file_a_job_produced_is_kept_for_download(enqueue_job, job_state, job_files):
    job = enqueue_job("tests.file")

    run_queued()

    done = job_state(job)
    assert done.result == {"file": f"{job.id}-bao-cao-tinh-gia-lai-2025.csv",
                           "filename": "Báo cáo tỉnh Gia Lai 2025.csv",
                           "mimetype": "text/csv", "size": 34}
    with open_job_file(done) as document:
        assert document.read().decode() == "Đơn vị;Số phiên\nGia Lai;12\n"
    assert [path.name for path in job_files.iterdir()] == [done.result["file"]]


def test_a_file_of_a_job_that_failed_is_not_left_behind(enqueue_job, job_state, job_files):
    job = enqueue_job("tests.file_then_fail")

    run_queued()

    assert job_state(job).state is JobState.FAILED
    assert list(job_files.iterdir()) == []
    with pytest.raises(FileNotFoundError):
        open_job_file(job_state(job))


def test_old_jobs_and_their_files_are_removed(app, enqueue_job, job_state, job_files):
    old_file = enqueue_job("tests.file")
    old_failure = enqueue_job("tests.refuse")
    recent = enqueue_job("tests.file", {"recent": True})
    running = enqueue_job("tests.echo")
    run_queued(limit=3)
    long_ago = utcnow() - timedelta(days=app.config["JOB_FILES_DAYS"], hours=1)
    for job in (old_file, old_failure):
        job.finished_at = long_ago
    db.session.commit()
    kept_file = job_state(recent).result["file"]

    assert remove_old_jobs() == 2

    assert job_state(old_file) is None and job_state(old_failure) is None
    assert job_state(recent).state is JobState.DONE
    assert job_state(running).state is JobState.QUEUED
    assert [path.name for path in job_files.iterdir()] == [kept_file]


def test_a_job_waiting_long_says_so(enqueue_job):
    job = enqueue_job("tests.echo")
    assert delay_message(job) is None

    job.run_after = utcnow() - timedelta(minutes=5)
    db.session.commit()

    assert "lâu hơn thường lệ" in delay_message(job)


def test_a_view_asks_for_a_job_as_its_signed_in_user(app, secretary, unit, job_state):
    from flask_login import current_user, login_user

    from dialogue.jobs.operations import enqueue

    with app.test_request_context():
        login_user(secretary)
        job = enqueue("tests.echo", {"steps": 1}, label="Xuất báo cáo", by=current_user,
                      unit=unit("Tỉnh Gia Lai"))
        db.session.commit()

    assert job_state(job).created_by == secretary
    assert job_state(job).unit.name == "Tỉnh Gia Lai"
