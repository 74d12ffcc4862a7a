"""How the main pages scale with the number of sessions.

Run: .venv/bin/python bench/bench_pages.py [--sizes 10,100,1000,5000] [--repeat 15]

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units and N
sessions spread over two years, then times each page through the Flask test client (no
network) and counts its SQL statements. Prints a table: median milliseconds, SQL
statements, and the time ratio against the smallest size measured in the same run.
"""

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta

from common import (
    StatementCounter,
    add_secretary,
    backend,
    check_scratch_database,
    scratch_app,
    signed_in_client,
)

from dialogue.core.time import local_to_utc
from dialogue.extensions import db
from dialogue.sessions.models import SessionFormat, SessionKind, SessionStatus
from dialogue.sessions.operations import SessionDetails, schedule_session
from dialogue.units.models import Era, Unit, UnitLevel

PAGES = {
    "list": "/sessions/",
    "list, text filter": "/sessions/?q=doi+thoai&level=commune",
    "calendar": "/sessions/calendar?year=2026&month=3",
    "detail": "/sessions/{last_id}",
    "unit picker": "/units/search?q=ia",
}


def populate(count: int, by) -> int:
    communes = db.session.scalars(
        db.select(Unit).where(Unit.era == Era.Y2025, Unit.level == UnitLevel.COMMUNE)
    ).all()
    start = date(2025, 7, 1)
    last = None
    for i in range(count):
        day = start + timedelta(days=(i * 7) % 730)
        begins = local_to_utc(day, datetime.strptime("08:00", "%H:%M").time())  # noqa: DTZ007
        last, _ = schedule_session(SessionDetails(
            title=f"Đối thoại với Nhân dân số {i + 1}", unit=communes[i % len(communes)],
            kind=SessionKind.PERIODIC, format=SessionFormat.IN_PERSON,
            starts_at=begins, ends_at=begins + timedelta(hours=2),
            venue=f"Hội trường UBND {communes[i % len(communes)].name}",
        ), by=by, status=SessionStatus.SCHEDULED)
        if i % 500 == 499:
            db.session.commit()
    db.session.commit()
    return last.id


def measure(client, url: str, repeat: int, counter: StatementCounter) -> tuple[float, int]:
    client.get(url)  # warm caches and templates
    timings = []
    for _ in range(repeat):
        counter.count = 0
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), counter.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000,5000")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    check_scratch_database(parser)
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
            with app.app_context():
                last_id = populate(size, add_secretary("thuky.tinh"))
                counter = StatementCounter(db.engine)
                db.session.remove()
            client = signed_in_client(app, "thuky.tinh")
            for name, page in PAGES.items():
                results[(name, size)] = measure(client, page.format(last_id=last_id),
                                                args.repeat, counter)

    print(f"Pages against the number of sessions ({backend()}, median of {args.repeat}, ms; "
          f"ratio to {sizes[0]} sessions; SQL statements per request)")
    header = f"| {'page':<18} |" + "".join(f" {n:>6} sessions |" for n in sizes)
    print(header)
    print("|" + "-" * 20 + "|" + "|".join("-" * 17 for _ in sizes) + "|")
    for name in PAGES:
        base = results[(name, sizes[0])][0]
        cells = ""
        for n in sizes:
            milliseconds, statements = results[(name, n)]
            cells += f" {milliseconds:6.1f} ×{milliseconds / base:4.1f} q{statements:<2}|"
        print(f"| {name:<18} |{cells}")


if __name__ == "__main__":
    main()
