"""Applications built as production builds them, with settings of their own: a database
that is away, a trusted proxy in front."""

import socket

import pytest

import dialogue
from dialogue.extensions import db

from ..conftest import SECRET_KEY, IsolatedClient


def closed_port() -> int:
    """A port of 127.0.0.1 nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def build_app(monkeypatch):
    """``build_app(database_url, **config)``: the application create_app builds on that
    database with those settings (test settings otherwise, as the suite's ``app``)."""
    built = []

    def build(database_url: str, **config):
        monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
        app = dialogue.create_app({"TESTING": True, "SECRET_KEY": SECRET_KEY,
                                   "SQLALCHEMY_DATABASE_URI": database_url, **config})
        app.test_client_class = IsolatedClient
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def database_away(build_app):
    """An application whose PostgreSQL server does not answer (nothing on its port)."""
    return build_app(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/dialogue"
                     "?connect_timeout=2")
