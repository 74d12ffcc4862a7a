"""SQL expressions that SQLite and PostgreSQL spell differently."""

from sqlalchemy import Date, Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

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
