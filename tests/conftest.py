"""Fixtures shared by the whole suite.

The database
    ``DATABASE_URL`` when set (CI runs the suite again with
    ``DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test``), otherwise a SQLite file in a
    pytest temporary folder. Once per test session everything in it is dropped, the Alembic
    migrations are run (never ``db.create_all()``) and the units of Gia Lai are loaded:
    ``import_units([Era.LEGACY, Era.Y2025], province_code=52)``, i.e. the 2025 Tỉnh Gia Lai
    (code 52) with its legacy predecessors Tỉnh Bình Định (52) and Tỉnh Gia Lai (64).

    Every test runs inside an application context, so operations and ``db.session`` work
    directly. After each test every row is deleted except those of ``units`` and
    ``unit_successions``; a test that leaves the unit tables changed fails in its teardown.
    A test that must import other units or start from an empty database uses
    ``scratch_app``.

Fixtures
    ``app``             the application (session-wide), CSRF protection on as in production.
    ``client``          a test client; see :class:`IsolatedClient`.
    ``client_for``      ``client_for(user)``: a test client signed in as that user.
    ``scratch_app``     an application on its own empty, migrated database.
    ``unit``            ``unit("Xã Ia Grai")`` finds a unit by name (2025 era by default).
    ``create_official`` ``create_official(**overrides)`` adds an official, committed.
    ``create_session``  ``create_session(**overrides)`` schedules a session, committed.
    ``at``              ``at("2026-03-02 08:00")``: UTC instant of a Vietnam wall-clock time
                        (also importable: ``from tests.helpers import at, form_token``).

Forms: CSRF is enabled. Take the token from the page the user would have seen with
``tests.helpers.form_token(client, url)``, or switch protection off for one test with
``monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)``. What a page tells the user
is read with ``tests.helpers``' ``errors``, ``field_errors`` and ``flashes``. A client of any
other user is ``client_for(user)``; sign in by hand (``log_in``) only where the sign-in itself
is under test (an address, a wrong or temporary password).
"""

import atexit
import contextvars
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy.orm import aliased

import dialogue
from dialogue import config as app_config
from dialogue.accounts import operations as account_operations
from dialogue.accounts.models import Role, User
from dialogue.accounts.operations import create_user as create_account
from dialogue.accounts.operations import find_user
from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.jobs.operations import enqueue
from dialogue.officials.models import Official
from dialogue.officials.operations import add_official, link_account
from dialogue.sessions.models import SessionFormat, SessionKind, SessionStatus
from dialogue.sessions.operations import (
    TRANSITIONS,
    SessionDetails,
    change_status,
    schedule_session,
)
from dialogue.units.models import Era, Unit, UnitLevel
from dialogue.units.operations import import_units

from .database import migrate, reset_schema
from .helpers import at as _at
from .helpers import log_in

pytest_plugins = ["tests.issue_fixtures"]

#: Loaded once per test session and never emptied between tests.
UNIT_TABLES = frozenset({"units", "unit_successions"})
#: Seeded by the migrations (DOMAIN.md's fields, public holidays 2025-2027, the feed state).
SEEDED_TABLES = ("issue_fields", "holidays", "feed_state")
#: The 2025 province the suite is built around.
GIA_LAI = 52
#: The password of every account the tests create.
PASSWORD = "mat-khau-thu-2026"
SECRET_KEY = "tests-only-secret-key"


class IsolatedClient(FlaskClient):
    """A test client whose requests run as in production: each request in its own
    application context, hence its own database session and its own ``flask.g``.

    Before each request the test's session is committed, so the request sees what the test
    created and waits on no lock; afterwards the test's objects are expired and read the
    view's changes on next access. Do not use ``with client:`` (context preservation).
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url: str):
    """The application as production builds it, on ``database_url``, with test settings,
    its instance folder (attachments, job files) a temporary one."""
    instance = tempfile.mkdtemp(prefix="dialogue-instance-")
    atexit.register(shutil.rmtree, instance, ignore_errors=True)
    with pytest.MonkeyPatch.context() as patch:
        # config.load() would otherwise write a secret key into /work/main/instance.
        patch.setenv("SECRET_KEY", SECRET_KEY)
        app = dialogue.create_app({
            "TESTING": True,
            "SECRET_KEY": SECRET_KEY,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": instance,
        })
    app.test_client_class = IsolatedClient
    return app


def _table_counts(tables) -> dict[str, int]:
    count = sa.select(sa.func.count())
    return {name: db.session.scalar(count.select_from(db.metadata.tables[name]))
            for name in sorted(tables)}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """``DATABASE_URL`` (normalised to psycopg 3) or a SQLite file in a temporary folder.

    The suite drops everything in that database, so it refuses one whose name does not
    say it is for tests: a shell where DATABASE_URL points at real data stays safe.
    """
    url = app_config.database_url(tmp_path_factory.mktemp("database"))
    name = sa.make_url(url).database or ""
    if os.environ.get("DATABASE_URL") and "test" not in name.rsplit("/", 1)[-1]:
        pytest.exit(f"DATABASE_URL names the database {name!r}; the tests drop everything in "
                    "it, so they only run on a database whose name contains 'test'.",
                    returncode=2)
    return url


@pytest.fixture(autouse=True)
def production_hasher(monkeypatch):
    """Hash passwords with the cheapest Argon2id: the suite signs in hundreds of times and
    the real settings take half a second each. Returns the real hasher for the tests that
    check it."""
    real = account_operations._hasher
    monkeypatch.setattr(account_operations, "_hasher",
                        PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    return real


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations():
    """Compile the English catalogue as `make` does, so a bare `pytest` sees it too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = Path(dialogue.__file__).parent / "translations"
    for po_path in folder.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture(scope="session")
