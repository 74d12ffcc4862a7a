"""How the main pages scale with the number of sessions.

Run: .venv/bin/python bench/bench_pages.py [--sizes 10,100,1000,5000] [--repeat 15]

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units and N
sessions spread over two years, then times each page through the Flask test client (no
network) and counts its SQL statements. Prints a table: median milliseconds, SQL
statements, and the time ratio against the smallest size measured in the same run.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import event

from dialogue import create_app
from dialogue.accounts.models import Role
from dialogue.accounts.operations import create_user
from dialogue.core.time import local_to_utc
from dialogue.extensions import db
from dialogue.sessions.models import SessionFormat, SessionKind, SessionStatus
from dialogue.sessions.operations import SessionDetails, schedule_session
from dialogue.units.models import Era, Unit, UnitLevel
from dialogue.units.operations import import_units

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


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, *args, **kwargs):
        self.count += 1


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

    name = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[-1]
    if name and "test" not in name and "bench" not in name:
        parser.error("DATABASE_URL must name a scratch database (its name containing 'test' "
                     "or 'bench'): the benchmark drops everything in it.")
    results = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                              "WTF_CSRF_ENABLED": False})
            with app.app_context():
                if os.environ.get("DATABASE_URL"):
                    downgrade(revision="base")
                upgrade()
                import_units([Era.Y2025], province_code=52)
                province = db.session.scalar(db.select(Unit).where(
                    Unit.era == Era.Y2025, Unit.level == UnitLevel.PROVINCE))
                # A provincial secretary: her pages carry the permission filters.
                secretary = create_user("thuky.tinh", "Thư ký tỉnh", "bench-2026",
                                        roles=[(Role.SECRETARY, province)])
                db.session.commit()
                last_id = populate(size, secretary)
                counter = StatementCounter(db.engine)
                db.session.remove()
            # Requests run outside any app context, each in its own as in production.
            client = app.test_client()
            client.post("/login", data={"username": "thuky.tinh", "password": "bench-2026"})
            for name, page in PAGES.items():
                results[(name, size)] = measure(client, page.format(last_id=last_id),
                                                args.repeat, counter)
            if os.environ.get("DATABASE_URL"):
                with app.app_context():
                    downgrade(revision="base")

    backend = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"Pages against the number of sessions ({backend}, median of {args.repeat}, ms; "
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
