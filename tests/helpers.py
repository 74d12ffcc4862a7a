"""Small helpers the tests import: Vietnam wall-clock times, CSRF tokens of real pages, and
counts of SQL statements."""

import contextlib
import re
from datetime import date, datetime, time

from sqlalchemy import event

from dialogue.core.time import local_to_utc
from dialogue.extensions import db

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([\w-]+)\s*=\s*"([^"]*)"')
_META = re.compile(r'<meta\b[^>]*name="csrf-token"[^>]*content="([^"]+)"', re.IGNORECASE)


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
