"""A session as an iCalendar (RFC 5545) VEVENT, and the calendar around a feed's events.

The texts are translated in the current locale: :func:`.operations.assemble` builds them
in Vietnamese.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration

from ..core.time import LOCAL_TZ
from ..core.web import public_url
from ..sessions.access import is_published
from ..sessions.models import DialogueSession, SessionStatus

PRODID = "-//Lich doi thoai//dialogue//VI"
#: How often clients are asked to poll (REFRESH-INTERVAL, X-PUBLISHED-TTL, Cache-Control).
REFRESH = timedelta(hours=1)
CALENDAR_END = b"END:VCALENDAR\r\n"

STATUS = {
    SessionStatus.DRAFT: "TENTATIVE",
    SessionStatus.SCHEDULED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.POSTPONED: "TENTATIVE",
    SessionStatus.CANCELLED: "CANCELLED",
}


# Events ----------------------------------------------------------------------------------


def _changed_at(session: DialogueSession) -> datetime:
    """The session's last change as a feed shows it (its chair's name and position too)."""
    moments = [session.updated_at]
    if session.chair is not None:
        moments.append(session.chair.updated_at)
    return max(moments).astimezone(UTC).replace(microsecond=0)


def session_link(session: DialogueSession) -> str:
    """Where a calendar's link leads: the public page of an announced public session (its
    subscribers need not have an account), the secretariat's page otherwise."""
    if is_published(session):
        return public_url("public.show_session", session_id=session.id)
    return public_url("sessions.show_session", session_id=session.id)


def _location(session: DialogueSession) -> str:
    if session.venue:
        return session.venue
    return "; ".join(f"{point.name}: {point.place}" if point.place else point.name
                     for point in session.connection_points)


def _description(session: DialogueSession, link: str) -> str:
    lines = []
    if session.status in (SessionStatus.POSTPONED, SessionStatus.CANCELLED):
        lines += [_("Trạng thái: %(status)s.", status=session.status.label), ""]
    if session.topic:
        lines += [session.topic, ""]
    if session.chair_label:
        lines.append(_("Chủ trì: %(chair)s", chair=session.chair_label))
    lines.append(_("Hình thức: %(format)s", format=session.format.label))
    if session.connection_points:
        lines.append(_("Điểm cầu:"))
        lines += [f"- {point.name}" + (f" ({point.place})" if point.place else "")
                  for point in session.connection_points]
    lines += ["", _("Chi tiết: %(link)s", link=link)]
    return "\n".join(lines)


def _summary(session: DialogueSession) -> str:
    if session.status in (SessionStatus.POSTPONED, SessionStatus.CANCELLED):
        return f"[{session.status.label}] {session.title}"
    return session.title


def organizer_address() -> str:
    config = current_app.config
    return config["FEED_ORGANIZER_EMAIL"] or (
        f"noreply@{urlsplit(config['PUBLIC_URL']).hostname or 'localhost'}")


def build_event(session: DialogueSession) -> Event:
    """The session as a VEVENT; texts are escaped by icalendar, line breaks of any kind
    become escaped newlines (a CR alone would let a field smuggle in a property)."""
    changed = _changed_at(session)
    link = session_link(session)
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.revision)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("created", session.created_at.astimezone(UTC).replace(microsecond=0))
    event.add("dtstart", session.starts_at.astimezone(LOCAL_TZ))
    event.add("dtend", session.ends_at.astimezone(LOCAL_TZ))
    event.add("status", STATUS[session.status])
    event.add("summary", _summary(session))
    if location := _location(session):
        event.add("location", location)
    event.add("description", _description(session, link))
    event.add("url", link)
    event.add("categories", [str(session.unit.level.label), session.unit_name])
    event.add("class", "PUBLIC" if session.is_public else "PRIVATE")
    organizer = vCalAddress(f"mailto:{organizer_address()}")
    # A parameter value cannot hold a line break at all: the name goes on one line.
    organizer.params["cn"] = " ".join((session.chair_label or session.unit_name).split())
    event.add("organizer", organizer)
    return event


# Calendars -------------------------------------------------------------------------------


@cache
def vtimezone() -> bytes:
    # Vietnam has kept +07:00 since 1975 and has no daylight saving time: one rule.
    return Timezone.from_tzid("Asia/Ho_Chi_Minh", first_date=date(1976, 1, 1),
                              last_date=date(2100, 1, 1)).to_ical()


def _calendar_name(name: str) -> str:
    """The name on one line, without commas, semicolons or backslashes: several clients
    take X-WR-CALNAME for an unknown property and would show those characters' escapes."""
    return " ".join(name.translate({ord(","): " ", ord(";"): " ", ord("\\"): " "}).split())


def calendar_header(name: str, uid: str) -> bytes:
    """``BEGIN:VCALENDAR``, the calendar's properties and its VTIMEZONE."""
    name = _calendar_name(name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("uid", uid)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # Typed, or icalendar would write an unknown property's timedelta as text ("1:00:00").
    calendar.add("x-published-ttl", vDuration(REFRESH))
    text = calendar.to_ical()
    return text.removesuffix(CALENDAR_END) + vtimezone()
