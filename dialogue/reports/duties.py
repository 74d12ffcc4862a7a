"""The legal duties a report checks: each commune's yearly conference, a week's notice of a
session, and its results published within 10 days."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import selectinload

from ..core.sql import days_between, local_day
from ..core.time import local_day_bounds, to_local
from ..extensions import db
from ..sessions.models import RECORDING, DialogueSession, SessionKind, SessionStatus
from ..sessions.operations import NOTICE_DAYS
from ..units.models import Unit, UnitLevel, UnitSuccession
from ..units.operations import within
from .scope import ReportScope

#: Luật Tổ chức chính quyền địa phương 2025, Đ.43: results are published within 10 days.
PUBLISH_WITHIN_DAYS = 10


@dataclass(frozen=True)
class CommuneDuty:
    """A commune without its yearly dialogue conference, and the next one planned."""

    commune: Unit
    planned_on: date | None


@dataclass(frozen=True)
class SessionDuty:
    """A session that missed a deadline: ``on`` is the day it was met (None: not yet)."""

    session_id: int
    title: str
    unit_name: str
    held_on: date
    on: date | None
    days: int


def communes_without_conference(scope: ReportScope) -> list[CommuneDuty]:
    """Communes in scope that have not held their yearly dialogue conference (Luật Thực hiện
    dân chủ ở cơ sở, Đ.32) in the report's year so far; a 2025 commune's predecessors'
    conference of that year counts for it."""
    year = scope.period.year
    as_of = min(date(year, 12, 31), scope.today)
    if as_of < date(year, 1, 1):
        return []
    start, end = local_day_bounds(date(year, 1, 1), date(year, 12, 31))
    periodic = and_(DialogueSession.kind == SessionKind.PERIODIC,
                    DialogueSession.starts_at >= start, DialogueSession.starts_at < end)
    # Units that held one, then their successors: two uncorrelated lists, which keep the
    # sessions' (unit, start) index usable where a per-commune EXISTS could not.
    held = select(DialogueSession.unit_id).where(periodic,
                                                 DialogueSession.status == SessionStatus.HELD)
    held_or_succeeded = held.union(select(UnitSuccession.successor_id).where(
        UnitSuccession.predecessor_id.in_(held)))
    planned = (select(func.min(DialogueSession.starts_at))
               .where(periodic, DialogueSession.status == SessionStatus.SCHEDULED,
                      DialogueSession.unit_id == Unit.id,
                      DialogueSession.starts_at >= local_day_bounds(scope.today, scope.today)[0])
               .scalar_subquery())
    statement = (select(Unit, planned)
                 .where(Unit.level == UnitLevel.COMMUNE, Unit.id.not_in(held_or_succeeded),
                        or_(Unit.valid_from.is_(None), Unit.valid_from <= as_of),
                        or_(Unit.valid_to.is_(None), Unit.valid_to >= as_of))
                 .options(selectinload(Unit.parent))
                 .order_by(Unit.province_id, Unit.parent_id, Unit.name_folded))
    if scope.unit is not None:
        statement = statement.where(within(scope.unit))
    return [CommuneDuty(unit, to_local(planned_at).date() if planned_at else None)
            for unit, planned_at in db.session.execute(statement)]


def _session_duties(scope: ReportScope, met_on: ColumnElement, days: ColumnElement,
                    condition: ColumnElement[bool]) -> list[SessionDuty]:
    # Columns, not sessions: a year's list can hold hundreds.
    rows = db.session.execute(
        select(DialogueSession.id, DialogueSession.title, DialogueSession.unit_name,
               local_day(DialogueSession.starts_at), met_on, days)
        .where(*scope.session_clauses(), condition)
        .order_by(DialogueSession.starts_at, DialogueSession.id))
    return [SessionDuty(*row) for row in rows]


def short_notice_sessions(scope: ReportScope) -> list[SessionDuty]:
    """Sessions announced fewer than 7 days ahead (Đ.43). A session entered after it began
    was recorded, not announced, through the app: its notice is unknown and not counted."""
    days = days_between(local_day(DialogueSession.starts_at),
                        local_day(DialogueSession.announced_at))
    return _session_duties(scope, local_day(DialogueSession.announced_at), days, and_(
        DialogueSession.status.in_(RECORDING), DialogueSession.announced_at.is_not(None),
        DialogueSession.announced_at < DialogueSession.starts_at, days < NOTICE_DAYS))


def late_minutes_sessions(scope: ReportScope) -> list[SessionDuty]:
    """Held sessions whose minutes were not final (their results not published) within
    10 days (Đ.43); ``on`` is the day they were, ``days`` the days it took or has taken."""
    filed = local_day(DialogueSession.minutes_filed_at)
    days = days_between(func.coalesce(filed, scope.today), local_day(DialogueSession.starts_at))
    return _session_duties(scope, filed, days, and_(
        DialogueSession.status == SessionStatus.HELD, days > PUBLISH_WITHIN_DAYS))