def app(database_url):
    """The application on the test database, migrated and loaded with Gia Lai's units."""
    app = make_app(database_url)
    with app.app_context():
        reset_schema()
        migrate()
        import_units([Era.LEGACY, Era.Y2025], province_code=GIA_LAI)
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def _unit_counts(app) -> dict[str, int]:
    with app.app_context():
        return _table_counts(UNIT_TABLES)


@pytest.fixture(scope="session")
def _seeded_rows(app) -> dict[str, list[dict]]:
    """The rows the migrations seed (fields, holidays), put back after every test."""
    with app.app_context(), db.engine.connect() as connection:
        return {name: [dict(row._mapping) for row in connection.execute(
            db.metadata.tables[name].select())] for name in SEEDED_TABLES}


@pytest.fixture(autouse=True)
def _database(app, _unit_counts, _seeded_rows):
    """Run each test in an app context; afterwards delete every row but the units, and put
    the seeded reference rows back as the migrations left them."""
    with app.app_context():
        yield
        db.session.remove()
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # The triggers that keep filed revisions (and the foreign keys) step aside
                # while the test's rows are cleared: a superuser's switch, not the app's.
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in UNIT_TABLES:
                    connection.execute(table.delete())
            for name, rows in _seeded_rows.items():
                if rows:
                    connection.execute(db.metadata.tables[name].insert(), rows)
        if _table_counts(UNIT_TABLES) != _unit_counts:
            pytest.fail("this test changed the units every other test relies on; "
                        "use the scratch_app fixture instead")


@pytest.fixture
def client(app, secretary) -> IsolatedClient:
    """A browser-like client signed in as the provincial secretary of Gia Lai (the role most
    pages are for); ``anonymous`` is one nobody signed in to."""
    client = app.test_client()
    log_in(client, secretary.username, PASSWORD)
    return client


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a browser-like client signed in as ``user``."""

    def sign_in(user: User) -> IsolatedClient:
        signed = app.test_client()
        log_in(signed, user.username, PASSWORD)
        return signed

    return sign_in


@pytest.fixture
def anonymous(app) -> IsolatedClient:
    """A browser-like client nobody has signed in to."""
    return app.test_client()


@pytest.fixture
def create_user(unit):
    """``create_user(username, role=Role.SECRETARY, unit="Tỉnh Gia Lai", **overrides)``: an
    account with one role, committed, password ``PASSWORD``; the same username twice gives
    the same account. ``unit`` may be a Unit, a 2025 unit's name, or None (administrator of
    the whole country)."""

    def create(username: str, role: Role = Role.SECRETARY,
               unit: Unit | str | None = "Tỉnh Gia Lai", *, full_name: str | None = None,
               official: Official | None = None) -> User:
        existing = find_user(username)
        if existing is not None:
            return existing
        if isinstance(unit, str):
            unit = find_unit(unit)
        user = create_account(username, full_name or username, PASSWORD, roles=[(role, unit)])
        if official is not None:
            link_account(official, username, by=None)
        db.session.commit()
        return user

    find_unit = unit
    return create


@pytest.fixture
def enqueue_job(secretary, unit):
    """``enqueue_job(kind, params=None, **overrides)``: a job queued through ``enqueue`` and
    committed, by default asked by the provincial secretary, on Tỉnh Gia Lai."""

    def create(kind: str, params: dict | None = None, **overrides) -> Job:
        overrides.setdefault("label", "Xuất báo cáo tỉnh Gia Lai năm 2025")
        overrides.setdefault("by", secretary)
        if isinstance(overrides.get("unit", "Tỉnh Gia Lai"), str):
            overrides["unit"] = unit(overrides.get("unit", "Tỉnh Gia Lai"))
        job = enqueue(kind, params or {}, **overrides)
        db.session.commit()
        return job

    return create


@pytest.fixture
def secretary(create_user) -> User:
    """thuky.tinh: secretary of the 2025 Tỉnh Gia Lai (and so of its legacy predecessors)."""
    return create_user("thuky.tinh", Role.SECRETARY, "Tỉnh Gia Lai",
                       full_name="Trần Thị Minh Thư")


@pytest.fixture
def commune_secretary(create_user) -> User:
    """thuky.xa: secretary of Xã Ia Grai (and of the legacy units merged into it)."""
    return create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai",
                       full_name="Nguyễn Thị Hồng Nhung")


@pytest.fixture
def admin(create_user) -> User:
    return create_user("admin", Role.ADMIN, None, full_name="Quản trị hệ thống")


@pytest.fixture(scope="session")
def _scratch_database(database_url):
    """On PostgreSQL, the database ``<name>_scratch`` beside the test database, for
    scratch_app (created afresh, dropped at the end); on SQLite, None."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield None
        return
    scratch = url.set(database=f"{url.database}_scratch")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{scratch.database}"'))
    yield scratch.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def scratch_app(_scratch_database, tmp_path):
    """An application on its own empty database, migrated, without any unit.

    For tests that import units (the whole country) or otherwise change what the other
    tests rely on. Push its context in the test: ``with scratch_app.app_context(): ...``;
    inside it ``db.session`` and ``scratch_app.test_cli_runner()`` use the scratch database.
    """
    scratch = make_app(_scratch_database or f"sqlite:///{tmp_path / 'scratch.sqlite'}")
    with scratch.app_context():
        reset_schema()
        migrate()
    yield scratch
    with scratch.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def unit():
    """``unit(name, era=Era.Y2025, *, level=None, parent=None)``: the one unit so named.

    ``parent`` (a name) tells apart legacy communes of the same name in two districts.
    """

    def find(name: str, era: Era = Era.Y2025, *, level: UnitLevel | None = None,
             parent: str | None = None) -> Unit:
        statement = sa.select(Unit).where(Unit.name == name, Unit.era == era)
        if level is not None:
            statement = statement.where(Unit.level == level)
        if parent is not None:
            above = aliased(Unit)
            statement = statement.join(above, Unit.parent_id == above.id).where(
                above.name == parent)
        return db.session.scalars(statement).one()

    return find


