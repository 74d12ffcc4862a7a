"""Scheduling dialogue sessions: the rules a secretariat works by."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import (
    can_read_session,
    check_edit_unit,
    check_pick_official,
    sessions_clause,
)
from ..audit.models import AuditAction
from ..audit.operations import describe, diff, record, snapshot
from ..core.errors import UserError, check_version
from ..core.text import fold, like_pattern
from ..core.time import format_date, format_datetime, local_day_bounds, to_local, utcnow
from ..extensions import db
from ..officials.models import Official
from ..units.models import Unit, UnitLevel
from ..units.operations import within
from .models import (
    CLOSED,
    MOVABLE,
    ConnectionPoint,
    DialogueSession,
    Participant,
    ParticipantRole,
    Reschedule,
    SessionFormat,
    SessionKind,
    SessionStatus,
    StatusChange,
)

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


describe("session", {
    "title": _l("Tên hội nghị"), "unit": _l("Đơn vị"), "kind": _l("Loại"),
    "format": _l("Hình thức"), "starts_at": _l("Bắt đầu"), "ends_at": _l("Kết thúc"),
    "venue": _l("Địa điểm"), "connection_points": _l("Điểm cầu"), "topic": _l("Chủ đề"),
    "agenda": _l("Chương trình"), "chair": _l("Chủ trì"), "secretary": _l("Thư ký"),
    "is_public": _l("Công khai"), "participants": _l("Thành phần mời"),
    "status": _l("Trạng thái"),
}, {"kind": SessionKind, "format": SessionFormat, "status": SessionStatus})


def audited(session: DialogueSession) -> dict:
    """What the audit trail keeps of a session, before and after each change."""
    return snapshot({
        "title": session.title, "unit": session.unit.display_name, "kind": session.kind,
        "format": session.format, "starts_at": session.starts_at, "ends_at": session.ends_at,
        "venue": session.venue, "connection_points": [
            f"{p.name} ({p.place})" if p.place else p.name for p in session.connection_points],
        "topic": session.topic, "agenda": session.agenda, "chair": session.chair_label,
        "secretary": session.secretary_label, "is_public": session.is_public,
        "participants": [f"{p.full_name} — {p.role.label}" for p in session.participants],
        "status": session.status,
    })


def _audit(action: AuditAction, session: DialogueSession, by: User, before: dict,
           reason: str = "") -> None:
    record(action, by=by, object_type="session", object_id=session.id, label=session.title,
           unit_id=session.unit_id, changes=diff(before, audited(session)),
           reason=reason.strip())


def schedule_session(
    details: SessionDetails, *, by: User, status: SessionStatus = SessionStatus.SCHEDULED
) -> tuple[DialogueSession, list[SchedulingWarning]]:
    """Create a session (as a draft or already announced) and return what to warn about."""
    if status not in (SessionStatus.DRAFT, SessionStatus.SCHEDULED):
        raise ValueError(status)
    check_edit_unit(by, details.unit)
    check_pick_official(by, details.chair, field="chair_id")
    check_pick_official(by, details.secretary, field="secretary_id")
    session = DialogueSession(status=status, created_by=by.display_name,
                              updated_by=by.display_name, revision=0)
    _apply(session, details)
    if status is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    db.session.add(session)
    db.session.flush()
    _audit(AuditAction.CREATED, session, by, {})
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
    before, old_place = audited(session), _place(session)
    _apply(session, details)
    db.session.flush()
    if _place(session) != old_place:
        session.revision += 1
    session.updated_by = by.display_name
    # Always an UPDATE of the row, so its version moves even when only participants
    # changed: a second secretary's older form is then refused, not saved over them.
    session.updated_at = utcnow()
    db.session.flush()
    _audit(AuditAction.UPDATED, session, by, before)
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
    before = audited(session)
    session.reschedules.append(Reschedule(
        old_starts_at=session.starts_at, old_ends_at=session.ends_at, old_venue=session.venue,
        new_starts_at=starts_at, new_ends_at=ends_at, new_venue=venue,
        reason=reason.strip(), changed_by=by.display_name, changed_at=utcnow(),
    ))
    session.starts_at, session.ends_at, session.venue = starts_at, ends_at, venue
    if session.status is SessionStatus.POSTPONED:
        _set_status(session, SessionStatus.SCHEDULED, reason, by)
    if session.status is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    session.revision += 1
    session.updated_by = by.display_name
    session.refresh_search_text()
    db.session.flush()
    _audit(AuditAction.RESCHEDULED, session, by, before, reason)
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
    before = audited(session)
    _set_status(session, transition.target, reason, by)
    if transition.target is SessionStatus.SCHEDULED:
        session.announced_at = utcnow()
    session.revision += 1
    session.updated_by = by.display_name
    db.session.flush()
    _audit(AuditAction.STATUS_CHANGED, session, by, before, reason)
    if transition.target is not SessionStatus.SCHEDULED:
        return []
    return scheduling_warnings(session, viewer=by)


def _set_status(session: DialogueSession, status: SessionStatus, reason: str, by: User) -> None:
    session.status_changes.append(StatusChange(
        old_status=session.status, new_status=status, reason=reason.strip(),
        changed_by=by.display_name, changed_at=utcnow(),
    ))
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


@dataclass
class SessionFilter:
    """What the list and the calendar are narrowed to."""

    level: UnitLevel | None = None
    unit: Unit | None = None
    status: SessionStatus | None = None
    kind: SessionKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def filter_sessions(criteria: SessionFilter, *, user: User) -> Select:
    """Sessions the user may see matching the criteria, earliest first, units loaded."""
    statement = select(DialogueSession).join(DialogueSession.unit).options(
        selectinload(DialogueSession.unit), selectinload(DialogueSession.chair)
    ).where(sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id))
    if criteria.level is not None:
        statement = statement.where(Unit.level == criteria.level)
    if criteria.unit is not None:
        statement = statement.where(within(criteria.unit, DialogueSession.unit_id))
    if criteria.status is not None:
        statement = statement.where(DialogueSession.status == criteria.status)
    if criteria.kind is not None:
        statement = statement.where(DialogueSession.kind == criteria.kind)
    if criteria.date_from:
        start, _end = local_day_bounds(criteria.date_from, criteria.date_from)
        statement = statement.where(DialogueSession.ends_at > start)
    if criteria.date_to:
        _start, end = local_day_bounds(criteria.date_to, criteria.date_to)
        statement = statement.where(DialogueSession.starts_at < end)
    if fold(criteria.text):
        statement = statement.where(
            DialogueSession.search_text.like(like_pattern(criteria.text), escape="\\")
        )
    return statement.order_by(DialogueSession.starts_at, DialogueSession.id)


def sessions_in_month(criteria: SessionFilter, year: int, month: int, *, user: User) -> dict:
    """Sessions of a local month keyed by local date, for the calendar."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    criteria.date_from, criteria.date_to = first, last
    by_day: dict = {}
    for session in db.session.scalars(filter_sessions(criteria, user=user)):
        day = max(session.local_date, first)
        end_day = min(to_local(session.ends_at - timedelta(microseconds=1)).date(), last)
        while day <= end_day:
            by_day.setdefault(day, []).append(session)
            day += timedelta(days=1)
    return by_day


