"""Load test: calendar pollers, secretaries at work and minutes being finalized, against
gunicorn on PostgreSQL, over the network (127.0.0.1 only).

Run: .venv/bin/python bench/load.py [--quick] [--duration 300] [--idle 60] [--warmup 15]
(``--quick``: 500 sessions, 10 s warm-up, 20 s idle, 30 s loaded: two minutes in all;
needs the ``bench`` extra, ``pip install -e '.[bench]'``, for locust)

Creates its own PostgreSQL database (``dialogue_bench_load`` on the server of
``LOAD_POSTGRES_URL``, default ``postgresql://postgres@127.0.0.1:5432/postgres``; dropped
at the end, also when interrupted), migrates it, loads Gia Lai's 2025 units and seeds
``bench/province.py``'s sessions, issues, commitments and minutes over the last two years
(what the feeds carry), plus, through the application's operations: for each secretary an
account on a commune, an announced session of hers with a few issues and a personal feed
address; for each finalizer an account on the province and a held session of Xã Ia Grai
with ``--issues`` issues and the draft of its minutes (``bench/minutes.py``).

It then starts the web server (``flask --app dialogue serve``: gunicorn) on a free port of
127.0.0.1 with ``--workers`` processes, waits for ``/readyz``, starts a job worker
(``flask --app dialogue jobs work``, at a lower CPU priority, ``nice 10``, as an operator
runs batch work beside interactive requests), and drives them with locust (headless, a
subprocess, the users in ``bench/locustfile.py``) through three phases:

0. *warm-up* (``--warmup``, not counted but for errors): the pollers (``--pollers``, 200)
   start: calendar clients that fetch their feed once, then every ``--poll-seconds`` ask
   again with If-None-Match (a 304 unless the feed changed): the province's feed with its
   communes, commune feeds, the whole country's, the secretaries' personal feeds;
1. *idle* (``--idle``): the pollers alone;
2. *loaded* (``--duration``): the same pollers, joined by ``--secretaries`` (20) who sign
   in one after another and, through the real forms (CSRF tokens and all, read from the
   pages as a browser would), record issues, correct them, remove the oldest when there
   are many, read pages and now and then edit their session; and ``--finalizers`` (2) who
   finalize their minutes and follow the job (its .json, as the page's script does) until
   the revision is filed, then open a correction and finalize again. A change to a
   session changes the ETags of the feeds that carry it (its commune's, the province's,
   the country's, every personal feed's), so in this phase pollers fetch those again.

Every request's time is kept. Prints a table (phase, route, requests, failures, p50, p95,
p99 in ms), the pollers' conditional requests in each phase (their p95, and that of those
answered 304), how many cores each part kept busy in each phase (the machine may be
shared: what else ran is said), the errors if any, and as its last line ``result:
errors=N pollers_p95_ratio=X.XX (loaded/idle) ...``; targets: no errors, the ratio ≤ 2.
Exits with status 1 on errors (failed requests, or tracebacks in the server's or worker's
log).
"""

import argparse
import importlib.util
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from contextlib import contextmanager, suppress
from datetime import time as wall_clock
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from common import PASSWORD, add_secretary, fix_sequences, scratch_app
from minutes import hold_session
from province import CONTENTS, GIVEN, MIDDLES, SURNAMES, TABLES, Seeder
from sqlalchemy import func, select, text

from dialogue.core.time import local_to_utc, local_today
from dialogue.extensions import db
from dialogue.feeds.tokens import issue_feed_token
from dialogue.issues.models import IssueKind, IssueOutcome
from dialogue.issues.operations import IssueDetails, record_issue
from dialogue.service.serve import default_workers
from dialogue.sessions.models import DialogueSession, SessionFormat, SessionKind
from dialogue.sessions.operations import SessionDetails, schedule_session
from dialogue.units.models import Era, Unit, UnitLevel

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DATABASE = "dialogue_bench_load"
ADMIN_URL = os.environ.get("LOAD_POSTGRES_URL",
                           "postgresql://postgres@127.0.0.1:5432/postgres")
