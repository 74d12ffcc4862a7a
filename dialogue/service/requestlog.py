"""One log line per request, and the shape of every log line (LOG_FORMAT=json|text).

A request's line holds the time, method, path, status, duration, bytes sent, the signed-in
user's id, the client's address (as ProxyFix read it from a trusted proxy) and a request id
(also sent back as X-Request-ID, and added to every other line logged during the request).

What a line never holds: a personal feed's token (its address is all it takes to read the
feed), what a citizen typed or a contact (query values other than a few harmless filters
are masked; forms are never logged).
"""

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from uuid import uuid4

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from sqlalchemy import inspect

log = logging.getLogger("dialogue.requests")

MASK = "***"
#: Addresses whose next segment is a secret (a route argument named ``token``): masked,
#: keeping the ``.ics`` so the line still says what was asked for.
SECRET_SEGMENTS = (re.compile(r"^(/feeds/private/)[^/]*?(\.ics)?(?=/|$)"),
                   # An unsubscribe link carries its recipient's address, signed.
                   re.compile(r"^(/unsubscribe/)[^/]*()(?=/|$)"))
#: Query parameters whose values are logged: page numbers, dates and choices from lists.
#: Any other value (a search text may be a citizen's name or telephone) is masked.
HARMLESS_PARAMETERS = frozenset({
    "page", "year", "month", "from", "to", "level", "status", "kind", "era", "subunits",
    "archived", "period", "format", "in",
})
#: A request id nginx sends ($request_id), taken only from a trusted proxy.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: Where the middleware and Flask pass the request's facts to each other (the environ).
REQUEST_ID_KEY = "dialogue.request_id"
USER_ID_KEY = "dialogue.user_id"


def loggable_path(path: str) -> str:
    for pattern in SECRET_SEGMENTS:
        path = pattern.sub(lambda match: f"{match[1]}{MASK}{match[2] or ''}", path)
    return path


def loggable_query(query: str) -> str:
    """The query string with the values of any parameter but the harmless ones masked."""
    kept = []
    for pair in query.split("&"):
        if not pair:
            continue
        name, equals, _value = pair.partition("=")
        kept.append((pair if name in HARMLESS_PARAMETERS else f"{name}{equals}{MASK}")[:100])
    return "&".join(kept)


def _text(wsgi_string: str) -> str:
    """A WSGI environ string (bytes read as latin-1) as the UTF-8 text it was sent as."""
    return wsgi_string.encode("latin-1").decode("utf-8", "replace")


class RequestLog:
    """WSGI middleware writing the request's line once the answer is sent.

    The outermost layer, so that its duration covers everything (the probes, the proxy fix,
    Flask, the sending) and it sees every status, a 500 included. The client's address is
    read after the application ran: ProxyFix, inside, rewrote it from X-Forwarded-For (the
    probes answer before it: theirs is the proxy's, the one that asks them).
    """

    def __init__(self, wsgi_app, *, trust_request_id: bool):
        self.wsgi_app = wsgi_app
        self.trust_request_id = trust_request_id

    def _request_id(self, environ) -> str:
        sent = environ.get("HTTP_X_REQUEST_ID", "")
        if self.trust_request_id and _REQUEST_ID.fullmatch(sent):
            return sent
        return uuid4().hex

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        request_id = environ[REQUEST_ID_KEY] = self._request_id(environ)
        status = []

        def start(status_line, headers, exc_info=None):
            status[:] = [int(status_line.split(" ", 1)[0])]
            headers.append(("X-Request-ID", request_id))
            return start_response(status_line, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            _write(environ, 500, started, 0)
            raise
        return _Counted(body, lambda sent: _write(environ, status[0] if status else 500,
                                                   started, sent))


class _Counted:
    """The answer's body, counted as the server sends it; logs when the server closes it."""

    def __init__(self, body, on_close):
        self.body = body
        self.on_close = on_close
        self.sent = 0

    def __iter__(self):
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.on_close(self.sent)


def _write(environ, status: int, started: float, sent: int) -> None:
    script_name, path_info = (_text(environ.get(key, "")) for key in ("SCRIPT_NAME",
                                                                     "PATH_INFO"))
    path = script_name + loggable_path(path_info)
    fields = {
        "method": environ.get("REQUEST_METHOD", ""),
        "path": path,
        "query": loggable_query(_text(environ.get("QUERY_STRING", ""))),
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "bytes": sent,
        "user_id": environ.get(USER_ID_KEY),
        "remote_addr": environ.get("REMOTE_ADDR", ""),
        "request_id": environ[REQUEST_ID_KEY],
    }
    log.info("%s %s %s", fields["method"], path, status, extra={"fields": fields})


def _note_user(response):
    """Keep the signed-in user's id for the request's line, if the request loaded one.

    Read from the identity SQLAlchemy keeps: the user object may be expired after a commit,
    and reading its id would cost a query (or fail, with the database away)."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is not None and state.identity:
        request.environ[USER_ID_KEY] = state.identity[0]
    return response


def current_request_id() -> str | None:
    return request.environ.get(REQUEST_ID_KEY) if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, then the record's fields
    (a request's line), its request id and any exception's trace."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if "request_id" not in line and (request_id := current_request_id()):
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """For a terminal: ``time LEVEL logger message`` and a request's facts as key=value."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = getattr(record, "fields", None)
        if fields:
            shown = {key: value for key, value in fields.items()
                     if key not in ("method", "path", "status") and value not in (None, "")}
            text += " " + " ".join(f"{key}={value}" for key, value in shown.items())
        elif request_id := current_request_id():
            text += f" request_id={request_id}"
        return text


def formatter_for(fmt: str) -> logging.Formatter:
    """The formatter LOG_FORMAT names (also named by gunicorn's logging configuration)."""
    if fmt == "json":
        return JsonFormatter()
    if fmt == "text":
        return TextFormatter()
    raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {fmt!r}")


def _not_an_access_line(record: logging.LogRecord) -> bool:
    """The development server's access lines repeat ours, with the tokens in them; its
    other lines (the address it serves on) stay."""
    return not (record.levelno == logging.INFO and " - - [" in str(record.msg))


def configure_logging(app: Flask) -> None:
    """Send the process's log lines to stderr in LOG_FORMAT, unless logging is already set
    up (gunicorn's configuration from ``serve``, an operator's own, pytest's)."""
    root = logging.getLogger()
    formatter = formatter_for(app.config["LOG_FORMAT"])
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter)
        root.addHandler(handler)
        # A command's own output (its progress bar) is not drowned in the app's notes:
        # warnings only, but the request lines; `jobs work` and `serve` log every step.
        root.setLevel(logging.WARNING)
        log.setLevel(logging.INFO)
    # Flask's own handler would print the app's lines a second time, unformatted.
    app.logger.removeHandler(default_handler)
    logging.getLogger("werkzeug").addFilter(_not_an_access_line)
    # WeasyPrint tells each step of each page it lays out.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def init_request_log(app: Flask) -> None:
    if not app.testing:
        configure_logging(app)
    app.after_request(_note_user)
    app.wsgi_app = RequestLog(app.wsgi_app, trust_request_id=app.config["TRUSTED_PROXIES"] > 0)