@pytest.fixture
def create_official(unit, secretary):
    """``create_official(**overrides)``: an official, committed.

    Defaults: Nguyễn Ngọc Lương, Phó Bí thư Tỉnh ủy, of the 2025 Tỉnh Gia Lai. ``unit`` may
    be a Unit or the name of a 2025 unit.
    """

    def create(*, full_name: str = "Nguyễn Ngọc Lương", position: str = "Phó Bí thư Tỉnh ủy",
               unit: Unit | str = "Tỉnh Gia Lai") -> Official:
        if isinstance(unit, str):
            unit = find_unit(unit)
        official = add_official(full_name, position, unit, by=secretary)
        db.session.commit()
        return official

    find_unit = unit
    return create


@pytest.fixture
def create_session(unit, secretary):
    """``create_session(**overrides)``: a session scheduled through ``schedule_session``,
    committed.

    Overrides are :class:`SessionDetails` fields (``unit`` may be a Unit or the name of a
    2025 unit; ``ends_at`` defaults to three hours after ``starts_at``) plus ``status``
    (any status: held, postponed and cancelled are reached through their transitions, with
    ``reason``) and ``by`` (a User; the provincial secretary by default). Defaults: a
    periodic in-person dialogue of the 2025 Tỉnh Gia Lai at 08:00–11:00 on 02/03/2026,
    Vietnam time, scheduled.
    """

    def create(*, status: SessionStatus = SessionStatus.SCHEDULED,
               reason: str = "Trùng lịch kỳ họp HĐND tỉnh", by: User | None = None, **overrides):
        by = by or secretary
        if isinstance(overrides.get("unit", ""), str):
            overrides["unit"] = find_unit(overrides.get("unit") or "Tỉnh Gia Lai")
        overrides.setdefault("starts_at", _at("2026-03-02 08:00"))
        overrides.setdefault("ends_at", overrides["starts_at"] + timedelta(hours=3))
        values = {
            "title": "Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân",
            "kind": SessionKind.PERIODIC,
            "format": SessionFormat.IN_PERSON,
            "venue": "Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku",
            "topic": "Bồi thường, hỗ trợ, tái định cư; cấp giấy chứng nhận quyền sử dụng đất.",
            **overrides,
        }
        initial = SessionStatus.DRAFT if status is SessionStatus.DRAFT else SessionStatus.SCHEDULED
        session, _warnings = schedule_session(SessionDetails(**values), by=by, status=initial)
        via = {SessionStatus.HELD: "hold", SessionStatus.POSTPONED: "postpone",
               SessionStatus.CANCELLED: "cancel"}.get(status)
        if via:
            change_status(session, TRANSITIONS[via], reason=reason, by=by)
        db.session.commit()
        return session

    find_unit = unit
    return create


@pytest.fixture
def at():
    """``at("2026-03-02 08:00")``: the aware UTC instant of a Vietnam wall-clock time."""
    return _at
