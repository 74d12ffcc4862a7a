"""Read an iCalendar text on stdin with libical and print what it read as JSON on stdout.

Run with Debian's interpreter, not the project's virtualenv (it needs python3-gi and
gir1.2-ical-3.0)::

    /usr/bin/python3 tests/feeds/libical_read.py < calendar.ics

The JSON has the shape of ``tests.feeds.parsers.Reading``. Values are libical's own reading:
the typed getters, which hand back unescaped text (``get_value_as_string`` would escape it
again). ``errors`` holds every X-LIC-ERROR libical wrote into any component while parsing.

gir1.2-ical-3.0 ships two typelibs: ``ICal`` (the bare C functions, unusable from Python) and
``ICalGLib`` (the object API used here: ``Component.new_from_string`` and so on).
"""

import json
import sys

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib as ICal  # noqa: E402

Kind = ICal.PropertyKind
ANY = Kind.ANY_PROPERTY


def properties(component, kind=ANY):
    prop = component.get_first_property(kind)
    while prop is not None:
        yield prop
        prop = component.get_next_property(kind)


def components(component, kind=ICal.ComponentKind.ANY_COMPONENT):
    child = component.get_first_component(kind)
    while child is not None:
        yield child
        child = component.get_next_component(kind)


def first(component, kind):
    return component.get_first_property(kind)


def value_kind(prop):
    value = prop.get_value()
    if value is None:
        return None
    try:
        return value.isa()
    except ValueError:  # a kind newer than the typelib's enum
        return None


def text_of(prop):
    """A property's value as the text libical gives back: unescaped for TEXT and X-…"""
    kind = value_kind(prop)
    if kind == ICal.ValueKind.TEXT_VALUE:
        return prop.get_value().get_text() or ""
    if kind == ICal.ValueKind.X_VALUE:
        return prop.get_x() or ""
    return prop.get_value_as_string() or ""


def first_text(component, kind):
    prop = first(component, kind)
    return text_of(prop) if prop is not None else ""


def parameter(prop, kind, getter):
    if prop is None:
        return ""
    param = prop.get_first_parameter(kind)
    return (getattr(param, getter)() or "") if param is not None else ""


def collect_errors(component, errors):
    name = ICal.Component.kind_to_string(component.isa())
    for prop in properties(component, Kind.XLICERROR_PROPERTY):
        param = prop.get_first_parameter(ICal.ParameterKind.XLICERRORTYPE_PARAMETER)
        # "X-LIC-ERRORTYPE=VALUE-PARSE-ERROR" → "VALUE-PARSE-ERROR"
        error_type = param.as_ical_string().partition("=")[2] if param is not None else "ERROR"
        errors.append(f"libical: {name}: {error_type}: {prop.get_xlicerror()}")
    for child in components(component):
        collect_errors(child, errors)


def wall_clock(time):
    date = f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
    return date if time.is_date() else f"{date} {time.get_hour():02d}:{time.get_minute():02d}"


def utc_stamp(prop, calendar):
    """UTC "YYYY-MM-DDTHH:MM:SSZ"; a floating time (or one in an unknown zone) keeps no Z."""
    # Resolves a TZID against the calendar's VTIMEZONEs.
    time = prop.get_datetime_with_component(calendar)
    if time is None or time.is_null_time():
        return ""
    utc = time.is_utc()
    if not utc and time.get_timezone() is not None:
        time = time.convert_to_zone(ICal.Timezone.get_utc_timezone())
        utc = True
    text = (
        f"{time.get_year():04d}-{time.get_month():02d}-{time.get_day():02d}"
        f"T{time.get_hour():02d}:{time.get_minute():02d}:{time.get_second():02d}"
    )
    return text + "Z" if utc else text


def time_fields(event, calendar):
    fields = {}
    for key, kind in (("dtstart", Kind.DTSTART_PROPERTY), ("dtend", Kind.DTEND_PROPERTY)):
        prop = first(event, kind)
        time = prop.get_value().get_datetime() if prop is not None else None
        fields[key] = wall_clock(time) if time is not None and not time.is_null_time() else ""
        fields[f"{key}_tzid"] = parameter(prop, ICal.ParameterKind.TZID_PARAMETER, "get_tzid")
    for key, kind in (
        ("dtstamp", Kind.DTSTAMP_PROPERTY),
        ("last_modified", Kind.LASTMODIFIED_PROPERTY),
        ("created", Kind.CREATED_PROPERTY),
    ):
        prop = first(event, kind)
        fields[key] = utc_stamp(prop, calendar) if prop is not None else ""
    return fields


def read_event(event, calendar):
    organizer = first(event, Kind.ORGANIZER_PROPERTY)
    return {
        "uid": event.get_uid() or "",
        "sequence": event.get_sequence(),
        "status": first_text(event, Kind.STATUS_PROPERTY).upper(),
        "summary": event.get_summary() or "",
        "description": event.get_description() or "",
        "location": event.get_location() or "",
        "url": first_text(event, Kind.URL_PROPERTY),
        # libical splits "CATEGORIES:a,b" into one CATEGORIES property per value.
        "categories": [
            p.get_categories() or "" for p in properties(event, Kind.CATEGORIES_PROPERTY)
        ],
        "organizer": (organizer.get_organizer() or "") if organizer is not None else "",
        "organizer_cn": parameter(organizer, ICal.ParameterKind.CN_PARAMETER, "get_cn"),
        "class_": first_text(event, Kind.CLASS_PROPERTY),
        "attendees": [p.get_attendee() or "" for p in properties(event, Kind.ATTENDEE_PROPERTY)],
        **time_fields(event, calendar),
    }


def read(text):
    reading = {"calendar": {}, "events": [], "errors": []}
    try:
        root = ICal.Component.new_from_string(text)
    except TypeError:  # "constructor returned NULL"
        root = None
    if root is None:
        reading["errors"].append(
            "libical: could not parse a component (truncated? not iCalendar?)"
        )
        return reading
    collect_errors(root, reading["errors"])
    root_kind = root.isa()
    if root_kind == ICal.ComponentKind.VCALENDAR_COMPONENT:
        calendars = [root]
    else:
        calendars = list(components(root, ICal.ComponentKind.VCALENDAR_COMPONENT))
    if len(calendars) != 1 or root_kind != ICal.ComponentKind.VCALENDAR_COMPONENT:
        found = ICal.Component.kind_to_string(root_kind)
        reading["errors"].append(
            f"libical: expected one VCALENDAR, read {found} with {len(calendars)} VCALENDAR"
        )
    if not calendars:
        return reading
    calendar = calendars[0]
    for prop in properties(calendar):
        name = (prop.get_property_name() or "").upper()
        if name and name != "X-LIC-ERROR":
            reading["calendar"].setdefault(name, text_of(prop))
    reading["calendar"]["timezones"] = [
        first_text(vtimezone, Kind.TZID_PROPERTY)
        for vtimezone in components(calendar, ICal.ComponentKind.VTIMEZONE_COMPONENT)
    ]
    for event in components(calendar, ICal.ComponentKind.VEVENT_COMPONENT):
        try:
            reading["events"].append(read_event(event, calendar))
        except Exception as error:  # a reading this script did not foresee: report, not crash
            reading["errors"].append(f"libical: reading a VEVENT: {type(error).__name__}: {error}")
    return reading


def main():
    text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    sys.stdout.write(json.dumps(read(text)))


if __name__ == "__main__":
    main()
