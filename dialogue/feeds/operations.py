"""Calendar feeds (RFC 5545): which sessions each feed carries, and its calendar text.

Each session becomes a VEVENT in :mod:`.ical`; :mod:`.cache` keeps the texts and the
state that ETags derive from; :mod:`.tokens` the secret addresses of personal feeds.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import current_app
from flask_babel import LazyString, force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import subqueryload

from ..accounts.models import User
from ..core.errors import UserError
from ..core.forms import FIRST_YEAR, LAST_YEAR
from ..core.time import format_date, local_day_bounds, local_to_utc, local_today
from ..extensions import db
from ..officials.models import Official
from ..sessions.access import own_officials, published_clause, sessions_clause
from ..sessions.models import DialogueSession, Participant, SessionStatus
from ..units.models import Era, Unit, UnitLevel
from ..units.operations import with_predecessors, within
from .cache import event_cache, event_key
from .ical import CALENDAR_END, build_event, calendar_header

log = logging.getLogger(__name__)

#: The default window reaches this far back; it has no end in the future.
HISTORY = timedelta(days=365)
#: A cancelled session stays in the default window at least this long after it was
#: cancelled, however old its date: clients only learn of a cancellation from the feed.
CANCELLED_KEPT = timedelta(days=90)
#: Names the calendar UIDs (uuid5) so that a feed keeps its UID for life.
FEED_NAMESPACE = uuid.UUID("5b0f6d0e-3a51-4d1c-9a52-1f2a6c1d0a7e")


class FeedError(UserError):
    """A feed address asked for something that does not make sense (a bad date range)."""


# What feeds carry ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    """One feed address: its identity, its name in the calendar, and its sessions."""

    #: Stable identity, e.g. ``unit:52`` or ``private:7``: the calendar UID derives from it.
    key: str
    #: Lazy: a subscribe page shows it in the visitor's language, the feed in Vietnamese.
    name: str | LazyString
    #: Which sessions, built only when the feed is sent: a 304 never needs it, and a
    #: personal feed's reads the owner's scope and officials.
    condition: Callable[[], ColumnElement[bool]]
    #: What the feed depends on beyond the feed state, for its ETag (a personal feed's
    #: owner, whose account no feed state follows); a feed with one has no Last-Modified.
    stamp_extra: str = ""
    #: The unit whose feed state the ETag follows (None: every feed's), for a unit's feeds:
    #: they keep their ETags while other units' sessions change.
    scope: int | None = None

    @property
    def uid(self) -> str:
        return str(uuid.uuid5(FEED_NAMESPACE, self.key))


def all_feed() -> Feed:
    return Feed("all", _l("Lịch đối thoại với Nhân dân — toàn quốc"), published_clause)


def level_feed(level: UnitLevel) -> Feed:
    return Feed(f"level:{level.value}",
                _l("Lịch đối thoại với Nhân dân — %(level)s",
                   level=LazyString(lambda: level.label)),
                lambda: and_(published_clause(), DialogueSession.unit_id.in_(
                    select(Unit.id).where(Unit.level == level))))


def unit_feed(unit: Unit, *, subunits: bool) -> Feed:
    """One unit's sessions (with those of the units it succeeded, its own history), and
    with ``subunits`` those of every unit under it too."""
    if subunits:
        name = _l("Lịch đối thoại — %(unit)s và các đơn vị trực thuộc", unit=unit.name)
    else:
        name = _l("Lịch đối thoại — %(unit)s", unit=unit.name)

    def condition() -> ColumnElement[bool]:
        if subunits:
            return and_(published_clause(), within(unit, DialogueSession.unit_id))
        return and_(published_clause(), DialogueSession.unit_id.in_(with_predecessors(unit)))

    return Feed(f"unit:{unit.id}{'+' if subunits else ''}", name, condition, scope=unit.id)


def official_feed(official: Official) -> Feed:
    return Feed(f"official:{official.id}",
                _l("Lịch đối thoại do %(name)s chủ trì", name=official.full_name),
                lambda: and_(published_clause(), DialogueSession.chair_id == official.id))


def personal_feed(user: User) -> Feed:
    """The sessions a user may see, internal ones and drafts included, and those they are
    invited to (as secretary, or as a participant with their e-mail address) once
    announced."""

    def condition() -> ColumnElement[bool]:
        invited = []
        if own := own_officials(user):
            invited.append(DialogueSession.secretary_id.in_(sorted(own)))
        if user.email:
            invited.append(exists().where(
                Participant.session_id == DialogueSession.id,
                func.lower(Participant.email) == user.email.lower()))
        seen = sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id)
        if not invited:
            return seen
        return or_(seen, and_(DialogueSession.announced_at.is_not(None),
                              DialogueSession.status != SessionStatus.DRAFT, or_(*invited)))

    # The officials the account is linked to are not here: the link is on the officials'
    # rows, whose change raises the feed state (cache.WATCHED).
    roles = sorted((assignment.role.value, assignment.unit_id or 0) for assignment in user.roles)
    return Feed(f"private:{user.id}", _l("Lịch đối thoại của %(name)s", name=user.full_name),
                condition, stamp_extra=repr((user.full_name, user.email.lower(), roles)))


def session_feed(session: DialogueSession) -> Feed:
    """One session, for "Thêm vào lịch"."""
    return Feed(f"session:{session.uid}", session.title, lambda: DialogueSession.id == session.id)


def feed_units(unit: Unit) -> list[Unit]:
    """The units whose feeds carry a session of ``unit``: itself, or for a unit of the former
    structure that has no feed of its own, the units that succeeded it."""
    if unit.era is Era.Y2025 or unit.level is UnitLevel.DISTRICT:
        return [unit]
    return [successor for successor in unit.successors if successor.era is Era.Y2025]


def has_public_feed(official: Official) -> bool:
    """Whether an official has a feed of their own: only one who chairs a session announced
    in public (the others' names are not published)."""
    return db.session.scalar(select(exists().where(
        DialogueSession.chair_id == official.id, published_clause())))


@dataclass(frozen=True)
class UnitPage:
    """What a unit's subscribe page offers: its feed, the one with its subunits if it has
    any, and links to the pages of its parent and children."""

    feed: Feed
    subunits_feed: Feed | None
    parent: Unit | None
    children: list[Unit]


def unit_page(unit: Unit) -> UnitPage:
    # Former units' codes were reused in 2025: links by code from a former unit to its
    # parent or children would lead to other units.
    current = unit.era is Era.Y2025
    return UnitPage(
        feed=unit_feed(unit, subunits=False),
        subunits_feed=unit_feed(unit, subunits=True) if unit.children else None,
        parent=unit.parent if current else None,
        children=[child for child in unit.children if child.era is unit.era] if current else [])


# Which dates ------------------------------------------------------------------------------


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


# The calendar text ------------------------------------------------------------------------


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
        Official, Official.id == DialogueSession.chair_id).where(feed.condition())
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


