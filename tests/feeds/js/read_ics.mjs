// Reads an iCalendar text on stdin with ical.js and prints, as JSON on stdout, what it read:
// {"calendar": {...}, "events": [{...}], "errors": [...]} (the shape of tests/feeds/parsers.py's
// Reading). Values are ical.js's own reading (text unescaped by ical.js), never touched up here.
// "ical.js" resolves from the node_modules next to this script (make installs it with npm ci).
import { readFileSync } from "node:fs";

import ICAL from "ical.js";

const pad = (n, width = 2) => String(n).padStart(width, "0");

// The wall-clock time as written: "YYYY-MM-DD HH:MM", or "YYYY-MM-DD" for a DATE value.
function wallClock(time) {
  const date = `${pad(time.year, 4)}-${pad(time.month)}-${pad(time.day)}`;
  return time.isDate ? date : `${date} ${pad(time.hour)}:${pad(time.minute)}`;
}

// "YYYY-MM-DDTHH:MM:SSZ" in UTC; a floating time (or one in an unknown zone) keeps no "Z".
function utcStamp(time) {
  let t = time;
  const known = t.zone && t.zone !== ICAL.Timezone.localTimezone;
  if (known && t.zone !== ICAL.Timezone.utcTimezone) {
    t = t.convertToZone(ICAL.Timezone.utcTimezone);
  }
  const text =
    `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}` +
    `T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}`;
  return known ? `${text}Z` : text;
}

const asText = (value) => (value === null || value === undefined ? "" : String(value));

function firstText(component, name) {
  return asText(component.getFirstPropertyValue(name));
}

function timeValue(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value instanceof ICAL.Time ? value : null;
}

// Runs one read; if ical.js throws, records the error and gives the fallback, so one bad
// property neither hides the others nor drops its event.
function guarded(errors, what, read, fallback) {
  try {
    return read();
  } catch (error) {
    errors.push(`ical.js: ${what}: ${error.name}: ${error.message}`);
    return fallback;
  }
}

function readEvent(vevent, errors) {
  const event = new ICAL.Event(vevent);
  const get = (what, read, fallback = "") => guarded(errors, what, read, fallback);
  const parameter = (name, parameterName) => {
    const property = vevent.getFirstProperty(name);
    return property ? asText(property.getParameter(parameterName)) : "";
  };
  const result = {
    uid: get("UID", () => asText(event.uid)),
    sequence: get("SEQUENCE", () => (Number.isInteger(event.sequence) ? event.sequence : 0), 0),
    status: get("STATUS", () => firstText(vevent, "status").toUpperCase()),
    summary: get("SUMMARY", () => asText(event.summary)),
    description: get("DESCRIPTION", () => asText(event.description)),
    location: get("LOCATION", () => asText(event.location)),
    url: get("URL", () => firstText(vevent, "url")),
    categories: get(
      "CATEGORIES",
      () => vevent.getAllProperties("categories").flatMap((p) => p.getValues().map(asText)),
      [],
    ),
    organizer: get("ORGANIZER", () => asText(event.organizer)),
    organizer_cn: get("ORGANIZER", () => parameter("organizer", "cn")),
    class_: get("CLASS", () => firstText(vevent, "class")),
    attendees: get(
      "ATTENDEE",
      () => vevent.getAllProperties("attendee").map((p) => asText(p.getFirstValue())),
      [],
    ),
  };
  for (const name of ["dtstart", "dtend"]) {
    const what = name.toUpperCase();
    result[name] = get(what, () => {
      const value = timeValue(vevent, name);
      return value ? wallClock(value) : "";
    });
    result[`${name}_tzid`] = get(what, () => parameter(name, "tzid"));
  }
  for (const [key, name] of [
    ["dtstamp", "dtstamp"],
    ["last_modified", "last-modified"],
    ["created", "created"],
  ]) {
    result[key] = get(name.toUpperCase(), () => {
      const value = timeValue(vevent, name);
      return value ? utcStamp(value) : "";
    });
  }
  return result;
}

function read(text) {
  const reading = { calendar: {}, events: [], errors: [] };
  let jcal;
  try {
    jcal = ICAL.parse(text);
  } catch (error) {
    reading.errors.push(`ical.js: ${error.name}: ${error.message}`);
    return reading;
  }
  // One component parses to ["vcalendar", ...]; several to a list of them.
  const roots = typeof jcal[0] === "string" ? [jcal] : jcal;
  const calendars = roots.map((root) => new ICAL.Component(root));
  if (calendars.length !== 1 || calendars[0].name !== "vcalendar") {
    const names = calendars.map((c) => c.name.toUpperCase()).join(", ");
    reading.errors.push(`ical.js: expected one VCALENDAR, read: ${names || "nothing"}`);
  }
  const calendar = calendars.find((c) => c.name === "vcalendar");
  if (!calendar) return reading;
  try {
    for (const property of calendar.getAllProperties()) {
      const name = property.name.toUpperCase();
      const value = property.getValues().map(asText).join(",");
      if (!(name in reading.calendar)) reading.calendar[name] = value;
    }
    reading.calendar.timezones = calendar
      .getAllSubcomponents("vtimezone")
      .map((vtimezone) => firstText(vtimezone, "tzid"));
    for (const vevent of calendar.getAllSubcomponents("vevent")) {
      const event = guarded(reading.errors, "VEVENT", () => readEvent(vevent, reading.errors));
      if (event) reading.events.push(event);
    }
  } catch (error) {
    reading.errors.push(`ical.js: ${error.name}: ${error.message}`);
  }
  return reading;
}

process.stdout.write(JSON.stringify(read(readFileSync(0, "utf8"))));
