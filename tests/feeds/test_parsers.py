"""The harness itself: three parsers read small hand-written calendars, and the harness reports
what each read (see tests/feeds/parsers.py)."""

import functools

import pytest

from tests.feeds import parsers
from tests.feeds.parsers import PARSERS, Reading, require_parsers


def ics(text: str) -> bytes:
    """A calendar written with plain newlines, sent with CRLF as RFC 5545 wants."""
    return text.strip("\n").replace("\n", "\r\n").encode("utf-8") + b"\r\n"


@functools.cache
def read(name: str, data: bytes) -> Reading:
    return PARSERS[name](data)


@pytest.fixture
def available():
    require_parsers()


# The long DESCRIPTION line is folded (CRLF + space), inside "evil"; its escaped newline must not
# start a new ATTENDEE line.
VALID = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Dialogue//Lich doi thoai//VI
CALSCALE:GREGORIAN
METHOD:PUBLISH
NAME:Lịch đối thoại xã Ia Grai
X-WR-CALNAME:Lịch đối thoại xã Ia Grai
X-WR-TIMEZONE:Asia/Ho_Chi_Minh
REFRESH-INTERVAL;VALUE=DURATION:PT1H
X-PUBLISHED-TTL:PT1H
BEGIN:VTIMEZONE
TZID:Asia/Ho_Chi_Minh
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0700
TZOFFSETTO:+0700
TZNAME:+07
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:session-42@dialogue.example.org
DTSTAMP:20261120T013000Z
CREATED:20261101T020000Z
LAST-MODIFIED:20261120T013000Z
SEQUENCE:2
STATUS:CONFIRMED
CLASS:PUBLIC
DTSTART;TZID=Asia/Ho_Chi_Minh:20261205T080000
DTEND;TZID=Asia/Ho_Chi_Minh:20261205T113000
SUMMARY:Đối thoại với Nhân dân xã Ia Grai
DESCRIPTION:Ý kiến\, kiến nghị\; hỏi đáp \\ trả lời\nATTENDEE:mailto:evi
 l@example.org
LOCATION:Hội trường UBND xã Ia Grai\, thôn Plei Ia Grai
URL:https://dialogue.example.org/lich/42
CATEGORIES:Cấp xã,Xã Ia Grai
ORGANIZER;CN="Rơ Mah Tuấn":mailto:noreply@example.org
END:VEVENT
END:VCALENDAR
""")

VALID_CALENDAR = {
    "VERSION": "2.0",
    "PRODID": "-//Dialogue//Lich doi thoai//VI",
    "CALSCALE": "GREGORIAN",
    "METHOD": "PUBLISH",
    "NAME": "Lịch đối thoại xã Ia Grai",
    "X-WR-CALNAME": "Lịch đối thoại xã Ia Grai",
    "X-WR-TIMEZONE": "Asia/Ho_Chi_Minh",
    "REFRESH-INTERVAL": "PT1H",
    "X-PUBLISHED-TTL": "PT1H",
    "timezones": ["Asia/Ho_Chi_Minh"],
}

VALID_EVENT = {
    "uid": "session-42@dialogue.example.org",
    "sequence": 2,
    "status": "CONFIRMED",
    "summary": "Đối thoại với Nhân dân xã Ia Grai",
    "description": "Ý kiến, kiến nghị; hỏi đáp \\ trả lời\nATTENDEE:mailto:evil@example.org",
    "location": "Hội trường UBND xã Ia Grai, thôn Plei Ia Grai",
    "url": "https://dialogue.example.org/lich/42",
    "categories": ["Cấp xã", "Xã Ia Grai"],
    "organizer": "mailto:noreply@example.org",
    "organizer_cn": "Rơ Mah Tuấn",
    "dtstart": "2026-12-05 08:00",
    "dtstart_tzid": "Asia/Ho_Chi_Minh",
    "dtend": "2026-12-05 11:30",
    "dtend_tzid": "Asia/Ho_Chi_Minh",
    "dtstamp": "2026-11-20T01:30:00Z",
    "last_modified": "2026-11-20T01:30:00Z",
    "created": "2026-11-01T02:00:00Z",
    "class_": "PUBLIC",
    "attendees": [],
}


@pytest.mark.usefixtures("available")
@pytest.mark.parametrize("name", PARSERS)
def test_each_parser_reads_the_valid_calendar_as_written(name):
    reading = read(name, VALID)

    assert reading.errors == []
    assert reading.calendar == VALID_CALENDAR
    assert reading.events == [VALID_EVENT]


@pytest.mark.usefixtures("available")
def test_the_three_readings_are_identical():
    first, *others = (read(name, VALID) for name in PARSERS)

    for other in others:
        assert other == first


# An all-day event reads "YYYY-MM-DD"; a UTC DTSTART has no TZID; a floating CREATED (which
# RFC 5545 forbids) keeps no "Z". Events come in file order.
TIMES = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Dialogue//Lich doi thoai//VI
BEGIN:VTIMEZONE
TZID:Asia/Ho_Chi_Minh
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0700
TZOFFSETTO:+0700
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:second-in-file@example.org
DTSTAMP:20261120T013000Z
DTSTART;VALUE=DATE:20261205
DTEND;VALUE=DATE:20261206
SUMMARY:Cả ngày
END:VEVENT
BEGIN:VEVENT
UID:utc@example.org
DTSTAMP:20261120T013000Z
LAST-MODIFIED:20261120T013000Z
CREATED:20261101T090000
DTSTART:20261205T010000Z
SUMMARY:Giờ UTC
END:VEVENT
END:VCALENDAR
""")


