"""The invitation, its update and its cancellation as three calendar clients read them:
icalendar, ical.js (Thunderbird) and libical (Evolution, GNOME, KDE), each reading the
calendar a participant's mail client receives, and the session's feed with the same parser.
What a participant's calendar shows is what they read, never only what the library that
wrote the message reads back."""

from datetime import timedelta

import pytest

from dialogue.core.time import to_local
from dialogue.feeds import operations as feeds
from dialogue.notices.operations import send_invitations
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule
from tests.feeds.parsers import PARSERS, require_parsers

TIMEZONE = "Asia/Ho_Chi_Minh"
TITLE = "Hội nghị đối thoại với Nhân dân xã Ia Grai năm 2026"
RECIPIENT = "ksorhbia@example.vn"


@pytest.fixture(autouse=True)
def _parsers():
    require_parsers()


def attached_calendar(message) -> bytes:
    """lich-hop.ics, the file the clients that only import attachments open."""
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "lich-hop.ics"]
    return part.get_content()


def inline_calendar(message):
    """The text/calendar alternative Outlook and Gmail act on."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def read_with(name: str, data: bytes):
    reading = PARSERS[name](data)
    assert reading.errors == [], f"{name}: {reading.errors}"
    return reading


def only_event(reading, uid: str | None = None) -> dict:
    events = [e for e in reading.events if uid is None or e["uid"] == uid]
    assert len(events) == 1, f"{uid or 'the calendar'} holds {len(events)} matching events"
    return events[0]


def feed_body(session) -> bytes:
    """The unit's public feed, as a subscriber's calendar fetches it now."""
    return feeds.assemble(feeds.unit_feed(session.unit, subunits=False),
                          feeds.default_window()).body


def wall_clock(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def three_messages(invited_session, secretary, smtp_server, send_outbox):
    """The invitation, the update after a reschedule and the cancellation as they reached
    Ksor H'Bia, each with the session's feed and times at that moment."""
    session = invited_session()
    steps = []

    def arrived(label):
        send_outbox()
        steps.append({"label": label, "message": smtp_server.to(RECIPIENT)[-1],
                      "feed": feed_body(session), "starts": wall_clock(session.starts_at),
                      "ends": wall_clock(session.ends_at), "uid": session.uid})

    send_invitations(session, by=secretary)
    arrived("invitation")
    reschedule(session, session.starts_at + timedelta(days=2, hours=6),
               session.ends_at + timedelta(days=2, hours=6), venue="Nhà văn hóa làng Dơ Ngol",
               reason="Trùng lịch tiếp công dân", by=secretary)
    arrived("update")
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13 đổ bộ", by=secretary)
    arrived("cancellation")
    assert len(smtp_server.to(RECIPIENT)) == 3
    return steps


METHODS = {"invitation": "REQUEST", "update": "REQUEST", "cancellation": "CANCEL"}
SUMMARIES = {"invitation": TITLE, "update": TITLE, "cancellation": f"[Đã hủy] {TITLE}"}
LOCATIONS = {"invitation": "Hội trường UBND xã Ia Grai", "update": "Nhà văn hóa làng Dơ Ngol",
             "cancellation": "Nhà văn hóa làng Dơ Ngol"}
STATUSES = {"invitation": "CONFIRMED", "update": "CONFIRMED", "cancellation": "CANCELLED"}


@pytest.mark.parametrize("parser", list(PARSERS))
def test_each_client_reads_invitation_update_and_cancellation(parser, three_messages):
    sequences = []
    for step in three_messages:
        label, message = step["label"], step["message"]
        where = f"{parser}, {label}"
        # The file and the alternative are the same calendar.
        data = attached_calendar(message)
        assert inline_calendar(message).get_content().encode() == data, where
        reading = read_with(parser, data)
        assert reading.calendar["METHOD"] == METHODS[label], where
        assert reading.calendar["VERSION"] == "2.0", where
        assert reading.calendar["timezones"] == [TIMEZONE], where
        event = only_event(reading)
        assert event["summary"] == SUMMARIES[label], where
        assert event["location"] == LOCATIONS[label], where
        assert event["status"] == STATUSES[label], where
        assert event["organizer"] == "mailto:vanphong@gialai.gov.vn", where
        assert event["organizer_cn"] == "Văn phòng UBND tỉnh Gia Lai", where
        assert event["attendees"] == [f"mailto:{RECIPIENT}"], where
        assert (event["dtstart"], event["dtend"]) == (step["starts"], step["ends"]), where
        assert event["dtstart_tzid"] == event["dtend_tzid"] == TIMEZONE, where
        # The same event as the feed a subscriber reads: a calendar holding both merges them.
        in_feed = only_event(read_with(parser, step["feed"]), step["uid"])
        assert event["uid"] == in_feed["uid"] == step["uid"], where
        assert event["sequence"] == in_feed["sequence"], where
        assert (in_feed["dtstart"], in_feed["status"]) == (event["dtstart"], event["status"]), \
            where
        sequences.append(event["sequence"])
    invitation, update, cancellation = sequences
    assert invitation < update < cancellation, parser
    assert three_messages[0]["starts"].endswith(" 08:00")
    assert three_messages[1]["starts"].endswith(" 14:00")


def test_headers_are_plain_ascii_and_name_the_calendar_method(three_messages):
    subjects = {"invitation": f"Giấy mời: {TITLE}, ",
                "update": f"Thay đổi thời gian, địa điểm: {TITLE}, ",
                "cancellation": f"Hủy phiên: {TITLE}"}
    for step in three_messages:
        label, message = step["label"], step["message"]
        starts = step["starts"]
        when = f"{starts[11:]} {starts[8:10]}/{starts[5:7]}/{starts[:4]}"
        expected = subjects[label] + (when if label != "cancellation" else "")
        assert message["Subject"] == expected, label
        # What travelled: encoded words, since the server offered no SMTPUTF8.
        raw = dict(message.raw_items())
        assert raw["Subject"].isascii() and "=?utf-8?" in raw["Subject"].lower(), label
        assert raw["From"].isascii() and raw["To"].isascii(), label
        assert message["From"].addresses[0].display_name == "Văn phòng UBND tỉnh Gia Lai"
        assert message["To"].addresses[0].display_name == "Ksor H'Bia"
        assert message.as_bytes().isascii(), label
        part = inline_calendar(message)
        assert part.get_param("method") == METHODS[label], label
        assert part.get_content_charset() == "utf-8", label
        assert part.get_content_disposition() is None, label  # inline, not a file
