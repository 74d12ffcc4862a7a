"""The database away: a clear 503 (never a 500 and its trace), and the app back by itself
once the database answers again."""

import contextlib
import socket
import sqlite3
import threading

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from dialogue.extensions import db
from dialogue.service.health import RETRY_AFTER_SECONDS, is_unreachable

from ..conftest import PASSWORD
from ..helpers import log_in
from .conftest import closed_port

AWAY = "Hệ thống tạm thời không kết nối được cơ sở dữ liệu"


def assert_unavailable_page(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.headers["Cache-Control"] == "no-store"
    assert AWAY in page
    assert "Traceback" not in page and "psycopg" not in page and "sqlalchemy" not in page
    return page


def test_a_page_while_the_database_is_away_is_a_clear_503(database_away, caplog):
    page = assert_unavailable_page(database_away.test_client().get("/public/?page=2"))
    # Read again by itself after the wait; a link to do it now.
    assert f'<meta http-equiv="refresh" content="{RETRY_AFTER_SECONDS}">' in page
    assert 'href="/public/?page=2"' in page
    assert "database unreachable" in caplog.text  # the cause, for the operator


def test_a_signed_in_user_gets_the_same_page(database_away, client):
    away = database_away.test_client()  # the same secret key: the same signed-in browser
    away.set_cookie("session", client.get_cookie("session").value)
    assert_unavailable_page(away.get("/sessions/"))


def test_a_form_sent_while_the_database_is_away_is_not_sent_again(database_away):
    away = database_away.test_client()
    database_away.config["WTF_CSRF_ENABLED"] = False
    page = assert_unavailable_page(away.post("/login", data={
        "username": "thuky.tinh", "password": PASSWORD}))
    assert "http-equiv" not in page and "Thử lại" not in page


def test_the_live_entry_page_is_answered_in_json_and_keeps_what_was_typed(database_away):
    # static/js/app.js shows a JSON answer's "errors" above the form it leaves filled in.
    response = database_away.test_client().get("/public/", headers={
        "X-Requested-With": "fetch"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    [message] = response.json["errors"]
    assert message.startswith(AWAY)


def test_a_bug_in_a_query_stays_a_500(build_app, tmp_path):
    # A database without its tables: "no such table" is a bug to see, not an outage.
    broken = build_app(f"sqlite:///{tmp_path / 'empty.sqlite'}", PROPAGATE_EXCEPTIONS=False)
    response = broken.test_client().get("/public/")
    assert response.status_code == 500
    assert AWAY not in response.get_data(as_text=True)


def test_a_sqlite_database_locked_past_its_timeout_counts_as_away(tmp_path):
    path = tmp_path / "locked.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    try:
        with pytest.raises(OperationalError) as locked, engine.connect() as connection:
            connection.execute(sa.text("SELECT * FROM t"))
        assert is_unreachable(locked.value)
        holder.execute("ROLLBACK")
        with pytest.raises(OperationalError) as missing, engine.connect() as connection:
            connection.execute(sa.text("SELECT * FROM missing"))
        assert not is_unreachable(missing.value)
    finally:
        holder.close()
        engine.dispose()


@pytest.mark.parametrize(("error", "away"), [
    (OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.AdminShutdown()), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.CannotConnectNow()), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.TooManyConnections()), True),
    (DBAPIError("SELECT 1", {}, psycopg.InterfaceError(), connection_invalidated=True), True),
    (OperationalError("SELECT 1", {}, psycopg.errors.SerializationFailure()), False),
    (OperationalError("SELECT 1", {}, psycopg.errors.QueryCanceled()), False),
    (ProgrammingError("SELECT 1", {}, psycopg.errors.UndefinedTable()), False),
], ids=["refused", "shutdown", "starting-up", "too-many", "invalidated", "serialization",
        "statement-timeout", "no-table"])
def test_which_postgresql_errors_mean_the_database_is_away(error, away):
    assert is_unreachable(error) is away


class TcpProxy:
    """A TCP proxy on 127.0.0.1 in front of PostgreSQL that can be cut — every connection
    through it closed, new ones refused — and restored on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = closed_port()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._stopped.clear()
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.05)
        self._spawn(self._accept, listener)

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            for connection in self._open:
                with contextlib.suppress(OSError):  # the other side may have left already
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self._open.clear()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [thread for thread in self._threads if thread.is_alive()]
        assert not self._threads, "the proxy did not stop"

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stopped.is_set():
                try:
                    client, _address = listener.accept()
                except TimeoutError:
                    continue
                upstream = socket.create_connection(self.target)
                with self._lock:
                    self._open.update((client, upstream))
                self._spawn(self._pump, client, upstream)
                self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            return  # the proxy was cut


@pytest.fixture
def proxied_postgresql(database_url, build_app):
    """(the proxy, an application whose database connections go through it)."""
    url = sa.make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("a database server to stop and start again: PostgreSQL only (SQLite is "
                    "a file in the process, never away mid-run)")
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    app = build_app(url.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False))
    yield proxy, app
    proxy.stop()


def test_postgresql_stopped_mid_run_gives_a_503_then_the_app_recovers_by_itself(
        proxied_postgresql, secretary, create_session):
    proxy, app = proxied_postgresql
    session = create_session(title="Đối thoại về giải phóng mặt bằng đường Hồ Chí Minh")
    browser = app.test_client()
    log_in(browser, secretary.username, PASSWORD)
    assert session.title in browser.get("/sessions/").get_data(as_text=True)

    proxy.stop()  # the pool holds a connection the server no longer answers on
    assert_unavailable_page(browser.get("/sessions/"))
    assert_unavailable_page(browser.get(f"/sessions/{session.id}"))
    assert browser.get("/readyz").status_code == 503
    assert browser.get("/healthz").status_code == 200  # alive: nothing to restart

    proxy.start()  # the same application, not restarted, still signed in
    page = browser.get("/sessions/")
    assert page.status_code == 200
    assert session.title in page.get_data(as_text=True)
    assert browser.get("/readyz").status_code == 200


def test_a_connection_cut_inside_a_transaction_counts_as_the_database_away(
        proxied_postgresql):
    proxy, app = proxied_postgresql
    with app.app_context():
        db.session.execute(sa.text("SELECT 1"))  # a transaction open on a connection
        proxy.stop()
        with pytest.raises(DBAPIError) as cut:
            db.session.execute(sa.text("SELECT 1"))
        assert cut.value.connection_invalidated
        assert is_unreachable(cut.value)
        db.session.rollback()
        proxy.start()
        assert db.session.scalar(sa.text("SELECT 2")) == 2
