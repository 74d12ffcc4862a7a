"""One log line per request: what it holds, and what it never holds (feed tokens, what a
citizen typed)."""

import json
import logging

import pytest
from werkzeug.test import Client

from dialogue.feeds.tokens import issue_feed_token
from dialogue.service.requestlog import (
    REQUEST_ID_KEY,
    JsonFormatter,
    RequestLog,
    TextFormatter,
    configure_logging,
    formatter_for,
    loggable_path,
)


@pytest.fixture
def logged(caplog):
    """``logged()``: the request log's records so far. The line is written when the server
    closes the answer, so requests are sent ``buffered=True`` here (a real server always
    closes it; the test client only when buffering)."""
    caplog.set_level(logging.INFO, logger="dialogue.requests")
    return lambda: [record for record in caplog.records if record.name == "dialogue.requests"]


def json_lines(records) -> list[dict]:
    return [json.loads(JsonFormatter().format(record)) for record in records]


def test_a_request_gives_one_json_line_with_its_facts(client, secretary, logged):
    response = client.get("/sessions/?page=1", buffered=True)
    assert response.status_code == 200
    [line] = json_lines(logged())
    assert line.pop("time").endswith("Z")
    assert line.pop("ms") > 0
    assert line == {
        "level": "info", "logger": "dialogue.requests", "message": "GET /sessions/ 200",
        "method": "GET", "path": "/sessions/", "query": "page=1", "status": 200,
        "bytes": len(response.data), "user_id": secretary.id, "remote_addr": "127.0.0.1",
        "request_id": response.headers["X-Request-ID"]}


def test_an_anonymous_request_and_a_redirect(anonymous, logged):
    response = anonymous.get("/sessions/", buffered=True)
    [line] = json_lines(logged())
    assert (line["status"], line["user_id"]) == (302, None)
    assert line["bytes"] == len(response.data)


def test_each_request_gets_its_own_id(anonymous, logged):
    first = anonymous.get("/healthz", buffered=True).headers["X-Request-ID"]
    second = anonymous.get("/healthz", buffered=True).headers["X-Request-ID"]
    assert first != second
    assert [line["request_id"] for line in json_lines(logged())] == [first, second]


def test_a_personal_feed_token_never_reaches_the_log(app, client, secretary, logged):
    token = issue_feed_token(secretary).token
    response = client.get(f"/feeds/private/{token}.ics", buffered=True)
    assert response.status_code == 200
    records = logged()
    [line] = json_lines(records)
    assert line["path"] == "/feeds/private/***.ics"
    for formatter in (JsonFormatter(), TextFormatter()):
        assert token not in formatter.format(records[0])
    # A mistyped address (a 404, no route matched) is masked too.
    client.get(f"/feeds/private/{token}x", buffered=True)
    assert json_lines(logged())[-1]["path"] == "/feeds/private/***"


def test_every_address_with_a_token_in_it_is_masked(app):
    """A new route carrying a ``token`` must be added to SECRET_SEGMENTS."""
    secret_rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert secret_rules
    for rule in secret_rules:
        path = rule.rule.replace("<token>", "S3cr3t-t0ken_value")
        assert "S3cr3t" not in loggable_path(path), rule.rule


def test_query_values_other_than_harmless_filters_are_masked(client, logged):
    client.get("/followup/search?q=Rơ+Châm+Tuấn+0905123456&in=issues&page=2", buffered=True)
    [line] = json_lines(logged())
    assert line["query"] == "q=***&in=issues&page=2"
    assert "0905123456" not in json.dumps(line) and "Tuấn" not in json.dumps(line)


def test_a_form_sent_is_never_logged(client, logged):
    client.post("/language", data={"language": "en", "next": "/sessions/?q=0905123456"},
                buffered=True)
    assert "0905123456" not in json.dumps(json_lines(logged()))


