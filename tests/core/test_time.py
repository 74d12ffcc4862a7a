"""Times are typed and shown in Vietnam time (UTC+7) and stored in UTC."""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from dialogue.core.time import (
    format_date,
    format_datetime,
    format_time,
    local_day_bounds,
    local_to_utc,
    parse_date,
    to_local,
)
from dialogue.extensions import db
from dialogue.officials.models import Official
from dialogue.sessions.models import DialogueSession
from tests.helpers import at

VIETNAM = timezone(timedelta(hours=7))


def test_vietnam_wall_clock_time_is_seven_hours_ahead_of_utc():
    assert local_to_utc(date(2026, 3, 2), time(8, 0)) == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def test_early_morning_in_vietnam_is_the_previous_day_in_utc():
    moment = local_to_utc(date(2026, 3, 2), time(6, 0))
    assert (moment.date(), moment.hour) == (date(2026, 3, 1), 23)
    assert to_local(moment).date() == date(2026, 3, 2)


def test_dates_and_times_are_shown_in_vietnam_time_as_dd_mm_yyyy():
    moment = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    assert format_date(moment) == "02/03/2026"
    assert format_time(moment) == "06:00"
    assert format_datetime(moment) == "06:00 02/03/2026"
    assert format_date(date(2026, 3, 2)) == "02/03/2026"
    assert format_date(None) == format_time(None) == format_datetime(None) == ""


@pytest.mark.parametrize("typed", ["02/03/2026", "2/3/2026", " 02/03/2026 ", "02-03-2026",
                                   "2026-03-02"])
def test_dates_are_read_day_first_as_users_type_them(typed):
    assert parse_date(typed) == date(2026, 3, 2)


@pytest.mark.parametrize("typed", ["31/02/2026", "03/02", "2026/03/02", "mai", ""])
def test_impossible_or_unreadable_dates_are_refused(typed):
    with pytest.raises(ValueError):  # noqa: PT011 - the message is the input itself
        parse_date(typed)


def test_a_local_day_spans_from_17_00_utc_the_day_before():
    start, end = local_day_bounds(date(2026, 3, 2), date(2026, 3, 2))
    assert start == datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    assert local_day_bounds(date(2026, 3, 1), date(2026, 3, 31))[1] == datetime(
        2026, 3, 31, 17, 0, tzinfo=UTC)


def test_helper_at_reads_iso_and_vietnamese_dates():
    assert at("2026-03-02 08:00") == at("02/03/2026 08:00") == datetime(
        2026, 3, 2, 1, 0, tzinfo=UTC)


def test_a_stored_time_comes_back_as_the_same_utc_instant(create_session):
    given = datetime(2026, 3, 2, 6, 0, tzinfo=VIETNAM)
    session_id = create_session(starts_at=given, ends_at=given + timedelta(hours=2)).id
    db.session.expire_all()

    session = db.session.get(DialogueSession, session_id)
    assert session.starts_at == given
    assert session.starts_at.utcoffset() == timedelta(0)
    assert (session.starts_at.day, session.starts_at.hour) == (1, 23)


def test_the_database_holds_utc_so_sql_comparisons_are_right(create_session):
    create_session(starts_at=datetime(2026, 3, 2, 6, 0, tzinfo=VIETNAM))
    stored = db.session.execute(sa.text("SELECT starts_at FROM dialogue_sessions")).scalar_one()
    if isinstance(stored, str):  # SQLite keeps text without a zone: it must be UTC
        assert stored.startswith("2026-03-01 23:00:00")
    else:
        assert stored == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    later = db.session.scalar(sa.select(sa.func.count()).select_from(DialogueSession).where(
        DialogueSession.starts_at > datetime(2026, 3, 1, 22, 59, tzinfo=UTC)))
    assert later == 1


def test_a_naive_datetime_is_refused_loudly(create_official):
    official = create_official()
    official.archived_at = datetime(2026, 3, 2, 8, 0)
    with pytest.raises(StatementError, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Official, official.id).archived_at is None
