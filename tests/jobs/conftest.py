"""Jobs of the test tasks (tests/jobs/tasks.py), asked for as a secretary would (with
``enqueue_job``, tests/conftest.py): ``job_state(job)`` reads a job's row again;
``entries(job)`` the rows its task wrote and kept.
"""

import pytest
import sqlalchemy as sa

from dialogue.audit.models import AuditEntry
from dialogue.extensions import db
from dialogue.jobs.models import Job

from . import tasks


@pytest.fixture(autouse=True)
def no_pause(app, monkeypatch):
    """Retries without waiting (the tests of the pause set it back)."""
    monkeypatch.setitem(app.config, "JOB_RETRY_SECONDS", 0)


@pytest.fixture
def job_state():
    def read(job: Job) -> Job:
        db.session.expire_all()
        return db.session.get(Job, job.id)

    return read


@pytest.fixture
def entries():
    def read(job: Job) -> list[str]:
        return list(db.session.scalars(sa.select(AuditEntry.object_label).where(
            AuditEntry.object_type == tasks.WRITTEN, AuditEntry.object_id == job.id)
            .order_by(AuditEntry.id)))

    return read


@pytest.fixture(autouse=True)
def job_files(app, monkeypatch, tmp_path):
    """The instance folder moved to a temporary one; returns where job files land."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "job-files"
