"""The audit trail: who did what to which record, and what changed, kept forever."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import LabelledEnum, UTCDateTime, append_only, enum_column, set_labels
from ..core.time import utcnow
from ..extensions import db


class AuditAction(LabelledEnum):
    CREATED = "created"
    UPDATED = "updated"
    RESCHEDULED = "rescheduled"
    STATUS_CHANGED = "status_changed"
    DELETED = "deleted"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    FINALIZED = "finalized"
    CORRECTION_STARTED = "correction_started"
    NOTIFIED = "notified"
    DELIVERY_FAILED = "delivery_failed"


set_labels(AuditAction, {
    AuditAction.CREATED: _l("Tạo mới"),
    AuditAction.UPDATED: _l("Cập nhật"),
    AuditAction.RESCHEDULED: _l("Dời lịch, đổi địa điểm"),
    AuditAction.STATUS_CHANGED: _l("Đổi trạng thái"),
    AuditAction.DELETED: _l("Xóa"),
    AuditAction.LOGIN: _l("Đăng nhập"),
    AuditAction.LOGIN_FAILED: _l("Đăng nhập sai"),
    AuditAction.PASSWORD_CHANGED: _l("Đổi mật khẩu"),
    AuditAction.PASSWORD_RESET: _l("Đặt lại mật khẩu"),
    AuditAction.FINALIZED: _l("Hoàn thiện"),
    AuditAction.CORRECTION_STARTED: _l("Lập bản đính chính"),
    AuditAction.NOTIFIED: _l("Gửi thông báo"),
    AuditAction.DELIVERY_FAILED: _l("Gửi thư không được"),
})


class AuditEntry(db.Model):
    """One recorded event. Rows are only ever inserted (see the guard below)."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index(None, "object_type", "object_id", "id"),
        Index(None, "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: The account that acted; kept as a plain id so accounts can come and go.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: The actor as shown at the time ("Nguyễn Thị Hồng Nhung (thuky.xa)"), or the
    #: username typed in a failed login.
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    actor_address: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    object_label: Mapped[str] = mapped_column(String(300), default="")
    #: The unit the record belongs to, so the trail can be filtered and scoped by unit.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: {field: [before, after]} with JSON-ready values.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(String(2000), default="")


class AuditTrailIsAppendOnly(Exception):
    pass


append_only(AuditEntry, AuditTrailIsAppendOnly)
