"""How the follow-up board and search scale with a province's worth of issues.

Run: .venv/bin/python bench/followup.py [--quick] [--repeat 10] [--sessions 5000]

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units, then
seeds with bulk inserts 1 % of a province-scale dataset (``province.Seeder``, shared with
``bench/reports.py``: by default 5,000 sessions with issues over two years, nearly all
held, 10 issues each, 1.2 commitments per issue: 50,000 issues and 60,000 commitments,
and about 500 sessions without issues), measures, seeds the other 99 % into the same
database and measures again.
It requests /followup (first page of 30, its COUNT and the counters) and /search for
"dat dai" and "boi thuong" in each tab (issues, commitments, sessions) through the Flask
test client, signed in as a provincial and as a commune secretary, each request outside
any app context as in production; ``--operations`` calls the operations those pages run
instead (templates left out, the account not counted). It counts SQL statements and takes
the median time of ``--repeat`` runs. Prints a
table with the ratios of the two sizes measured in the same run — and the 100 % once
more after ``ANALYZE``, since SQLite plans without statistics until someone runs it — and
as its last line ``result: queries_small=N queries_large=N time_ratio=X`` (statements of
the measured pages as a provincial secretary at 1 % and at 100 %, and the board's time at
100 % over its time at 1 %, before ANALYZE). Exits with status 1 if statements grew.
"""

import argparse
import statistics
import sys
import tempfile
import time

from common import (
    StatementCounter,
    add_secretary,
    backend,
    check_scratch_database,
    fix_sequences,
    scratch_app,
    signed_in_client,
)
from province import TABLES, TODAY, Seeder
from sqlalchemy import func, select, text
from sqlalchemy.orm import selectinload

from dialogue.accounts.models import RoleAssignment, User
from dialogue.extensions import db
from dialogue.issues.board import (
    BoardFilter,
    board_counters,
    board_query,
    search_commitments,
    search_issues,
    search_sessions,
)
from dialogue.issues.models import Commitment, Issue
from dialogue.sessions.models import DialogueSession
from dialogue.units.models import Unit

PER_PAGE = 30


# Measuring -----------------------------------------------------------------------------------

def first_page(statement, show) -> tuple[int, int]:
    """What a list page runs: its first page (rows and their loaded relations) and a COUNT.

    Returns the rows found and whether the page had any: an empty page loads no related
    rows, so it runs fewer statements (``selectinload`` has nothing to load).
    """
    page = db.paginate(statement, page=1, per_page=PER_PAGE, error_out=False)
    for row in page.items:
        show(row)
    return page.total, int(bool(page.items))


def show_board_row(commitment: Commitment) -> tuple:
    issue = commitment.issue
    return (commitment.agency.name, issue.number, issue.field and issue.field.name,
     issue.session.title, issue.session.unit_name)


def show_session(session: DialogueSession) -> tuple:
    return (session.title, session.unit_name)


def show_issue(issue: Issue) -> tuple:
    return (issue.content, issue.session.title, issue.session.unit_name,
     issue.field and issue.field.name)


def show_commitment(commitment: Commitment) -> tuple:
    return (commitment.agency.name, commitment.issue.number, commitment.issue.session.title)


def board_page(user: User) -> tuple[int, int]:
    return first_page(board_query(user, BoardFilter()), show_board_row)


def counters(user: User) -> tuple[int, int]:
    return board_counters(user, TODAY).open, 1


def search(query: str):
    def run(user: User) -> tuple[int, int]:
        pages = [first_page(search_sessions(user, query), show_session),
                 first_page(search_issues(user, query), show_issue),
                 first_page(search_commitments(user, query), show_commitment)]
        return sum(found for found, _ in pages), sum(filled for _, filled in pages)
    return run


#: Through the operations (``--operations``): what the pages run, without templates.
OPERATIONS = {
    "board page": board_page,
    "board counters": counters,
    'search "dat dai"': search("dat dai"),
    'search "boi thuong"': search("boi thuong"),
}
OPERATIONS_EXTRA = {'search "dơ nâu"': search("dơ nâu")}


