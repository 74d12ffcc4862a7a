"""Configuration read from the environment, with safe defaults for one machine."""

import os
import secrets
from pathlib import Path


def _secret_key(instance_path: Path) -> str:
    """Return SECRET_KEY, generating it once into the instance folder when unset."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        # Written with owner-only permissions: the key signs sessions and CSRF tokens.
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'dialogue.sqlite'}"
    # Heroku-style URLs and plain postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def load(instance_path: Path) -> dict:
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        # pool_pre_ping: a connection the database dropped (a restart) is replaced before use,
        # so the app recovers by itself. hide_parameters: a logged database error does not
        # carry the values of its query (a feed token, a citizen's contact).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "SESSIONS_PER_PAGE": 20,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # Failed logins before a pause, per account and per address, and the pause.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_LOCKOUT_MINUTES": 15,
        # Documents attached to progress updates (PDF, images, office files).
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_MB", "10")) * 2**20,
        "MAX_CONTENT_LENGTH": (int(os.environ.get("ATTACHMENT_MAX_MB", "10")) + 1) * 2**20,
        "ISSUES_PER_PAGE": 30,
        # Reverse proxies in front of the app whose X-Forwarded-For is trusted: without it
        # every visitor would share the proxy's address (and its login throttle).
        # The address printed (with a QR code) on filed minutes for their verification, e.g.
        # https://doithoai.gialai.gov.vn: set it on a real installation.
        "PUBLIC_URL": os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000"),
        # Calendar feeds: the most events one feed carries (the oldest are left out beyond
        # it), how many events the assembly cache keeps, and the ORGANIZER address (clients
        # need one; nobody reads it).
        "FEED_MAX_EVENTS": int(os.environ.get("FEED_MAX_EVENTS", "10000")),
        "FEED_EVENT_CACHE_SIZE": int(os.environ.get("FEED_EVENT_CACHE_SIZE", "50000")),
        # Bytes of assembled feeds each process keeps under their ETags.
        "FEED_BODY_CACHE_BYTES": int(os.environ.get("FEED_BODY_CACHE_MB", "64")) * 2**20,
        # How long a process answers conditional requests from the feed state it last read:
        # its own changes count at once, other processes' after at most this delay.
        "FEED_STATE_SECONDS": float(os.environ.get("FEED_STATE_SECONDS", "2")),
        # Unset: noreply@ the host of PUBLIC_URL (read when needed, so it follows PUBLIC_URL
        # however that is set).
        "FEED_ORGANIZER_EMAIL": os.environ.get("FEED_ORGANIZER_EMAIL", ""),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        # Background jobs: "database" (the embedded queue, a table in this database, for
        # one machine) or "rq" (Redis at REDIS_URL, for several app servers).
        "JOBS_BACKEND": os.environ.get("JOBS_BACKEND", "database"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        # A worker renews its lease on a running job this often; a lease not renewed for
        # JOB_LEASE_SECONDS means the worker died, and the job is run again.
        "JOB_LEASE_SECONDS": float(os.environ.get("JOB_LEASE_SECONDS", "60")),
        "JOB_POLL_SECONDS": float(os.environ.get("JOB_POLL_SECONDS", "1")),
        "JOB_MAX_ATTEMPTS": int(os.environ.get("JOB_MAX_ATTEMPTS", "3")),
        # A job that failed by accident (not by the user's data) is tried again after this
        # many seconds, then twice as long each time: a database or disk that hiccuped has
        # time to come back.
        "JOB_RETRY_SECONDS": float(os.environ.get("JOB_RETRY_SECONDS", "30")),
        # Files a job produced (exports) are kept this long for their owner to download.
        "JOB_FILES_DAYS": int(os.environ.get("JOB_FILES_DAYS", "7")),
        # The production server (`flask --app dialogue serve`, gunicorn): its address (nginx
        # on the same machine talks to 127.0.0.1; "unix:/run/dialogue/web.sock" works too),
        # worker processes (0: 2 × cores + 1, at most 8), threads in each, and how long a
        # worker may stay silent before gunicorn replaces it.
        "WEB_BIND": os.environ.get("WEB_BIND", "127.0.0.1:5000"),
        "WEB_WORKERS": int(os.environ.get("WEB_WORKERS", "0") or 0),
        "WEB_THREADS": int(os.environ.get("WEB_THREADS", "4") or 4),
        "WEB_TIMEOUT": int(os.environ.get("WEB_TIMEOUT", "60") or 60),
        # E-mail (invitations, reminders, digests). Without MAIL_SERVER nothing is sent:
        # messages wait in the outbox (/admin/outbox), and go once a server is set.
        # MAIL_USE_TLS: "starttls" (port 587), "ssl" (465) or "" (a relay on the machine).
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25") or 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", ""),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        # The From address, e.g. "Văn phòng Tỉnh ủy Gia Lai <vanphong@gialai.gov.vn>";
        # unset: noreply@ the host of PUBLIC_URL.
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", ""),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
        # Messages one job sends over one connection before handing over to the next job.
        "MAIL_BATCH_SIZE": int(os.environ.get("MAIL_BATCH_SIZE", "200")),
        # A failed message is tried again after this many seconds, then twice as long each
        # time, up to MAIL_MAX_ATTEMPTS tries.
        "MAIL_RETRY_SECONDS": float(os.environ.get("MAIL_RETRY_SECONDS", "300")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "6")),
        # How long before a session participants are reminded, e.g. "1d,2h" (d, h, m).
        "MAIL_REMINDER_LEADS": os.environ.get("MAIL_REMINDER_LEADS", "1d,2h"),
        # The local hour from which the day's digests go (agencies every working day, the
        # secretariat on the first working day of the week).
        "MAIL_DIGEST_HOUR": int(os.environ.get("MAIL_DIGEST_HOUR", "7")),
        # Log lines on stderr: "json" (one object a line, for a log collector) or "text".
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
    }
