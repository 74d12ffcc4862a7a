"""Read one iCalendar (RFC 5545) text with three independent parsers and compare what each reads.

    from tests.feeds.parsers import PARSERS, require_parsers

    require_parsers()                       # skip (fail under CI) if a parser cannot run
    for name, read in PARSERS.items():
        reading = read(ics_bytes)           # never raises for a malformed calendar
        assert reading.errors == [], name
        assert reading.events[0]["summary"] == "Đối thoại với Nhân dân xã Ia Grai", name

The parsers
    ``icalendar`` the Python library, in this process.
    ``ical.js``   Mozilla's JavaScript parser (Thunderbird's): ``node tests/feeds/js/read_ics.mjs``,
                  ical.js 2.x installed in tests/feeds/js/node_modules by ``make test``
                  (``npm ci`` from package-lock.json).
    ``libical``   the C library behind Evolution, GNOME Calendar and KDE's importers, through
                  GObject introspection: ``/usr/bin/python3 tests/feeds/libical_read.py`` (Debian's
                  interpreter with python3-gi and gir1.2-ical-3.0, not the virtualenv).

:class:`Reading`
    ``calendar``  the VCALENDAR's own properties by upper-case name (PRODID, VERSION, NAME,
                  X-WR-CALNAME, REFRESH-INTERVAL, ...; the first one when repeated), each as
                  the text the parser gives back, plus ``"timezones"``: the VTIMEZONE TZIDs in
                  file order.
    ``events``    one dict per VEVENT in file order:

                  ``uid`` ``summary`` ``description`` ``location`` ``url`` ``class_``: text;
                  ``sequence``: int (0 when absent); ``status``: upper case or "";
                  ``categories``: every category separately, over all CATEGORIES lines;
                  ``organizer``: the URI ("mailto:x@y"); ``organizer_cn``: its CN parameter;
                  ``attendees``: the ATTENDEE values;
                  ``dtstart`` ``dtend``: the wall-clock time written in the file,
                  "YYYY-MM-DD HH:MM" ("YYYY-MM-DD" for a DATE), with ``dtstart_tzid`` and
                  ``dtend_tzid``, the TZID parameter ("" for UTC or floating times);
                  ``dtstamp`` ``last_modified`` ``created``: "YYYY-MM-DDTHH:MM:SSZ" in UTC
                  (converted through the TZID when one is given; a floating time has no "Z").

                  Absent properties read as "" (or [] / 0). Text is each parser's own unescaped
                  reading, never touched up here: comparing it with what was written is the test.
    ``errors``    every sign of trouble: libical's X-LIC-ERROR properties (from any component)
                  and parse failures; the exceptions ical.js throws; icalendar's exceptions and the
                  errors it collects on components (``component.errors``); a reader that crashed,
                  timed out or printed no JSON.
"""

import functools
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
JS_DIR = HERE / "js"
ICALJS_SCRIPT = JS_DIR / "read_ics.mjs"
ICALJS_PACKAGE = JS_DIR / "node_modules" / "ical.js" / "package.json"
LIBICAL_SCRIPT = HERE / "libical_read.py"
SYSTEM_PYTHON = "/usr/bin/python3"
TIMEOUT = 60

EVENT_TEXT_FIELDS = ("uid", "summary", "description", "location", "url", "class_")


@dataclass
class Reading:
    calendar: dict = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- icalendar -------------------------------------------------------------------------------


def read_with_icalendar(data: bytes) -> Reading:
    import icalendar

    reading = Reading()
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except Exception as error:
        reading.errors.append(f"icalendar: {type(error).__name__}: {error}")
        return reading
    names = [calendar.name for calendar in calendars]
    if names != ["VCALENDAR"]:
        reading.errors.append(f"icalendar: expected one VCALENDAR, read {names}")
    for calendar in calendars:
        for component in calendar.walk():
            reading.errors.extend(
                f"icalendar: {component.name}: {prop or 'line'}: {message}"
                for prop, message in getattr(component, "errors", ())
            )
    calendar = next((c for c in calendars if c.name == "VCALENDAR"), None)
    if calendar is None:
        return reading

    def guarded(what: str, read: Callable, fallback=""):
        try:
            return read()
        except Exception as error:
            reading.errors.append(f"icalendar: {what}: {type(error).__name__}: {error}")
            return fallback

    for name, value in calendar.property_items(recursive=False):
        if name not in ("BEGIN", "END"):
            reading.calendar.setdefault(name, guarded(name, lambda v=value: _ical_text(v)))
    reading.calendar["timezones"] = [
        _ical_text(tz.get("TZID", "")) for tz in calendar.subcomponents if tz.name == "VTIMEZONE"
    ]
    for event in calendar.subcomponents:
        if event.name == "VEVENT":
            reading.events.append(_ical_event(event, guarded))
    return reading


