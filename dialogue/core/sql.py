"""SQL expressions that SQLite and PostgreSQL spell differently."""

import json
from datetime import date

from sqlalchemy import CTE, Date, Integer, Table, and_, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..extensions import db
from .time import LOCAL_TZ


class local_day(FunctionElement):
    """The local calendar day (Asia/Ho_Chi_Minh) of a UTC datetime column."""

    type = Date()
    inherit_cache = True


class days_between(FunctionElement):
    """Whole days from the second date to the first (negative when the first is earlier)."""

    type = Integer()
    inherit_cache = True


@compiles(local_day, "postgresql")
def _local_day_postgresql(element, compiler, **kw):
    (moment,) = element.clauses
    return f"CAST(timezone('{LOCAL_TZ.key}', {compiler.process(moment, **kw)}) AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    # SQLite has no time zones; Vietnam has kept UTC+7 without daylight saving since 1975,
    # and datetimes before that are not dialogue sessions.
    (moment,) = element.clauses
    return f"date({compiler.process(moment, **kw)}, '+7 hours')"


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    later, earlier = element.clauses
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    later, earlier = element.clauses
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


def date_pairs(pairs: dict[date, date], name: str) -> CTE:
    """A table of (day, value) dates to join, sent as one JSON parameter: the statement is
    the same however many pairs, so it is compiled once and cached, where a VALUES list of
    a year of days is compiled again on every use."""
    data = json.dumps({day.isoformat(): value.isoformat() for day, value in pairs.items()})
    if db.engine.dialect.name == "postgresql":
        sql = ("SELECT CAST(key AS DATE) AS day, CAST(value AS DATE) AS value "
               "FROM json_each_text(CAST(:pairs AS json))")
    else:
        # SQLite keeps dates as ISO text, which is what JSON holds.
        sql = "SELECT key AS day, value AS value FROM json_each(:pairs)"
    # Materialized (SQLite 3.35+, PostgreSQL 12+), the table is joined through an index or
    # a hash; otherwise SQLite reads the JSON again for every row it is joined to.
    return (text(sql).bindparams(pairs=data).columns(day=Date, value=Date).cte(name)
            .prefix_with("MATERIALIZED"))


def lock_row(instance) -> None:
    """Hold ``instance``'s row until the transaction ends, then read it afresh.

    Operations that check a record before changing what depends on it take this first, so
    two of them never both act on the same old copy: the second waits for the first to
    commit and then sees what it did. PostgreSQL locks the one row (``SELECT ... FOR
    UPDATE``); SQLite has no row locks, so a no-op UPDATE of the row takes its one write
    lock, which every other writer waits for (up to the driver's timeout).
    """
    state = inspect(instance)
    mapper = state.mapper
    row = and_(*(column == value for column, value in zip(mapper.primary_key,
                                                             state.identity, strict=True)))
    # The caller's own pending changes go first: refreshed away, they would be lost.
    db.session.flush()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(*mapper.primary_key).where(row).with_for_update())
    else:
        # Every column set to itself that an UPDATE would otherwise change (updated_at).
        table = mapper.local_table
        unchanged = [*mapper.primary_key, *(c for c in table.c if c.onupdate is not None)]
        db.session.execute(update(table).where(row).values(
            {column.name: column for column in unchanged}))
    db.session.refresh(instance)


def upsert(table: Table, dialect_name: str):
    """INSERT ... ON CONFLICT for this database: both constructs take the same
    ``on_conflict_do_update`` and ``returning``."""
    return (postgresql.insert if dialect_name == "postgresql" else sqlite.insert)(table)
