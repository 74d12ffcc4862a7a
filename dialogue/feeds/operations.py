"""Calendar feeds (RFC 5545): which sessions a feed carries, and each session as a VEVENT.

Thousands of calendar clients poll every hour, so a feed is never rebuilt from scratch:

- every change a feed could show raises :class:`FeedState` in the same transaction; the
  ETag of every feed derives from it, so an unchanged feed costs one small query (304);
- each session's VEVENT text is cached under the versions of the rows it was built from, so
  a changed feed is assembled from cached texts, building only the events that changed.
"""

import hashlib
import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from time import monotonic
from urllib.parse import urlsplit

from cachetools import LRUCache
from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress
from sqlalchemy import ColumnElement, and_, case, event, exists, func, or_, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import subqueryload

from ..accounts.models import User
from ..accounts.permissions import sessions_clause
from ..audit.models import AuditAction
from ..audit.operations import record
from ..core.errors import UserError
from ..core.forms import FIRST_YEAR, LAST_YEAR
from ..core.time import LOCAL_TZ, format_date, local_day_bounds, local_to_utc, local_today, utcnow
from ..core.web import public_url
from ..extensions import db
from ..officials.models import Official
from ..sessions.models import DialogueSession, Participant, SessionPart, SessionStatus
from ..sessions.operations import is_published, published_clause
from ..units.models import Era, Unit, UnitLevel, UnitSuccession
from ..units.operations import with_predecessors, within
from .models import FeedState, FeedToken

PRODID = "-//Lich doi thoai//dialogue//VI"
#: How often clients are asked to poll (REFRESH-INTERVAL, X-PUBLISHED-TTL, Cache-Control).
REFRESH = timedelta(hours=1)
#: The default window reaches this far back; it has no end in the future.
HISTORY = timedelta(days=365)
#: A cancelled session stays in the default window at least this long after it was
#: cancelled, however old its date: clients only learn of a cancellation from the feed.
CANCELLED_KEPT = timedelta(days=90)
#: Names the calendar UIDs (uuid5) so that a feed keeps its UID for life.
FEED_NAMESPACE = uuid.UUID("5b0f6d0e-3a51-4d1c-9a52-1f2a6c1d0a7e")

STATUS = {
    SessionStatus.DRAFT: "TENTATIVE",
    SessionStatus.SCHEDULED: "CONFIRMED",
    SessionStatus.HELD: "CONFIRMED",
    SessionStatus.POSTPONED: "TENTATIVE",
    SessionStatus.CANCELLED: "CANCELLED",
}


class FeedError(UserError):
    """A feed address asked for something that does not make sense (a bad date range)."""


# What feeds carry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """One feed address: its identity, its name in the calendar, and its sessions."""

    #: Stable identity, e.g. ``unit:52`` or ``private:7``: the calendar UID derives from it.
    key: str
    name: str
    condition: ColumnElement[bool]

    @property
    def uid(self) -> str:
        return str(uuid.uuid5(FEED_NAMESPACE, self.key))


def all_feed() -> Feed:
    return Feed("all", _("Lịch đối thoại với Nhân dân — toàn quốc"), published_clause())


def level_feed(level: UnitLevel) -> Feed:
    return Feed(f"level:{level.value}",
                _("Lịch đối thoại với Nhân dân — %(level)s", level=level.label),
                and_(published_clause(), DialogueSession.unit_id.in_(
                    select(Unit.id).where(Unit.level == level))))


def unit_feed(unit: Unit, *, subunits: bool) -> Feed:
    """One unit's sessions (with those of the units it succeeded, its own history), and
    with ``subunits`` those of every unit under it too."""
    if subunits:
        units = within(unit, DialogueSession.unit_id)
        name = _("Lịch đối thoại — %(unit)s và các đơn vị trực thuộc", unit=unit.name)
    else:
        units = DialogueSession.unit_id.in_(with_predecessors(unit))
        name = _("Lịch đối thoại — %(unit)s", unit=unit.name)
    return Feed(f"unit:{unit.id}{'+' if subunits else ''}", name,
                and_(published_clause(), units))


def official_feed(official: Official) -> Feed:
    return Feed(f"official:{official.id}",
                _("Lịch đối thoại do %(name)s chủ trì", name=official.full_name),
                and_(published_clause(), DialogueSession.chair_id == official.id))


