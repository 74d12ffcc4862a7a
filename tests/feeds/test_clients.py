"""Every kind of feed as three independent parsers read it: icalendar, ical.js (Thunderbird)
and libical (Evolution). What a subscriber's calendar shows is what they read, so the tests
check the local time, the status and the Vietnamese text in each, never only in the library
that wrote the feed."""

from datetime import timedelta

import pytest

from dialogue.accounts.models import Role
from dialogue.core.time import to_local
from dialogue.extensions import db
from dialogue.sessions.models import SessionFormat, SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule, update_session
from tests.helpers import details_of, form_token

from .parsers import PARSERS, require_parsers

TIMEZONE = "Asia/Ho_Chi_Minh"


@pytest.fixture(autouse=True)
def _parsers():
    require_parsers()


def read_everywhere(data: bytes) -> dict:
    """Each parser's reading of ``data``, after checking that none of them complained."""
    readings = {name: read(data) for name, read in PARSERS.items()}
    for name, reading in readings.items():
        assert reading.errors == [], f"{name}: {reading.errors}"
    return readings


def only_event(reading, uid: str) -> dict:
    matching = [event for event in reading.events if event["uid"] == uid]
    assert len(matching) == 1, f"{uid} appears {len(matching)} times"
    return matching[0]


def wall_clock(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def every_feed(client, ia_grai_dialogue):
    """One path of each kind of feed, each carrying the same public session of Xã Ia Grai,
    and the session."""
    session = ia_grai_dialogue
    client.post("/account/calendar/address",
                data={"csrf_token": form_token(client, "/account/calendar/")})
    page = client.get("/account/calendar/").get_data(as_text=True)
    private = page.split('value="http://127.0.0.1:5000', 1)[1].split('"', 1)[0]
    code = session.unit.code_text
    paths = {
        "all": "/feeds/all.ics",
        "level": "/feeds/levels/commune.ics",
        "unit": f"/feeds/units/{code}.ics",
        "province with its communes": "/feeds/units/52.ics?subunits=1",
        "official": f"/feeds/officials/{session.chair_id}.ics",
        "private": private,
        "one session": f"/sessions/{session.id}.ics",
    }
    return paths, session


@pytest.mark.parametrize("kind", ["all", "level", "unit", "province with its communes",
                                  "official", "private", "one session"])
def test_every_feed_reads_the_same_in_every_parser(kind, every_feed, anonymous):
    paths, session = every_feed
    response = anonymous.get(paths[kind])
    assert response.status_code == 200
    readings = read_everywhere(response.get_data())
    for name, reading in readings.items():
        assert reading.calendar["VERSION"] == "2.0", name
        assert reading.calendar["X-WR-TIMEZONE"] == TIMEZONE, name
        assert reading.calendar["REFRESH-INTERVAL"] == "PT1H", name
        assert reading.calendar["X-PUBLISHED-TTL"] == "PT1H", name
        assert reading.calendar["X-WR-CALNAME"] == (
            session.title if kind == "one session" else reading.calendar["X-WR-CALNAME"]), name
        assert reading.calendar["X-WR-CALNAME"].startswith(
            "Hội nghị" if kind == "one session" else "Lịch đối thoại"), name
        assert reading.calendar["NAME"] == reading.calendar["X-WR-CALNAME"], name
        assert reading.calendar["UID"], name
        assert reading.calendar["timezones"] == [TIMEZONE], name
        event = only_event(reading, session.uid)
        assert event["dtstart"] == wall_clock(session.starts_at), name
        assert event["dtstart"].endswith(" 08:00"), name
        assert event["dtend"].endswith(" 11:00"), name
        assert event["dtstart_tzid"] == event["dtend_tzid"] == TIMEZONE, name
        assert event["status"] == "CONFIRMED", name
        assert event["summary"] == "Hội nghị đối thoại với Nhân dân xã Ia Grai năm 2026", name
        assert event["location"] == "Hội trường UBND xã Ia Grai", name
        assert "Giải phóng mặt bằng, đền bù đất đai; nước sinh hoạt làng Dơr." in \
            event["description"], name
        assert event["categories"] == ["Cấp xã", "Xã Ia Grai"], name
        assert event["organizer_cn"] == "Rơ Mah Tuấn — Chủ tịch UBND xã Ia Grai", name
        assert event["url"] in event["description"], name
        assert event["dtstamp"] == event["last_modified"], name
    calendars = [reading.calendar for reading in readings.values()]
    assert all(calendar["UID"] == calendars[0]["UID"] for calendar in calendars)
    assert anonymous.get(paths[kind]).get_data() == response.get_data()


def test_one_session_from_creation_to_cancellation(anonymous, upcoming, secretary):
    """The UID never changes, SEQUENCE rises at each step, and the cancelled event stays."""
    session = upcoming(days=20, unit="Xã Ia Grai", title="Đối thoại về nước sinh hoạt")
    path = f"/feeds/units/{session.unit.code_text}.ics"
    steps = []

    def read_step(label):
        readings = read_everywhere(anonymous.get(path).get_data())
        steps.append((label, {name: only_event(reading, session.uid)
                              for name, reading in readings.items()}))

    read_step("created")
    moved_to = session.starts_at + timedelta(days=3, hours=6)
    reschedule(session, moved_to, moved_to + timedelta(hours=2), venue=session.venue,
               reason="Trùng lịch tiếp xúc cử tri", by=secretary)
    db.session.commit()
    read_step("rescheduled")
    update_session(session, details_of(session, venue="Nhà văn hóa làng Dơr 1"),
                   by=secretary, expected_version=session.version)
    db.session.commit()
    read_step("venue changed")
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13", by=secretary)
    db.session.commit()
    read_step("cancelled")

    for name in PARSERS:
        events = [(label, by_parser[name]) for label, by_parser in steps]
        assert {event["uid"] for _label, event in events} == {session.uid}, name
        sequences = [event["sequence"] for _label, event in events]
        assert sequences == sorted(set(sequences)), f"{name}: SEQUENCE {sequences} must rise"
        created, rescheduled, moved, cancelled = (event for _label, event in events)
        assert created["dtstart"].endswith(" 08:00"), name
        assert rescheduled["dtstart"] == wall_clock(moved_to), name
        assert rescheduled["dtstart"].endswith(" 14:00"), name
        assert moved["location"] == "Nhà văn hóa làng Dơr 1", name
        assert cancelled["status"] == "CANCELLED", name
        assert cancelled["summary"] == "[Đã hủy] Đối thoại về nước sinh hoạt", name
        assert cancelled["dtstart"] == wall_clock(moved_to), name


NASTY = 'Hội trường, tầng 2; phòng "A" \\ B\r\nATTENDEE:mailto:x@example.com\nDòng 2\rhết'


def as_ical_keeps_it(text: str) -> str:
    """iCalendar text has one kind of line break (an escaped \\n): CR LF and a lone CR in
    the input come back as LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def test_hostile_text_in_every_field_is_escaped_and_read_back(client, anonymous, upcoming):
    session = upcoming(days=9, unit="Xã Ia Grai", is_public=False, format=SessionFormat.HYBRID,
                       title=NASTY, venue="", topic=NASTY, chair_name=NASTY,
                       connection_points=[(NASTY, NASTY)])
    response = client.get(f"/sessions/{session.id}.ics")
    text = response.get_data(as_text=True)
    assert "\r\nATTENDEE" not in text and "\nATTENDEE" not in text.replace("\\n", "")
    readings = read_everywhere(response.get_data())
    expected = as_ical_keeps_it(NASTY.strip())
    for name, reading in readings.items():
        event = only_event(reading, session.uid)
        assert event["attendees"] == [], name
        assert event["summary"] == expected, name
        assert event["location"] == f"{expected}: {expected}", name
        assert expected in event["description"], name
        assert f"Chủ trì: {expected}" in event["description"], name
        # A parameter cannot carry a line break: the organizer's name is on one line.
        assert event["organizer_cn"] == " ".join(expected.split()), name
        assert len(reading.events) == 1, name
        assert reading.calendar["X-WR-CALNAME"] == (
            'Hội trường tầng 2 phòng "A" B ATTENDEE:mailto:x@example.com Dòng 2 hết'), name


def test_an_internal_session_in_a_private_feed_reads_as_private(client, anonymous, upcoming,
                                                                create_user):
    create_user("lanhdao", Role.LEADER, "Xã Ia Grai")
    session = upcoming(days=5, is_public=False, status=SessionStatus.DRAFT,
                       title="Dự thảo: đối thoại nội bộ")
    readings = read_everywhere(client.get(f"/sessions/{session.id}.ics").get_data())
    for name, reading in readings.items():
        event = only_event(reading, session.uid)
        assert event["class_"] == "PRIVATE", name
        assert event["status"] == "TENTATIVE", name
