"""The outbox: a notice (what was said, frozen when it was decided) and its deliveries
(to whom, and how each one went)."""

import hashlib
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import LabelledEnum, UTCDateTime, enum_column, set_labels
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit


class NoticeKind(LabelledEnum):
    INVITATION = "invitation"
    UPDATE = "update"
    POSTPONEMENT = "postponement"
    CANCELLATION = "cancellation"
    REMINDER = "reminder"
    AGENCY_DIGEST = "agency_digest"
    SECRETARIAT_DIGEST = "secretariat_digest"
    RESOLUTION = "resolution"


class Topic(LabelledEnum):
    """What a recipient may stop receiving with one link. Legal notices (an invitation and
    its changes, the citizen's answer) have none: they are always sent."""

    REMINDERS = "reminders"
    DIGESTS = "digests"


class DeliveryState(LabelledEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    #: Not sent, on purpose: a reminder of a session that moved, a recipient who opted out.
    WITHDRAWN = "withdrawn"


set_labels(NoticeKind, {
    NoticeKind.INVITATION: _l("Giấy mời"),
    NoticeKind.UPDATE: _l("Thông báo thay đổi"),
    NoticeKind.POSTPONEMENT: _l("Thông báo tạm hoãn"),
    NoticeKind.CANCELLATION: _l("Thông báo hủy"),
    NoticeKind.REMINDER: _l("Nhắc lịch"),
    NoticeKind.AGENCY_DIGEST: _l("Tổng hợp việc của cơ quan"),
    NoticeKind.SECRETARIAT_DIGEST: _l("Tổng hợp tuần cho văn phòng"),
    NoticeKind.RESOLUTION: _l("Báo kết quả cho công dân"),
})
set_labels(Topic, {
    Topic.REMINDERS: _l("Nhắc lịch trước phiên đối thoại"),
    Topic.DIGESTS: _l("Thư tổng hợp việc cần theo dõi"),
})
set_labels(DeliveryState, {
    DeliveryState.QUEUED: _l("Chờ gửi"),
    DeliveryState.SENT: _l("Đã gửi"),
    DeliveryState.FAILED: _l("Gửi không được"),
    DeliveryState.WITHDRAWN: _l("Không gửi nữa"),
})

#: Kinds that speak of one session, and carry its calendar event.
SESSION_KINDS = frozenset({NoticeKind.INVITATION, NoticeKind.UPDATE, NoticeKind.POSTPONEMENT,
                           NoticeKind.CANCELLATION, NoticeKind.REMINDER})
#: What each kind may be stopped by (None: a legal notice, never stopped).
TOPICS = {NoticeKind.REMINDER: Topic.REMINDERS, NoticeKind.AGENCY_DIGEST: Topic.DIGESTS,
          NoticeKind.SECRETARIAT_DIGEST: Topic.DIGESTS}


class Notice(db.Model):
    """One thing said to several people: its text and attachments are frozen when the
    change is made, so what was sent can be shown as it was."""

    __tablename__ = "notices"
    __table_args__ = (Index(None, "session_id", "id"), Index(None, "kind", "agency_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NoticeKind] = mapped_column(enum_column(NoticeKind))
    #: Whose notice it is (who may see it in the outbox); None: the whole country.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("dialogue_sessions.id", ondelete="CASCADE"))
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    #: The session's revision (the calendar's SEQUENCE) the notice speaks of.
    sequence: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: The iTIP calendar (METHOD:REQUEST or CANCEL) without attendees: each recipient's
    #: copy names them.
    calendar: Mapped[str] = mapped_column(Text, default="")
    #: The invitation letter's content, laid out as a PDF when it is sent.
    letter: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    unit: Mapped[Unit | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    deliveries: Mapped[list["Delivery"]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Delivery.id")

    @property
    def topic(self) -> Topic | None:
        return TOPICS.get(self.kind)


class Delivery(db.Model):
    """One notice to one address."""

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index(None, "state", "send_after"),
        Index(None, "email"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"),
                                           index=True)
    #: What the delivery is for ("invitation:<session uid>:<address>"…): the same change
    #: never makes a second delivery to the same address.
    key: Mapped[str] = mapped_column(String(400), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[DeliveryState] = mapped_column(enum_column(DeliveryState),
                                                 default=DeliveryState.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not before: a reminder's time, a retry's pause, a sender's lease.
    send_after: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why the last attempt failed, or why it is not sent.
    error: Mapped[str] = mapped_column(String(500), default="")

    notice: Mapped[Notice] = relationship(back_populates="deliveries")

    @property
    def message_id_token(self) -> str:
        """Stable across attempts (the Message-ID's left part): a retry after an unknown
        outcome is the same message to the recipient's server."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:32]


class OptOut(db.Model):
    """An address that asked, through its link, to stop one topic."""

    __tablename__ = "mail_opt_outs"
    __table_args__ = (UniqueConstraint("email", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case.
    email: Mapped[str] = mapped_column(String(254))
    topic: Mapped[Topic] = mapped_column(enum_column(Topic))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