def personal_feed(user: User) -> Feed:
    """The sessions a user may see, internal ones and drafts included, and those they are
    invited to (as secretary, or as a participant with their e-mail address) once
    announced."""
    invited = []
    if user.official_id is not None:
        invited.append(DialogueSession.secretary_id == user.official_id)
    if user.email:
        invited.append(exists().where(
            Participant.session_id == DialogueSession.id,
            func.lower(Participant.email) == user.email.lower()))
    condition = sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id)
    if invited:
        condition = or_(condition, and_(DialogueSession.announced_at.is_not(None),
                                        DialogueSession.status != SessionStatus.DRAFT,
                                        or_(*invited)))
    return Feed(f"private:{user.id}", _("Lịch đối thoại của %(name)s", name=user.full_name),
                condition)


def session_feed(session: DialogueSession) -> Feed:
    """One session, for "Thêm vào lịch"."""
    return Feed(f"session:{session.uid}", session.title, DialogueSession.id == session.id)


@dataclass(frozen=True)
class Window:
    """Which dates a feed covers: sessions ending after ``start`` and starting before
    ``end`` (either may be open), plus those cancelled since ``cancelled_since``."""

    start: datetime | None
    end: datetime | None
    cancelled_since: datetime | None = None


def default_window(today: date | None = None) -> Window:
    """A year back, everything ahead. Counted in whole local days, so that a feed polled
    twice in a day gives the same bytes."""
    today = today or local_today()
    return Window(start=local_to_utc(today - HISTORY, time()), end=None,
                  cancelled_since=local_to_utc(today - CANCELLED_KEPT, time()))


def window_between(first: date | None, last: date | None, today: date | None = None) -> Window:
    """The window of ``?from=…&to=…`` (either may be absent: the default applies)."""
    if first is None and last is None:
        return default_window(today)
    if first is not None and last is not None and last < first:
        raise FeedError(_("Ngày kết thúc (to) phải sau ngày bắt đầu (from)."), field="to")
    window = default_window(today)
    start = local_day_bounds(first, first)[0] if first else window.start
    end = local_day_bounds(last, last)[1] if last else None
    return Window(start=start, end=end, cancelled_since=None if first else window.cancelled_since)


def feed_units(unit: Unit) -> list[Unit]:
    """The units whose feeds carry a session of ``unit``: itself, or for a unit of the former
    structure that has no feed of its own, the units that succeeded it."""
    if unit.era is Era.Y2025 or unit.level is UnitLevel.DISTRICT:
        return [unit]
    return [successor for successor in unit.successors if successor.era is Era.Y2025]


def parse_window(args) -> Window:
    """The window asked for in a query string, as ``YYYY-MM-DD`` dates."""
    days = []
    for name in ("from", "to"):
        text = (args.get(name) or "").strip()
        try:
            # strptime, not fromisoformat: that also takes 20261205 and week dates.
            day = datetime.strptime(text, "%Y-%m-%d").date() if text else None  # noqa: DTZ007
            if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(day)
            days.append(day)
        except ValueError:
            raise FeedError(_("Ngày “%(value)s” không hợp lệ: hãy viết theo dạng YYYY-MM-DD.",
                              value=text[:20]), field=name) from None
    return window_between(*days)


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


def _key(session_id: int, uid: str, version: int, chair_version: int | None) -> tuple:
    return (session_id, uid, version, chair_version or 0)


class EventCache:
    """VEVENT texts by the versions of the session and chair rows they were built from:
    a change gives a new key, and the stale text ages out of the LRU."""

    def __init__(self, size: int):
        self._texts: LRUCache = LRUCache(maxsize=size)
        # Werkzeug and gunicorn serve requests in threads; LRUCache is not thread-safe.
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            return self._texts.get(key)

    def put(self, key: tuple, text: bytes) -> None:
        with self._lock:
            self._texts[key] = text

    def clear(self) -> None:
        with self._lock:
            self._texts.clear()


def event_cache() -> EventCache:
    extensions = current_app.extensions
    if "feed_events" not in extensions:
        extensions["feed_events"] = EventCache(current_app.config["FEED_EVENT_CACHE_SIZE"])
    return extensions["feed_events"]


def event_texts(sessions) -> list[bytes]:
    """The VEVENT texts of loaded sessions, from the cache or built (and cached)."""
    cache_ = event_cache()
    texts = []
    with force_locale("vi"):
        for session in sessions:
            key = _key(session.id, session.uid, session.version,
                       session.chair.version if session.chair else None)
            text = cache_.get(key)
            if text is None:
                text = build_event(session).to_ical()
                cache_.put(key, text)
            texts.append(text)
    return texts


# Calendars -------------------------------------------------------------------------------


CALENDAR_END = b"END:VCALENDAR\r\n"


@cache
def _timezone() -> bytes:
    # Vietnam has kept +07:00 since 1975 and has no daylight saving time: one rule.
    return Timezone.from_tzid("Asia/Ho_Chi_Minh", first_date=date(1976, 1, 1),
                              last_date=date(2100, 1, 1)).to_ical()


