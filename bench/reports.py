"""How long the yearly report of a province takes, against the same figures computed by one
hand-written SQL statement in the same run.

Run: .venv/bin/python bench/reports.py [--quick] [--repeat 10] [--sessions 5000]

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units and seeds
by bulk inserts the province-scale dataset ``bench/followup.py`` measures
(``province.Seeder``: by default 5,000 sessions with issues over the last two years in Gia
Lai's communes, 50,000 issues, 60,000 commitments, about 500 more sessions without issues,
the minutes of most held ones with their attendance); ``--quick`` seeds 10 % of it and
repeats 5 times. On PostgreSQL it runs ANALYZE after seeding, as autovacuum soon would.

For the year with the most sessions with issues, in rounds (the first warms up and is not
counted), each call in its own request context as the report page makes it:

- *report*: ``build_report`` for the 2025 Tỉnh Gia Lai and everything under it;
- *report, rolled up*: the same with ``roll_up=True``;
- *raw SQL*: one hand-written statement (``text()``, spelled for SQLite or PostgreSQL)
  computing the same figures: a UNION ALL of the grouped selects the report runs, with the
  same joins, conditions, GROUP BYs and FILTER counts, and the three duty lists as rows of
  ids and days. The 10-working-day deadline of each session day is computed once
  beforehand and joined as a materialized VALUES list (the report joins the same table,
  sent as one JSON parameter). Left out, so counted in the report's time only:
  that computation, loading the units of the table's lines, the field names and the ORM
  objects of the duty lists, and putting the figures together in Python;
- *raw SQL, CASE*: the same with the deadline as a CASE on the session's day with one WHEN
  per day, as the report's first version wrote it (kept to show why it no longer does).

Before timing, it checks that both raw SQL statements give exactly the report's figures
(sessions by level, kind, format and status; attendance; issues by level, kind, field and
outcome and by unit; the eleven commitment columns by unit; the three duty lists) for that
year and the current one, rolled up or not, and stops with status 2 if they differ. Prints
the medians (ms) with the SQL statements each sends and the ratio to the raw SQL, then the
report's statements replayed one by one through the driver (where its time goes), and as
its last line ``result: report_vs_sql=X`` (the report's median over the raw SQL's; the
target is 1.5 at most).
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import astuple, replace
from datetime import date

from common import (
    StatementCounter,
    backend,
    check_scratch_database,
    fix_sequences,
    province,
    scratch_app,
)
from province import TABLES, TODAY, Seeder
from sqlalchemy import Date, bindparam, event, select, text

from dialogue.core.models import UTCDateTime
from dialogue.core.time import LOCAL_TZ, local_day_bounds, to_local
from dialogue.core.workdays import deadlines_after
from dialogue.extensions import db
from dialogue.issues.models import OPEN_STATUSES, CommitmentStatus
from dialogue.issues.operations import INFORM_WITHIN_WORKING_DAYS
from dialogue.reports.buckets import CLOSED_OTHERWISE
from dialogue.reports.duties import PUBLISH_WITHIN_DAYS
from dialogue.reports.operations import Report, build_report
from dialogue.reports.periods import year_period
from dialogue.reports.scope import ReportScope
from dialogue.sessions.models import RECORDING, DialogueSession, SessionKind, SessionStatus
from dialogue.sessions.operations import NOTICE_DAYS
from dialogue.units.models import Unit, UnitLevel

TARGET = 1.5
RAW_SQL = "raw SQL (one statement)"

# The baseline --------------------------------------------------------------------------------


def _values(statuses) -> str:
    """Enum values as SQL literals: fixed names of ours, not input."""
    return ", ".join(f"'{status.value}'" for status in sorted(statuses))


def baseline_sql(dialect: str, deadlines: dict[date, date], *, case: bool = False) -> str:
    """The report's figures in one statement, as someone would write it by hand.

    Columns: part, unit_id, ref (a field or session id), k1–k3 (keys or a day as text),
    n1–n11 (counts; the commitment columns in the order of ``CommitmentFigures``). With
    ``case``, the deadline of a commitment's session is a CASE on the session's day instead
    of a join on a VALUES list.
    """
    postgresql = dialect == "postgresql"

    def day(moment: str) -> str:  # the local day of a UTC timestamp, as core.sql spells it
        if postgresql:
            return f"CAST(timezone('{LOCAL_TZ.key}', {moment}) AS DATE)"
        return f"date({moment}, '+7 hours')"

    def days(later: str, earlier: str) -> str:
        if postgresql:
            return f"({later} - {earlier})"
        return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"

    def as_text(value: str) -> str:  # SQLite's date() is text already
        return f"CAST({value} AS TEXT)" if postgresql else value

    def literal(value: date) -> str:
        return f"DATE '{value.isoformat()}'" if postgresql else f"'{value.isoformat()}'"

    # The columns' NULLs are typed: PostgreSQL types a UNION pair by pair, and two bare NULLs
    # make a text column that a later count cannot join.
    number, key = "CAST(NULL AS BIGINT)", "CAST(NULL AS TEXT)"

    def row(part: str, unit_id=number, ref=number, keys=(), counts=()) -> str:
        keys = [*keys, *[key] * (3 - len(keys))]
        counts = [*counts, *[number] * (11 - len(counts))]
        return f"SELECT '{part}', {unit_id}, {ref}, {', '.join(keys)}, {', '.join(counts)}"

    if not deadlines:
        raise ValueError("no recorded session in the period: nothing to compare")
    # Session day → the day by which citizens must be told: computed once in Python (working
    # days and holidays), joined as a table.
    if case:
        whens = " ".join(f"WHEN {literal(d)} THEN {literal(deadline)}"
                         for d, deadline in sorted(deadlines.items()))
        deadline = f"(CASE {day('s.starts_at')} {whens} END)"
        join_deadlines = ""
    else:
        values = ",\n    ".join(f"({literal(d)}, {literal(deadline)})"
                                for d, deadline in sorted(deadlines.items()))
        deadline = "d.deadline"
        join_deadlines = f"\nLEFT JOIN deadlines d ON d.day = {day('s.starts_at')}"
    in_period = ("s.starts_at >= :start AND s.starts_at < :end "
                 "AND s.unit_id IN (SELECT id FROM in_scope)")
    recorded = f"{in_period} AND s.status IN ({_values(RECORDING)})"
    is_open = f"c.status IN ({_values(OPEN_STATUSES)})"
    resolved = f"c.status = '{CommitmentStatus.RESOLVED.value}'"
    informed = "c.citizen_informed_on"
    periodic = (f"s.kind = '{SessionKind.PERIODIC.value}' "
                "AND s.starts_at >= :year_start AND s.starts_at < :year_end")
    notice_days = days(day("s.starts_at"), day("s.announced_at"))
    publish_days = days(f"coalesce({day('s.minutes_filed_at')}, :today)", day("s.starts_at"))
    parts = [
        # Sessions by unit, kind, format and status, with the people the minutes count.
        row("sessions", "s.unit_id", keys=("s.kind", "s.format", "s.status"),
            counts=("count(*)", "coalesce(sum(p.people), 0)"))
        + f"""
