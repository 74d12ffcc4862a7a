"""The issue pages cost the same number of SQL statements however much they hold."""

import contextlib

import pytest
from sqlalchemy import event

from dialogue.extensions import db
from dialogue.sessions.models import SessionStatus


@contextlib.contextmanager
def counting():
    count = [0]

    def seen(*args, **kwargs):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


@pytest.fixture
def held_session(create_session):
    return create_session(status=SessionStatus.HELD)


def statements(client, url: str) -> int:
    with counting() as count:
        assert client.get(url).status_code == 200, url
    return count[0]


def test_the_live_entry_page_reads_the_fields_once_not_per_issue(client, held_session, record):
    record(held_session)
    few = statements(client, f"/sessions/{held_session.id}/issues")
    for _ in range(6):
        record(held_session)
    assert statements(client, f"/sessions/{held_session.id}/issues") == few


def test_an_issue_page_costs_the_same_with_more_commitments(client, held_session, record,
                                                          commit_to):
    issue = record(held_session)
    commit_to(issue)
    db.session.commit()
    one = statements(client, f"/issues/{issue.id}")
    for _ in range(3):
        commit_to(issue)
    db.session.commit()
    assert statements(client, f"/issues/{issue.id}") == one
