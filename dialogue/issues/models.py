"""What citizens raise at a session (issues) and what leaders commit to (commitments)."""

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Tracked, track
from ..core.errors import UserError
from ..core.models import LabelledEnum, TimestampMixin, UTCDateTime, enum_column, set_labels
from ..core.text import fold
from ..extensions import db
from ..officials.models import Official
from ..sessions.models import DialogueSession


class IssueKind(LabelledEnum):
    OPINION = "opinion"
    RECOMMENDATION = "recommendation"
    REPORT = "report"
    COMPLAINT = "complaint"
    DENUNCIATION = "denunciation"


class IssueOutcome(LabelledEnum):
    ANSWERED = "answered"
    FOLLOW_UP = "follow_up"


class CommitmentStatus(LabelledEnum):
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    TRANSFERRED = "transferred"
    NOT_COMPETENT = "not_competent"
    REJECTED = "rejected"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


#: Still to be done: these, and only these, can be overdue.
OPEN_STATUSES = frozenset({CommitmentStatus.ASSIGNED, CommitmentStatus.IN_PROGRESS})
#: Closed without being resolved: passed on, not competent, rejected (a reason is needed).
CLOSED_OTHERWISE = frozenset(set(CommitmentStatus) - OPEN_STATUSES - {CommitmentStatus.RESOLVED})


class InformState(LabelledEnum):
    """Where a commitment stands against the rule that the citizen is told in writing
    within 10 working days (Quy định 11-QĐi/TW)."""

    ON_TIME = "on_time"
    LATE = "late"
    PENDING = "pending"
    OVERDUE = "overdue"


set_labels(IssueKind, {
    IssueKind.OPINION: _l("Ý kiến"),
    IssueKind.RECOMMENDATION: _l("Kiến nghị"),
    IssueKind.REPORT: _l("Phản ánh"),
    IssueKind.COMPLAINT: _l("Khiếu nại"),
    IssueKind.DENUNCIATION: _l("Tố cáo"),
})
set_labels(IssueOutcome, {
    IssueOutcome.ANSWERED: _l("Đã trả lời tại hội nghị"),
    IssueOutcome.FOLLOW_UP: _l("Cần theo dõi, giải quyết tiếp"),
})
set_labels(CommitmentStatus, {
    CommitmentStatus.ASSIGNED: _l("Đã giao"),
    CommitmentStatus.IN_PROGRESS: _l("Đang giải quyết"),
    CommitmentStatus.RESOLVED: _l("Đã giải quyết"),
    CommitmentStatus.TRANSFERRED: _l("Đã chuyển cơ quan có thẩm quyền"),
    CommitmentStatus.NOT_COMPETENT: _l("Không thuộc thẩm quyền"),
    CommitmentStatus.REJECTED: _l("Không chấp nhận"),
})
set_labels(InformState, {
    InformState.ON_TIME: _l("Trả lời công dân đúng hạn"),
    InformState.LATE: _l("Trả lời công dân quá hạn"),
    InformState.PENDING: _l("Chưa trả lời công dân, còn trong hạn"),
    InformState.OVERDUE: _l("Chưa trả lời công dân, quá hạn"),
})


class IssueError(UserError):
    """A rule about issues or commitments the user broke."""


