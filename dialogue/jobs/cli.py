"""``flask --app dialogue jobs work`` (the worker beside the web server) and ``jobs list``."""

import logging

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..core.time import format_datetime
from ..extensions import db
from .models import Job, JobState

jobs_cli = AppGroup("jobs", help="Việc chạy nền.")


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Run the jobs that are due, then exit.")
def work_command(burst: bool) -> None:
    """Run background jobs (JOBS_BACKEND: the embedded queue or Redis) until SIGTERM or
    Ctrl+C, which let the current job finish."""
    from .worker import work

    # A worker's log is what its operator reads: every job taken, ended, retried.
    logging.getLogger("dialogue").setLevel(logging.INFO)
    ran = work(burst=burst)
    if burst:
        click.echo(f"Đã chạy {ran} việc.")


@jobs_cli.command("list")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--state", type=click.Choice([state.value for state in JobState]), default=None)
def list_command(limit: int, state: str | None) -> None:
    """The latest jobs: state, attempts, who asked, and why those that failed did."""
    statement = select(Job).order_by(Job.id.desc()).limit(limit)
    if state:
        statement = statement.where(Job.state == JobState(state))
    jobs = db.session.scalars(statement).all()
    if not jobs:
        click.echo("Không có việc nào.")
    for job in jobs:
        by = job.created_by.username if job.created_by else "hệ thống"
        click.echo(f"#{job.id} {job.state.label} · {job.kind} · {job.label} · {by} · "
                   f"{format_datetime(job.created_at)} · lần {job.attempts}/{job.max_attempts}")
        if job.error:
            click.echo(f"    {job.error}")