def _ical_event(event, guarded) -> dict:
    def first(name):
        value = event.get(name)
        if isinstance(value, list):
            value = value[0] if value else None
        return None if _ical_broken(value) else value

    def every(name):
        value = event.get(name)
        values = value if isinstance(value, list) else [] if value is None else [value]
        return [v for v in values if not _ical_broken(v)]

    def text(name):
        return guarded(name, lambda: _ical_text(first(name)))

    def sequence():
        value = first("SEQUENCE")
        return 0 if value is None else int(value)

    def categories():
        return [str(c) for prop in every("CATEGORIES") for c in prop.cats]

    def organizer_cn():
        organizer = first("ORGANIZER")
        return "" if organizer is None else str(organizer.params.get("CN", ""))

    def tzid(name):
        value = first(name)
        return "" if value is None else str(value.params.get("TZID", ""))

    result = {
        "uid": text("UID"),
        "sequence": guarded("SEQUENCE", sequence, 0),
        "status": text("STATUS").upper(),
        "summary": text("SUMMARY"),
        "description": text("DESCRIPTION"),
        "location": text("LOCATION"),
        "url": text("URL"),
        "categories": guarded("CATEGORIES", categories, []),
        "organizer": text("ORGANIZER"),
        "organizer_cn": guarded("ORGANIZER", organizer_cn),
        "class_": text("CLASS"),
        "attendees": guarded("ATTENDEE", lambda: [str(a) for a in every("ATTENDEE")], []),
    }
    for key, name in (("dtstart", "DTSTART"), ("dtend", "DTEND")):
        result[key] = guarded(name, lambda n=name: _wall_clock(first(n)))
        result[f"{key}_tzid"] = guarded(name, lambda n=name: tzid(n))
    for key, name in (("dtstamp", "DTSTAMP"), ("last_modified", "LAST-MODIFIED"),
                      ("created", "CREATED")):
        result[key] = guarded(name, lambda n=name: _utc_stamp(first(n)))
    return result


def _ical_broken(value) -> bool:
    # A property icalendar could not parse; its error is already in component.errors.
    return type(value).__name__ == "vBroken"


def _ical_text(value) -> str:
    """icalendar's text for a value: str() of its text types (unescaped vText, but vUnknown,
    e.g. NAME or X-WR-CALNAME, as written), the iCalendar form of the others."""
    if value is None:
        return ""
    if isinstance(value, str):
        return str(value)
    return value.to_ical().decode()


def _wall_clock(value) -> str:
    if value is None:
        return ""
    moment = value.dt
    if isinstance(moment, datetime):
        return moment.strftime("%Y-%m-%d %H:%M")
    if isinstance(moment, date):
        return moment.strftime("%Y-%m-%d")
    raise TypeError(f"not a date or date-time: {moment!r}")


def _utc_stamp(value) -> str:
    if value is None:
        return ""
    moment = value.dt
    if not isinstance(moment, datetime):
        raise TypeError(f"not a date-time: {moment!r}")
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%dT%H:%M:%S")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the readers in other processes ----------------------------------------------------------


def _run_reader(label: str, command: list[str], data: bytes, env=None) -> Reading:
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=TIMEOUT, env=env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Reading(errors=[f"{label}: could not run {command[0]}: {error}"])
    stderr = done.stderr.decode("utf-8", errors="replace").strip()
    if done.returncode != 0:
        return Reading(errors=[f"{label}: exited with {done.returncode}: {stderr}"])
    try:
        result = json.loads(done.stdout.decode("utf-8"))
        return Reading(result["calendar"], result["events"], result["errors"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
        return Reading(errors=[f"{label}: unreadable output ({error}): {stderr}"])


def read_with_icaljs(data: bytes) -> Reading:
    node = shutil.which("node") or "node"
    return _run_reader("ical.js", [node, str(ICALJS_SCRIPT)], data)


def _system_python_env() -> dict:
    # The system interpreter must not see the virtualenv's packages or settings.
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTHON") and key != "VIRTUAL_ENV"
    }


def read_with_libical(data: bytes) -> Reading:
    return _run_reader(
        "libical", [SYSTEM_PYTHON, "-I", str(LIBICAL_SCRIPT)], data, env=_system_python_env()
    )


PARSERS: dict[str, Callable[[bytes], Reading]] = {
    "icalendar": read_with_icalendar,
    "ical.js": read_with_icaljs,
    "libical": read_with_libical,
}


# --- availability ----------------------------------------------------------------------------


@functools.cache
def _libical_problem() -> str | None:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return f"{SYSTEM_PYTHON} is missing"
    check = (
        "import gi; gi.require_version('ICalGLib', '3.0'); from gi.repository import ICalGLib"
    )
    try:
        done = subprocess.run(
            [SYSTEM_PYTHON, "-I", "-c", check],
            capture_output=True,
            timeout=TIMEOUT,
            env=_system_python_env(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exited with {done.returncode}"
    return None


def missing_parsers() -> list[str]:
    """Which parsers cannot run here, each with how to install it ([] when all can)."""
    missing = []
    try:
        import icalendar  # noqa: F401
    except ImportError:
        missing.append("icalendar (Python package): pip install -e '.[test]' in .venv")
    if shutil.which("node") is None:
        missing.append("ical.js needs node: sudo apt-get install nodejs npm")
    if not ICALJS_PACKAGE.is_file():
        missing.append(
            "ical.js is not installed in tests/feeds/js/node_modules: "
            "make tests/feeds/js/node_modules/.package-lock.json"
        )
    problem = _libical_problem()
    if problem:
        missing.append(
            f"libical through {SYSTEM_PYTHON} ({problem}): "
            "sudo apt-get install python3-gi gir1.2-ical-3.0"
        )
    return missing


def require_parsers() -> None:
    """Skip the calling test when a parser cannot run; under CI (``CI`` set) fail instead,
    since CI must run every comparison."""
    missing = missing_parsers()
    if not missing:
        return
    message = (
        "iCalendar PARSERS MISSING, the feed comparisons cannot run: "
        + "; ".join(missing)
        + ". Run `make test` to install them."
    )
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
