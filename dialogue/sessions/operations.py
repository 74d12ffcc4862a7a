"""Scheduling dialogue sessions: the rules a secretariat works by."""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from blinker import Namespace
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit, check_pick_official
from ..audit.models import AuditAction
from ..audit.tracking import record_change
from ..core.errors import UserError, check_version
from ..core.text import fold
from ..core.time import format_date, format_datetime, to_local, utcnow
from ..extensions import db
from ..officials.models import Official
from ..units.models import Unit
from ..units.operations import within
from .access import can_read_session
from .models import (
    CLOSED,
    MOVABLE,
    ConnectionPoint,
    DialogueSession,
    Participant,
    ParticipantRole,
    SessionFormat,
    SessionKind,
    SessionStatus,
)

log = logging.getLogger(__name__)

#: Sent with the session (``by``, the user, and ``reason``) when its time, place or status
#: changed, in the transaction of the change: whoever was told of the session is told
#: again (:mod:`dialogue.notices` listens; the sessions know nothing of it).
session_changed = Namespace().signal("session-changed")

#: Luật Tổ chức chính quyền địa phương 2025, Đ.43: time, place and content announced
#: at least 7 days ahead.
NOTICE_DAYS = 7


class SchedulingError(UserError):
    """A scheduling rule the user broke."""


@dataclass(frozen=True)
class SchedulingWarning:
    """Something the secretary should know, which does not stop the save."""

    code: str
    message: str


@dataclass
class SessionDetails:
    """What a secretary enters about a session, times already in UTC."""

    title: str
    unit: Unit
    kind: SessionKind
    format: SessionFormat
    starts_at: datetime
    ends_at: datetime
    venue: str = ""
    topic: str = ""
    agenda: str = ""
    chair: Official | None = None
    chair_name: str = ""
    secretary: Official | None = None
    secretary_name: str = ""
    is_public: bool = True
    connection_points: list[tuple[str, str]] = field(default_factory=list)
    participants: list[tuple[str, ParticipantRole, str, str]] = field(default_factory=list)


def _check_times_and_unit(unit: Unit, starts_at: datetime, ends_at: datetime,
                          *, unit_field: str = "unit_id") -> None:
    if ends_at <= starts_at:
        raise SchedulingError(_("Giờ kết thúc phải sau giờ bắt đầu."), field="ends_time")
    for moment in (starts_at, ends_at):
        day = to_local(moment).date()
        if not unit.is_valid_on(day):
            raise SchedulingError(
                _("%(unit)s không còn (hoặc chưa) là đơn vị hành chính vào ngày %(day)s.",
                  unit=unit.name, day=format_date(day)),
                field=unit_field,
            )


def _place(session: DialogueSession) -> tuple:
    """Where a session happens, as participants see it: a change raises the revision."""
    return (session.unit_id, session.format, session.venue,
            [(point.name, point.place) for point in session.connection_points])


def _apply(session: DialogueSession, details: SessionDetails) -> None:
    _check_times_and_unit(details.unit, details.starts_at, details.ends_at)
    session.title = details.title.strip()
    session.unit = details.unit
    session.unit_name = details.unit.name
    session.kind = details.kind
    session.format = details.format
    session.starts_at = details.starts_at
    session.ends_at = details.ends_at
    session.venue = details.venue.strip()
    session.topic = details.topic.strip()
    session.agenda = details.agenda.strip()
    session.chair = details.chair
    session.chair_name = "" if details.chair else details.chair_name.strip()
    session.secretary = details.secretary
    session.secretary_name = "" if details.secretary else details.secretary_name.strip()
    session.is_public = details.is_public
    session.connection_points = [
        ConnectionPoint(position=i, name=name.strip(), place=place.strip())
        for i, (name, place) in enumerate(details.connection_points)
    ]
    session.participants = [
        Participant(position=i, full_name=name.strip(), role=role,
                    organisation=organisation.strip(), email=email.strip())
        for i, (name, role, organisation, email) in enumerate(details.participants)
    ]
    session.refresh_search_text()


def schedule_session(
    details: SessionDetails, *, by: User, status: SessionStatus = SessionStatus.SCHEDULED
) -> tuple[DialogueSession, list[SchedulingWarning]]:
    """Create a session (as a draft or already announced) and return what to warn about."""
    if status not in (SessionStatus.DRAFT, SessionStatus.SCHEDULED):
        raise ValueError(status)
    check_edit_unit(by, details.unit)
    check_pick_official(by, details.chair, field="chair_id")
    check_pick_official(by, details.secretary, field="secretary_id")
    session = DialogueSession(status=status, revision=0)
    _apply(session, details)
    if status is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    db.session.add(session)
    record_change(AuditAction.CREATED, session, by=by)
    log.info("session %d scheduled as %s", session.id, session.status.value)
    return session, scheduling_warnings(session, viewer=by)


