"""Reports the secretariat sends upward: what was held, raised and committed in a period
for a unit and everything under it, and where the legal duties were missed.

Every count is a SQL aggregate whose condition is also what lists the rows behind it
(:func:`drill_statement`), so a figure and its list never disagree.
"""

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import can_read_unit, read_scope
from ..core.errors import UserError
from ..core.forms import FIRST_YEAR, LAST_YEAR, to_id
from ..core.models import LabelledEnum, set_labels
from ..core.sql import date_pairs, days_between, local_day
from ..core.time import (
    format_date,
    local_day_bounds,
    local_today,
    to_local,
)
from ..extensions import db
from ..issues.models import (
    OPEN_STATUSES,
    Commitment,
    CommitmentStatus,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
)
from ..issues.operations import INFORM_WITHIN_WORKING_DAYS, deadlines_after
from ..minutes.models import AttendanceGroup, Minutes
from ..sessions.models import (
    RECORDING,
    DialogueSession,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from ..sessions.operations import NOTICE_DAYS
from ..units.models import Era, Unit, UnitLevel, UnitSuccession
from ..units.operations import with_predecessors, within

#: Luật Tổ chức chính quyền địa phương 2025, Đ.43: results are published within 10 days.
PUBLISH_WITHIN_DAYS = 10


class ReportError(UserError):
    """A period or unit the report cannot be made for."""


# Periods -------------------------------------------------------------------------------------

class PeriodKind(LabelledEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    CUSTOM = "custom"


set_labels(PeriodKind, {
    PeriodKind.MONTH: _l("Tháng"),
    PeriodKind.QUARTER: _l("Quý"),
    PeriodKind.HALF_YEAR: _l("6 tháng đầu năm"),
    PeriodKind.NINE_MONTHS: _l("9 tháng đầu năm"),
    PeriodKind.YEAR: _l("Năm"),
    PeriodKind.CUSTOM: _l("Khoảng ngày tự chọn"),
})

#: Quarters as reports number them.
QUARTER_NUMERALS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """The days a report counts, both ends included."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def year(self) -> int:
        return self.last.year

    @property
    def label(self) -> str:
        year = self.first.year
        if self.kind is PeriodKind.MONTH:
            return _("Tháng %(month)d năm %(year)d", month=self.first.month, year=year)
        if self.kind is PeriodKind.QUARTER:
            return _("Quý %(quarter)s năm %(year)d",
                     quarter=QUARTER_NUMERALS[(self.first.month - 1) // 3], year=year)
        if self.kind is PeriodKind.HALF_YEAR:
            return _("6 tháng đầu năm %(year)d", year=year)
        if self.kind is PeriodKind.NINE_MONTHS:
            return _("9 tháng đầu năm %(year)d", year=year)
        if self.kind is PeriodKind.YEAR:
            return _("Năm %(year)d", year=year)
        return _("Từ ngày %(first)s đến ngày %(last)s",
                 first=format_date(self.first), last=format_date(self.last))

    @property
    def code(self) -> str:
        """How the command line and file names write it: 2025, 2025-Q1, 2025-03…"""
        year = self.first.year
        return {
            PeriodKind.MONTH: f"{year}-{self.first.month:02d}",
            PeriodKind.QUARTER: f"{year}-Q{(self.first.month - 1) // 3 + 1}",
            PeriodKind.HALF_YEAR: f"{year}-H1",
            PeriodKind.NINE_MONTHS: f"{year}-9M",
            PeriodKind.YEAR: f"{year}",
        }.get(self.kind, f"{self.first.isoformat()}..{self.last.isoformat()}")


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReportError(_l("Năm phải từ %(first)d đến %(last)d.",
                             first=FIRST_YEAR, last=LAST_YEAR), field="year")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_period(year: int, month: int) -> Period:
    _check_year(year)
    if not 1 <= month <= 12:
        raise ReportError(_l("Tháng phải từ 1 đến 12."), field="month")
    return Period(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))


def quarter_period(year: int, quarter: int) -> Period:
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise ReportError(_l("Quý phải từ 1 đến 4."), field="quarter")
    return Period(PeriodKind.QUARTER, date(year, quarter * 3 - 2, 1),
                  _month_end(year, quarter * 3))


def year_period(year: int, kind: PeriodKind = PeriodKind.YEAR) -> Period:
    """The year, or its first six or nine months."""
    _check_year(year)
    months = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9, PeriodKind.YEAR: 12}[kind]
    return Period(kind, date(year, 1, 1), _month_end(year, months))


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ReportError(_l("Ngày kết thúc phải sau ngày bắt đầu."), field="date_to")
    return Period(PeriodKind.CUSTOM, first, last)


def period_from(kind: PeriodKind, year: int, *, month: int = 1, quarter: int = 1,
                first: date | None = None, last: date | None = None) -> Period:
    """The period a report form describes."""
    if kind is PeriodKind.MONTH:
        return month_period(year, month)
    if kind is PeriodKind.QUARTER:
        return quarter_period(year, quarter)
    if kind is PeriodKind.CUSTOM:
        if first is None:
            raise ReportError(_l("Hãy nhập ngày bắt đầu."), field="date_from")
        if last is None:
            raise ReportError(_l("Hãy nhập ngày kết thúc."), field="date_to")
        return custom_period(first, last)
    return year_period(year, kind)


def parse_period(text: str) -> Period:
    """Read 2025, 2025-Q1, 2025-H1, 2025-9M, 2025-03 or 2025-01-01..2025-03-31."""
    text = text.strip().upper()
    try:
        if ".." in text:
            first, last = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
            return custom_period(first, last)
        year_text, _sep, part = text.partition("-")
        year = int(year_text)
        if not part:
            return year_period(year)
        if part == "H1":
            return year_period(year, PeriodKind.HALF_YEAR)
        if part == "9M":
            return year_period(year, PeriodKind.NINE_MONTHS)
        if part.startswith("Q"):
            return quarter_period(year, int(part[1:]))
        return month_period(year, int(part))
    except ValueError:
        raise ReportError(_l("Kỳ báo cáo không hợp lệ: dùng 2025, 2025-Q1, 2025-H1, 2025-9M, "
                             "2025-03 hoặc 2025-01-01..2025-03-31."), field="period") from None


# Scope ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a period, a unit with everything under it (and the legacy units
    it succeeded), or the whole country; ``today`` is the day open work is judged on."""

    period: Period
    unit: Unit | None = None
    roll_up: bool = False
    today: date = field(default_factory=local_today)

    @property
    def rolls_up(self) -> bool:
        """Legacy figures are moved to their 2025 successors (a legacy unit has none)."""
        return self.roll_up and (self.unit is None or self.unit.era is Era.Y2025)

    @property
    def unit_name(self) -> str:
        return self.unit.display_name if self.unit else _("Toàn quốc")

    def query_args(self) -> dict[str, str]:
        """The report form's fields for this scope, for links that carry it."""
        period = self.period
        args = {"period": period.kind.value, "year": str(period.first.year)}
        if period.kind is PeriodKind.MONTH:
            args["month"] = str(period.first.month)
        elif period.kind is PeriodKind.QUARTER:
            args["quarter"] = str((period.first.month - 1) // 3 + 1)
        elif period.kind is PeriodKind.CUSTOM:
            args.update(date_from=format_date(period.first), date_to=format_date(period.last))
        if self.unit is not None:
            args["unit_id"] = str(self.unit.id)
        if self.roll_up:
            args["roll_up"] = "y"
        return args

    def session_clauses(self) -> list[ColumnElement[bool]]:
        start, end = local_day_bounds(self.period.first, self.period.last)
        clauses = [DialogueSession.starts_at >= start, DialogueSession.starts_at < end]
        if self.unit is not None:
            clauses.append(within(self.unit, DialogueSession.unit_id))
        return clauses


def check_report_scope(user: User, unit: Unit | None) -> None:
    """Refuse, beside the unit field, a unit the user may not see (or the whole country to
    anyone but a national administrator)."""
    allowed = read_scope(user).everything if unit is None else can_read_unit(user, unit)
    if not allowed:
        raise ReportError(_l("Bạn không có quyền xem số liệu của đơn vị này."), field="unit_id")


def default_report_unit(user: User) -> Unit | None:
    """The widest unit the user holds a role on (None: the whole country)."""
    if read_scope(user).everything:
        return None
    levels = list(UnitLevel)  # province, district, commune: widest first
    units = [a.unit for a in user.roles if a.unit is not None]
    return min(units, key=lambda unit: (levels.index(unit.level), unit.name_folded),
               default=None)


# Figures -------------------------------------------------------------------------------------

#: Closed without being resolved: passed on, not competent, rejected.
CLOSED_OTHERWISE = frozenset(set(CommitmentStatus) - OPEN_STATUSES - {CommitmentStatus.RESOLVED})
#: The columns of the follow-up table after "assigned" (every commitment), in the order of
#: :class:`CommitmentFigures`.
COMMITMENT_BUCKETS = ("resolved_on_time", "resolved_late", "open", "overdue",
                      "closed_otherwise")
#: What a list behind a figure can be narrowed to: those, every resolved one, or those still
#: open and within their deadline.
DRILL_BUCKETS = (*COMMITMENT_BUCKETS, "resolved", "on_track")
INFORM_BUCKETS = ("on_time", "late", "pending", "overdue")


@dataclass
class CommitmentFigures:
    assigned: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    open: int = 0
    overdue: int = 0
    closed_otherwise: int = 0
    #: Sum over resolved commitments of the days from the session to the resolution.
    days_to_resolve: int = 0
    informed_on_time: int = 0
    informed_late: int = 0
    inform_pending: int = 0
    inform_overdue: int = 0

    def add(self, other: "CommitmentFigures") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    @property
    def resolved(self) -> int:
        return self.resolved_on_time + self.resolved_late

    @property
    def average_days_to_resolve(self) -> float | None:
        return round(self.days_to_resolve / self.resolved, 1) if self.resolved else None


@dataclass
class UnitRow:
    """One line of the table by unit: a unit and everything under it."""

    unit: Unit
    held: int = 0
    issues: int = 0
    commitments: CommitmentFigures = field(default_factory=CommitmentFigures)


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


@dataclass
class Report:
    scope: ReportScope
    #: (level, kind, format, status) → sessions.
    sessions: Counter
    #: level → people attending the held sessions, as the minutes count them.
    people: Counter
    #: (level, kind, field id, outcome) → issues.
    issues: Counter
    field_names: dict[int, str]
    commitments: dict[UnitLevel, CommitmentFigures]
    units: list[UnitRow]
    communes_without_conference: list[CommuneDuty]
    short_notice: list[SessionDuty]
    late_minutes: list[SessionDuty]

    @property
    def duty_year(self) -> int:
        """The year whose conference the communes are checked for."""
        return self.scope.period.year

    @property
    def levels(self) -> list[UnitLevel]:
        """The levels to show: the district tier only where it held or was asked anything."""
        seen = {key[0] for key in self.sessions} | {key[0] for key in self.issues}
        return [level for level in UnitLevel
                if level is not UnitLevel.DISTRICT or level in seen]

    def count_sessions(self, **match) -> int:
        """Sessions whose level, kind, format and status are those given (None: any)."""
        return _count_matching(self.sessions, ("level", "kind", "format", "status"), match)

    def held(self, level: UnitLevel | None = None, **match) -> int:
        return self.count_sessions(level=level, status=SessionStatus.HELD, **match)

    def count_issues(self, **match) -> int:
        """Issues whose level, kind, field and outcome are those given (None: any; field 0:
        issues without a field, as in a :class:`Drill`)."""
        return _count_matching(self.issues, ("level", "kind", "field", "outcome"), match)

    def total_commitments(self) -> CommitmentFigures:
        total = CommitmentFigures()
        for figures in self.commitments.values():
            total.add(figures)
        return total


def _count_matching(counter: Counter, names: tuple[str, ...], match: dict) -> int:
    wanted = [(names.index(name), value) for name, value in match.items() if value is not None]
    return sum(count for key, count in counter.items()
               if all((key[i] if key[i] is not None else 0) == value for i, value in wanted))


def _inform_deadlines(scope: ReportScope) -> dict[date, date]:
    """Session day → the day by which citizens must be told in writing (10 working days)."""
    days = db.session.scalars(
        select(local_day(DialogueSession.starts_at)).distinct()
        .where(*scope.session_clauses(), DialogueSession.status.in_(RECORDING))).all()
    return deadlines_after(days, INFORM_WITHIN_WORKING_DAYS)


def _join_deadlines(statement: Select, scope: ReportScope) -> tuple[Select, ColumnElement]:
    """``statement`` (over sessions) joined to each session day's inform deadline, and that
    deadline's column; a table of days joins faster than a CASE of hundreds of branches."""
    table = date_pairs(_inform_deadlines(scope), "inform_deadlines")
    return (statement.join(table, table.c.day == local_day(DialogueSession.starts_at)),
            table.c.value)


def commitment_conditions(bucket: str, today: date) -> ColumnElement[bool]:
    """Which commitments a column of the follow-up table counts."""
    is_open = Commitment.status.in_(OPEN_STATUSES)
    resolved = Commitment.status == CommitmentStatus.RESOLVED
    return {
        "resolved": resolved,
        "resolved_on_time": and_(resolved, Commitment.closed_on <= Commitment.due_on),
        "resolved_late": and_(resolved, Commitment.closed_on > Commitment.due_on),
        "open": is_open,
        "overdue": and_(is_open, Commitment.due_on < today),
        "on_track": and_(is_open, Commitment.due_on >= today),
        "closed_otherwise": Commitment.status.in_(CLOSED_OTHERWISE),
    }[bucket]


def inform_conditions(bucket: str, today: date, deadline: ColumnElement) -> ColumnElement[bool]:
    """Which commitments a column of the 10-working-day table counts."""
    informed = Commitment.citizen_informed_on
    return {
        "on_time": informed <= deadline,
        "late": informed > deadline,
        "pending": and_(informed.is_(None), deadline >= today),
        "overdue": and_(informed.is_(None), deadline < today),
    }[bucket]


def _session_rows(scope: ReportScope) -> list:
    people = (select(Minutes.session_id, func.sum(AttendanceGroup.count).label("people"))
              .join(AttendanceGroup, AttendanceGroup.minutes_id == Minutes.id)
              .join(DialogueSession, DialogueSession.id == Minutes.session_id)
              .where(*scope.session_clauses())
              .group_by(Minutes.session_id).subquery())
    return db.session.execute(
        select(DialogueSession.unit_id, DialogueSession.kind, DialogueSession.format,
               DialogueSession.status, func.count(),
               func.coalesce(func.sum(people.c.people), 0))
        .outerjoin(people, people.c.session_id == DialogueSession.id)
        .where(*scope.session_clauses())
        .group_by(DialogueSession.unit_id, DialogueSession.kind, DialogueSession.format,
                  DialogueSession.status)).all()


def _recorded_issues(scope: ReportScope) -> Select:
    return select(Issue).join(Issue.session).where(
        *scope.session_clauses(), DialogueSession.status.in_(RECORDING))


def _commitment_rows(scope: ReportScope) -> list:
    today = scope.today
    statement, deadline = _join_deadlines(
        select(DialogueSession.unit_id).select_from(Commitment).join(Commitment.issue)
        .join(Issue.session), scope)
    resolved = Commitment.status == CommitmentStatus.RESOLVED
    counts = [func.count()] + [func.count().filter(commitment_conditions(bucket, today))
                               for bucket in COMMITMENT_BUCKETS]
    counts.append(func.coalesce(func.sum(days_between(
        Commitment.closed_on, local_day(DialogueSession.starts_at))).filter(resolved), 0))
    counts += [func.count().filter(inform_conditions(bucket, today, deadline))
               for bucket in INFORM_BUCKETS]
    return db.session.execute(
        statement.add_columns(*counts)
        .where(*scope.session_clauses(), DialogueSession.status.in_(RECORDING))
        .group_by(DialogueSession.unit_id)).all()


class UnitRows:
    """Which line of the table by unit each unit's figures go on.

    Under a province a line is a commune (or, before the reform, a district with its
    communes: a 2024 district total stays a district total); the unit itself has its own line.
    Rolling up moves a legacy unit's figures to its 2025 successor, a former district's to
    the province that took over its province.
    """

    def __init__(self, scope: ReportScope, unit_ids: set[int]):
        self.scope = scope
        ids = sorted(unit_ids)
        loaded = db.session.scalars(select(Unit).where(or_(
            Unit.id.in_(ids),
            Unit.id.in_(select(Unit.parent_id).where(Unit.id.in_(ids))),
            Unit.id.in_(select(Unit.province_id).where(Unit.id.in_(ids))))))
        self.units: dict[int, Unit] = {unit.id: unit for unit in loaded}
        if scope.unit is not None:
            self.units.setdefault(scope.unit.id, scope.unit)
            self.roots = ({scope.unit.id} if scope.rolls_up
                          else set(db.session.scalars(with_predecessors(scope.unit))))
        else:
            self.roots = set()
        self.successors: dict[int, list[Unit]] = defaultdict(list)
        if scope.rolls_up:
            legacy = [unit.id for unit in self.units.values() if unit.era is Era.LEGACY]
            for predecessor_id, successor in db.session.execute(
                    select(UnitSuccession.predecessor_id, Unit)
                    .join(Unit, Unit.id == UnitSuccession.successor_id)
                    .where(UnitSuccession.predecessor_id.in_(legacy))
                    .options(selectinload(Unit.province))
                    .order_by(UnitSuccession.is_partial, Unit.code)):
                self.successors[predecessor_id].append(successor)
                self.units.setdefault(successor.id, successor)
                if successor.province is not None:
                    self.units.setdefault(successor.province.id, successor.province)

    def _in_scope(self, unit: Unit) -> bool:
        if self.scope.unit is None:
            return True
        return bool({unit.id, unit.parent_id, unit.province_id} & self.roots)

    def _current(self, unit: Unit) -> Unit:
        if not self.scope.rolls_up or unit.era is Era.Y2025:
            return unit
        if unit.level is UnitLevel.DISTRICT and unit.parent_id in self.units:
            return self._current(self.units[unit.parent_id])
        candidates = self.successors.get(unit.id, [])
        # A split commune goes to the successor inside the report, if one is.
        return next((c for c in candidates if self._in_scope(c)),
                    candidates[0] if candidates else unit)

    def row_of(self, unit_id: int) -> Unit:
        unit = self._current(self.units[unit_id])
        if self.scope.unit is None:
            if unit.level is UnitLevel.PROVINCE:
                return unit
            return self.units.get(unit.province_id) or unit
        if unit.id in self.roots or unit.parent_id in self.roots:
            return unit
        parent = self.units.get(unit.parent_id)
        if parent is not None and parent.parent_id in self.roots:
            return parent
        return self.scope.unit

    def members(self, row_id: int) -> set[int]:
        return {unit_id for unit_id in self.units if self.row_of(unit_id).id == row_id}


def _row_order(row: UnitRow, scope: ReportScope):
    unit = row.unit
    return (unit is not scope.unit, unit.era is Era.LEGACY, unit.level is not UnitLevel.PROVINCE,
            unit.name_folded)


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


def build_report(scope: ReportScope) -> Report:
    """Every figure of the report, in a fixed number of queries whatever the data size."""
    sessions, people = Counter(), Counter()
    session_rows = _session_rows(scope)
    issue_rows = db.session.execute(
        _recorded_issues(scope).join(DialogueSession.unit).with_only_columns(
            Unit.level, Issue.kind, Issue.field_id, Issue.outcome, func.count())
        .group_by(Unit.level, Issue.kind, Issue.field_id, Issue.outcome)).all()
    # Counted again by unit only, for the table by unit: grouping by unit and every
    # dimension at once sends thousands of rows to Python instead of a few hundred.
    issues_by_unit = dict(db.session.execute(
        _recorded_issues(scope).with_only_columns(DialogueSession.unit_id, func.count())
        .group_by(DialogueSession.unit_id)).all())
    commitment_rows = _commitment_rows(scope)
    rows = UnitRows(scope, {row[0] for row in session_rows})

    lines: dict[int, UnitRow] = {}

    def line(unit_id: int) -> UnitRow:
        unit = rows.row_of(unit_id)
        return lines.setdefault(unit.id, UnitRow(unit))

    for unit_id, kind, fmt, status, count, attending in session_rows:
        level = rows.units[unit_id].level
        sessions[level, kind, fmt, status] += count
        if status is SessionStatus.HELD:
            people[level] += attending
            line(unit_id).held += count
    for unit_id, count in issues_by_unit.items():
        line(unit_id).issues += count
    commitments: dict[UnitLevel, CommitmentFigures] = defaultdict(CommitmentFigures)
    for unit_id, *counts in commitment_rows:
        figures = CommitmentFigures(*counts)
        commitments[rows.units[unit_id].level].add(figures)
        line(unit_id).commitments.add(figures)
    issues = Counter({(level, kind, field_id, outcome): count
                      for level, kind, field_id, outcome, count in issue_rows})
    field_ids = {key[2] for key in issues if key[2] is not None}
    field_names = dict(db.session.execute(
        select(IssueField.id, IssueField.name).where(IssueField.id.in_(field_ids))).all())
    return Report(
        scope=scope, sessions=sessions, people=people, issues=issues, field_names=field_names,
        commitments=dict(commitments),
        units=sorted(lines.values(), key=lambda row: _row_order(row, scope)),
        communes_without_conference=communes_without_conference(scope),
        short_notice=short_notice_sessions(scope),
        late_minutes=late_minutes_sessions(scope))


# The rows behind a figure --------------------------------------------------------------------

_DRILL_ENUMS = {"level": UnitLevel, "status": SessionStatus, "kind": SessionKind,
                "format": SessionFormat, "issue_kind": IssueKind, "outcome": IssueOutcome}
DRILL_SUBJECTS = ("sessions", "issues", "commitments", "communes", "short_notice",
                  "late_minutes")


@dataclass(frozen=True)
class Drill:
    """What a figure counts, as the list of rows behind it shows it."""

    show: str
    level: UnitLevel | None = None
    status: SessionStatus | None = None
    kind: SessionKind | None = None
    format: SessionFormat | None = None
    issue_kind: IssueKind | None = None
    outcome: IssueOutcome | None = None
    #: An issue field's id; 0 for issues without a field.
    field: int | None = None
    bucket: str | None = None
    inform: str | None = None
    #: The unit heading a line of the table by unit.
    row: int | None = None

    def args(self) -> dict[str, str]:
        return {item.name: str(getattr(self, item.name)) for item in fields(self)
                if getattr(self, item.name) is not None}

    def but(self, **changes) -> "Drill":
        return replace(self, **changes)

    @classmethod
    def from_args(cls, args) -> "Drill":
        """Read a drill from a query string; ValueError when it names nothing we count."""
        show = args.get("show", "")
        if show not in DRILL_SUBJECTS:
            raise ValueError(show)
        values: dict = {"show": show}
        for name, enum in _DRILL_ENUMS.items():
            if args.get(name):
                values[name] = enum(args[name])
        for name in ("field", "row"):
            if args.get(name):
                # Field 0 stands for "no field".
                values[name] = 0 if name == "field" and args[name] == "0" else to_id(args[name])
                if values[name] is None:
                    raise ValueError(args[name])
        if args.get("bucket"):
            if args["bucket"] not in DRILL_BUCKETS:
                raise ValueError(args["bucket"])
            values["bucket"] = args["bucket"]
        if args.get("inform"):
            if args["inform"] not in INFORM_BUCKETS:
                raise ValueError(args["inform"])
            values["inform"] = args["inform"]
        return cls(**values)


def drill_statement(scope: ReportScope, drill: Drill) -> Select:
    """The sessions, issues or commitments a figure counts, in a sensible order."""
    if drill.show == "sessions":
        statement = select(DialogueSession).where(*scope.session_clauses()).order_by(
            DialogueSession.starts_at, DialogueSession.id)
        for name in ("status", "kind", "format"):
            if getattr(drill, name) is not None:
                statement = statement.where(getattr(DialogueSession, name) == getattr(drill, name))
        statement = statement.options(selectinload(DialogueSession.unit))
    elif drill.show == "issues":
        statement = _recorded_issues(scope).order_by(
            DialogueSession.starts_at, DialogueSession.id, Issue.number).options(
            selectinload(Issue.session).selectinload(DialogueSession.unit),
            selectinload(Issue.field))
        if drill.issue_kind is not None:
            statement = statement.where(Issue.kind == drill.issue_kind)
        if drill.outcome is not None:
            statement = statement.where(Issue.outcome == drill.outcome)
        if drill.field is not None:
            statement = statement.where(Issue.field_id.is_(None) if drill.field == 0
                                        else Issue.field_id == drill.field)
    elif drill.show == "commitments":
        statement = (select(Commitment).join(Commitment.issue).join(Issue.session)
                     .where(*scope.session_clauses(), DialogueSession.status.in_(RECORDING))
                     .order_by(Commitment.due_on, Commitment.id)
                     .options(selectinload(Commitment.agency),
                              selectinload(Commitment.issue).selectinload(Issue.session)
                              .selectinload(DialogueSession.unit),
                              selectinload(Commitment.issue).selectinload(Issue.field)))
        if drill.bucket is not None:
            statement = statement.where(commitment_conditions(drill.bucket, scope.today))
        if drill.inform is not None:
            statement, deadline = _join_deadlines(statement, scope)
            statement = statement.where(inform_conditions(drill.inform, scope.today, deadline))
    else:
        raise ValueError(drill.show)
    if drill.level is not None:
        statement = statement.where(DialogueSession.unit.has(Unit.level == drill.level))
    if drill.row is not None:
        unit_ids = set(db.session.scalars(select(DialogueSession.unit_id).distinct().where(
            *scope.session_clauses())))
        statement = statement.where(DialogueSession.unit_id.in_(
            sorted(UnitRows(scope, unit_ids).members(drill.row) if unit_ids else set())))
    return statement


def drill_duties(scope: ReportScope, drill: Drill) -> list:
    """The rows behind a legal-duty figure."""
    if drill.show == "communes":
        return communes_without_conference(scope)
    if drill.show == "short_notice":
        return short_notice_sessions(scope)
    if drill.show == "late_minutes":
        return late_minutes_sessions(scope)
    raise ValueError(drill.show)
