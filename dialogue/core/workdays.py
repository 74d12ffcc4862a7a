"""Working days: Monday to Friday, minus the public holidays the administrator keeps.

Legal deadlines (the 10 working days to answer a citizen, a commitment due in N working
days) are counted here, for issues and reports alike.
"""

from bisect import bisect_right
from datetime import date, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Holiday(db.Model):
    """A public holiday (a day off that is not a weekend), kept per year by the
    administrator: working-day deadlines skip it."""

    __tablename__ = "holidays"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(200))


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, count: int, holidays: frozenset[date]) -> date:
    """The day ``count`` working days after ``start`` (``start`` itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def working_day_deadlines(days: list[date], count: int,
                          holidays: frozenset[date]) -> dict[date, date]:
    """:func:`add_working_days` for many days at once (a year of session days): one walk
    over the calendar instead of one per day."""
    deadlines: dict[date, date] = {}
    working: list[date] = []
    walked = min(days, default=None)
    for day in sorted(days):
        while len(working) - bisect_right(working, day) < count:
            walked += timedelta(days=1)
            if is_working_day(walked, holidays):
                working.append(walked)
        deadlines[day] = working[bisect_right(working, day) + count - 1]
    return deadlines


def holidays_between(first: date, last: date) -> frozenset[date]:
    return frozenset(db.session.scalars(
        select(Holiday.day).where(Holiday.day >= first, Holiday.day <= last)))


def _holidays_for(first: date, last: date, working_days: int) -> frozenset[date]:
    """The holidays that can fall in ``working_days`` after any day of first..last."""
    # Enough calendar days for any run of holidays (Tết is at most nine days off).
    return holidays_between(first, last + timedelta(days=working_days * 2 + 30))


def deadline_after(start: date, working_days: int) -> date:
    """``working_days`` working days after ``start``, skipping weekends and holidays."""
    return add_working_days(start, working_days, _holidays_for(start, start, working_days))


def deadlines_after(days: list[date], working_days: int) -> dict[date, date]:
    """:func:`deadline_after` of each of ``days``, reading the holidays once."""
    if not days:
        return {}
    return working_day_deadlines(days, working_days,
                                 _holidays_for(min(days), max(days), working_days))
