"""Small helpers the tests import: Vietnam wall-clock times, CSRF tokens of real pages, what
a page tells the user, a session's details as its edit form holds them, the text of a PDF, and
counts of SQL statements."""

import contextlib
import html
import io
import re
from datetime import date, datetime, time
from functools import lru_cache

from pypdf import PdfReader
from sqlalchemy import event

from dialogue.core.time import local_to_utc
from dialogue.extensions import db
from dialogue.sessions.operations import SessionDetails

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_META = re.compile(r'<meta\b[^>]*name="csrf-token"[^>]*content="([^"]+)"', re.IGNORECASE)
#: A message beside a field (``id="<field>-error"``) or above the form (``form-error``), as
#: templates/_macros.html writes them.
_ERROR = re.compile(r'<p class="error(?: form-error)?"(?: id="([\w-]+)-error")?[^>]*>([^<]+)</p>')
_FLASH = re.compile(r'<li class="flash flash-\w+">([^<]+)</li>')


def at(local: str) -> datetime:
    """The aware UTC instant of a Vietnam wall-clock time: ``at("2026-03-02 08:00")``.

    Also reads the way users write it: ``at("02/03/2026 08:00")``.
    """
    day_text, _, time_text = local.strip().partition(" ")
    if "/" in day_text:
        d, m, y = (int(part) for part in day_text.split("/"))
        day = date(y, m, d)
    else:
        day = date.fromisoformat(day_text)
    return local_to_utc(day, time.fromisoformat(time_text or "00:00"))


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form (or the csrf-token meta tag) in a page."""
    for tag in _INPUT.findall(html):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get("name") == "csrf_token" and attributes.get("value"):
            return attributes["value"]
    if match := _META.search(html):
        return match.group(1)
    raise AssertionError("the page has no csrf_token")


def form_token(client, url: str) -> str:
    """GET ``url`` as a user would before submitting its form, and return its CSRF token.

    The token is bound to the client's cookie session, so POST with the same client::

        token = form_token(client, "/sessions/new")
        client.post("/sessions/new", data={"csrf_token": token, ...})
    """
    response = client.get(url)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return csrf_token_in(response.get_data(as_text=True))


def log_in(client, username: str, password: str) -> None:
    """Sign in through the login form, as a person would."""
    response = client.post("/login", data={
        "csrf_token": form_token(client, "/login"), "username": username, "password": password})
    assert response.status_code == 302, f"could not sign in as {username}"


@contextlib.contextmanager
def counting():
    """``with counting() as count: ...`` then ``count[0]`` SQL statements were sent."""
    count = [0]

    def seen(*args, **kwargs):
        count[0] += 1

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def statements(client, url: str) -> int:
    """How many SQL statements a GET of ``url`` sends (the page must answer 200)."""
    with counting() as count:
        assert client.get(url).status_code == 200, url
    return count[0]


def errors(response) -> list[str]:
    """The messages the form shows beside its fields and above them, in page order."""
    return [message for _field, message in _error_rows(response)]


def field_errors(response) -> dict[str, list[str]]:
    """{field id: messages shown beside it}, "" for the form's own messages."""
    found: dict[str, list[str]] = {}
    for field, message in _error_rows(response):
        found.setdefault(field, []).append(message)
    return found


def _error_rows(response) -> list[tuple[str, str]]:
    return [(field, html.unescape(message))
            for field, message in _ERROR.findall(response.get_data(as_text=True))]


def flashes(response) -> list[str]:
    """The flashed messages at the top of the page."""
    return _FLASH.findall(response.get_data(as_text=True))


def details_of(session, **changes) -> SessionDetails:
    """The session's own details with ``changes``: what its edit form would submit."""
    values = dict(
        title=session.title, unit=session.unit, kind=session.kind, format=session.format,
        starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue,
        topic=session.topic, agenda=session.agenda, chair=session.chair,
        chair_name=session.chair_name, secretary=session.secretary,
        secretary_name=session.secretary_name, is_public=session.is_public,
        connection_points=[(p.name, p.place) for p in session.connection_points],
        participants=[(p.full_name, p.role, p.organisation, p.email)
                      for p in session.participants])
    values.update(changes)
    return SessionDetails(**values)


def normalised(text: str) -> str:
    """``text`` with every run of white space one space, as a PDF's lines are compared."""
    return " ".join(text.split())


@lru_cache(maxsize=8)
def page_texts(pdf: bytes) -> tuple[str, ...]:
    """The text of each page of a PDF, white space normalised."""
    # Cached: reading a ten-page file takes a second, and several tests read the long ones.
    return tuple(normalised(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_text(pdf: bytes) -> str:
    """The text of a whole PDF, white space normalised."""
    return " ".join(page_texts(pdf))


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)
