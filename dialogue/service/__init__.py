"""The app's edge: how it is served and watched — the probes, one log line per request,
the page shown while the database is away, and the production server (``serve``)."""

from flask import Flask
from sqlalchemy.exc import DBAPIError

from .health import Probes, database_unavailable
from .requestlog import init_request_log
from .serve import version_assets


def init_service(app: Flask) -> None:
    app.register_error_handler(DBAPIError, database_unavailable)
    version_assets(app)
    app.wsgi_app = Probes(app.wsgi_app, app)
    # Last, so outermost: the request's line covers the probes and every other layer.
    init_request_log(app)
