"""SQL expressions that SQLite and PostgreSQL spell differently."""

import json
from datetime import date

from sqlalchemy import CTE, Date, Integer, text
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
