"""Assembled feeds kept under their ETags: the clients of one feed share one assembly."""

import threading

from dialogue.extensions import db
from dialogue.feeds import cache, operations
from dialogue.sessions.operations import TRANSITIONS, change_status

from .conftest import settle_feed_state, uids


def test_concurrent_requests_for_one_body_assemble_it_once():
    bodies = cache.BodyCache(max_bytes=1024)
    started, release = threading.Event(), threading.Event()
    built = []

    def build() -> bytes:
        built.append(1)
        started.set()
        release.wait(5)
        return b"BEGIN:VCALENDAR"

    results = []
    threads = [threading.Thread(target=lambda: results.append(
        bodies.get_or_build(("/feeds/all.ics", "etag-1"), build))) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert started.wait(5)
    release.set()
    for thread in threads:
        thread.join(5)
    assert results == [b"BEGIN:VCALENDAR"] * 8
    assert len(built) == 1, "the others waited for the first one's bytes"
    assert bodies.get_or_build(("/feeds/all.ics", "etag-2"), lambda: b"new") == b"new"


def test_a_body_larger_than_the_cache_is_served_not_kept():
    bodies = cache.BodyCache(max_bytes=4)
    assert bodies.get_or_build(("a", "1"), lambda: b"too long") == b"too long"
    assert bodies.get_or_build(("a", "1"), lambda: b"built again") == b"built again"


def test_pollers_share_an_assembled_feed_until_it_changes(anonymous, upcoming, secretary,
                                                        monkeypatch):
    session = upcoming()
    other = upcoming(days=12, title="Đối thoại về giải phóng mặt bằng")
    settle_feed_state()
    assembled = []
    real = operations.assemble
    monkeypatch.setattr(operations, "assemble",
                        lambda *args: assembled.append(1) or real(*args))
    first = anonymous.get("/feeds/all.ics")
    second = anonymous.get("/feeds/all.ics")
    assert second.get_data() == first.get_data()
    assert len(assembled) == 1, "the second client got the bytes the first one's built"
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13", by=secretary)
    db.session.commit()
    changed = anonymous.get("/feeds/all.ics")
    assert len(assembled) == 2
    text = changed.get_data(as_text=True)
    assert "STATUS:CANCELLED" in text and sorted(uids(text)) == sorted([session.uid, other.uid])