class IssueField(db.Model):
    """A field (lĩnh vực) issues are filed under; the administrator keeps the list."""

    __tablename__ = "issue_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    #: Retired fields stay on old issues but are no longer offered.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Agency(db.Model):
    """An organisation commitments are assigned to (Sở Tài nguyên và Môi trường, UBND xã…)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    name_folded: Mapped[str] = mapped_column(String(300), index=True)
    #: Where the agency's digest of open commitments is sent (optional).
    email: Mapped[str] = mapped_column(String(254), default="")

    def refresh_folded(self) -> None:
        self.name_folded = fold(self.name)


class Issue(TimestampMixin, db.Model):
    """One ý kiến raised at a session, numbered in the order it was raised."""

    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("session_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        Index(None, "locality_folded", "field_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), index=True)
    number: Mapped[int]
    raised_by: Mapped[str] = mapped_column(String(200))
    #: Village or residential group inside the unit (thôn, làng, tổ dân phố).
    locality: Mapped[str] = mapped_column(String(200), default="")
    locality_folded: Mapped[str] = mapped_column(String(200), default="")
    #: Phone or address: personal data, shown only to those who may edit the session.
    contact: Mapped[str] = mapped_column(String(300), default="")
    #: Where the citizen is told the outcome (optional, private like ``contact``).
    citizen_email: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[IssueKind] = mapped_column(enum_column(IssueKind))
    field_id: Mapped[int | None] = mapped_column(ForeignKey("issue_fields.id"))
    content: Mapped[str] = mapped_column(Text)
    answered_by: Mapped[str] = mapped_column(String(300), default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[IssueOutcome] = mapped_column(enum_column(IssueOutcome))
    #: Content, who raised it, locality and answer without diacritics, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    session: Mapped[DialogueSession] = relationship()
    field: Mapped[IssueField | None] = relationship()
    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="issue", cascade="all, delete-orphan", order_by="Commitment.id")

    @property
    def deletable(self) -> bool:
        """Recorded by mistake, it may go while nothing was committed on it yet."""
        return not self.commitments

    def refresh_search_text(self) -> None:
        self.locality_folded = fold(self.locality)
        self.search_text = fold(" ".join(
            [self.raised_by, self.locality, self.content, self.answered_by, self.answer]))


class Commitment(TimestampMixin, db.Model):
    """Who promised to do what by when, chased until it is done."""

    __tablename__ = "commitments"
    __table_args__ = (
        CheckConstraint("working_days IS NULL OR working_days > 0", name="working_days_positive"),
        Index(None, "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    official_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    action: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date]
    #: When the deadline was given as N working days from the session, N (else None).
    working_days: Mapped[int | None]
    status: Mapped[CommitmentStatus] = mapped_column(
        enum_column(CommitmentStatus), default=CommitmentStatus.ASSIGNED)
    #: The day the citizen was told in writing how the issue is handled (10-working-day rule).
    citizen_informed_on: Mapped[date | None]
    #: The day the commitment left the open statuses, for "resolved this month".
    closed_on: Mapped[date | None]
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    issue: Mapped[Issue] = relationship(back_populates="commitments")
    agency: Mapped[Agency] = relationship()
    official: Mapped[Official | None] = relationship()
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan",
        order_by="ProgressUpdate.id")

    @hybrid_property
    def is_open(self) -> bool:
        """Still to be done (assigned or in progress)."""
        return self.status.is_open

    @is_open.inplace.expression
    @classmethod
    def _is_open_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(OPEN_STATUSES)

    @hybrid_method
    def is_overdue(self, today: date) -> bool:
        """Not done and past its deadline: derived, never set by hand."""
        return self.is_open and self.due_on < today

    @is_overdue.inplace.expression
    @classmethod
    def _is_overdue_expression(cls, today: date) -> ColumnElement[bool]:
        return and_(cls.is_open, cls.due_on < today)

    @hybrid_method
    def inform_state(self, today: date, deadline: date) -> InformState:
        """Where the commitment stands on ``today`` against the inform ``deadline`` (the
        issue's; in SQL a column of deadlines, the state's value then)."""
        informed = self.citizen_informed_on
        if informed is not None:
            return InformState.ON_TIME if informed <= deadline else InformState.LATE
        return InformState.PENDING if today <= deadline else InformState.OVERDUE

    @inform_state.inplace.expression
    @classmethod
    def _inform_state_expression(cls, today: date,
                                 deadline: ColumnElement[date]) -> ColumnElement[str]:
        return case(*((cls.inform_state_is(state, today, deadline), state.value)
                      for state in InformState))

    @classmethod
    def inform_state_is(cls, state: InformState, today: date,
                        deadline: ColumnElement[date]) -> ColumnElement[bool]:
        """The SQL condition ``inform_state(today, deadline) == state``, as plain
        comparisons a database plans well (a FILTER, a WHERE)."""
        informed = cls.citizen_informed_on
        return {
            InformState.ON_TIME: informed <= deadline,
            InformState.LATE: informed > deadline,
            InformState.PENDING: and_(informed.is_(None), deadline >= today),
            InformState.OVERDUE: and_(informed.is_(None), deadline < today),
        }[state]


class ProgressUpdate(db.Model):
    """A step in chasing a commitment, with an optional document."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)
    #: The stored file's name in the instance folder (random), and what the user uploaded.
    attachment_path: Mapped[str] = mapped_column(String(100), default="")
    attachment_name: Mapped[str] = mapped_column(String(255), default="")
    attachment_type: Mapped[str] = mapped_column(String(100), default="")
    attachment_size: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    commitment: Mapped[Commitment] = relationship(back_populates="updates")


# How issues and commitments read in the audit trail -----------------------------------------

def issue_label(issue: Issue) -> str:
    return f"{issue.session.title} — {_('Ý kiến số %(n)d', n=issue.number)}"


def commitment_label(commitment: Commitment) -> str:
    return f"{commitment.agency.name}: {commitment.action[:200]}"


track(Issue, "issue", fields={
    "number": Tracked(_l("Số thứ tự")),
    "raised_by": Tracked(_l("Người nêu")),
    "locality": Tracked(_l("Thôn, tổ dân phố")),
    "contact": Tracked(_l("Liên hệ")),
    "citizen_email": Tracked(_l("Thư điện tử người nêu")),
    "kind": Tracked(_l("Loại"), enum=IssueKind),
    "field": Tracked(_l("Lĩnh vực"), get=lambda issue: issue.field.name if issue.field else "",
                     depends=("field",)),
    "content": Tracked(_l("Nội dung")),
    "answered_by": Tracked(_l("Người trả lời")),
    "answer": Tracked(_l("Trả lời")),
    "outcome": Tracked(_l("Kết quả"), enum=IssueOutcome),
}, label=issue_label, unit_id=lambda issue: issue.session.unit_id)

track(Commitment, "commitment", fields={
    "agency": Tracked(_l("Cơ quan thực hiện"), depends=("agency",),
                      get=lambda commitment: commitment.agency.name if commitment.agency else ""),
    "official": Tracked(_l("Cán bộ phụ trách"), depends=("official",),
                        get=lambda commitment: commitment.official.label
                        if commitment.official else ""),
    "action": Tracked(_l("Việc phải làm")),
    "due_on": Tracked(_l("Hạn")),
    "working_days": Tracked(_l("Số ngày làm việc")),
    "status": Tracked(_l("Tình trạng"), enum=CommitmentStatus),
    "citizen_informed_on": Tracked(_l("Ngày trả lời bằng văn bản")),
}, label=commitment_label, unit_id=lambda commitment: commitment.issue.session.unit_id,
   notes={"update": _l("Cập nhật tiến độ"), "notice": _l("Thông báo")})
