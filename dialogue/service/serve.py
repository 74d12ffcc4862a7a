"""`flask --app dialogue serve`: the production server, gunicorn with several worker
processes, each with a few threads.

Every worker builds its own application after the fork (no preloading), so no database
connection is ever shared between processes. gunicorn writes no access log of its own: the
app's request log (service.requestlog) is the access log, and gunicorn's own lines go
through the same formatter, so everything on stderr has one shape.
"""

import hashlib
import os
from functools import cache

import click
from flask import Flask, current_app
from gunicorn.app.base import BaseApplication
from gunicorn.config import KNOWN_SETTINGS
from werkzeug.security import safe_join

#: Beyond this, more processes only add memory and database connections: requests are short
#: (PDFs and exports are laid out by the job worker) and each worker has threads.
MAX_DEFAULT_WORKERS = 8


def default_workers(cpus: int) -> int:
    """gunicorn's advice, 2 × cores + 1, capped."""
    return min(2 * cpus + 1, MAX_DEFAULT_WORKERS)


def logging_config(log_format: str) -> dict:
    """gunicorn's logging: its lines and the app's to stderr, in LOG_FORMAT."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"dialogue": {"()": "dialogue.service.requestlog.formatter_for",
                                    "fmt": log_format}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "dialogue",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
            # Unused (no access log), but gunicorn's defaults would give it a handler.
            "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
        },
    }


def gunicorn_options(config, *, bind: str | None = None, workers: int | None = None,
                     threads: int | None = None) -> dict:
    """gunicorn's settings from the app's configuration, the command's options first."""
    options = {
        "bind": [bind or config["WEB_BIND"]],
        "workers": workers or config["WEB_WORKERS"] or default_workers(os.cpu_count() or 1),
        "worker_class": "gthread",
        "threads": threads or config["WEB_THREADS"],
        "timeout": config["WEB_TIMEOUT"],
        # SIGTERM (systemd stop, a deploy): requests under way get this long to finish.
        "graceful_timeout": 30,
        # nginx keeps connections to the app open between requests.
        "keepalive": 5,
        # Each worker is replaced after this many requests (a slow leak cannot grow), at
        # different moments so that they are not all restarting together.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        # Only ProxyFix (TRUSTED_PROXIES) reads X-Forwarded-*: gunicorn must not trust them
        # from 127.0.0.1 by itself, or any local client could claim https.
        "forwarded_allow_ips": "",
        "accesslog": None,
        "errorlog": "-",
        "logconfig_dict": logging_config(config["LOG_FORMAT"]),
        "proc_name": "dialogue",
    }
    if "control_socket_disable" in {setting.name for setting in KNOWN_SETTINGS}:
        # gunicorn ≥ 25 opens a control socket in $HOME by default; two servers of one user
        # (an upgrade, the load test) would fight over it, and nothing here uses it.
        options["control_socket_disable"] = True
    return options


class Server(BaseApplication):
    """gunicorn run from Python with our settings, the app built in each worker."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from .. import create_app

        return create_app()


@cache
def _digest(path: str) -> str | None:
    """A short digest of a file's content (read once: a deploy restarts the process)."""
    try:
        with open(path, "rb") as asset:
            return hashlib.sha256(asset.read()).hexdigest()[:12]
    except OSError:
        return None


def version_assets(app: Flask) -> None:
    """Give every asset address a digest of its file (``/static/css/app.css?v=…``): nginx
    and browsers may then keep an asset for a year, and an upgrade that changes a file
    changes its address (docs/deploy/nginx.conf)."""

    @app.url_defaults
    def _asset_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" and not endpoint.endswith(".static"):
            return
        blueprint = endpoint.rpartition(".")[0]
        folder = app.blueprints[blueprint].static_folder if blueprint else app.static_folder
        path = safe_join(folder, values.get("filename", ""))
        if path and "v" not in values and (digest := _digest(path)):
            values["v"] = digest


@click.command("serve")
@click.option("--bind", default=None,
              help="host:port or unix:PATH (default WEB_BIND, 127.0.0.1:5000).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes (default WEB_WORKERS, or 2 × cores + 1, at most 8).")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Threads in each worker (default WEB_THREADS, 4).")
def serve_command(bind, workers, threads):
    """Serve the application with gunicorn (production); stop with SIGTERM."""
    Server(gunicorn_options(current_app.config, bind=bind, workers=workers,
                            threads=threads)).run()