FROM dialogue_sessions s LEFT JOIN people p ON p.session_id = s.id
WHERE {in_period}
GROUP BY s.unit_id, s.kind, s.format, s.status""",
        # Issues by level, kind, field and outcome.
        row("issues", ref="i.field_id", keys=("u.level", "i.kind", "i.outcome"),
            counts=("count(*)",))
        + f"""
FROM issues i JOIN dialogue_sessions s ON s.id = i.session_id JOIN units u ON u.id = s.unit_id
WHERE {recorded}
GROUP BY u.level, i.kind, i.field_id, i.outcome""",
        # Issues by unit.
        row("issues_by_unit", "s.unit_id", counts=("count(*)",))
        + f"""
FROM issues i JOIN dialogue_sessions s ON s.id = i.session_id
WHERE {recorded}
GROUP BY s.unit_id""",
        # Commitments by unit: the follow-up columns and the 10-working-day ones.
        row("commitments", "s.unit_id", counts=(
            "count(*)",
            f"count(*) FILTER (WHERE {resolved} AND c.closed_on <= c.due_on)",
            f"count(*) FILTER (WHERE {resolved} AND c.closed_on > c.due_on)",
            f"count(*) FILTER (WHERE {is_open})",
            f"count(*) FILTER (WHERE {is_open} AND c.due_on < :today)",
            f"count(*) FILTER (WHERE c.status IN ({_values(CLOSED_OTHERWISE)}))",
            f"coalesce(sum({days('c.closed_on', day('s.starts_at'))}) "
            f"FILTER (WHERE {resolved}), 0)",
            f"count(*) FILTER (WHERE {informed} <= {deadline})",
            f"count(*) FILTER (WHERE {informed} > {deadline})",
            f"count(*) FILTER (WHERE {informed} IS NULL AND {deadline} >= :today)",
            f"count(*) FILTER (WHERE {informed} IS NULL AND {deadline} < :today)"))
        + f"""
