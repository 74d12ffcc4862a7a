"""Tasks the job tests run: imported by the tests and by the worker app they start
(tests/jobs/worker_app.py), so both processes know them."""

import time
from pathlib import Path

from dialogue.audit.models import AuditAction
from dialogue.audit.operations import record
from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.operations import JobFailed, save_job_file, task
from dialogue.jobs.runner import recover_expired

#: The audit entries these tasks write are of this kind, so the tests can count them.
WRITTEN = "job-test"


def write_entry(job, note: str) -> None:
    """A row the task writes in its own transaction (committed with the job's end)."""
    record(AuditAction.CREATED, object_type=WRITTEN, object_id=job.id, label=note)


@task("tests.echo")
def echo(job, progress):
    """Counts to params["steps"], reporting each step, and writes one row."""
    steps = job.params.get("steps", 3)
    for step in range(steps):
        progress(step, steps, f"Bước {step + 1}/{steps}")
    write_entry(job, "echo")
    return {"echo": job.params, "who": job.created_by.username if job.created_by else None}


@task("tests.flaky")
def flaky(job, progress):
    """Writes a row, then breaks (an accident, not the user's) on the first params["fails"]
    attempts."""
    write_entry(job, f"attempt {job.attempts}")
    if job.attempts <= job.params.get("fails", 1):
        raise ConnectionError("the disk went away")
    return {"attempts": job.attempts}


@task("tests.refuse")
def refuse(job, progress):
    """A failure the user can act on."""
    write_entry(job, "refused")
    raise JobFailed("Năm 2025 chưa có biên bản nào đã hoàn thiện để xuất.")


@task("tests.file")
def produce_file(job, progress):
    return save_job_file(job, "Báo cáo tỉnh Gia Lai 2025.csv", "Đơn vị;Số phiên\nGia Lai;12\n"
                         .encode(), "text/csv")


@task("tests.file_then_fail")
def file_then_fail(job, progress):
    save_job_file(job, "dở dang.zip", b"PK half", "application/zip")
    raise JobFailed("Hủy giữa chừng.")


@task("tests.slow")
def slow(job, progress):
    """Works params["seconds"] without writing, then says whether a sweep meanwhile found
    its lease expired (it must not: the lease is renewed)."""
    progress(0, 1, "Đang làm")
    time.sleep(job.params["seconds"])
    return {"expired_meanwhile": recover_expired()}


@task("tests.stolen")
def stolen(job, progress):
    """Another worker takes the job over midway (as after a lease expired): the work this
    one wrote must be undone when it notices."""
    from sqlalchemy import update

    from dialogue.jobs.models import Job

    with db.engine.begin() as connection:
        connection.execute(update(Job).where(Job.id == job.id).values(locked_by="other:1"))
    write_entry(job, "stolen")
    db.session.flush()
    progress(1, 2, "Nửa chừng")
    return {"unreachable": True}


@task("tests.block")
def block(job, progress):
    """For the worker killed midway: reports progress, writes its row, touches
    params["marker"] and then waits (until killed) on its first attempt; later attempts
    finish at once."""
    progress(0, 1, "Đang ghi")
    write_entry(job, f"attempt {job.attempts}")
    db.session.flush()
    if job.attempts == 1:
        Path(job.params["marker"]).write_text(str(utcnow()))
        deadline = time.monotonic() + job.params.get("seconds", 60)
        while time.monotonic() < deadline:
            time.sleep(0.05)
    return {"attempt": job.attempts}


@task("tests.wait")
def wait(job, progress):
    """For SIGTERM: touches params["marker"], then works params["seconds"] and finishes."""
    progress(0, 1, "Đang làm")
    Path(job.params["marker"]).write_text("started")
    time.sleep(job.params["seconds"])
    write_entry(job, "finished")
    return {"finished": True}


@task("tests.progress_seen")
def progress_seen(job, progress):
    """Reports progress, writes a row, and returns the progress as another connection (the
    user's page) reads it while the task's own transaction is still open."""
    from sqlalchemy import select

    from dialogue.jobs.models import Job

    progress(1, 4, "Đang đếm các phiên")
    write_entry(job, "counted")
    db.session.flush()
    with db.engine.connect() as connection:
        seen = connection.execute(select(Job.progress_done, Job.progress_total,
                                         Job.progress_text).where(Job.id == job.id)).one()
    return {"seen": list(seen)}
