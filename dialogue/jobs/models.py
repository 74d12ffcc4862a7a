"""A background job: what was asked, by whom, how far it has got and how it ended.

The row is the truth whichever queue carries the job: the embedded queue reads it
directly, Redis (RQ) only carries its id, so a job survives a broker that is down.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import LabelledEnum, UTCDateTime, enum_column, set_labels
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit


class JobState(LabelledEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


set_labels(JobState, {
    JobState.QUEUED: _l("Đang chờ"),
    JobState.RUNNING: _l("Đang chạy"),
    JobState.DONE: _l("Đã xong"),
    JobState.FAILED: _l("Không thành công"),
})

#: States in which a job still has work ahead of it.
PENDING = (JobState.QUEUED, JobState.RUNNING)


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint("progress_done >= 0 AND progress_total >= 0", name="progress_counts"),
        CheckConstraint("attempts >= 0 AND max_attempts > 0", name="attempt_counts"),
        # What the embedded queue's workers look for, in the order they take it.
        Index("ix_jobs_state_run_after", "state", "run_after"),
        Index("ix_jobs_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The registered task that does the work, e.g. "minutes.finalize".
    kind: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: What the user sees it as: "Hoàn thiện biên bản phiên …".
    label: Mapped[str] = mapped_column(String(300))
    state: Mapped[JobState] = mapped_column(enum_column(JobState), default=JobState.QUEUED)
    #: What the job is about, so its page can show it ("minutes", 12).
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The unit whose data the job reads or changes (None: the whole country).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    progress_done: Mapped[int] = mapped_column(default=0)
    #: 0 while the amount of work is not known yet.
    progress_total: Mapped[int] = mapped_column(default=0)
    progress_text: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=3)
    #: Why it failed, in the user's words (the trace goes to the log).
    error: Mapped[str] = mapped_column(Text, default="")
    #: What it produced, e.g. {"revision": 3} or {"file": …, "filename": …, "mimetype": …}.
    result: Mapped[dict | None] = mapped_column(JSON)
    #: Not before (a retry's back-off).
    run_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it was handed to the broker (RQ); None until then, or with the embedded queue.
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The worker running it ("host:pid") and until when its lease holds: a worker renews
    #: the lease while it works, so an expired one means the worker died.
    locked_by: Mapped[str] = mapped_column(String(128), default="")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @property
    def is_pending(self) -> bool:
        return self.state in PENDING