def test_behind_a_trusted_proxy_the_client_address_and_request_id_come_from_it(
        build_app, database_url, logged):
    proxied = build_app(database_url, TRUSTED_PROXIES=1).test_client()
    response = proxied.get("/login", buffered=True, headers={
        "X-Forwarded-For": "203.113.131.5", "X-Request-ID": "nginx-4f2a9c"})
    assert response.headers["X-Request-ID"] == "nginx-4f2a9c"
    [line] = json_lines(logged())
    assert (line["remote_addr"], line["request_id"]) == ("203.113.131.5", "nginx-4f2a9c")


def test_without_a_trusted_proxy_a_client_cannot_choose_its_address_or_request_id(
        anonymous, logged):
    response = anonymous.get("/healthz", buffered=True, headers={
        "X-Forwarded-For": "203.113.131.5", "X-Request-ID": "chosen-by-the-client"})
    assert response.headers["X-Request-ID"] != "chosen-by-the-client"
    [line] = json_lines(logged())
    assert line["remote_addr"] == "127.0.0.1"


def test_a_request_that_fails_is_logged_with_status_500(logged):
    def broken(environ, start_response):
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        Client(RequestLog(broken, trust_request_id=False)).get("/sessions/")
    [line] = json_lines(logged())
    assert (line["path"], line["status"], line["bytes"]) == ("/sessions/", 500, 0)


def test_other_lines_logged_during_a_request_carry_its_id(app):
    record = logging.LogRecord("dialogue.core.storage", logging.INFO, __file__, 1,
                               "stored %s", ("a.pdf",), None)
    with app.test_request_context(environ_overrides={REQUEST_ID_KEY: "4f2a9c"}):
        assert json.loads(JsonFormatter().format(record))["request_id"] == "4f2a9c"
        assert TextFormatter().format(record).endswith("stored a.pdf request_id=4f2a9c")


def test_the_text_format_is_for_a_person(anonymous, logged):
    anonymous.get("/healthz?page=3", buffered=True)
    text = TextFormatter().format(logged()[0])
    assert " INFO dialogue.requests GET /healthz 200 query=page=3 ms=" in text
    assert "remote_addr=127.0.0.1 request_id=" in text


def test_an_unknown_log_format_is_refused():
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        formatter_for("xml")


@pytest.fixture
def unconfigured_logging(monkeypatch):
    """``unconfigured_logging()``: logging as in a process nobody set it up in (a systemd
    service, a cron job), until the test ends (called in the test: pytest adds its own
    handlers as the test starts)."""
    root = logging.getLogger()
    werkzeug, weasyprint = logging.getLogger("werkzeug"), logging.getLogger("weasyprint.progress")
    levels = [(logger, logger.level) for logger in (root, weasyprint)]

    def unconfigure():
        monkeypatch.setattr(root, "handlers", [])
        monkeypatch.setattr(werkzeug, "filters", [])
        return root

    yield unconfigure
    for logger, level in levels:
        logger.setLevel(level)


def test_a_process_logs_to_stderr_in_the_configured_format(app, monkeypatch,
                                                           unconfigured_logging):
    monkeypatch.setitem(app.config, "LOG_FORMAT", "text")
    root = unconfigured_logging()
    configure_logging(app)
    [handler] = root.handlers
    assert isinstance(handler.formatter, TextFormatter)
    assert logging.getLogger("dialogue.requests").isEnabledFor(logging.INFO)
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    # The development server's own access line (the token in it) is dropped, not its address.
    werkzeug = logging.getLogger("werkzeug")
    access, serving = (werkzeug.makeRecord("werkzeug", logging.INFO, __file__, 1, message, (),
                                           None) for message in (
        '127.0.0.1 - - [03/Dec/2026 10:00:00] "GET /feeds/private/S3cr3t.ics HTTP/1.1" 200 -',
        " * Running on http://127.0.0.1:5000"))
    assert not werkzeug.filter(access)
    assert werkzeug.filter(serving)