def found_by(operation):
    """How many rows a page lists in all, for the table (not timed)."""
    def count(user: User) -> int:
        statement = operation(user)
        return db.session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery()))
    return count


def searching(query: str, kind: str):
    run = {"issues": search_issues, "commitments": search_commitments,
           "sessions": search_sessions}[kind]
    return found_by(lambda user: run(user, query))


#: Through HTTP (the default): the pages themselves, board and counters in one request,
#: search one tab at a time as the page shows it.
PAGES = {
    "/followup": ("/followup",
                  found_by(lambda user: board_query(user, BoardFilter()))),
    **{f'search "{q}", {kind}': (f"/search?q={q.replace(' ', '+')}&in={kind}",
                                 searching(q, kind))
       for q in ("dat dai", "boi thuong") for kind in ("issues", "commitments", "sessions")},
}
PAGES_EXTRA = {'search "dơ nâu", issues': ("/search?q=d%C6%A1+n%C3%A2u&in=issues",
                                           searching("dơ nâu", "issues"))}


def load_user(username: str) -> User:
    """As the login's user loader does, outside the measured statements."""
    return db.session.scalar(select(User).where(User.username == username).options(
        selectinload(User.roles).selectinload(RoleAssignment.unit)))


def measure_operation(app, username: str, operation, repeat: int,
                      counter: StatementCounter) -> tuple[float, int, tuple[int, int]]:
    """Median milliseconds, statements, and (rows found, pages with rows); each run in its
    own application context, as a request."""
    timings, statements, found = [], set(), (0, 0)
    for attempt in range(repeat + 1):
        with app.app_context():
            user = load_user(username)
            counter.count = 0
            began = time.perf_counter()
            found = operation(user)
            elapsed = (time.perf_counter() - began) * 1000
            statements.add(counter.count)
            db.session.remove()
        if attempt:  # the first run warms caches
            timings.append(elapsed)
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between runs: {statements}")
    return statistics.median(timings), statements.pop(), found


def measure_page(app, client, username: str, page: tuple, repeat: int,
                 counter: StatementCounter) -> tuple[float, int, tuple[int, int]]:
    """Median milliseconds and statements of a request (each outside any app context, as
    in production), and (rows the page lists in all, whether it lists any)."""
    url, finder = page
    timings, statements = [], set()
    for attempt in range(repeat + 1):
        counter.count = 0
        began = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        statements.add(counter.count)
        if attempt:  # the first request warms caches and templates
            timings.append(elapsed)
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between requests: {statements}")
    with app.app_context():
        found = finder(load_user(username))
        db.session.remove()
    return statistics.median(timings), statements.pop(), (found, int(found > 0))


