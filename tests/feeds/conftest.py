"""Fixtures for calendar feeds: sessions placed relative to today (feeds are windowed on
the real date), and the feeds' text as the operations or the HTTP layer give it."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import update

from dialogue.core.time import local_to_utc, local_today, utcnow
from dialogue.extensions import db
from dialogue.feeds import cache, operations
from dialogue.feeds.models import FeedScopeState, FeedState


def days_from_today(days: int, at: time = time(8, 0)) -> datetime:
    """The UTC instant of ``at`` (Vietnam time) ``days`` from today (negative: ago)."""
    return local_to_utc(local_today() + timedelta(days=days), at)


@pytest.fixture
def upcoming(create_session):
    """``upcoming(days=10, **overrides)``: a session ``days`` from today at 08:00, through
    ``create_session`` (scheduled, public, of Tỉnh Gia Lai unless overridden)."""

    def create(days: int = 10, **overrides):
        overrides.setdefault("starts_at", days_from_today(days))
        return create_session(**overrides)

    return create


@pytest.fixture
def ia_grai_dialogue(upcoming, create_official):
    """A public session of Xã Ia Grai in two weeks, chaired by Rơ Mah Tuấn (an official)."""
    chair = create_official(full_name="Rơ Mah Tuấn", position="Chủ tịch UBND xã Ia Grai",
                            unit="Xã Ia Grai")
    return upcoming(days=14, unit="Xã Ia Grai", chair=chair,
                    title="Hội nghị đối thoại với Nhân dân xã Ia Grai năm 2026",
                    venue="Hội trường UBND xã Ia Grai",
                    topic="Giải phóng mặt bằng, đền bù đất đai; nước sinh hoạt làng Dơr.")


@pytest.fixture
def feed_of():
    """``feed_of(feed, window=None)``: the text of a feed as :func:`operations.assemble`
    gives it (the default window unless one is given)."""

    def assemble(feed, window=None) -> str:
        return operations.assemble(feed, window or operations.default_window()).body.decode()

    return assemble


def uids(text: str) -> list[str]:
    """The UIDs of a calendar's events, in order (not the calendar's own UID)."""
    found, in_event = [], False
    for line in text.splitlines():
        if line in ("BEGIN:VEVENT", "END:VEVENT"):
            in_event = line == "BEGIN:VEVENT"
        elif in_event and line.startswith("UID:"):
            found.append(line.removeprefix("UID:"))
    return found


def settle_feed_state() -> None:
    """As if the last change were a minute old: only then is Last-Modified offered (a date
    within the second of a change is a weak validator)."""
    with db.engine.begin() as connection:
        for table in (FeedState.__table__, FeedScopeState.__table__):
            connection.execute(update(table).values(changed_at=utcnow() - timedelta(minutes=1)))
    cache.state_cache().forget()