def update_session(
    session: DialogueSession, details: SessionDetails, *, by: User, expected_version: int | None
) -> list[SchedulingWarning]:
    """Save an edit of a session; moving it in time goes through :func:`reschedule`."""
    check_edit_unit(by, session.unit, field=None)
    check_edit_unit(by, details.unit)
    # An official already on the session stays, even if the editor could not pick them now.
    if details.chair is not None and details.chair.id != session.chair_id:
        check_pick_official(by, details.chair, field="chair_id")
    if details.secretary is not None and details.secretary.id != session.secretary_id:
        check_pick_official(by, details.secretary, field="secretary_id")
    check_version(session, expected_version)
    if session.is_closed:
        raise SchedulingError(_("Phiên đã kết thúc hoặc đã hủy: hãy mở lại trước khi sửa."))
    if (details.starts_at, details.ends_at) != (session.starts_at, session.ends_at):
        raise ValueError("times change through reschedule()")
    old_place = _place(session)
    _apply(session, details)
    db.session.flush()
    moved = _place(session) != old_place
    if moved:
        session.revision += 1
    # Always an UPDATE of the row, so its version moves even when only participants
    # changed: a second secretary's older form is then refused, not saved over them.
    session.updated_at = utcnow()
    record_change(AuditAction.UPDATED, session, by=by)
    if moved:
        session_changed.send(session, by=by, reason="")
    return scheduling_warnings(session, viewer=by)