FROM commitments c JOIN issues i ON i.id = c.issue_id
JOIN dialogue_sessions s ON s.id = i.session_id{join_deadlines}
WHERE {recorded}
GROUP BY s.unit_id""",
        # Communes without their yearly conference held, and the next one planned.
        row("no_conference", "u.id", keys=(as_text(day(f"""(
    SELECT min(s.starts_at) FROM dialogue_sessions s
    WHERE {periodic} AND s.status = '{SessionStatus.SCHEDULED.value}'
      AND s.unit_id = u.id AND s.starts_at >= :today_start)""")),))
        + f"""
FROM units u
WHERE u.level = '{UnitLevel.COMMUNE.value}' AND u.id IN (SELECT id FROM in_scope)
  AND (u.valid_from IS NULL OR u.valid_from <= :as_of)
  AND (u.valid_to IS NULL OR u.valid_to >= :as_of)
  AND u.id NOT IN (
    SELECT s.unit_id FROM dialogue_sessions s
    WHERE {periodic} AND s.status = '{SessionStatus.HELD.value}'
    UNION SELECT successor_id FROM unit_successions WHERE predecessor_id IN (
      SELECT s.unit_id FROM dialogue_sessions s
      WHERE {periodic} AND s.status = '{SessionStatus.HELD.value}'))""",
        # Sessions announced fewer than 7 days ahead.
        row("short_notice", "s.unit_id", "s.id", keys=(as_text(day("s.announced_at")),),
            counts=(notice_days,))
        + f"""
FROM dialogue_sessions s
WHERE {recorded} AND s.announced_at IS NOT NULL AND s.announced_at < s.starts_at
  AND {notice_days} < {NOTICE_DAYS}""",
        # Held sessions whose minutes were not final within 10 days.
        row("late_minutes", "s.unit_id", "s.id", keys=(as_text(day("s.minutes_filed_at")),),
            counts=(publish_days,))
        + f"""