#: What the public announcement lists: everything announced, never drafts.
PUBLISHED = (SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.POSTPONED,
             SessionStatus.CANCELLED)


def published_clause() -> ColumnElement[bool]:
    """The sessions anyone may see: public ones, once announced."""
    return and_(DialogueSession.is_public.is_(True), DialogueSession.status.in_(PUBLISHED),
                # A draft cancelled before it was announced was never public.
                DialogueSession.announced_at.is_not(None))


def is_published(session: DialogueSession) -> bool:
    """:func:`published_clause` for one loaded session."""
    return session.is_public and session.status in PUBLISHED and session.announced_at is not None


def public_sessions(*, upcoming: bool, unit: Unit | None = None, text: str = "") -> Select:
    """Public sessions for the announcement page (Đ.43: time, place and content announced
    7 days ahead): upcoming ones soonest first, past ones latest first."""
    now = utcnow()
    statement = select(DialogueSession).options(selectinload(DialogueSession.unit)).where(
        published_clause())
    if unit is not None:
        statement = statement.where(within(unit, DialogueSession.unit_id))
    if fold(text):
        statement = statement.where(
            DialogueSession.search_text.like(like_pattern(text), escape="\\"))
    if upcoming:
        return statement.where(DialogueSession.ends_at >= now).order_by(
            DialogueSession.starts_at, DialogueSession.id)
    return statement.where(DialogueSession.ends_at < now).order_by(
        DialogueSession.starts_at.desc(), DialogueSession.id.desc())
