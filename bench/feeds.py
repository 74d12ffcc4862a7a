"""What a calendar feed costs a server that polls are hitting, against rebuilding it whole.

Run: .venv/bin/python bench/feeds.py [--quick] [--sizes 500,5000] [--repeat 9]
(``--quick``: 500 and 2000 sessions, 3 rounds, under a minute)

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units, then
seeds with bulk inserts public, announced, scheduled sessions in its 2025 communes, spread
over the past year and the next (what ``/feeds/all.ics`` carries by default): a chair from
the officials list for most, connection points for the online and hybrid ones. It seeds
the smallest size, measures, seeds up to the next size and measures again. Through the
Flask test client, no one signed in (feeds need no account), each request outside any app
context as in production, it times side by side, in rounds:

- *naive*: ``/bench/naive.ics``, an endpoint this script adds to the same app: the same
  sessions loaded with the ORM (unit, chair and connection points by ``selectinload``),
  one icalendar ``Event`` each by ``ical.build_event`` in a whole ``Calendar`` with
  the feed's header, ``to_ical()``: what a server without our caches does on every poll;
- *cold*: ``GET /feeds/all.ics`` after ``event_cache().clear()``, no conditional header;
- *warm*: the same with the event cache warm (no conditional header): assembled from
  cached VEVENT texts (the assembled feeds kept under their ETags are forgotten before each
  request, as before every cold one: every measured request assembles);
- *304*: the same with ``If-None-Match`` of the previous response;
- *304 personal*: the personal feed of the province's secretary (the same sessions, read
  through her scope) with ``If-None-Match`` current: its token and her account are looked
  up before the ETag is compared;
- *trivial*: ``/bench/trivial.txt``, a tiny text answer from the same app, through the
  same before and after request hooks: the floor of any request;
- *changed*: the feed after one session changed (its ETag stale, one event rebuilt), with
  the ``If-None-Match`` the client held.

Each round changes one session, then requests changed, naive and cold once and warm, 304,
304 personal and trivial ``INNER`` times each; medians of every request. Each request of
the kinds that build thousands of objects (all but the 304s and trivial) starts after
``gc.collect()``, so that none pays for the garbage of another; the 304s and the trivial
ones start after one. It counts the SQL statements of each request, and checks that cold,
warm and changed give the same bytes with one VEVENT per session, that the naive body has
as many, and that the 304 has no body. Prints a table and as its last line ``result: warm_speedup=X
not_modified_vs_trivial=Y`` (naive / warm and 304 / trivial at the largest size; targets
≥ 50 and ≤ 2). Statements are counted without the read of the feed state, which a process
makes at most once per FEED_STATE_SECONDS (a cold feed of 5,000 takes longer than that, so
every cold request would count it); the time of those reads is in the medians. Exits with
status 1 if the statements of cold, warm or the 304s change with the number of sessions.
"""

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall_clock

