"""What a notice says: its subject and bodies, the iTIP calendar and the invitation letter,
frozen from the records when the change is made. Always in Vietnamese: an invitation is an
official document, whatever language its sender's interface is in."""

from datetime import datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from icalendar import Calendar, vCalAddress

from ..core.document import date_line, lay_out, render_lock
from ..core.time import format_date, local_today, to_local
from ..feeds.ical import PRODID, build_event, session_link, vtimezone
from ..minutes.models import MinutesTemplate
from ..minutes.operations import heading_defaults
from ..sessions.models import DialogueSession
from .mailer import sender_address
from .models import NoticeKind

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

SUBJECTS = {
    NoticeKind.INVITATION: "Giấy mời: {title}, {when}",
    NoticeKind.UPDATE: "Thay đổi thời gian, địa điểm: {title}, {when}",
    NoticeKind.POSTPONEMENT: "Tạm hoãn: {title}",
    NoticeKind.CANCELLATION: "Hủy phiên: {title}",
    NoticeKind.REMINDER: "Nhắc lịch: {title}, {when}",
}
#: iTIP methods (RFC 5546): a postponed session stays in calendars, marked tentative.
METHODS = {NoticeKind.INVITATION: "REQUEST", NoticeKind.UPDATE: "REQUEST",
           NoticeKind.POSTPONEMENT: "REQUEST", NoticeKind.REMINDER: "REQUEST",
           NoticeKind.CANCELLATION: "CANCEL"}


def one_line(text: str) -> str:
    """A header or a parameter never holds a line break: a CR or LF in a name or title
    would start a header of its own (Bcc:) in a message."""
    return " ".join(str(text).split())


def spoken_time(moment: datetime) -> str:
    """"08 giờ 00, thứ Năm, ngày 05/03/2026"."""
    local = to_local(moment)
    return f"{local:%H} giờ {local:%M}, {WEEKDAYS[local.weekday()]}, ngày {format_date(local)}"


def _place_lines(session: DialogueSession) -> list[str]:
    return [f"{point.name}: {point.place}" if point.place else point.name
            for point in session.connection_points]


def session_facts(session: DialogueSession) -> dict:
    """The session as every notice about it tells it."""
    return {
        "title": session.title, "unit": session.unit_name,
        "starts": spoken_time(session.starts_at), "ends": f"{to_local(session.ends_at):%H:%M}",
        "venue": session.venue, "format": str(session.format.label),
        "connection_points": _place_lines(session), "chair": session.chair_label,
        "topic": session.topic, "agenda": [line for line in session.agenda.splitlines()
                                           if line.strip()],
        "status": str(session.status.label), "link": session_link(session),
    }


def session_texts(session: DialogueSession, kind: NoticeKind, *, reason: str = "",
                  lead: timedelta | None = None) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a notice about the session."""
    with force_locale("vi"):
        facts = session_facts(session)
        context = {"kind": kind.value, "facts": facts, "reason": reason.strip(),
                   "lead": _lead_text(lead) if lead else ""}
        subject = SUBJECTS[kind].format(title=session.title,
                                        when=f"{to_local(session.starts_at):%H:%M %d/%m/%Y}")
        return (one_line(subject)[:300], render_template("notices/mail/session.txt", **context),
                render_template("notices/mail/session.html", **context))


def _lead_text(lead: timedelta) -> str:
    hours = int(lead.total_seconds() // 3600)
    if hours and hours % 24 == 0:
        return f"{hours // 24} ngày"
    if hours:
        return f"{hours} giờ"
    return f"{int(lead.total_seconds() // 60)} phút"


def texts(template: str, subject: str, **context) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of a notice from ``notices/mail/<template>.txt|html``."""
    with force_locale("vi"):
        return (one_line(subject)[:300],
                render_template(f"notices/mail/{template}.txt", **context),
                render_template(f"notices/mail/{template}.html", **context))


# The calendar ------------------------------------------------------------------------------


def session_calendar(session: DialogueSession, kind: NoticeKind) -> str:
    """The iTIP message (RFC 5546) about the session: the feeds' event (same UID, SEQUENCE
    the session's revision), organised by the sender, without attendees."""
    with force_locale("vi"):
        event = build_event(session)
    event.pop("ORGANIZER")
    organizer = vCalAddress(f"mailto:{sender_address().addr_spec}")
    organizer.params["cn"] = one_line(sender_address().display_name
                                      or session.unit_name).replace('"', "'")
    event.add("organizer", organizer)
    if kind is NoticeKind.CANCELLATION:
        event["STATUS"] = "CANCELLED"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", METHODS[kind])
    text = calendar.to_ical().decode()
    body = text.removesuffix("END:VCALENDAR\r\n")
    return body + vtimezone().decode() + event.to_ical().decode() + "END:VCALENDAR\r\n"


def calendar_for(calendar_text: str, email: str, name: str) -> bytes:
    """The notice's calendar naming its recipient as the attendee (whose answer Outlook and
    Google ask for, and whose copy they match)."""
    calendar = Calendar.from_ical(calendar_text)
    method = str(calendar.get("METHOD"))
    for event in calendar.walk("VEVENT"):
        attendee = vCalAddress(f"mailto:{email}")
        # A parameter value cannot hold a double quote at all (RFC 5545, 3.2).
        attendee.params["cn"] = one_line(name or email).replace('"', "'")
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["cutype"] = "INDIVIDUAL"
        if method == "REQUEST":
            attendee.params["partstat"] = "NEEDS-ACTION"
            attendee.params["rsvp"] = "TRUE"
        event.add("attendee", attendee)
    return calendar.to_ical()


# The invitation letter --------------------------------------------------------------------


def letter_content(session: DialogueSession, kind: NoticeKind, *, reason: str = "") -> dict:
    """The giấy mời as printed (Nghị định 30/2020, Phụ lục III, mẫu 1.4: "Giấy mời" of the
    unit's People's Committee), frozen."""
    heading = heading_defaults(session.unit, MinutesTemplate.STATE)
    symbol = heading["symbol"].replace("BB", "GM")
    with force_locale("vi"):
        facts = session_facts(session)
    return {
        **facts, "template": MinutesTemplate.STATE.value,
        "parent_body": heading["parent_body"], "issuing_body": heading["issuing_body"],
        "number_line": f"Số:      /{symbol}",
        "place_date": date_line(session.unit.short_name, local_today()),
        "inviter": f"Ủy ban nhân dân {session.unit.name[:1].lower()}{session.unit.name[1:]}",
        "signer": session.chair.full_name if session.chair else session.chair_name,
        "signer_position": session.chair.position if session.chair else "",
        "changed": kind is NoticeKind.UPDATE, "reason": reason.strip(),
        "revision": session.revision,
    }


def letter_pdf(letter: dict) -> bytes:
    """The letter laid out by the minutes' renderer (the package's own fonts and stylesheet,
    nothing else loaded)."""
    html = render_template("notices/letter.html", doc=letter, for_pdf=True)
    with render_lock:
        return lay_out(html).write_pdf(pdf_variant="pdf/a-3b")


def uses_letter(kind: NoticeKind) -> bool:
    return kind in (NoticeKind.INVITATION, NoticeKind.UPDATE)