def event_texts(sessions) -> list[bytes]:
    """The VEVENT texts of loaded sessions, from the cache or built (and cached)."""
    cache = event_cache()
    texts = []
    for session in sessions:
        key = event_key(session.id, session.uid, session.version,
                        session.chair.version if session.chair else None)
        text = cache.get(key)
        if text is None:
            text = build_event(session).to_ical()
            cache.put(key, text)
        texts.append(text)
    return texts


def assemble(feed: Feed, window: Window) -> Assembled:
    """The feed's calendar text: cached events, and the missing ones built in one go."""
    limit = current_app.config["FEED_MAX_EVENTS"]
    rows, truncated = _rows(feed, window, limit)
    cache = event_cache()
    texts = [cache.get(event_key(*row)) for row in rows]
    missing = [row.id for row, text in zip(rows, texts, strict=True) if text is None]
    # Feeds are in Vietnamese whoever asks; reading the visitor's language would also make
    # the response vary by cookie, which shared caches keep apart.
    with force_locale("vi"):
        if missing:
            loaded = _loaded(missing)
            built = dict(zip(loaded, event_texts(loaded.values()), strict=True))
            # A session deleted since the first query is left out.
            texts = [text if text is not None else built.get(row.id)
                     for row, text in zip(rows, texts, strict=True)]
            texts = [text for text in texts if text is not None]
        header = calendar_header(str(feed.name), feed.uid)
    if truncated:
        # The feed's key, not its address: a personal address is a secret.
        log.warning("feed %s: the oldest sessions left out beyond %d events",
                    feed.key, len(texts))
    return Assembled(b"".join([header, *texts, CALENDAR_END]), len(texts), truncated)


def filename(session: DialogueSession) -> str:
    """The name a downloaded single-session calendar gets: the date, then the id."""
    return f"doi-thoai-{format_date(session.starts_at).replace('/', '-')}-{session.id}.ics"

