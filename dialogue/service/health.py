"""What the service says about itself: the probes of a load balancer or a supervisor, and
the page shown while the database does not answer.

``/healthz`` (liveness): the process answers; nothing else is asked, so a database outage
never gets healthy workers restarted. ``/readyz`` (readiness): the database answers and its
schema is the one this code expects (alembic_version at the migrations' head); until then a
load balancer should send no traffic here (during an upgrade, say). Both answer JSON with
``Cache-Control: no-store``, need no login and set no cookie.
"""

import json
import logging
from functools import cache

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.wrappers import Response

from ..core.web import local_path
from ..extensions import db, login_manager

log = logging.getLogger(__name__)

#: What a browser or a calendar client is told to wait before trying again.
RETRY_AFTER_SECONDS = 30
#: PostgreSQL's SQLSTATE classes meaning the server is not there for us: connection
#: exceptions (08), insufficient resources (53, too many connections), operator
#: intervention (57P: shutting down, starting up).
_UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
#: SQLite's: the file cannot be opened, another writer held it past the timeout, the disk
#: failed. A missing table or a bad query stays a 500: that is a bug, not an outage.
_UNAVAILABLE_SQLITE = ("SQLITE_CANTOPEN", "SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR")


def is_unreachable(error: DBAPIError) -> bool:
    """Whether a database error means the database is away (not a bug in a query)."""
    if error.connection_invalidated:
        return True
    original = error.orig
    if hasattr(original, "sqlite_errorname"):
        return original.sqlite_errorname.startswith(_UNAVAILABLE_SQLITE)
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate is None:
        # psycopg has no SQLSTATE for a server it could not reach at all.
        return isinstance(error, OperationalError)
    return sqlstate.startswith(_UNAVAILABLE_SQLSTATES)


def _wants_json() -> bool:
    # The live entry page posts in the background and shows a JSON answer's "errors" where
    # it keeps what was typed; the job pages poll .json addresses.
    return (request.headers.get("X-Requested-With") == "fetch" or request.path.endswith(".json")
            or request.accept_mimetypes.best == "application/json")


def database_unavailable(error: DBAPIError):
    """A 503 that says the database is away, instead of a 500 and its trace.

    Nothing of the request was saved (its transaction never committed). The pool checks
    every connection before use (pool_pre_ping), so the next request after the database
    is back gets a fresh connection: the app recovers without a restart.
    """
    if not is_unreachable(error):
        raise error
    log.warning("database unreachable: %s", error.orig)
    db.session.rollback()
    # Shown as to a visitor: the signed-in user cannot be read (Flask-Login's template
    # context would try, and fail again).
    g._login_user = login_manager.anonymous_user()
    message = _("Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Những gì vừa gửi chưa "
                "được lưu; hãy thử lại sau ít phút.")
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    if _wants_json():
        return jsonify({"errors": [message]}), 503, headers
    # A page that was only read is tried again by itself; a form is never sent again.
    retry_url = local_path(request.full_path.rstrip("?")) if request.method == "GET" else None
    return render_template("service/unavailable.html", message=message, retry_url=retry_url,
                           retry_after=RETRY_AFTER_SECONDS), 503, headers


@cache
def _script_heads(directory: str) -> frozenset[str]:
    """The migrations' head revisions (read once: the code does not change under a running
    process; an upgrade restarts it)."""
    return frozenset(ScriptDirectory(directory).get_heads())


def readiness() -> tuple[bool, dict]:
    """Whether this process can serve, and each check's outcome."""
    try:
        with db.engine.connect() as connection:
            # Read directly: alembic's MigrationContext logs two lines each time it is made.
            applied = frozenset()
            if sa.inspect(connection).has_table("alembic_version"):
                applied = frozenset(connection.scalars(sa.text(
                    "SELECT version_num FROM alembic_version")))
    except DBAPIError as error:
        log.warning("not ready: the database does not answer: %s", error.orig)
        return False, {"database": {"ok": False, "error": type(error.orig).__name__}}
    expected = _script_heads(current_app.extensions["migrate"].directory)
    migrations = {"ok": applied == expected, "database": sorted(applied),
                  "code": sorted(expected)}
    if not migrations["ok"]:
        log.warning("not ready: the database's schema is at %s, the code expects %s",
                    migrations["database"], migrations["code"])
    return migrations["ok"], {"database": {"ok": True}, "migrations": migrations}


class Probes:
    """WSGI middleware answering /healthz and /readyz before Flask: no session, no login
    guard, no cookie, no CSRF; a probe depends on nothing it does not check."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path not in ("/healthz", "/readyz"):
            return self.wsgi_app(environ, start_response)
        headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            status, body = 405, {"status": "method not allowed"}
            headers["Allow"] = "GET, HEAD"
        elif path == "/healthz":
            status, body = 200, {"status": "ok"}
        else:
            with self.app.app_context():
                ready, checks = readiness()
            status = 200 if ready else 503
            body = {"status": "ready" if ready else "unavailable", "checks": checks}
        response = Response(json.dumps(body), status=status, mimetype="application/json",
                            headers=headers)
        return response(environ, start_response)