FROM dialogue_sessions s
WHERE {in_period} AND s.status = '{SessionStatus.HELD.value}'
  AND {publish_days} > {PUBLISH_WITHIN_DAYS}""",
    ]
    ctes = ["""roots(id) AS (
  SELECT predecessor_id FROM unit_successions WHERE successor_id = :unit
  UNION SELECT CAST(:unit AS INTEGER))""", """in_scope(id) AS (
  SELECT id FROM units WHERE id IN (SELECT id FROM roots)
    OR parent_id IN (SELECT id FROM roots) OR province_id IN (SELECT id FROM roots))""",
            f"""people(session_id, people) AS (
  SELECT m.session_id, sum(a.count) FROM minutes m
  JOIN minutes_attendance a ON a.minutes_id = m.id
  JOIN dialogue_sessions s ON s.id = m.session_id
  WHERE {in_period} GROUP BY m.session_id)"""]
    if not case:
        # Materialized, as the report's table of deadlines is: both databases then join it
        # by an index or a hash instead of scanning the list for every commitment.
        ctes.append(f"deadlines(day, deadline) AS MATERIALIZED (VALUES\n    {values})")
    return "WITH " + ",\n".join(ctes) + "\n" + "\nUNION ALL\n".join(parts)


def session_deadlines(scope: ReportScope) -> dict[date, date]:
    """The inform deadline of every day with a recorded session in scope (not timed: the
    baseline gets it for free); the days are read in Python, a cross-check of the report's
    local day in SQL."""
    days = sorted({to_local(moment).date() for moment in db.session.scalars(
        select(DialogueSession.starts_at).where(
            *scope.session_clauses(), DialogueSession.status.in_(RECORDING)))})
    return deadlines_after(days, INFORM_WITHIN_WORKING_DAYS)


class Baseline:
    """The one statement, compiled for a scope, and its parameters."""

    def __init__(self, scope: ReportScope, *, case: bool = False):
        year = scope.period.year
        self.statement = text(baseline_sql(db.engine.dialect.name, session_deadlines(scope),
                                           case=case))
        self.statement = self.statement.bindparams(
            bindparam("start", type_=UTCDateTime), bindparam("end", type_=UTCDateTime),
            bindparam("year_start", type_=UTCDateTime), bindparam("year_end", type_=UTCDateTime),
            bindparam("today_start", type_=UTCDateTime), bindparam("today", type_=Date),
            bindparam("as_of", type_=Date))
        start, end = local_day_bounds(scope.period.first, scope.period.last)
        year_start, year_end = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
        self.params = {
            "unit": scope.unit.id, "start": start, "end": end, "year_start": year_start,
            "year_end": year_end, "today_start": local_day_bounds(scope.today, scope.today)[0],
            "today": scope.today, "as_of": min(date(year, 12, 31), scope.today),
        }

    def run(self) -> list:
        return db.session.execute(self.statement, self.params).all()


# Comparing -----------------------------------------------------------------------------------

def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def baseline_figures(rows: list, levels: dict[int, UnitLevel]) -> dict:
    """The raw SQL's rows as the report's figures, to compare."""
    figures = {"sessions": Counter(), "people": Counter(), "issues": Counter(),
               "issues by unit": {}, "commitments by unit": {}, "communes": set(),
               "short notice": set(), "late minutes": set()}
    for part, unit_id, ref, k1, k2, k3, *counts in rows:
        if part == "sessions":
            level = levels[unit_id]
            figures["sessions"][level, k1, k2, k3] += counts[0]
            if k3 == SessionStatus.HELD.value:
                figures["people"][level] += counts[1]
        elif part == "issues":
            figures["issues"][k1, k2, ref, k3] += counts[0]
        elif part == "issues_by_unit":
            figures["issues by unit"][unit_id] = counts[0]
        elif part == "commitments":
            figures["commitments by unit"][unit_id] = tuple(counts)
        elif part == "no_conference":
            figures["communes"].add((unit_id, _day(k1)))
        else:
            figures[part.replace("_", " ")].add((ref, _day(k1), counts[0]))
    return figures


def report_figures(report: Report) -> dict:
    """The same figures from the report (its table by unit has one line per commune here:
    every session is a commune's, under the province)."""
    return {
        "sessions": Counter({key: n for key, n in report.sessions.items() if n}),
        "people": Counter({level: n for level, n in report.people.items() if n}),
        "issues": Counter({key: n for key, n in report.issues.items() if n}),
        "issues by unit": {line.unit.id: line.issues for line in report.units if line.issues},
        "commitments by unit": {
            line.unit.id: astuple(line.commitments)
            for line in report.units if line.commitments.assigned},
        "communes": {(duty.commune.id, duty.planned_on)
                     for duty in report.communes_without_conference},
        "short notice": {(duty.session_id, duty.on, duty.days) for duty in report.short_notice},
        "late minutes": {(duty.session_id, duty.on, duty.days) for duty in report.late_minutes},
    }


def summary(report: Report) -> str:
    total = report.total_commitments()
    return (f"{sum(report.sessions.values()):,} sessions ({report.held():,} held, "
            f"{sum(report.people.values()):,} people attending), "
            f"{sum(report.issues.values()):,} issues, {total.assigned:,} commitments "
            f"({total.resolved:,} resolved, {total.overdue:,} overdue, "
            f"{total.informed_on_time:,} told in time, {total.inform_overdue:,} not told "
            f"past the deadline, {total.inform_pending:,} not yet due), "
            f"{len(report.communes_without_conference)} communes without their yearly "
            f"conference, {len(report.short_notice)} sessions on short notice, "
            f"{len(report.late_minutes)} with late minutes")


def check_same(app, year: int, levels: dict[int, UnitLevel]) -> str:
    """The raw SQL's figures (both spellings) are the report's, rolled up or not; stops with
    status 2 if not: a baseline that computes something else measures nothing."""
    with app.test_request_context():
        scope = ReportScope(period=year_period(year), unit=province(), today=TODAY)
        expected = baseline_figures(Baseline(scope).run(), levels)
        found = {"report": build_report(scope),
                 "report, rolled up": build_report(replace(scope, roll_up=True))}
        figures = {which: report_figures(report) for which, report in found.items()}
        figures["raw SQL, CASE"] = baseline_figures(Baseline(scope, case=True).run(), levels)
        for which, figures_found in figures.items():
            for name, value in expected.items():
                if figures_found[name] != value:
                    other = figures_found[name]
                    differ = (set(value.items()) ^ set(other.items())
                              if isinstance(value, dict) else value ^ other)
                    print(f"MISMATCH in {year}, {name}: {which} has {len(other)} entries, "
                          f"raw SQL {len(value)}; differing: {sorted(differ, key=str)[:6]}",
                          file=sys.stderr)
                    sys.exit(2)
        text_summary = summary(found["report"])
        db.session.remove()
    return text_summary


# Measuring -----------------------------------------------------------------------------------

def busiest_year() -> int:
    """The year with the most sessions with issues (local time)."""
    years = Counter(to_local(moment).year for moment in db.session.scalars(
        select(DialogueSession.starts_at).where(DialogueSession.status.in_(RECORDING))))
    return max(sorted(years), key=years.__getitem__)


#: What each statement of the report is, by something only it says (first match wins).
LABELS = [
    ("minutes_attendance", "sessions by unit, kind, format, status + attendance"),
    ("FILTER (WHERE commitments", "commitments by unit (deadlines joined)"),
    ("units.id NOT IN", "communes without a yearly conference"),
    ("GROUP BY units.level", "issues by level, kind, field, outcome"),
    ("FROM issues JOIN", "issues by unit"),
    ("SELECT DISTINCT", "days of the sessions (for the deadlines)"),
    ("FROM holidays", "holidays"),
    ("announced_at IS NOT NULL", "short notice: sessions"),
    ("minutes_filed_at, ", "late minutes: sessions"),
    ("FROM issue_fields", "field names"),
    ("JOIN units ON units.id = unit_successions.successor_id", "successors (rolling up)"),
    ("FROM unit_successions", "the province's predecessors"),
    ("OR units.id IN (SELECT units.parent_id", "units of the table's lines"),
    ("FROM units", "parents of the communes listed (selectinload)"),
]


def label(statement: str) -> str:
    return next((name for marker, name in LABELS if marker in statement), statement[:40])


class Recorder:
    """Keeps the statements sent (and their parameters) while ``on``."""

    def __init__(self, engine):
        self.statements: list[tuple[str, object]] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self.seen)

    def seen(self, conn, cursor, statement, parameters, context, executemany):
        if self.on:
            self.statements.append((statement, parameters))


