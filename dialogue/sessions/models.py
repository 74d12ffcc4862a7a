"""Dialogue sessions (hội nghị đối thoại) and what hangs off them."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..audit.models import AuditAction, AuditEntry
from ..audit.operations import history
from ..audit.tracking import Tracked, track
from ..core.models import (
    LabelledEnum,
    TimestampMixin,
    UTCDateTime,
    enum_column,
    new_uid,
    set_labels,
)
from ..core.text import fold
from ..core.time import format_datetime, to_local
from ..extensions import db
from ..officials.models import Official
from ..units.models import Unit, UnitLevel


class SessionStatus(LabelledEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    HELD = "held"
    POSTPONED = "postponed"
    CANCELLED = "cancelled"


class SessionKind(LabelledEnum):
    PERIODIC = "periodic"
    AD_HOC = "ad_hoc"


class SessionFormat(LabelledEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class ParticipantRole(LabelledEnum):
    LEADER = "leader"
    AGENCY = "agency"
    FATHERLAND_FRONT = "fatherland_front"
    CITIZEN_REPRESENTATIVE = "citizen_representative"
    PRESS = "press"


set_labels(SessionStatus, {
    SessionStatus.DRAFT: _l("Dự thảo"),
    SessionStatus.SCHEDULED: _l("Đã lên lịch"),
    SessionStatus.HELD: _l("Đã tổ chức"),
    SessionStatus.POSTPONED: _l("Tạm hoãn"),
    SessionStatus.CANCELLED: _l("Đã hủy"),
})
set_labels(SessionKind, {
    SessionKind.PERIODIC: _l("Định kỳ"),
    SessionKind.AD_HOC: _l("Đột xuất"),
})
set_labels(SessionFormat, {
    SessionFormat.IN_PERSON: _l("Trực tiếp"),
    SessionFormat.ONLINE: _l("Trực tuyến"),
    SessionFormat.HYBRID: _l("Trực tiếp kết hợp trực tuyến"),
})
set_labels(ParticipantRole, {
    ParticipantRole.LEADER: _l("Lãnh đạo"),
    ParticipantRole.AGENCY: _l("Cơ quan chuyên môn"),
    ParticipantRole.FATHERLAND_FRONT: _l("Mặt trận Tổ quốc"),
    ParticipantRole.CITIZEN_REPRESENTATIVE: _l("Đại diện Nhân dân"),
    ParticipantRole.PRESS: _l("Báo chí"),
})

#: Statuses in which a session can still be moved without reopening it.
MOVABLE = frozenset({SessionStatus.DRAFT, SessionStatus.SCHEDULED, SessionStatus.POSTPONED})
#: Statuses in which a session's issues and minutes are recorded: announced or held.
RECORDING = frozenset({SessionStatus.SCHEDULED, SessionStatus.HELD})
#: Statuses in which a session is over: reopen first to change it.
CLOSED = frozenset({SessionStatus.HELD, SessionStatus.CANCELLED})
#: Statuses in which a session will not take place as announced: the public is told why.
CALLED_OFF = frozenset({SessionStatus.POSTPONED, SessionStatus.CANCELLED})


class DialogueSession(TimestampMixin, db.Model):
    __tablename__ = "dialogue_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
        Index(None, "unit_id", "starts_at"),
        Index(None, "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Never changes: calendar clients key events on it.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    title: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: The unit's name as printed on the session date; units are renamed and merged.
    unit_name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[SessionKind] = mapped_column(enum_column(SessionKind))
    format: Mapped[SessionFormat] = mapped_column(enum_column(SessionFormat))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(300), default="")
    topic: Mapped[str] = mapped_column(Text, default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"), index=True)
    #: Free text for a chair who is not in the officials list (a guest).
    chair_name: Mapped[str] = mapped_column(String(200), default="")
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("officials.id"))
    secretary_name: Mapped[str] = mapped_column(String(200), default="")
    is_public: Mapped[bool] = mapped_column(default=True)
    status: Mapped[SessionStatus] = mapped_column(
        enum_column(SessionStatus), default=SessionStatus.DRAFT, index=True
    )
    #: Why the session was last postponed, cancelled or reopened.
    status_reason: Mapped[str] = mapped_column(Text, default="")
    #: When the current time and place were last made public (scheduled, moved, reopened):
    #: the legal notice period is counted from it.
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set when the minutes are final: the session's issues are then part of a signed
    #: record and can no longer change.
    issues_locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When minutes were first filed: the session is then on record as held, for good
    #: (a correction of the minutes unlocks the issues, not the session).
    minutes_filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Rises on every change of time, place or status (iCalendar SEQUENCE).
    revision: Mapped[int] = mapped_column(default=0)
    #: Title, topic, venue and unit without diacritics, for text search.
    search_text: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    unit: Mapped[Unit] = relationship()
    chair: Mapped[Official | None] = relationship(foreign_keys=[chair_id])
    secretary: Mapped[Official | None] = relationship(foreign_keys=[secretary_id])
    connection_points: Mapped[list["ConnectionPoint"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="ConnectionPoint.position"
    )
    participants: Mapped[list["Participant"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Participant.position"
    )

    @property
    def level(self) -> UnitLevel:
        return self.unit.level

    @property
    def local_date(self) -> date:
        return to_local(self.starts_at).date()

    @property
    def chair_label(self) -> str:
        return self.chair.label if self.chair else self.chair_name

    @property
    def secretary_label(self) -> str:
        return self.secretary.label if self.secretary else self.secretary_name

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED

    @property
    def is_recording(self) -> bool:
        """Announced or held: issues and minutes are recorded for it."""
        return self.status in RECORDING

    @property
    def is_called_off(self) -> bool:
        return self.status in CALLED_OFF

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join([self.title, self.topic, self.venue, self.unit_name]))

    def record_minutes_filed(self, at: datetime) -> None:
        """The minutes were filed ``at``: the issues become part of the signed record, and
        the session is on record as held from the first filing on (a correction filed
        later does not move that day)."""
        self.issues_locked_at = at
        if self.minutes_filed_at is None:
            self.minutes_filed_at = at

    def record_minutes_reopened(self) -> None:
        """A correction of the minutes is drafted: the issues may change again until it is
        filed; the session stays on record as held."""
        self.issues_locked_at = None

    # Its history is the audit trail, the one record of every change: the views below are
    # read from it, never stored beside it.

    @property
    def trail(self) -> list[AuditEntry]:
        """What happened to the session, oldest first."""
        return history("session", self.id)

    @property
    def created_by(self) -> str:
        trail = self.trail
        return trail[0].actor_name if trail else ""

    @property
    def updated_by(self) -> str:
        trail = self.trail
        return trail[-1].actor_name if trail else ""

    @property
    def reschedules(self) -> list["Move"]:
        return moves(self, self.trail)

    @property
    def status_changes(self) -> list["StatusStep"]:
        return status_steps(self.trail)


class SessionPart:
    """A row that belongs to one session and goes when the session goes."""

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def session_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("dialogue_sessions.id", ondelete="CASCADE"), index=True)


class ConnectionPoint(SessionPart, db.Model):
    """A điểm cầu of an online or hybrid session."""

    __tablename__ = "session_connection_points"

    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300), default="")

    session: Mapped[DialogueSession] = relationship(back_populates="connection_points")


class Participant(SessionPart, db.Model):
    """Someone invited to a session."""

    __tablename__ = "session_participants"

    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[ParticipantRole] = mapped_column(enum_column(ParticipantRole))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")

    session: Mapped[DialogueSession] = relationship(back_populates="participants")


track(DialogueSession, "session", fields={
    "title": Tracked(_l("Tên hội nghị")),
    "unit": Tracked(_l("Đơn vị"), get=lambda s: s.unit.display_name),
    "kind": Tracked(_l("Loại"), enum=SessionKind),
    "format": Tracked(_l("Hình thức"), enum=SessionFormat),
    "starts_at": Tracked(_l("Bắt đầu")),
    "ends_at": Tracked(_l("Kết thúc")),
    "venue": Tracked(_l("Địa điểm")),
    "connection_points": Tracked(_l("Điểm cầu"), get=lambda s: [
        f"{p.name} ({p.place})" if p.place else p.name for p in s.connection_points]),
    "topic": Tracked(_l("Chủ đề")),
    "agenda": Tracked(_l("Chương trình")),
    "chair": Tracked(_l("Chủ trì"), get=DialogueSession.chair_label.fget,
                     depends=("chair", "chair_name")),
    "secretary": Tracked(_l("Thư ký"), get=DialogueSession.secretary_label.fget,
                         depends=("secretary", "secretary_name")),
    "is_public": Tracked(_l("Công khai")),
    "participants": Tracked(_l("Thành phần mời"), get=lambda s: [
        f"{p.full_name} — {p.role.label}" for p in s.participants]),
    "status": Tracked(_l("Trạng thái"), enum=SessionStatus),
}, label=lambda s: s.title, unit_id=lambda s: s.unit_id, summary=lambda e: move_summary(e),
   notes={"notice": _l("Thông báo")})


#: What a move changes: the slot and the place.
SLOT = ("starts_at", "ends_at", "venue")


@dataclass(frozen=True)
class Move:
    """One move of a session in time or place, as the trail recorded it."""

    old_starts_at: datetime
    old_ends_at: datetime
    old_venue: str
    new_starts_at: datetime
    new_ends_at: datetime
    new_venue: str
    reason: str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True)
class StatusStep:
    """One change of a session's status, with the reason given."""

    old_status: SessionStatus
    new_status: SessionStatus
    reason: str
    changed_by: str
    changed_at: datetime