from common import (
    StatementCounter,
    add_secretary,
    backend,
    check_scratch_database,
    fix_sequences,
    scratch_app,
    seed_in_chunks,
)
from flask import Response
from flask_babel import force_locale
from icalendar import Calendar
from province import GIVEN, MIDDLES, SESSION_TOPICS, SURNAMES, VILLAGES
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from dialogue.core.models import new_uid
from dialogue.core.text import fold
from dialogue.core.time import local_to_utc, local_today
from dialogue.extensions import db
from dialogue.feeds import cache, ical, operations, tokens
from dialogue.officials.models import Official
from dialogue.sessions.access import published_clause
from dialogue.sessions.models import (
    ConnectionPoint,
    DialogueSession,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from dialogue.units.models import Era, Unit, UnitLevel

SEED = 20261204
SIZES = "500,5000"
#: 5,000 sessions take seconds per naive or cold request: a minute allows 2,000.
QUICK_SIZES = "500,2000"
FEED = "/feeds/all.ics"
NAIVE = "/bench/naive.ics"
TRIVIAL = "/bench/trivial.txt"
#: Requests of each fast kind (warm, the 304s, trivial) per round.
INNER = 10
#: Sessions lie within this many days of today: inside the default window (a year back,
#: everything ahead) whatever the hour the benchmark runs.
SPREAD = 360
TARGET_SPEEDUP = 50
TARGET_NOT_MODIFIED = 2

#: Provincial leaders as the press names them (Báo Gia Lai, 5/12/2024), who chair some
#: sessions of the communes; each commune's chairman chairs most of the others.
PROVINCIAL = [("Nguyễn Ngọc Lương", "Phó Bí thư Tỉnh ủy"),
              ("Phạm Thị Tố Hải", "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Dân vận Tỉnh ủy"),
              ("Ayun H’Bút", "Tỉnh ủy viên, Phó Chủ tịch HĐND tỉnh"),
              ("Nguyễn Thái Bình", "Phó Trưởng ban Thường trực Ban Dân vận Tỉnh ủy")]
TITLE = ("Hội nghị đối thoại giữa người đứng đầu cấp ủy, chính quyền {unit} với Nhân dân "
         "năm {year}")
STARTS = [wall_clock(7, 30), wall_clock(8), wall_clock(8), wall_clock(13, 30), wall_clock(14)]
FORMATS = {SessionFormat.IN_PERSON: 7, SessionFormat.HYBRID: 2, SessionFormat.ONLINE: 1}


def lower_first(name: str) -> str:
    return f"{name[0].lower()}{name[1:]}"


class Seeder:
    """Writes officials, sessions and connection points by bulk inserts, in chunks."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.today = local_today()
        self.now = datetime.now(UTC)
        # (id, name): plain values, which outlive the commits between chunks.
        self.communes = list(db.session.execute(select(Unit.id, Unit.name).where(
            Unit.era == Era.Y2025, Unit.level == UnitLevel.COMMUNE).order_by(Unit.id)))
        province = db.session.scalar(select(Unit.id).where(
            Unit.era == Era.Y2025, Unit.level == UnitLevel.PROVINCE))
        officials = [(name, position, province) for name, position in PROVINCIAL]
        # A chairman for two communes in three: the others' sessions name a guest chair.
        self.chairs: dict[int, int] = {}
        for commune in self.communes:
            if rng.random() < 2 / 3:
                name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
                officials.append((name, f"Chủ tịch UBND {lower_first(commune.name)}",
                                  commune.id))
                self.chairs[commune.id] = len(officials)
        db.session.execute(insert(Official.__table__), [
            {"id": i, "full_name": name, "position": position, "unit_id": unit_id,
             "search_text": fold(f"{name} {position}"), "archived_at": None, "version": 1,
             "created_at": self.now, "updated_at": self.now}
            for i, (name, position, unit_id) in enumerate(officials, start=1)])
        self.provincial = list(range(1, len(PROVINCIAL) + 1))
        db.session.commit()
        self.next = {"session": 1, "point": 1}

    def seed(self, sessions: int, label: str) -> None:
        seed_in_chunks(sessions, 500, label, self._chunk)

    def _chunk(self, count: int) -> None:
        rng = self.rng
        sessions, points = [], []
        for _ in range(count):
            session_id = self.next["session"]
            self.next["session"] += 1
            commune = rng.choice(self.communes)
            day = self.today + timedelta(days=rng.randint(-SPREAD, SPREAD))
            starts = local_to_utc(day, rng.choice(STARTS))
            form = rng.choices(list(FORMATS), weights=list(FORMATS.values()))[0]
            unit = lower_first(commune.name)
            title = TITLE.format(unit=unit, year=day.year)
            if rng.random() < 0.3:
                title += f" (lần {rng.randint(2, 4)})"
            topic = rng.choice(SESSION_TOPICS)
            venue = "" if form is SessionFormat.ONLINE else rng.choice([
                f"Hội trường UBND {unit}", f"Nhà văn hóa {rng.choice(VILLAGES)}, {unit}",
                f"Hội trường Đảng ủy {unit}"])
            roll = rng.random()
            chair_id = (rng.choice(self.provincial) if roll < 0.1
                        else self.chairs.get(commune.id) if roll < 0.85 else None)
            sessions.append({
                "id": session_id, "uid": new_uid(), "title": title,
                "unit_id": commune.id, "unit_name": commune.name,
                "kind": SessionKind.PERIODIC if rng.random() < 0.8 else SessionKind.AD_HOC,
                "format": form, "starts_at": starts,
                "ends_at": starts + timedelta(hours=rng.choice([3, 3, 4]),
                                              minutes=rng.choice([0, 30])),
                "venue": venue, "topic": topic, "agenda": "", "chair_id": chair_id,
                "chair_name": "" if chair_id else f"Chủ tịch UBND {unit}",
                "secretary_id": None, "secretary_name": "", "is_public": True,
                "status": SessionStatus.SCHEDULED, "status_reason": "",
                "announced_at": min(starts - timedelta(days=rng.randint(7, 20)), self.now),
                "revision": rng.choice([0, 0, 0, 1, 2]),
                "search_text": fold(" ".join([title, topic, venue, commune.name])),
                "version": 1,
                "created_at": self.now, "updated_at": self.now,
            })
            if form is not SessionFormat.IN_PERSON:
                for position in range(rng.randint(2, 4)):
                    village = rng.choice(VILLAGES)
                    name, place = ((f"Điểm cầu UBND {unit}", f"Trụ sở UBND {unit}, tỉnh Gia Lai")
                                   if position == 0 else
                                   (f"Điểm cầu {village}", f"Nhà văn hóa {village}, {unit}"))
                    points.append({"id": self.next["point"], "session_id": session_id,
                                   "position": position, "name": name, "place": place})
                    self.next["point"] += 1
        db.session.execute(insert(DialogueSession.__table__), sessions)
        if points:
            db.session.execute(insert(ConnectionPoint.__table__), points)


# The benchmark's own endpoints -------------------------------------------------------------

def naive_feed() -> Response:
    """The whole feed rebuilt: the sessions by the ORM, an icalendar Event each, one
    Calendar with the feed's header, serialised."""
    window = operations.default_window()
    feed = operations.all_feed()
    with force_locale("vi"):
        sessions = db.session.scalars(select(DialogueSession).where(
            published_clause(), DialogueSession.ends_at > window.start).order_by(
            DialogueSession.starts_at, DialogueSession.id).options(
            selectinload(DialogueSession.unit), selectinload(DialogueSession.chair),
            selectinload(DialogueSession.connection_points))).all()
        calendar = Calendar.from_ical(ical.calendar_header(str(feed.name), feed.uid)
                                      + ical.CALENDAR_END)
        for session in sessions:
            calendar.add_component(ical.build_event(session))
        body = calendar.to_ical()
    return Response(body, mimetype="text/calendar")


def trivial() -> Response:
    return Response("ok", mimetype="text/plain")


def add_endpoints(app) -> None:
    """Named in the feeds blueprint so that the sign-in guard lets them through, as it does
    the feeds: the same hooks run before and after them."""
    app.add_url_rule(NAIVE, "feeds.bench_naive", naive_feed)
    app.add_url_rule(TRIVIAL, "feeds.bench_trivial", trivial)


# Measuring ---------------------------------------------------------------------------------

class Requests:
    """Times requests by kind: milliseconds and SQL statements of each."""

    def __init__(self, client, counter: StatementCounter):
        self.client = client
        self.counter = counter
        self.ms: dict[str, list[float]] = {}
        self.statements: dict[str, set[int]] = {}

    def get(self, kind: str, url: str, status: int, etag: str | None = None,
            record: bool = True):
        headers = {"If-None-Match": f'"{etag}"'} if etag else {}
        self.counter.count = 0
        began = time.perf_counter()
        response = self.client.get(url, headers=headers)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == status, (kind, url, response.status_code)
        if record:
            self.ms.setdefault(kind, []).append(elapsed)
            self.statements.setdefault(kind, set()).add(self.counter.count)
        return response

    def median(self, kind: str) -> float:
        return statistics.median(self.ms[kind])


class QueryCounter(StatementCounter):
    """Statements a feed request sends, but the read of the feed state (see the top)."""

    def seen(self, _connection, _cursor, statement, *args, **kwargs):
        if "FROM feed_state" not in statement:
            self.count += 1


def events(body: bytes) -> int:
    return body.count(b"BEGIN:VEVENT\r\n")


def personal_token() -> str:
    """The address token of the province's secretary, whose scope holds every session."""
    token = tokens.issue_feed_token(add_secretary("thuky.tinh")).token
    db.session.commit()
    return token


def clear_cache(app, *, events: bool = True) -> None:
    """Forget assembled feeds (each measured request assembles its feed), and the VEVENT
    texts too unless ``events`` is False."""
    with app.app_context():
        cache.body_cache().clear()
        if events:
            cache.event_cache().clear()


def change_one(app, session_id: int, stamp: str) -> None:
    """Change a session as an edit would (through the ORM, so the feed state rises)."""
    with app.app_context():
        session = db.session.get(DialogueSession, session_id)
        session.agenda = stamp
        db.session.commit()
        db.session.remove()


def measure(app, client, counter: StatementCounter, size: int, rounds: int,
            first: bool, personal: str) -> dict:
    timer = Requests(client, counter)
    # Warm-up: the first of each kind fills the locale, statement and plan caches (the
    # slow kinds only at the first size: they take seconds at the larger ones).
    if first:
        timer.get("naive", NAIVE, 200, record=False)
        clear_cache(app)
        timer.get("cold", FEED, 200, record=False)
    etag = timer.get("warm", FEED, 200, record=False).get_etag()[0]
    timer.get("304", FEED, 304, etag=etag, record=False)
    personal_etag = timer.get("personal", personal, 200, record=False).get_etag()[0]
    timer.get("304 personal", personal, 304, etag=personal_etag, record=False)
    timer.get("trivial", TRIVIAL, 200, record=False)
    checks = []
    for number in range(rounds):
        change_one(app, 1 + number * 7 % size, f"bench {size} {number}")
        gc.collect()
        changed = timer.get("changed", FEED, 200, etag=etag)
        gc.collect()
        naive = timer.get("naive", NAIVE, 200)
        clear_cache(app)
        gc.collect()
        cold = timer.get("cold", FEED, 200)
        for _ in range(INNER):
            clear_cache(app, events=False)
            gc.collect()
            warm = timer.get("warm", FEED, 200)
        etag = warm.get_etag()[0]
        gc.collect()
        for _ in range(INNER):
            not_modified = timer.get("304", FEED, 304, etag=etag)
        personal_etag = timer.get("personal", personal, 200, record=False).get_etag()[0]
        gc.collect()
        for _ in range(INNER):
            timer.get("304 personal", personal, 304, etag=personal_etag)
        gc.collect()
        for _ in range(INNER):
            timer.get("trivial", TRIVIAL, 200)
        checks.append({
            "same": cold.data == warm.data == changed.data,
            "events": {events(cold.data), events(naive.data)},
            "empty": not not_modified.data,
            "naive_same": naive.data == warm.data,
        })
    bad = [check for check in checks
           if not (check["same"] and check["events"] == {size} and check["empty"])]
    if bad:
        raise RuntimeError(f"{size} sessions: wrong bodies: {bad[0]}")
    result = {kind: timer.median(kind) for kind in timer.ms}
    result.update({f"{kind}_q": "–".join(str(n) for n in sorted({min(counts), max(counts)}))
                   for kind, counts in timer.statements.items()})
    result["kib"] = len(warm.data) / 1024
    result["naive_same"] = all(check["naive_same"] for check in checks)
    return result


def counts() -> dict[str, int]:
    return {
        "chaired": db.session.scalar(select(func.count()).select_from(DialogueSession).where(
            DialogueSession.chair_id.is_not(None))),
        "online": db.session.scalar(select(func.count()).select_from(DialogueSession).where(
            DialogueSession.format != SessionFormat.IN_PERSON)),
        "points": db.session.scalar(select(func.count()).select_from(ConnectionPoint)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="500 and 2000 sessions, 3 rounds (under a minute)")
    parser.add_argument("--sizes", help="sessions in the feed (default 500,5000)")
    parser.add_argument("--repeat", type=int,
                        help=f"rounds per size (default 9): naive, cold and changed once "
                             f"each, warm, the 304s and trivial {INNER} times")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in
                   (args.sizes or (QUICK_SIZES if args.quick else SIZES)).split(","))
    rounds = args.repeat or (3 if args.quick else 9)

    check_scratch_database(parser)
    began = time.perf_counter()
    results: dict[int, dict] = {}
    seeding = 0.0
    with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
        add_endpoints(app)
        with app.app_context():
            seeder = Seeder(random.Random(SEED))
            personal = f"/feeds/private/{personal_token()}.ics"
            counter = QueryCounter(db.engine)
            db.session.remove()
        client = app.test_client()
        seeded = 0
        for size in sizes:
            with app.app_context():
                started = time.perf_counter()
                seeder.seed(size - seeded, f"seeding {seeded:,} → {size:,} sessions")
                fix_sequences("officials", "dialogue_sessions", "session_connection_points")
                seeding += time.perf_counter() - started
                seeded = size
                made = counts()
                db.session.remove()
            print(f"measuring {size:,} sessions…", file=sys.stderr)
            results[size] = measure(app, client, counter, size, rounds,
                                    first=size == sizes[0], personal=personal) | made

    print(f"Calendar feed /feeds/all.ics against the number of sessions ({backend()}, through "
          f"the Flask test client, no one signed in; median ms of {rounds} rounds: naive, "
          f"cold and changed once a round, warm, the 304s and trivial {INNER} times)")
    print("  naive = the ORM and icalendar on every request; cold = ours, event cache empty; "
          "warm = ours, cache warm, no If-None-Match;")
    print("  304 = ours, If-None-Match current; 304 p. = the same of a secretary's personal "
          "feed; trivial = a tiny response from the same app;")
    print("  changed = ours after one session changed;")
    print(f"  speedup = naive / warm (target ≥ {TARGET_SPEEDUP}× at the largest size); "
          f"304/trivial (target ≤ {TARGET_NOT_MODIFIED}); "
          "q = SQL statements per request, cold/warm/304/304 p.")
    print("| sessions | naive ms | cold ms | warm ms | 304 ms | 304 p. ms | trivial ms "
          "| changed ms | speedup | 304/trivial | q cold/warm/304/304 p. |")
    print("|----------|----------|---------|---------|--------|-----------|------------"
          "|------------|---------|-------------|------------------------|")
    for size, r in results.items():
        queries = f"{r['cold_q']}/{r['warm_q']}/{r['304_q']}/{r['304 personal_q']}"
        print(f"| {size:>8,} | {r['naive']:>8.1f} | {r['cold']:>7.1f} | {r['warm']:>7.2f} | "
              f"{r['304']:>6.2f} | {r['304 personal']:>9.2f} | {r['trivial']:>10.2f} | "
              f"{r['changed']:>10.2f} | "
              f"{r['naive'] / r['warm']:>6.1f}× | {r['304'] / r['trivial']:>11.2f} | "
              f"{queries:>22} |")
    print("feeds: " + "; ".join(
        f"{size:,} sessions {r['kib']:,.0f} KiB, {r['chaired']:,} chaired by an official, "
        f"{r['online']:,} online or hybrid with {r['points']:,} connection points"
        for size, r in results.items()))
    print("SQL statements per request, naive: "
          + ", ".join(f"{size:,} sessions q{r['naive_q']}" for size, r in results.items())
          + "; changed: "
          + ", ".join(f"{size:,} sessions q{r['changed_q']}" for size, r in results.items()))
    print("checked: cold, warm and changed bodies byte for byte the same, one VEVENT per "
          "session in them and in naive's, 304 without a body; naive's body "
          + ("is the same bytes as ours" if all(r["naive_same"] for r in results.values())
             else "DIFFERS from ours"))
    grew = [kind for kind in ("cold", "warm", "304", "304 personal")
            if len({r[f"{kind}_q"] for r in results.values()}) != 1]
    if grew:
        print("statements CHANGE with the number of sessions: " + ", ".join(grew))
    else:
        print("statements per request of cold, warm and the 304s do not depend on the number "
              "of sessions")
    largest = results[sizes[-1]]
    speedup = largest["naive"] / largest["warm"]
    not_modified = largest["304"] / largest["trivial"]
    print(f"targets at {sizes[-1]:,} sessions: warm_speedup ≥ {TARGET_SPEEDUP} "
          f"{'met' if speedup >= TARGET_SPEEDUP else 'MISSED'}, not_modified_vs_trivial ≤ "
          f"{TARGET_NOT_MODIFIED} "
          f"{'met' if not_modified <= TARGET_NOT_MODIFIED else 'MISSED'}; "
          f"seeding {seeding:.1f} s, in all {time.perf_counter() - began:.1f} s")
    print(f"result: warm_speedup={speedup:.1f} not_modified_vs_trivial={not_modified:.2f}")
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