def replay(statements: list[tuple[str, object]], repeat: int) -> dict[str, float]:
    """Median ms of each statement sent again through the driver alone (execute and fetch
    every row: what the database and the driver cost, without SQLAlchemy and the ORM),
    summed by label. SQLite does part of a query's work while rows are fetched, so the
    execute call alone would understate it."""
    times: dict[str, float] = defaultdict(float)
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()
        for statement, parameters in statements:
            runs = []
            for attempt in range(repeat + 1):
                began = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                if attempt:
                    runs.append((time.perf_counter() - began) * 1000)
            times[label(statement)] += statistics.median(runs)
        connection.rollback()
    finally:
        connection.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="10 %% of the dataset (500 sessions) and 5 repeats "
                        "(under a minute)")
    parser.add_argument("--sessions", type=int,
                        help="sessions with issues to seed (default 5000)")
    parser.add_argument("--repeat", type=int, help="timed runs per measure (default 10)")
    args = parser.parse_args()
    sessions = args.sessions or (500 if args.quick else 5000)
    repeat = args.repeat or (5 if args.quick else 10)

    check_scratch_database(parser)
    began_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
        with app.app_context():
            began = time.perf_counter()
            Seeder().seed(sessions, "seeding")
            fix_sequences(*TABLES)
            # PostgreSQL's autovacuum analyzes freshly loaded tables on its own, within a
            # minute or so: done now, so that it does not change the plans in the middle of
            # the timings. SQLite has no statistics until someone runs ANALYZE, and nothing
            # in the app does (bench/followup.py measures both).
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            seeding = time.perf_counter() - began
            year = busiest_year()
            levels = dict(db.session.execute(select(Unit.id, Unit.level)).all())
            counter = StatementCounter(db.engine)
            recorder = Recorder(db.engine)
            db.session.remove()

        print("checking that the raw SQL gives the report's figures…", file=sys.stderr)
        checked = {y: check_same(app, y, levels) for y in sorted({year, TODAY.year})}

        def report(roll_up: bool):
            def run(unit: Unit) -> None:
                build_report(ReportScope(period=year_period(year), unit=unit,
                                         roll_up=roll_up, today=TODAY))
            return run

        def raw_sql(case: bool):
            # Built once, outside the time: the statement's text, with the deadlines in it.
            with app.app_context():
                baseline = Baseline(ReportScope(period=year_period(year), unit=province(),
                                                today=TODAY), case=case)
                db.session.remove()
            return lambda unit: baseline.run()

        measured = {"report": report(False), "report, rolled up": report(True),
                    RAW_SQL: raw_sql(False), f"{RAW_SQL}, CASE": raw_sql(True)}
        timings = {name: [] for name in measured}
        statements = {name: set() for name in measured}
        print(f"measuring {year}: {repeat} rounds after one to warm up…", file=sys.stderr)
        for attempt in range(repeat + 1):
            for name, run in measured.items():
                # Each in its own request context, as the report page makes it; the unit is
                # looked up first (the page's form does it), outside the time and the count.
                with app.test_request_context():
                    unit = province()
                    counter.count = 0
                    began = time.perf_counter()
                    run(unit)
                    elapsed = (time.perf_counter() - began) * 1000
                    statements[name].add(counter.count)
                    db.session.remove()
                if attempt:
                    timings[name].append(elapsed)
        for name, counts in statements.items():
            if len(counts) != 1:
                raise RuntimeError(f"{name}: statement count varies between runs: {counts}")

        # Where the report's time goes: its statements once more, one by one, alone.
        print("replaying the report's statements…", file=sys.stderr)
        with app.test_request_context():
            unit = province()
            recorder.on = True
            report(False)(unit)
            recorder.on = False
            db.session.remove()
        with app.app_context():
            by_label = replay(recorder.statements, repeat)

    medians = {name: statistics.median(values) for name, values in timings.items()}
    sql_ms = medians[RAW_SQL]
    ratio = medians["report"] / sql_ms
    print(f"Yearly report of Tỉnh Gia Lai, {year} ({backend()}; median of {repeat} runs, ms, "
          f"each in its own request context; q = SQL statements; ratio = to the raw SQL)")
    for y, text_summary in checked.items():
        print(f"  {y}: {text_summary}")
    width = max(len(name) for name in measured)
    print(f"| {'measure':<{width}} | {'ms':>7} | {'q':>3} | {'ratio':>6} |")
    print(f"|{'-' * (width + 2)}|{'-' * 9}|{'-' * 5}|{'-' * 8}|")
    for name, ms in medians.items():
        print(f"| {name:<{width}} | {ms:7.1f} | {statements[name].pop():>3} | "
              f"{ms / sql_ms:5.2f}× |")
    print(f"The report's statements replayed alone through the driver (median of {repeat}, "
          f"ms; execute and fetch)")
    width = max(len(name) for name in by_label)
    print(f"| {'statement':<{width}} | {'ms':>7} |")
    print(f"|{'-' * (width + 2)}|{'-' * 9}|")
    for name, ms in by_label.items():
        print(f"| {name:<{width}} | {ms:7.1f} |")
    database = sum(by_label.values())
    print(f"| {'all statements':<{width}} | {database:7.1f} |")
    print(f"| {'the rest: report − these (ORM, Python)':<{width}} | "
          f"{medians['report'] - database:7.1f} |")
    print(f"checked: the raw SQL gives the report's figures in "
          f"{' and '.join(map(str, checked))}, rolled up or not; target report ≤ {TARGET}× "
          f"raw SQL {'met' if ratio <= TARGET else 'MISSED'}; seeding {seeding:.1f} s, "
          f"in all {time.perf_counter() - began_all:.1f} s")
    print(f"result: report_vs_sql={ratio:.2f}")


if __name__ == "__main__":
    main()
