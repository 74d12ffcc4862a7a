"""`flask --app dialogue serve`: gunicorn's settings, and one real start on 127.0.0.1."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dialogue import ROOT
from dialogue.service import serve
from dialogue.service.serve import Server, default_workers, gunicorn_options

from ..conftest import SECRET_KEY
from .conftest import closed_port

FLASK = Path(sys.executable).with_name("flask")


@pytest.mark.parametrize(("cpus", "workers"), [(1, 3), (2, 5), (3, 7), (4, 8), (64, 8)])
def test_workers_default_to_twice_the_cores_and_one_at_most_eight(cpus, workers):
    assert default_workers(cpus) == workers


def test_the_settings_from_the_configuration(app, monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    options = gunicorn_options(app.config)
    assert options["bind"] == ["127.0.0.1:5000"]
    assert (options["workers"], options["worker_class"], options["threads"]) == (5, "gthread", 4)
    assert options["accesslog"] is None  # the app's request log is the access log
    assert options["forwarded_allow_ips"] == ""  # only ProxyFix reads X-Forwarded-*
    formatter = options["logconfig_dict"]["formatters"]["dialogue"]
    assert formatter == {"()": "dialogue.service.requestlog.formatter_for", "fmt": "json"}

    monkeypatch.setitem(app.config, "WEB_WORKERS", 3)
    monkeypatch.setitem(app.config, "LOG_FORMAT", "text")
    options = gunicorn_options(app.config, bind="unix:/run/dialogue/web.sock", threads=2)
    assert (options["bind"], options["workers"], options["threads"]) == (
        ["unix:/run/dialogue/web.sock"], 3, 2)
    assert options["logconfig_dict"]["formatters"]["dialogue"]["fmt"] == "text"


def test_gunicorn_accepts_every_setting(app):
    server = Server(gunicorn_options(app.config, workers=2))
    assert (server.cfg.workers, server.cfg.threads) == (2, 4)
    assert server.cfg.worker_class_str == "gthread"
    assert server.cfg.bind == ["127.0.0.1:5000"]
    assert server.cfg.forwarded_allow_ips == []


def test_the_command_hands_its_options_to_gunicorn(app, monkeypatch):
    ran = []
    monkeypatch.setattr(serve.Server, "run", lambda server: ran.append(server.options))
    result = app.test_cli_runner().invoke(args=[
        "serve", "--bind", "127.0.0.1:8123", "--workers", "2", "--threads", "3"])
    assert result.exit_code == 0, result.output
    [options] = ran
    assert (options["bind"], options["workers"], options["threads"]) == (
        ["127.0.0.1:8123"], 2, 3)


def test_asset_addresses_change_with_their_content(anonymous):
    """So nginx may keep them a year: an upgrade that changes a file changes its address."""
    page = anonymous.get("/login").get_data(as_text=True)
    css = (ROOT / "dialogue" / "static" / "css" / "app.css").read_bytes()
    [address] = re.findall(r'href="(/static/css/app\.css\?v=[0-9a-f]+)"', page)
    assert address.endswith("?v=" + hashlib.sha256(css).hexdigest()[:12])
    assert anonymous.get(address).data == css


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_real_server_starts_answers_and_stops(app, database_url, tmp_path):
    port = closed_port()
    log_path = tmp_path / "serve.log"
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET_KEY,
           "LOG_FORMAT": "json"}
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [str(FLASK), "--app", "dialogue", "serve", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--threads", "2"],
            env=env, stdout=log_file, stderr=subprocess.STDOUT, cwd=tmp_path)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, body = get(f"http://127.0.0.1:{port}/healthz")
                    break
                except OSError:
                    assert server.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
                    time.sleep(0.2)
            assert (status, body) == (200, {"status": "ok"})
            assert get(f"http://127.0.0.1:{port}/readyz")[0] == 200
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=40) == 0
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
    lines = [json.loads(line) for line in log_path.read_text().splitlines()]
    assert sum("Booting worker" in line["message"] for line in lines) == 2
    requests = [line for line in lines if line["logger"] == "dialogue.requests"]
    assert [(line["path"], line["status"]) for line in requests] == [
        ("/healthz", 200), ("/readyz", 200)]
    assert any("Shutting down" in line["message"] for line in lines)