def _calendar_name(name: str) -> str:
    """The name on one line, without commas, semicolons or backslashes: several clients
    take X-WR-CALNAME for an unknown property and would show those characters' escapes."""
    return " ".join(name.translate({ord(","): " ", ord(";"): " ", ord("\\"): " "}).split())


def calendar_header(feed: Feed) -> bytes:
    """``BEGIN:VCALENDAR``, the calendar's properties and its VTIMEZONE."""
    name = _calendar_name(feed.name)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("uid", feed.uid)
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    text = calendar.to_ical()
    return text.removesuffix(CALENDAR_END) + _timezone()


def _loaded(ids: list[int]) -> dict[int, DialogueSession]:
    if not ids:
        return {}
    # subqueryload: one statement per relation however many sessions (selectinload would
    # send one per 500).
    sessions = db.session.scalars(select(DialogueSession).where(
        DialogueSession.id.in_(ids)).options(
        subqueryload(DialogueSession.unit), subqueryload(DialogueSession.chair),
        subqueryload(DialogueSession.connection_points)))
    return {session.id: session for session in sessions}


def _rows(feed: Feed, window: Window, limit: int) -> tuple[list, bool]:
    """(id, uid, version, chair version) of the feed's sessions in the window, by start.

    Beyond ``limit`` the sessions furthest in the past are left out: a subscriber needs
    what is coming, then what just happened.
    """
    keys = select(DialogueSession.id, DialogueSession.uid, DialogueSession.version,
                  Official.version).outerjoin(
        Official, Official.id == DialogueSession.chair_id).where(feed.condition)
    if window.end is not None:
        keys = keys.where(DialogueSession.starts_at < window.end)
    pivot = local_to_utc(local_today(), time())
    if window.start is not None:
        pivot = max(pivot, window.start)
    ahead = db.session.execute(keys.where(DialogueSession.ends_at > pivot).order_by(
        DialogueSession.starts_at, DialogueSession.id).limit(limit + 1)).all()
    if len(ahead) > limit:
        return ahead[:limit], True
    behind = keys.where(DialogueSession.ends_at <= pivot)
    if window.start is not None:
        kept = DialogueSession.ends_at > window.start
        if window.cancelled_since is not None:
            kept = or_(kept, and_(DialogueSession.status == SessionStatus.CANCELLED,
                                  DialogueSession.updated_at >= window.cancelled_since))
        behind = behind.where(kept)
    room = limit - len(ahead)
    past = db.session.execute(behind.order_by(
        DialogueSession.starts_at.desc(), DialogueSession.id.desc()).limit(room + 1)).all()
    return list(reversed(past[:room])) + ahead, len(past) > room


@dataclass(frozen=True)
class Assembled:
    body: bytes
    events: int
    #: Whether the limit left sessions out (the oldest ones).
    truncated: bool


def assemble(feed: Feed, window: Window) -> Assembled:
    """The feed's calendar text: cached events, and the missing ones built in one go."""
    limit = current_app.config["FEED_MAX_EVENTS"]
    rows, truncated = _rows(feed, window, limit)
    cache_ = event_cache()
    texts = [cache_.get(_key(*row)) for row in rows]
    missing = [row.id for row, text in zip(rows, texts, strict=True) if text is None]
    if missing:
        loaded = _loaded(missing)
        built = dict(zip(loaded, event_texts(loaded.values()), strict=True))
        # A session deleted since the first query is left out.
        texts = [text if text is not None else built.get(row.id)
                 for row, text in zip(rows, texts, strict=True)]
        texts = [text for text in texts if text is not None]
    body = b"".join([calendar_header(feed), *texts, CALENDAR_END])
    return Assembled(body, len(texts), truncated)


# Knowing when anything changed -----------------------------------------------------------


#: The rows whose change can show in some feed. A personal feed also depends on its
#: owner's roles: :func:`personal_stamp_extra` adds them to its ETag.
WATCHED = (DialogueSession, SessionPart, Official, Unit, UnitSuccession)


@event.listens_for(OrmSession, "after_flush")
def _bump_on_change(session: OrmSession, _context) -> None:
    """Raise the feed state in the flush that changed anything a feed shows."""
    changed = any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False)
        for obj in session.dirty)
    if not changed:
        return
    session.info["feed_state_raised"] = True
    connection = session.connection()
    table = FeedState.__table__
    now = utcnow()
    # Under the row's lock: a transaction that took its time earlier but commits later
    # must not move Last-Modified back.
    raised = connection.execute(update(table).where(table.c.id == 1).values(
        generation=table.c.generation + 1,
        changed_at=case((table.c.changed_at > now, table.c.changed_at), else_=now)))
    if raised.rowcount == 0:
        # Only an emptied database lacks the row the migration put there.
        connection.execute(table.insert().values(id=1, generation=1, changed_at=utcnow()))