def reschedule(
    session: DialogueSession,
    starts_at: datetime,
    ends_at: datetime,
    *,
    venue: str,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> list[SchedulingWarning]:
    """Move a session in time or place, keeping the old slot in its history."""
    check_edit_unit(by, session.unit, field=None)
    check_version(session, expected_version)
    if session.status not in MOVABLE:
        raise SchedulingError(
            _("Phiên ở trạng thái “%(status)s” không thể dời lịch; hãy mở lại trước.",
              status=session.status.label)
        )
    if not reason.strip():
        raise SchedulingError(_("Hãy ghi lý do dời lịch."), field="reason")
    _check_times_and_unit(session.unit, starts_at, ends_at, unit_field="starts_on")
    venue = venue.strip()
    if (starts_at, ends_at, venue) == (session.starts_at, session.ends_at, session.venue):
        raise SchedulingError(_("Thời gian và địa điểm không thay đổi."), field="starts_on")
    session.starts_at, session.ends_at, session.venue = starts_at, ends_at, venue
    if session.status is SessionStatus.POSTPONED:
        _set_status(session, SessionStatus.SCHEDULED, reason)
    if session.status is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    session.revision += 1
    session.refresh_search_text()
    record_change(AuditAction.RESCHEDULED, session, by=by, reason=reason)
    session_changed.send(session, by=by, reason=reason)
    log.info("session %d moved (revision %d)", session.id, session.revision)
    return scheduling_warnings(session, viewer=by)


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[SessionStatus]
    target: SessionStatus
    needs_reason: bool


TRANSITIONS = {t.name: t for t in [
    Transition("announce", _l("Công bố lịch"), frozenset({SessionStatus.DRAFT}),
               SessionStatus.SCHEDULED, needs_reason=False),
    Transition("hold", _l("Xác nhận đã tổ chức"), frozenset({SessionStatus.SCHEDULED}),
               SessionStatus.HELD, needs_reason=False),
    Transition("postpone", _l("Hoãn phiên"), frozenset({SessionStatus.SCHEDULED}),
               SessionStatus.POSTPONED, needs_reason=True),
    Transition("cancel", _l("Hủy phiên"), MOVABLE, SessionStatus.CANCELLED, needs_reason=True),
    Transition("reopen", _l("Mở lại"), CLOSED, SessionStatus.SCHEDULED, needs_reason=True),
]}


def transition_refusal(session: DialogueSession, transition: Transition) -> str | None:
    """Why ``transition`` cannot be done to the session now, or None."""
    if session.status not in transition.sources:
        return _("Không thể “%(action)s” một phiên đang ở trạng thái “%(status)s”.",
                 action=transition.label, status=session.status.label)
    if session.minutes_filed_at is not None and transition.target is not SessionStatus.HELD:
        return _("Biên bản của phiên đã hoàn thiện: không thể mở lại phiên. "
                 "Nếu cần sửa, hãy lập bản đính chính biên bản.")
    if transition.target is SessionStatus.HELD and session.starts_at > utcnow():
        return _("Phiên chưa diễn ra: chỉ xác nhận đã tổ chức sau giờ bắt đầu.")
    return None


def available_transitions(session: DialogueSession) -> list[Transition]:
    """What can be done to the session now: the page offers only these."""
    return [t for t in TRANSITIONS.values() if transition_refusal(session, t) is None]


def change_status(
    session: DialogueSession,
    transition: Transition,
    *,
    reason: str,
    by: User,
    expected_version: int | None = None,
) -> list[SchedulingWarning]:
    """Announce, hold, postpone, cancel or reopen a session; returns what to warn about."""
    check_edit_unit(by, session.unit, field=None)
    check_version(session, expected_version)
    if refusal := transition_refusal(session, transition):
        raise SchedulingError(refusal)
    if transition.needs_reason and not reason.strip():
        raise SchedulingError(_("Hãy ghi lý do."), field="reason")
    _set_status(session, transition.target, reason)
    if transition.target is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    session.revision += 1
    record_change(AuditAction.STATUS_CHANGED, session, by=by, reason=reason)
    session_changed.send(session, by=by, reason=reason)
    log.info("session %d is now %s (revision %d)", session.id, session.status.value,
             session.revision)
    if transition.target is not SessionStatus.SCHEDULED:
        return []
    return scheduling_warnings(session, viewer=by)


def _set_status(session: DialogueSession, status: SessionStatus, reason: str) -> None:
    session.status = status
    session.status_reason = reason.strip()


def _overlapping(session: DialogueSession) -> Select:
    return select(DialogueSession).where(
        DialogueSession.id != session.id,
        # A postponed session no longer holds its old slot.
        DialogueSession.status.not_in([SessionStatus.CANCELLED, SessionStatus.POSTPONED]),
        DialogueSession.starts_at < session.ends_at,
        DialogueSession.ends_at > session.starts_at,
    ).order_by(DialogueSession.starts_at)


def scheduling_warnings(
    session: DialogueSession, *, viewer: User | None = None, now: datetime | None = None
) -> list[SchedulingWarning]:
    """Overlaps and short notice: shown to the secretary, never blocking the save.

    A clash with a session the viewer may not see is reported without its title.
    """
    if session.status is SessionStatus.CANCELLED:
        return []

    def title(other: DialogueSession) -> str:
        if viewer is None or can_read_session(viewer, other):
            return other.title
        return _("một phiên ngoài phạm vi của bạn")

    warnings = []
    if session.chair_id is not None:
        for other in db.session.scalars(
            _overlapping(session).where(DialogueSession.chair_id == session.chair_id)
        ):
            warnings.append(SchedulingWarning("chair_busy", _(
                "Người chủ trì %(chair)s đã có phiên “%(title)s” lúc %(when)s.",
                chair=session.chair.full_name, title=title(other),
                when=format_datetime(other.starts_at))))
    if session.venue:
        # Compared folded in Python: SQLite's lower() leaves Vietnamese capitals (Ộ, Ư, Đ) alone.
        venue = fold(session.venue)
        # Venues are local: only the sessions of the same province can clash.
        province = session.unit.province or session.unit
        for other in db.session.scalars(_overlapping(session).where(
                DialogueSession.venue != "", within(province, DialogueSession.unit_id))):
            if fold(other.venue) != venue:
                continue
            warnings.append(SchedulingWarning("venue_busy", _(
                "Địa điểm “%(venue)s” đã được dùng cho phiên “%(title)s” lúc %(when)s.",
                venue=session.venue, title=title(other),
                when=format_datetime(other.starts_at))))
    # Notice runs from when the time and place were announced; a draft is judged as if
    # announced now, so the secretary knows before announcing it.
    if session.status is SessionStatus.SCHEDULED and session.announced_at:
        announced = session.announced_at
    elif session.status is SessionStatus.DRAFT:
        announced = now or utcnow()
    else:
        announced = None
    if announced is not None and announced < session.starts_at:
        days_ahead = (to_local(session.starts_at).date() - to_local(announced).date()).days
        if days_ahead < NOTICE_DAYS:
            when = (_("Phiên diễn ra ngay hôm nay") if days_ahead == 0 else
                    _("Chỉ còn %(days)d ngày đến phiên", days=days_ahead))
            warnings.append(SchedulingWarning("short_notice", _(
                "%(when)s: luật yêu cầu thông báo thời gian, địa điểm, nội dung ít nhất "
                "%(notice)d ngày trước.", when=when, notice=NOTICE_DAYS)))
    return warnings
