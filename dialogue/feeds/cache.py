"""What spares rebuilding a feed: the cache of VEVENT texts, and the feed state behind ETags.

Thousands of calendar clients poll every hour, so a feed is never rebuilt from scratch:

- every change a feed could show raises :class:`FeedState` in the same transaction, and
  the :class:`FeedScopeState` of each unit whose feeds carry it; a feed's ETag derives from
  its state (a unit's feeds: their unit's), so an unchanged feed costs one small query
  (304), and a commune's feed stays unchanged while other communes' sessions change;
- each session's VEVENT text is cached under the versions of the rows it was built from, so
  a changed feed is assembled from cached texts, building only the events that changed;
- an assembled feed is kept under its ETag, so the many clients of one feed that poll after
  a change get the body one of them had built (:class:`BodyCache`).
"""

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import monotonic

from cachetools import LRUCache
from flask import current_app, has_app_context
from sqlalchemy import case, event, inspect, select
from sqlalchemy.orm import Session as OrmSession

from ..core.sql import upsert
from ..core.time import local_to_utc, local_today, utcnow
from ..core.transaction import on_commit
from ..extensions import db
from ..officials.models import Official
from ..sessions.models import DialogueSession, SessionPart
from ..units.models import Unit, UnitSuccession
from .models import FeedScopeState, FeedState

# Event texts -----------------------------------------------------------------------------


def event_key(session_id: int, uid: str, version: int, chair_version: int | None) -> tuple:
    """What a session's VEVENT text is cached under: the versions of its row and its chair's."""
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


def _of_this_app(name: str, make: Callable[[], object]):
    """The app's own ``name`` cache, made on first use (each process has its own)."""
    extensions = current_app.extensions
    if name not in extensions:
        extensions[name] = make()
    return extensions[name]


def event_cache() -> EventCache:
    return _of_this_app("feed_events",
                        lambda: EventCache(current_app.config["FEED_EVENT_CACHE_SIZE"]))


class BodyCache:
    """Assembled feeds by address and ETag, up to a number of bytes.

    A change makes every client of a feed download it again at its next poll; the first
    request of an ETag assembles the feed and the others wait for it and share its bytes
    (under load that is most of them), instead of all assembling the same text at once.
    The ETag names the feed state, the day and the owner's stamp, so a kept body is never
    stale: a change gives a new key, and the old body ages out.
    """

    def __init__(self, max_bytes: int):
        self._bodies: LRUCache = LRUCache(maxsize=max_bytes, getsizeof=len)
        self._lock = threading.Lock()
        #: One lock per key being assembled: requests for the same body wait on it.
        self._building: dict[tuple, threading.Lock] = {}

    def get_or_build(self, key: tuple, build: Callable[[], bytes]) -> bytes:
        with self._lock:
            body = self._bodies.get(key)
            if body is not None:
                return body
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                body = self._bodies.get(key)
            if body is None:
                body = build()
                with self._lock:
                    if len(body) <= self._bodies.maxsize:
                        self._bodies[key] = body
            with self._lock:
                self._building.pop(key, None)
        return body

    def clear(self) -> None:
        with self._lock:
            self._bodies.clear()


def body_cache() -> BodyCache:
    return _of_this_app("feed_bodies",
                        lambda: BodyCache(current_app.config["FEED_BODY_CACHE_BYTES"]))


# Knowing when anything changed -----------------------------------------------------------


#: The rows whose change can show in some feed. Officials carry the account they are linked
#: to, which a personal feed depends on: linking one raises the state, as it must (the
#: official's row and version change, and with them their sessions' events). A personal
#: feed also depends on its owner's account, which no row here follows: its
#: ``Feed.stamp_extra`` adds that to its ETag.
WATCHED = (DialogueSession, SessionPart, Official, Unit, UnitSuccession)


def _changed(session: OrmSession) -> list:
    """The watched objects this flush added, deleted or changed."""
    return [obj for obj in (*session.new, *session.deleted) if isinstance(obj, WATCHED)] + [
        obj for obj in session.dirty
        if isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False)]


def _scopes_changed(connection, changed: list) -> set[int]:
    """The unit feeds whose sessions these changes touch: each session's unit (before and
    after a move), the units above it, and the units that succeeded any of them (a unit's
    feed carries its predecessors' sessions); scope 0 for what is no unit's own."""
    units, scopes = set(), set()
    for obj in changed:
        if isinstance(obj, DialogueSession):
            history = inspect(obj).attrs.unit_id.history
            units.update(u for u in (obj.unit_id, *history.deleted) if u is not None)
        elif isinstance(obj, SessionPart) and obj.session is not None:
            units.add(obj.session.unit_id)
        else:
            # Officials' names and the units show in every unit's feed (and a connection
            # point whose session is gone is placed nowhere): all of them change.
            scopes.add(0)
    table, successions = Unit.__table__, UnitSuccession.__table__
    frontier = set(units)
    while frontier:
        frontier = set(connection.scalars(select(table.c.parent_id).where(
            table.c.id.in_(sorted(frontier)), table.c.parent_id.is_not(None)))) - units
        units |= frontier
    if units:
        units.update(connection.scalars(select(successions.c.successor_id).where(
            successions.c.predecessor_id.in_(sorted(units)))))
    return scopes | units


