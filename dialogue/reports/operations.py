"""Reports the secretariat sends upward: what was held, raised and committed in a period
for a unit and everything under it, and where the legal duties were missed.

Every count is a SQL aggregate whose condition is also what lists the rows behind it
(:func:`~.drill.drill_statement`), so a figure and its list never disagree.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields

from sqlalchemy import Select, func, select

from ..core.sql import days_between, local_day
from ..extensions import db
from ..issues.models import Commitment, CommitmentStatus, InformState, Issue, IssueField
from ..minutes.models import AttendanceGroup, Minutes
from ..sessions.models import DialogueSession, SessionStatus
from ..units.models import Unit, UnitLevel
from .buckets import (
    COMMITMENT_BUCKETS,
    CommitmentBucket,
    commitment_conditions,
    join_deadlines,
)
from .duties import (
    CommuneDuty,
    SessionDuty,
    communes_without_conference,
    late_minutes_sessions,
    short_notice_sessions,
)
from .rollup import UnitRows, line_order
from .scope import ReportScope


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

    def __getitem__(self, bucket: CommitmentBucket) -> int:
        """What a column, a chart segment or a list of that bucket counts: the field or
        property of its name."""
        return getattr(self, bucket.value)

    def add(self, other: "CommitmentFigures") -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    @property
    def resolved(self) -> int:
        return self.resolved_on_time + self.resolved_late

    @property
    def on_track(self) -> int:
        return self.open - self.overdue

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


def recorded_issues(scope: ReportScope) -> Select:
    """The issues the report counts: those of its sessions announced or held."""
    return select(Issue).join(Issue.session).where(*scope.recorded_clauses())


def recorded_commitments(scope: ReportScope) -> Select:
    """The commitments the report counts: those of the issues it counts."""
    return (select(Commitment).join(Commitment.issue).join(Issue.session)
            .where(*scope.recorded_clauses()))


def _commitment_rows(scope: ReportScope) -> list:
    today = scope.today
    statement, deadline = join_deadlines(
        recorded_commitments(scope).with_only_columns(DialogueSession.unit_id), scope)
    resolved = Commitment.status == CommitmentStatus.RESOLVED
    counts = [func.count()] + [func.count().filter(commitment_conditions(bucket, today))
                               for bucket in COMMITMENT_BUCKETS]
    counts.append(func.coalesce(func.sum(days_between(
        Commitment.closed_on, local_day(DialogueSession.starts_at))).filter(resolved), 0))
    counts += [func.count().filter(Commitment.inform_state_is(state, today, deadline))
               for state in InformState]
    return db.session.execute(
        statement.add_columns(*counts).group_by(DialogueSession.unit_id)).all()


def build_report(scope: ReportScope) -> Report:
    """Every figure of the report, in a fixed number of queries whatever the data size."""
    sessions, people = Counter(), Counter()
    session_rows = _session_rows(scope)
    issue_rows = db.session.execute(
        recorded_issues(scope).join(DialogueSession.unit).with_only_columns(
            Unit.level, Issue.kind, Issue.field_id, Issue.outcome, func.count())
        .group_by(Unit.level, Issue.kind, Issue.field_id, Issue.outcome)).all()
    # Counted again by unit only, for the table by unit: grouping by unit and every
    # dimension at once sends thousands of rows to Python instead of a few hundred.
    issues_by_unit = dict(db.session.execute(
        recorded_issues(scope).with_only_columns(DialogueSession.unit_id, func.count())
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
        units=sorted(lines.values(), key=lambda row: line_order(row.unit, scope)),
        communes_without_conference=communes_without_conference(scope),
        short_notice=short_notice_sessions(scope),
        late_minutes=late_minutes_sessions(scope))