def _slot_value(field: str, value):
    return datetime.fromisoformat(value) if field != "venue" and value else value


def moves(session: DialogueSession, trail: list[AuditEntry]) -> list[Move]:
    """The session's moves, oldest first: an entry keeps only what changed, so the rest of
    each old slot is found by walking back from the session as it is now."""
    slot = {field: getattr(session, field) for field in SLOT}
    found = []
    for entry in reversed(trail):
        after = dict(slot)
        for field in SLOT:
            if field in entry.changes:
                slot[field] = _slot_value(field, entry.changes[field][0])
        if entry.action is AuditAction.RESCHEDULED:
            found.append(Move(*(slot[f] for f in SLOT), *(after[f] for f in SLOT),
                              reason=entry.reason, changed_by=entry.actor_name,
                              changed_at=entry.at))
    return found[::-1]


def status_steps(trail: list[AuditEntry]) -> list[StatusStep]:
    return [StatusStep(SessionStatus(entry.changes["status"][0]),
                       SessionStatus(entry.changes["status"][1]), entry.reason,
                       entry.actor_name, entry.at)
            for entry in trail
            if entry.action is not AuditAction.CREATED and "status" in entry.changes]


def move_summary(entry: AuditEntry) -> str:
    """"Dời từ … sang …; địa điểm: … → …" above a move's entry in the trail."""
    if entry.action is not AuditAction.RESCHEDULED:
        return ""
    parts = []
    if "starts_at" in entry.changes:
        old, new = (datetime.fromisoformat(v) for v in entry.changes["starts_at"])
        parts.append(_("Dời từ %(old)s sang %(new)s", old=format_datetime(old),
                       new=format_datetime(new)))
    if "venue" in entry.changes:
        old, new = entry.changes["venue"]
        parts.append(_("địa điểm: “%(old)s” → “%(new)s”", old=old or "", new=new or ""))
    return "; ".join(parts)
