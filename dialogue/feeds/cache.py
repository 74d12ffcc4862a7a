"""What spares rebuilding a feed: the cache of VEVENT texts, and the feed state behind ETags.

Thousands of calendar clients poll every hour, so a feed is never rebuilt from scratch:

- every change a feed could show raises :class:`FeedState` in the same transaction; the
  ETag of every feed derives from it, so an unchanged feed costs one small query (304);
- each session's VEVENT text is cached under the versions of the rows it was built from, so
  a changed feed is assembled from cached texts, building only the events that changed.
"""

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from time import monotonic

from cachetools import LRUCache
from flask import current_app, has_app_context
from sqlalchemy import case, event, select, update
from sqlalchemy.orm import Session as OrmSession

from ..core.time import local_to_utc, local_today, utcnow
from ..core.transaction import on_commit
from ..extensions import db
from ..officials.models import Official
from ..sessions.models import DialogueSession, SessionPart
from ..units.models import Unit, UnitSuccession
from .models import FeedState

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


def event_cache() -> EventCache:
    extensions = current_app.extensions
    if "feed_events" not in extensions:
        extensions["feed_events"] = EventCache(current_app.config["FEED_EVENT_CACHE_SIZE"])
    return extensions["feed_events"]


# Knowing when anything changed -----------------------------------------------------------


#: The rows whose change can show in some feed. Officials carry the account they are linked
#: to, which a personal feed depends on: linking one raises the state, as it must (the
#: official's row and version change, and with them their sessions' events). A personal
#: feed also depends on its owner's account, which no row here follows: its
#: ``Feed.stamp_extra`` adds that to its ETag.
WATCHED = (DialogueSession, SessionPart, Official, Unit, UnitSuccession)


@event.listens_for(OrmSession, "after_flush")
def _bump_on_change(session: OrmSession, _context) -> None:
    """Raise the feed state in the flush that changed anything a feed shows."""
    changed = any(isinstance(obj, WATCHED) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, WATCHED) and session.is_modified(obj, include_collections=False)
        for obj in session.dirty)
    if not changed:
        return
    # This process sees its own changes at once, once they are committed; other processes
    # within FEED_STATE_SECONDS (see :class:`StateCache`).
    on_commit(_forget_state)
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


def _forget_state() -> None:
    if has_app_context():
        state_cache().forget()


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


# Stamps ----------------------------------------------------------------------------------


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