def totals() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model
            in (("sessions", DialogueSession), ("issues", Issue),
                ("commitments", Commitment))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="500 sessions as the 100 %% and 5 repeats (under a minute)")
    parser.add_argument("--sessions", type=int, help="sessions at 100 %% (default 5000)")
    parser.add_argument("--repeat", type=int, help="timed runs per measure (default 10)")
    parser.add_argument("--operations", action="store_true",
                        help="call the operations instead of requesting the pages")
    args = parser.parse_args()
    full = args.sessions or (500 if args.quick else 5000)
    repeat = args.repeat or (5 if args.quick else 10)
    small = max(1, full // 100)

    check_scratch_database(parser)
    results, sizes = {}, {}
    with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
        with app.app_context():
            add_secretary("thuky.tinh")
            seeder = Seeder()
            seeder.seed(small, "seeding 1 %")
            # The commune secretary's commune: the busiest one at 1 %, so her pages have rows.
            commune = db.session.scalar(
                select(Unit).join(DialogueSession, DialogueSession.unit_id == Unit.id)
                .group_by(Unit.id).order_by(func.count().desc(), Unit.id).limit(1))
            add_secretary("thuky.xa", commune)
            commune_name = commune.name
            counter = StatementCounter(db.engine)
            sizes["1 %"] = totals()
            db.session.remove()

        users = {"province": "thuky.tinh", f"commune ({commune_name})": "thuky.xa"}
        if args.operations:
            measured, extra = OPERATIONS, OPERATIONS_EXTRA
        else:
            measured, extra = PAGES, PAGES_EXTRA
            clients = {username: signed_in_client(app, username) for username in users.values()}
        every = {**measured, **extra}

        def measure_all(size: str) -> None:
            print(f"measuring at {size}…", file=sys.stderr)
            for who, username in users.items():
                for label, what in every.items():
                    results[(who, label, size)] = (
                        measure_operation(app, username, what, repeat, counter)
                        if args.operations else
                        measure_page(app, clients[username], username, what, repeat, counter))

        measure_all("1 %")
        with app.app_context():
            seeder.seed(full - small, "seeding the other 99 %")
            fix_sequences(*TABLES)
            sizes["100 %"] = totals()
            db.session.remove()
        measure_all("100 %")
        # The planner's statistics: SQLite has none until ANALYZE runs (nothing in the app
        # runs it); PostgreSQL's autovacuum gathers them on its own.
        with app.app_context():
            began = time.perf_counter()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            analyze_seconds = time.perf_counter() - began
            db.session.remove()
        measure_all("100 %, analyzed")

    how = ("through the operations, the signed-in account not counted" if args.operations
           else "through the Flask test client, signed in")
    print(f"Follow-up board and search ({backend()}, {how}; median of {repeat}, ms; "
          f"qN = SQL statements; rows listed in all; ×ratio to 1 %)")
    for size, counts in sizes.items():
        print(f"  {size:>5}: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    width = max(len(label) for label in every)
    wide = max(len(who) for who in users)
    print(f"| {'user':<{wide}} | {'page':<{width}} | {'1 %':>22} | {'100 %':>24} | ratio "
          f"| {'100 %, after ANALYZE':>24} |")
    print(f"|{'-' * (wide + 2)}|{'-' * (width + 2)}|{'-' * 24}|{'-' * 26}|-------|{'-' * 26}|")
    grew, empty = [], []
    for who in users:
        for label in every:
            ms_small, q_small, (n_small, filled_small) = results[(who, label, "1 %")]
            ms_large, q_large, (n_large, filled_large) = results[(who, label, "100 %")]
            if q_large != q_small:
                if filled_large != filled_small:
                    empty.append(f"{who}, {label}: q{q_small} → q{q_large}")
                else:
                    grew.append(f"{who}, {label}: q{q_small} → q{q_large}")
            ms_analyzed, q_analyzed, _ = results[(who, label, "100 %, analyzed")]
            small_cell = f"{ms_small:.1f} ms q{q_small:<3} {n_small:>7,}"
            large_cell = f"{ms_large:.1f} ms q{q_large:<3} {n_large:>8,}"
            analyzed_cell = f"{ms_analyzed:.1f} ms q{q_analyzed:<3} ×{ms_analyzed / ms_small:4.1f}"
            print(f"| {who:<{wide}} | {label:<{width}} | {small_cell:>22} | {large_cell:>24} | "
                  f"×{ms_large / ms_small:4.1f} | {analyzed_cell:>24} |")
    print(f"ANALYZE at 100 %: {analyze_seconds * 1000:.0f} ms")
    if empty:
        print("fewer statements where a page was empty at 1 % (no related rows to load): "
              + "; ".join(empty))
    if grew:
        print("statements GREW with the data: " + "; ".join(grew))
    else:
        print("statements per page do not grow with the data"
              + (" (same count at 1 % and 100 % wherever the pages had rows)" if empty
                 else ": the same at 1 % and at 100 % for every row"))
    province_user = next(iter(users))
    board = next(iter(measured))
    queries_small = sum(results[(province_user, label, "1 %")][1] for label in measured)
    queries_large = sum(results[(province_user, label, "100 %")][1] for label in measured)
    ratio = (results[(province_user, board, "100 %")][0]
             / results[(province_user, board, "1 %")][0])
    print(f"result: queries_small={queries_small} queries_large={queries_large} "
          f"time_ratio={ratio:.2f}")
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