SEED = 20261203
#: A secretary waits this long (s) between two actions: reading, typing.
THINK_SECONDS = (3, 8)
#: Issues a secretary's session keeps: beyond them, the oldest is removed.
ISSUES_KEPT = 15
TARGET_RATIO = 2
#: How long the server and the worker get to start, and to stop.
START_SECONDS, STOP_SECONDS = 60, 30


# The database -------------------------------------------------------------------------------

def check_local(url: str, parser) -> None:
    if urlsplit(url).hostname not in ("127.0.0.1", "localhost"):
        parser.error(f"LOAD_POSTGRES_URL must be on 127.0.0.1: {url}")


@contextmanager
def own_database():
    """The benchmark's database, new (dropped first if an interrupted run left it), and
    dropped afterwards; yields its URL."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    parts = urlsplit(ADMIN_URL)
    url = f"postgresql+psycopg://{parts.netloc}/{DATABASE}"
    try:
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def seed(sessions: int, secretaries: int, finalizers: int, issues: int) -> dict:
    """Everything the users need; returns the plan the locustfile reads."""
    Seeder(SEED).seed(sessions, f"seeding {sessions:,} sessions")
    fix_sequences(*TABLES)
    rng = random.Random(SEED)
    today = local_today()
    # The busiest communes (more sessions, bigger feeds), the first of them the secretaries'.
    communes = db.session.scalars(
        select(Unit).join(DialogueSession, DialogueSession.unit_id == Unit.id)
        .where(Unit.era == Era.Y2025, Unit.level == UnitLevel.COMMUNE)
        .group_by(Unit.id).order_by(func.count().desc(), Unit.id).limit(60)).all()
    plan = {"secretaries": [], "finalizers": [], "password": PASSWORD,
            "think_seconds": THINK_SECONDS, "issues_kept": ISSUES_KEPT,
            "names": [f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
                      for _ in range(50)],
            "contents": [content.format(p="thôn Làng Mới", n=12, y=2023, d="Quốc lộ 19")
                         for texts in CONTENTS.values() for content in texts]}
    personal = []
    for number, commune in enumerate(communes[:secretaries], start=1):
        user = add_secretary(f"thuky.xa{number:02d}", commune)
        starts = local_to_utc(today + timedelta(days=10 + number), wall_clock(8))
        session, _warnings = schedule_session(SessionDetails(
            title=f"Hội nghị đối thoại với Nhân dân {commune.name} quý I năm {today.year + 1}",
            unit=commune, kind=SessionKind.PERIODIC, format=SessionFormat.IN_PERSON,
            starts_at=starts, ends_at=starts + timedelta(hours=3),
            venue=f"Hội trường UBND {commune.name}", topic="Đối thoại định kỳ với Nhân dân",
            chair_name=f"Chủ tịch UBND {commune.name}"), by=user)
        for _ in range(ISSUES_KEPT // 2):
            record_issue(session, IssueDetails(
                raised_by=rng.choice(plan["names"]), kind=IssueKind.RECOMMENDATION,
                content=rng.choice(plan["contents"]), outcome=IssueOutcome.ANSWERED,
                locality="Thôn 1"), by=user)
        personal.append(issue_feed_token(user).token)
        db.session.commit()
        plan["secretaries"].append({"username": user.username, "session_id": session.id})
    for number in range(1, finalizers + 1):
        user = add_secretary(f"thuky.bienban{number}")
        session_id = hold_session(today - timedelta(days=number), issues, user, rng)
        plan["finalizers"].append({"username": user.username, "session_id": session_id})
    plan["feeds"] = poller_feeds(communes, personal)
    # PostgreSQL's autovacuum would analyze the fresh tables within a minute or so, in the
    # middle of the run: done now.
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return plan


def poller_feeds(communes: list[Unit], personal: list[str]) -> list[dict]:
    """The feeds the pollers poll, the n-th poller the n-th (round the list): of ten, one
    the province's feed with its communes, one the whole country's, two personal feeds,
    six the feeds of the busiest communes."""
    feeds = []
    for number in range(10 * len(communes)):
        commune = communes[number % len(communes)]
        kind = number % 10
        if kind == 0:
            feeds.append({"url": f"/feeds/units/{commune.province.code_text}.ics?subunits=1",
                          "route": "/feeds/units/[province].ics?subunits=1"})
        elif kind == 1:
            feeds.append({"url": "/feeds/all.ics", "route": "/feeds/all.ics"})
        elif kind in (2, 3) and personal:
            feeds.append({"url": f"/feeds/private/{personal[number % len(personal)]}.ics",
                          "route": "/feeds/private/[token].ics"})
        else:
            feeds.append({"url": f"/feeds/units/{commune.code_text}.ics",
                          "route": "/feeds/units/[commune].ics"})
    return feeds


# The processes --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_command(port: int, workers: int) -> list:
    return [BIN / "flask", "--app", "dialogue", "serve", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers)]


class Process:
    """A child process in its own process group (gunicorn's workers with it), its output
    in a file; stopped by SIGTERM to the group, SIGKILL if it lingers."""

    def __init__(self, name: str, command: list, env: dict, folder: Path):
        self.name = name
        self.log = folder / f"{name}.log"
        with self.log.open("w") as out:
            self.popen = subprocess.Popen([str(part) for part in command], cwd=ROOT, env=env,
                                          stdout=out, stderr=subprocess.STDOUT,
                                          start_new_session=True)

    def check_running(self) -> None:
        if self.popen.poll() is not None:
            raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n"
                               + self.tail())

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback (most recent call last)")

    def cpu_seconds(self) -> float:
        """CPU time of the group so far, its finished workers' included."""
        return sum(times for pgid, times in _process_times() if pgid == self.popen.pid)

    def stop(self) -> None:
        if self.popen.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def wait_until_ready(server: Process, base: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        server.check_running()
        with suppress(OSError), urllib.request.urlopen(f"{base}/readyz",
                                                       timeout=5) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the server was not ready within {START_SECONDS} s:\n"
                       + server.tail())


# Where the CPU went: the machine is shared, so each phase says what else was running.

TICK = os.sysconf("SC_CLK_TCK")


def _process_times():
    """(process group, CPU seconds with waited-for children) of every process, and of
    PostgreSQL's processes under the group "postgres"."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            text_ = stat.read_text()
            name, fields = text_[text_.index("(") + 1:text_.rindex(")")], text_[
                text_.rindex(")") + 2:].split()
            seconds = sum(int(value) for value in fields[11:15]) / TICK
            yield ("postgres" if name.startswith("postgres") else int(fields[2])), seconds


def machine_busy() -> float:
    """CPU seconds the whole machine spent busy since it started, all cores."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICK


def cpu_snapshot(processes: list) -> dict:
    return {"machine": machine_busy(), "postgres": sum(
        times for pgid, times in _process_times() if pgid == "postgres"),
        **{process.name: process.cpu_seconds() for process in processes},
        "at": time.time()}


class CpuWatch(threading.Thread):
    """Takes a CPU snapshot every second while the test runs."""

    def __init__(self, processes: list):
        super().__init__(daemon=True)
        self.processes = processes
        self.snapshots: list[dict] = []
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(1):
            self.snapshots.append(cpu_snapshot(self.processes))

    def between(self, begin: float, end: float) -> str:
        """How many cores each part kept busy from ``begin`` to ``end`` (time.time())."""
        first = min(self.snapshots, key=lambda snapshot: abs(snapshot["at"] - begin))
        last = min(self.snapshots, key=lambda snapshot: abs(snapshot["at"] - end))
        elapsed = last["at"] - first["at"]
        cores = {name: (last[name] - first[name]) / elapsed for name in first if name != "at"}
        others = cores["machine"] - sum(v for k, v in cores.items() if k != "machine")
        return (f"{cores['machine']:.2f} of {os.cpu_count()} cores busy: server "
                f"{cores['server']:.2f}, job worker {cores['worker']:.2f}, locust "
                f"{cores['locust']:.2f}, PostgreSQL (every database) {cores['postgres']:.2f}, "
                f"other processes {others:.2f}")


def run_locust(base: str, plan_file: Path, folder: Path, processes: list) -> tuple[list, dict]:
    """Run locust headless through the phases; returns every request's sample, and where
    the CPU went in the idle and loaded phases."""
    samples = folder / "samples.json"
    env = dict(os.environ, LOAD_PLAN=str(plan_file), LOAD_SAMPLES=str(samples))
    # A finalization under way when the time is up is waited for (it then counts).
    locust = Process("locust", [
        BIN / "locust", "-f", ROOT / "bench" / "locustfile.py", "--headless", "--host", base,
        "--stop-timeout", "120", "--only-summary", "--loglevel", "WARNING"], env, folder)
    watch = CpuWatch([*processes, locust])
    watch.start()
    locust.popen.wait()
    watch.done.set()
    watch.join()
    if not samples.exists():
        raise RuntimeError(f"locust wrote no samples ({locust.popen.returncode}):\n"
                           + locust.tail())
    for process in processes:
        process.check_running()
    result = json.loads(samples.read_text())
    started, phases = result["started"], result["phases"]
    cpu = {"idle": watch.between(started + phases["idle"], started + phases["loaded"]),
           "loaded": watch.between(started + phases["loaded"], started + result["end"])}
    return [tuple(sample) for sample in result["samples"]], cpu


# The results ----------------------------------------------------------------------------------

def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    if len(values) == 1:
        return values[0], values[0], values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def is_poll(name: str) -> bool:
    """A poller's conditional request (not its first fetch)."""
    return name.startswith("GET /feeds/") and not name.endswith("(first)")


def report(samples: list[tuple], cpu: dict[str, str], server_errors: dict[str, int],
           args) -> int:
    """Print the table and the result line; returns the number of errors."""
    rows: dict[tuple[str, str], list] = {}
    for phase, name, ms, _status, error in samples:
        rows.setdefault((phase, name), []).append((ms, error))
    print(f"Load test (flask --app dialogue serve: gunicorn, {args.workers} workers; a job "
          f"worker; PostgreSQL; locust on 127.0.0.1; {args.sessions:,} sessions seeded; "
          f"pollers every {args.poll_seconds:g} s; idle {args.idle} s: {args.pollers} "
          f"pollers; loaded {args.duration} s: {args.pollers} pollers, {args.secretaries} "
          f"secretaries, {args.finalizers} finalizing minutes of {args.issues} issues; ms)")
    print("| phase  | route                                              | requests | failures "
          "|   p50 |   p95 |   p99 |")
    print("|--------|----------------------------------------------------|----------|----------"
          "|-------|-------|-------|")
    for (phase, name), items in sorted(rows.items()):
        if phase == "warm-up":
            continue
        p50, p95, p99 = percentiles([ms for ms, _error in items])
        failures = sum(1 for _ms, error in items if error)
        print(f"| {phase:<6} | {name:<50} | {len(items):>8,} | {failures:>8,} | {p50:>5.0f} "
              f"| {p95:>5.0f} | {p99:>5.0f} |")
    polls, not_modified = {}, {}
    for phase in ("idle", "loaded"):
        mine = [(ms, status) for p, name, ms, status, _error in samples
                if p == phase and is_poll(name)]
        polls[phase] = percentiles([ms for ms, _status in mine])[1]
        cheap = [ms for ms, status in mine if status == 304]
        not_modified[phase] = percentiles(cheap)[1]
        print(f"pollers, {phase}: {len(mine):,} conditional requests, p95 {polls[phase]:.1f} "
              f"ms; {len(cheap):,} answered 304 ({len(cheap) / max(len(mine), 1):.0%}), p95 "
              f"{not_modified[phase]:.1f} ms, the others the feed changed meanwhile")
    for phase, line in cpu.items():
        print(f"CPU, {phase} phase: {line}")
    failed = [(name, error) for _phase, name, _ms, _status, error in samples if error]
    distinct: dict[tuple[str, str], int] = {}
    for key in failed:
        distinct[key] = distinct.get(key, 0) + 1
    for (name, error), times in sorted(distinct.items(), key=lambda item: -item[1])[:10]:
        print(f"error ×{times}: {name}: {error}")
    for name, count in server_errors.items():
        if count:
            print(f"error: {count} traceback(s) in the {name}'s log")
    errors = len(failed) + sum(server_errors.values())
    finalized = sum(1 for _phase, name, _ms, _status, error in samples
                    if name.startswith("finalize:") and not error)
    ratio = polls["loaded"] / polls["idle"]
    print(f"targets: errors = 0 {'met' if errors == 0 else 'MISSED'}, pollers' p95 loaded / "
          f"idle ≤ {TARGET_RATIO} {'met' if ratio <= TARGET_RATIO else 'MISSED'}; "
          f"{finalized} minutes filed")
    print(f"result: errors={errors} pollers_p95_ratio={ratio:.2f} (loaded/idle) "
          f"pollers_p95_ms={polls['idle']:.1f}/{polls['loaded']:.1f} "
          f"not_modified_p95_ratio={not_modified['loaded'] / not_modified['idle']:.2f} "
          f"finalized={finalized} requests={len(samples)}")
    return errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="500 sessions; 10 s warm-up, 20 s idle, 30 s loaded (two minutes)")
    parser.add_argument("--duration", type=int, help="seconds of the loaded phase "
                                                     "(default 300, --quick 30)")
    parser.add_argument("--idle", type=int, help="seconds of the idle phase (default 60, "
                                                 "--quick 20)")
    parser.add_argument("--warmup", type=int, help="seconds the pollers run before the idle "
                                                   "phase, not counted (default 15, --quick 10)")
    parser.add_argument("--sessions", type=int,
                        help="sessions seeded with their issues (default 2000, --quick 500)")
    parser.add_argument("--pollers", type=int, default=200)
    parser.add_argument("--poll-seconds", type=float, default=3,
                        help="each poller asks this often (default 3)")
    parser.add_argument("--secretaries", type=int, default=20)
    parser.add_argument("--finalizers", type=int, default=2)
    parser.add_argument("--issues", type=int, default=50,
                        help="issues in the minutes being finalized (default 50)")
    parser.add_argument("--workers", type=int, default=default_workers(os.cpu_count() or 1),
                        help="web server processes (default: serve's, 2 × cores + 1 capped)")
    args = parser.parse_args()
    args.duration = args.duration or (30 if args.quick else 300)
    args.idle = args.idle or (20 if args.quick else 60)
    args.warmup = args.warmup or (10 if args.quick else 15)
    args.sessions = args.sessions or (500 if args.quick else 2000)
    check_local(ADMIN_URL, parser)
    if importlib.util.find_spec("locust") is None:
        parser.error("locust is missing: pip install -e '.[bench]'")

    began = time.perf_counter()
    processes: list[Process] = []
    with own_database() as url, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.environ["DATABASE_URL"] = url
        with scratch_app(tmp) as app:
            with app.app_context():
                plan = seed(args.sessions, args.secretaries, args.finalizers, args.issues)
                db.session.remove()
                db.engine.dispose()
            plan.update(pollers=args.pollers, poll_seconds=args.poll_seconds,
                        warmup_seconds=args.warmup, idle_seconds=args.idle,
                        loaded_seconds=args.duration)
            plan_file = folder / "plan.json"
            plan_file.write_text(json.dumps(plan, ensure_ascii=False))
            print(f"seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr)
            env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-load",
                       PYTHONUNBUFFERED="1", JOBS_BACKEND="database")
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            try:
                server = Process("server", server_command(port, args.workers), env, folder)
                processes.append(server)
                processes.append(Process("worker", [
                    "nice", "-n", "10", BIN / "flask", "--app", "dialogue", "jobs", "work"],
                    env, folder))
                wait_until_ready(server, base)
                print(f"running: warm-up {args.warmup} s, idle {args.idle} s, loaded "
                      f"{args.duration} s…", file=sys.stderr)
                samples, cpu = run_locust(base, plan_file, folder, processes)
            finally:
                for process in reversed(processes):
                    process.stop()
            server_errors = {process.name: process.tracebacks() for process in processes}
            errors = report(samples, cpu, server_errors, args)
            for process in processes:
                if process.tracebacks():
                    print(f"--- the end of the {process.name}'s log:\n{process.tail()}",
                          file=sys.stderr)
    print(f"in all {time.perf_counter() - began:.0f} s", file=sys.stderr)
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