@pytest.mark.usefixtures("available")
@pytest.mark.parametrize("name", PARSERS)
def test_dates_zones_and_order(name):
    reading = read(name, TIMES)

    assert reading.errors == []
    all_day, utc = reading.events
    assert (all_day["uid"], all_day["dtstart"], all_day["dtend"], all_day["dtstart_tzid"]) == (
        "second-in-file@example.org", "2026-12-05", "2026-12-06", ""
    )
    assert (all_day["sequence"], all_day["status"], all_day["categories"]) == (0, "", [])
    assert (utc["dtstart"], utc["dtstart_tzid"], utc["dtend"]) == ("2026-12-05 01:00", "", "")
    assert utc["last_modified"] == "2026-11-20T01:30:00Z"
    assert utc["created"] == "2026-11-01T09:00:00"


def broken(line: str) -> bytes:
    return ics(f"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Dialogue//Lich doi thoai//VI
BEGIN:VEVENT
UID:broken@example.org
DTSTAMP:20261120T013000Z
{line}
SUMMARY:Đối thoại
END:VEVENT
END:VCALENDAR
""")


# Which parsers report each fault (True) and which read on silently (False), as found with
# icalendar 7, ical.js 2.2 and Debian bookworm's libical 3.0.
BROKEN = {
    "line without a colon": (
        broken("DESCRIPTION Không có dấu hai chấm"),
        {"icalendar": True, "ical.js": True, "libical": True},
    ),
    "parameter without a colon": (
        broken("DTSTART;TZID=Asia/Ho_Chi_Minh 20261205T080000"),
        {"icalendar": True, "ical.js": True, "libical": True},
    ),
    "bad DTSTART value": (
        broken("DTSTART:2026125T0800"),
        {"icalendar": True, "ical.js": True, "libical": True},
    ),
    "SEQUENCE not a number": (
        broken("DTSTART:20261205T010000Z\nSEQUENCE:hai"),
        {"icalendar": True, "ical.js": False, "libical": False},
    ),
}


@pytest.mark.usefixtures("available")
@pytest.mark.parametrize("fault", BROKEN)
def test_faults_are_reported_not_raised(fault):
    data, expected = BROKEN[fault]

    detected = {name: bool(read(name, data).errors) for name in PARSERS}

    assert detected == expected
    if expected["libical"]:
        # What libical wrote as X-LIC-ERROR properties into the VEVENT, e.g.
        # "libical: VEVENT: COMPONENT-PARSE-ERROR: Got a data line, but could not find ..."
        errors = read("libical", data).errors
        assert all(e.startswith("libical: VEVENT: ") and "-PARSE-ERROR: " in e for e in errors)


@pytest.mark.usefixtures("available")
def test_libical_keeps_reading_around_a_bad_line():
    data, _ = BROKEN["bad DTSTART value"]

    reading = read("libical", data)

    assert reading.errors == [
        "libical: VEVENT: VALUE-PARSE-ERROR: Can't parse as DATE-TIME value in DTSTART property."
        " Removing entire property: 2026125T0800"
    ]
    assert [(e["summary"], e["dtstart"]) for e in reading.events] == [("Đối thoại", "")]


@pytest.mark.usefixtures("available")
@pytest.mark.parametrize("name", PARSERS)
@pytest.mark.parametrize(
    "data",
    [b"", b"not a calendar", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n", b"\xff\xfe\x00"],
    ids=["empty", "garbage", "truncated", "binary"],
)
def test_garbage_gives_errors_and_no_events(name, data):
    reading = read(name, data)

    assert reading.errors
    assert reading.events == []


# Where the parsers disagree on well-formed text. The feed should avoid these constructs, or a
# test of it will see the difference.
DISAGREEMENTS = ics(r"""
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Dialogue//Lich doi thoai//VI
NAME:Lịch\, xã Ia Grai
X-WR-CALNAME:Lịch\, xã Ia Grai
BEGIN:VTIMEZONE
TZID:Asia/Ho_Chi_Minh
BEGIN:STANDARD
DTSTART:19700101T000000
TZOFFSETFROM:+0700
TZOFFSETTO:+0700
END:STANDARD
END:VTIMEZONE
BEGIN:VEVENT
UID:disagree@example.org
DTSTAMP:20261120T013000Z
LAST-MODIFIED;TZID=Asia/Ho_Chi_Minh:20261120T083000
DTSTART:20261205T010000Z
CATEGORIES:A\,x,B
ORGANIZER;CN="Nguyễn, Văn; A: ^'B^'":mailto:noreply@example.org
END:VEVENT
END:VCALENDAR
""")


@pytest.mark.usefixtures("available")
def test_known_disagreements():
    readings = {name: read(name, DISAGREEMENTS) for name in PARSERS}

    assert all(r.errors == [] for r in readings.values())
    # NAME (RFC 7986) and X-WR-CALNAME are unknown to icalendar and ical.js: their text comes
    # back still escaped. libical reads NAME as TEXT and unescapes X- values.
    names = {n: (r.calendar["NAME"], r.calendar["X-WR-CALNAME"]) for n, r in readings.items()}
    assert names == {
        "icalendar": ("Lịch\\, xã Ia Grai", "Lịch\\, xã Ia Grai"),
        "ical.js": ("Lịch\\, xã Ia Grai", "Lịch\\, xã Ia Grai"),
        "libical": ("Lịch, xã Ia Grai", "Lịch, xã Ia Grai"),
    }
    # libical 3.0 does not split at the comma after an escaped comma ("A\,x,B").
    categories = {n: r.events[0]["categories"] for n, r in readings.items()}
    assert categories == {"icalendar": ["A,x", "B"], "ical.js": ["A,x", "B"], "libical": ["A,x,B"]}
    # LAST-MODIFIED must be UTC; given a TZID anyway, ical.js and libical convert through the
    # VTIMEZONE, icalendar drops the TZID and reads a floating time.
    modified = {n: r.events[0]["last_modified"] for n, r in readings.items()}
    assert modified == {
        "icalendar": "2026-11-20T08:30:00",
        "ical.js": "2026-11-20T01:30:00Z",
        "libical": "2026-11-20T01:30:00Z",
    }
    # A quoted CN with , ; : and RFC 6868 ^' reads the same everywhere.
    cns = {r.events[0]["organizer_cn"] for r in readings.values()}
    assert cns == {'Nguyễn, Văn; A: "B"'}


# --- the harness's own plumbing --------------------------------------------------------------


def test_a_reader_that_fails_becomes_an_error(monkeypatch, tmp_path):
    monkeypatch.setattr(parsers, "LIBICAL_SCRIPT", tmp_path / "missing.py")

    reading = parsers.read_with_libical(VALID)

    assert reading.events == []
    assert len(reading.errors) == 1
    assert reading.errors[0].startswith("libical: exited with 2: ")


@pytest.mark.parametrize(
    ("ci", "outcome"), [("1", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_missing_parsers_skip_locally_but_fail_under_ci(monkeypatch, ci, outcome):
    monkeypatch.setattr(parsers, "missing_parsers", lambda: ["ical.js: node is missing"])
    monkeypatch.setenv("CI", ci)

    with pytest.raises(outcome, match=r"ical\.js: node is missing.*Run `make test`"):
        require_parsers()