def _raise(connection, table, key, value: int, now) -> None:
    """One more change on the row ``key == value`` (made at the first one)."""
    statement = upsert(table, connection.dialect.name).values(
        {key.name: value, "generation": 1, "changed_at": now})
    # Under the row's lock: a transaction that took its time earlier but commits later
    # must not move Last-Modified back.
    connection.execute(statement.on_conflict_do_update(index_elements=[key], set_={
        "generation": table.c.generation + 1,
        "changed_at": case((table.c.changed_at > now, table.c.changed_at), else_=now)}))


@event.listens_for(OrmSession, "after_flush")
def _bump_on_change(session: OrmSession, _context) -> None:
    """Raise the feed state, and the states of the units concerned, in the flush that
    changed anything a feed shows."""
    changed = _changed(session)
    if not changed:
        return
    # This process sees its own changes at once, once they are committed; other processes
    # within FEED_STATE_SECONDS (see :class:`StateCache`).
    on_commit(_forget_state)
    connection = session.connection()
    now = utcnow()
    _raise(connection, FeedState.__table__, FeedState.__table__.c.id, 1, now)
    scoped = FeedScopeState.__table__
    # In one order, so two flushes never wait on each other's rows the other way round.
    for scope in sorted(_scopes_changed(connection, changed)):
        _raise(connection, scoped, scoped.c.scope, scope, now)


def _forget_state() -> None:
    if has_app_context():
        state_cache().forget()


#: The state of a feed nothing has changed yet.
NEVER_CHANGED = (0, datetime(2025, 1, 1, tzinfo=UTC))


class StateCache:
    """The feed states as this process last read them, each kept FEED_STATE_SECONDS.

    Reading a row costs more than the rest of a 304 (on PostgreSQL four round trips:
    pre-ping, BEGIN, SELECT, ROLLBACK); a few seconds' delay before another process
    notices a change is nothing next to the hour clients wait between polls.
    """

    def __init__(self, size: int = 20_000):
        #: None: every feed's state; a unit id: that unit's feeds' (with scope 0's).
        self._states: LRUCache = LRUCache(maxsize=size)
        # Raised by forget(): a read that began before it must not be kept.
        self._epoch = 0
        self._lock = threading.Lock()

    def get(self, seconds: float, scope: int | None = None) -> tuple:
        """(generation, changed_at) of every feed, or for ``scope`` the pairs of the unit's
        row and of scope 0."""
        with self._lock:
            kept = self._states.get(scope)
            if kept is not None and monotonic() - kept[1] < seconds:
                return kept[0]
            epoch = self._epoch
        state = _read_state(scope)
        with self._lock:
            if epoch == self._epoch:
                self._states[scope] = (state, monotonic())
        return state

    def forget(self) -> None:
        with self._lock:
            self._states.clear()
            self._epoch += 1


def _read_state(scope: int | None) -> tuple:
    if scope is None:
        row = db.session.execute(select(FeedState.generation, FeedState.changed_at).where(
            FeedState.id == 1)).first()
        return tuple(row) if row else NEVER_CHANGED
    rows = {row.scope: (row.generation, row.changed_at) for row in db.session.execute(
        select(FeedScopeState.scope, FeedScopeState.generation, FeedScopeState.changed_at)
        .where(FeedScopeState.scope.in_((0, scope))))}
    return rows.get(scope, NEVER_CHANGED) + rows.get(0, NEVER_CHANGED)


def state_cache() -> StateCache:
    return _of_this_app("feed_state", StateCache)


# Stamps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What a conditional request is answered from, for one feed address today."""

    etag: str
    last_modified: datetime | None


def feed_stamp(address: str, extra: str = "", scope: int | None = None) -> Stamp:
    """The ETag and Last-Modified of a feed address, from the feed state (a unit feed's:
    its unit's) and today's date (the default window moves daily): at most one query
    whatever the feed's size."""
    state = state_cache().get(current_app.config["FEED_STATE_SECONDS"], scope)
    changed_at = max(state[1::2]).astimezone(UTC)
    today = local_today()
    # The moment of each change too: a state put back from a backup (or a test's emptied
    # database) may repeat a generation, never a generation and its moment.
    digest = hashlib.sha256("\n".join([
        address, *(value.isoformat() if isinstance(value, datetime) else str(value)
                   for value in state), today.isoformat(), extra]).encode()).hexdigest()[:32]
    # RFC 9110 8.8.2.2: a date within the second of a change is a weak validator (another
    # change may follow in the same second): then only the ETag is offered.
    settled = utcnow() - changed_at >= timedelta(seconds=1)
    return Stamp(etag=digest, last_modified=max(
        changed_at, local_to_utc(today, time())).replace(microsecond=0) if settled else None)
