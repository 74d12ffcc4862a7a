"""What the benchmarks share: a scratch database with Gia Lai loaded, signed-in clients,
and a count of SQL statements."""

import os
import sys
from collections.abc import Callable
from contextlib import contextmanager

import click
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, text

from dialogue import create_app
from dialogue.accounts.models import Role, User
from dialogue.accounts.operations import create_user
from dialogue.extensions import db
from dialogue.units.models import Era, Unit, UnitLevel
from dialogue.units.operations import import_units

PASSWORD = "bench-2026"
GIA_LAI = 52


def check_scratch_database(parser) -> None:
    """Refuse a DATABASE_URL that could hold real data: the benchmark drops everything."""
    name = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    if name and "test" not in name and "bench" not in name:
        parser.error("DATABASE_URL must name a scratch database (its name containing 'test' "
                     "or 'bench'): the benchmark drops everything in it.")


def backend() -> str:
    return "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"


@contextmanager
def scratch_app(folder: str):
    """An app on an empty, migrated database (a SQLite file in ``folder`` unless
    DATABASE_URL is set) with Gia Lai's 2025 units; the database is emptied afterwards."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        if os.environ.get("DATABASE_URL"):
            downgrade(revision="base")
        upgrade()
        import_units([Era.Y2025], province_code=GIA_LAI)
        db.session.commit()
    yield app
    if os.environ.get("DATABASE_URL"):
        with app.app_context():
            downgrade(revision="base")


def province() -> Unit:
    """The 2025 Tỉnh Gia Lai."""
    return db.session.scalar(db.select(Unit).where(
        Unit.era == Era.Y2025, Unit.level == UnitLevel.PROVINCE, Unit.code == GIA_LAI))


def add_secretary(username: str, unit: Unit | None = None) -> User:
    """A secretary (of the province unless ``unit`` is given), whose pages carry the
    permission filters."""
    unit = unit or province()
    user = create_user(username, username, PASSWORD, roles=[(Role.SECRETARY, unit)])
    db.session.commit()
    return user


def signed_in_client(app: Flask, username: str):
    """A test client signed in as ``username``; its requests run outside any app context,
    each in its own, as in production."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, ("login", username, response.status_code)
    return client


class StatementCounter:
    """Counts the SQL statements sent on an engine since the count was last set to 0."""

    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *args, **kwargs):
        self.count += 1


def seed_in_chunks(count: int, chunk: int, label: str, write: Callable[[int], None]) -> None:
    """Call ``write(n)`` for chunks of at most ``chunk`` rows, committing each, with a
    progress bar on stderr."""
    with click.progressbar(length=count, label=label, file=sys.stderr) as bar:
        for begin in range(0, count, chunk):
            size = min(chunk, count - begin)
            write(size)
            db.session.commit()
            bar.update(size)


def fix_sequences(*tables: str) -> None:
    """PostgreSQL: rows were inserted with explicit ids, so move the tables' sequences past
    them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT max(id) FROM {table}))"))
    db.session.commit()
