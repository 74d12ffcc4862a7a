"""Lists of sessions: the secretariat's list and calendar, and the public announcement."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.text import fold, like_pattern
from ..core.time import local_day_bounds, to_local, utcnow
from ..extensions import db
from ..units.models import Unit, UnitLevel
from ..units.operations import within
from .access import published_clause, sessions_clause
from .models import DialogueSession, SessionKind, SessionStatus


@dataclass
class SessionFilter:
    """What the list and the calendar are narrowed to."""

    level: UnitLevel | None = None
    unit: Unit | None = None
    status: SessionStatus | None = None
    kind: SessionKind | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""


def filter_sessions(criteria: SessionFilter, *, user: User) -> Select:
    """Sessions the user may see matching the criteria, earliest first, units loaded."""
    statement = select(DialogueSession).join(DialogueSession.unit).options(
        selectinload(DialogueSession.unit), selectinload(DialogueSession.chair)
    ).where(sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id))
    if criteria.level is not None:
        statement = statement.where(Unit.level == criteria.level)
    if criteria.unit is not None:
        statement = statement.where(within(criteria.unit, DialogueSession.unit_id))
    if criteria.status is not None:
        statement = statement.where(DialogueSession.status == criteria.status)
    if criteria.kind is not None:
        statement = statement.where(DialogueSession.kind == criteria.kind)
    if criteria.date_from:
        start, _end = local_day_bounds(criteria.date_from, criteria.date_from)
        statement = statement.where(DialogueSession.ends_at > start)
    if criteria.date_to:
        _start, end = local_day_bounds(criteria.date_to, criteria.date_to)
        statement = statement.where(DialogueSession.starts_at < end)
    if fold(criteria.text):
        statement = statement.where(
            DialogueSession.search_text.like(like_pattern(criteria.text), escape="\\")
        )
    return statement.order_by(DialogueSession.starts_at, DialogueSession.id)


def sessions_in_month(criteria: SessionFilter, year: int, month: int, *, user: User) -> dict:
    """Sessions of a local month keyed by local date, for the calendar."""
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    criteria.date_from, criteria.date_to = first, last
    by_day: dict = {}
    for session in db.session.scalars(filter_sessions(criteria, user=user)):
        day = max(session.local_date, first)
        end_day = min(to_local(session.ends_at - timedelta(microseconds=1)).date(), last)
        while day <= end_day:
            by_day.setdefault(day, []).append(session)
            day += timedelta(days=1)
    return by_day


def public_sessions(*, upcoming: bool, unit: Unit | None = None, text: str = "") -> Select:
    """Public sessions for the announcement page (Đ.43: time, place and content announced
    7 days ahead): upcoming ones soonest first, past ones latest first."""
    now = utcnow()
    statement = select(DialogueSession).options(selectinload(DialogueSession.unit)).where(
        published_clause())
    if unit is not None:
        statement = statement.where(within(unit, DialogueSession.unit_id))
    if fold(text):
        statement = statement.where(
            DialogueSession.search_text.like(like_pattern(text), escape="\\"))
    if upcoming:
        return statement.where(DialogueSession.ends_at >= now).order_by(
            DialogueSession.starts_at, DialogueSession.id)
    return statement.where(DialogueSession.ends_at < now).order_by(
        DialogueSession.starts_at.desc(), DialogueSession.id.desc())