@event.listens_for(OrmSession, "after_commit")
def _forget_state_on_commit(session: OrmSession) -> None:
    """This process sees its own changes at once; other processes within
    FEED_STATE_SECONDS (see :class:`StateCache`)."""
    if session.info.pop("feed_state_raised", False) and has_app_context():
        state_cache().forget()


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_flag_on_rollback(session: OrmSession, _previous) -> None:
    session.info.pop("feed_state_raised", None)


class StateCache:
    """The feed state as this process last read it, kept FEED_STATE_SECONDS.

    Reading the row costs more than the rest of a 304 (on PostgreSQL four round trips:
    pre-ping, BEGIN, SELECT, ROLLBACK); a few seconds' delay before another process
    notices a change is nothing next to the hour clients wait between polls.
    """

    def __init__(self):
        self._state: tuple[int, datetime] | None = None
        self._read_at = 0.0
        # Raised by forget(): a read that began before it must not be kept.
        self._epoch = 0
        self._lock = threading.Lock()

    def get(self, seconds: float) -> tuple[int, datetime]:
        with self._lock:
            if self._state is not None and monotonic() - self._read_at < seconds:
                return self._state
            epoch = self._epoch
        row = db.session.execute(select(FeedState.generation, FeedState.changed_at).where(
            FeedState.id == 1)).first()
        state = tuple(row) if row else (0, datetime(2025, 1, 1, tzinfo=UTC))
        with self._lock:
            if epoch == self._epoch:
                self._state, self._read_at = state, monotonic()
        return state

    def forget(self) -> None:
        with self._lock:
            self._state = None
            self._epoch += 1


def state_cache() -> StateCache:
    return current_app.extensions.setdefault("feed_state", StateCache())


@dataclass(frozen=True)
class Stamp:
    """What a conditional request is answered from, for one feed address today."""

    etag: str
    last_modified: datetime | None


def feed_stamp(address: str, extra: str = "") -> Stamp:
    """The ETag and Last-Modified of a feed address, from the feed state and today's date
    (the default window moves daily): at most one query whatever the feed's size."""
    generation, changed_at = state_cache().get(current_app.config["FEED_STATE_SECONDS"])
    today = local_today()
    digest = hashlib.sha256(
        f"{address}\n{generation}\n{today.isoformat()}\n{extra}".encode()).hexdigest()[:32]
    changed_at = changed_at.astimezone(UTC)
    # RFC 9110 8.8.2.2: a date within the second of a change is a weak validator (another
    # change may follow in the same second): then only the ETag is offered.
    settled = utcnow() - changed_at >= timedelta(seconds=1)
    return Stamp(etag=digest, last_modified=max(
        changed_at, local_to_utc(today, time())).replace(microsecond=0) if settled else None)


# Personal feed addresses -----------------------------------------------------------------


def feed_token_of(user: User) -> FeedToken | None:
    return db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))


def issue_feed_token(user: User) -> FeedToken:
    """Give the user a new personal feed address; the previous one stops working at once."""
    token = feed_token_of(user)
    if token is None:
        token = FeedToken(user=user)
        db.session.add(token)
    token.token = secrets.token_urlsafe(32)
    token.created_at = utcnow()
    db.session.flush()
    record(AuditAction.CREATED, by=user, object_type="feed_token", object_id=token.id,
           label=_("Địa chỉ lịch riêng của %(name)s", name=user.full_name))
    return token


def revoke_feed_token(user: User) -> bool:
    """Stop the user's personal feed address; False when there was none."""
    token = feed_token_of(user)
    if token is None:
        return False
    record(AuditAction.DELETED, by=user, object_type="feed_token", object_id=token.id,
           label=_("Địa chỉ lịch riêng của %(name)s", name=user.full_name))
    db.session.delete(token)
    db.session.flush()
    return True


def user_of_token(token: str) -> User | None:
    """The active account a personal feed address belongs to, or None."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(User).join(FeedToken, FeedToken.user_id == User.id).where(
        FeedToken.token == token, User.is_active.is_(True)))


def personal_stamp_extra(user: User) -> str:
    """What a personal feed depends on beyond the sessions: the account's roles."""
    roles = sorted((assignment.role.value, assignment.unit_id or 0) for assignment in user.roles)
    return f"{user.id}|{user.official_id}|{user.email.lower()}|{roles}"


def filename(session: DialogueSession) -> str:
    """The name a downloaded single-session calendar gets: the date, then the id."""
    return f"doi-thoai-{format_date(session.starts_at).replace('/', '-')}-{session.id}.ics"

