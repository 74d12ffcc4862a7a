"""The rows behind a figure: what a link of the dashboard names, read back from its query
string, and the statement that lists those rows."""

from dataclasses import dataclass, fields, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ..core.forms import to_id
from ..core.models import LabelledEnum, set_labels
from ..extensions import db
from ..issues.models import (
    Commitment,
    InformState,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
)
from ..sessions.models import (
    DialogueSession,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from ..units.models import Unit, UnitLevel
from .buckets import CommitmentBucket, commitment_conditions, join_deadlines
from .duties import communes_without_conference, late_minutes_sessions, short_notice_sessions
from .operations import recorded_commitments, recorded_issues
from .rollup import UnitRows
from .scope import ReportScope


class DrillSubject(LabelledEnum):
    """What the rows behind a figure are."""

    SESSIONS = "sessions"
    ISSUES = "issues"
    COMMITMENTS = "commitments"
    COMMUNES = "communes"
    SHORT_NOTICE = "short_notice"
    LATE_MINUTES = "late_minutes"

    @property
    def is_duty(self) -> bool:
        """A list of missed legal duties: short, so shown whole rather than by page."""
        return self in _DUTIES


_DUTIES = {DrillSubject.COMMUNES: communes_without_conference,
           DrillSubject.SHORT_NOTICE: short_notice_sessions,
           DrillSubject.LATE_MINUTES: late_minutes_sessions}

set_labels(DrillSubject, {
    DrillSubject.SESSIONS: _l("Hội nghị"),
    DrillSubject.ISSUES: _l("Ý kiến, kiến nghị"),
    DrillSubject.COMMITMENTS: _l("Nội dung giao xử lý"),
    DrillSubject.COMMUNES: _l("Xã, phường chưa tổ chức hội nghị đối thoại định kỳ"),
    DrillSubject.SHORT_NOTICE: _l("Hội nghị thông báo chưa đủ 7 ngày"),
    DrillSubject.LATE_MINUTES: _l("Hội nghị chưa công bố kết quả trong 10 ngày"),
})

#: What field 0 of a drill stands for.
NO_FIELD = _l("Chưa xác định lĩnh vực")

#: A drill's fields that name a member of an enum, and that enum.
_DRILL_ENUMS = {"level": UnitLevel, "status": SessionStatus, "kind": SessionKind,
                "format": SessionFormat, "issue_kind": IssueKind, "outcome": IssueOutcome,
                "bucket": CommitmentBucket, "inform": InformState}


@dataclass(frozen=True)
class Drill:
    """What a figure counts, as the list of rows behind it shows it."""

    show: DrillSubject
    level: UnitLevel | None = None
    status: SessionStatus | None = None
    kind: SessionKind | None = None
    format: SessionFormat | None = None
    issue_kind: IssueKind | None = None
    outcome: IssueOutcome | None = None
    #: An issue field's id; 0 for issues without a field.
    field: int | None = None
    bucket: CommitmentBucket | None = None
    inform: InformState | None = None
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
        values: dict = {name: enum(args[name]) for name, enum in _DRILL_ENUMS.items()
                        if args.get(name)}
        values["show"] = DrillSubject(args.get("show", ""))
        for name in ("field", "row"):
            if args.get(name):
                # Field 0 stands for "no field".
                values[name] = 0 if name == "field" and args[name] == "0" else to_id(args[name])
                if values[name] is None:
                    raise ValueError(args[name])
        return cls(**values)


def drill_statement(scope: ReportScope, drill: Drill) -> Select:
    """The sessions, issues or commitments a figure counts, in a sensible order."""
    if drill.show is DrillSubject.SESSIONS:
        statement = select(DialogueSession).where(*scope.session_clauses()).order_by(
            DialogueSession.starts_at, DialogueSession.id)
        for name in ("status", "kind", "format"):
            if getattr(drill, name) is not None:
                statement = statement.where(getattr(DialogueSession, name) == getattr(drill, name))
        statement = statement.options(selectinload(DialogueSession.unit))
    elif drill.show is DrillSubject.ISSUES:
        statement = recorded_issues(scope).order_by(
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
    elif drill.show is DrillSubject.COMMITMENTS:
        statement = (recorded_commitments(scope).order_by(Commitment.due_on, Commitment.id)
                     .options(selectinload(Commitment.agency),
                              selectinload(Commitment.issue).selectinload(Issue.session)
                              .selectinload(DialogueSession.unit),
                              selectinload(Commitment.issue).selectinload(Issue.field)))
        if drill.bucket is not None:
            statement = statement.where(commitment_conditions(drill.bucket, scope.today))
        if drill.inform is not None:
            statement, deadline = join_deadlines(statement, scope)
            statement = statement.where(
                Commitment.inform_state_is(drill.inform, scope.today, deadline))
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
    if not drill.show.is_duty:
        raise ValueError(drill.show)
    return _DUTIES[drill.show](scope)


def drill_labels(drill: Drill) -> list[str]:
    """What the rows behind a figure are, as the list's heading says it."""
    labels = [drill.show.label]
    for value in (drill.level, drill.status, drill.kind, drill.format, drill.issue_kind,
                  drill.outcome):
        if value is not None:
            labels.append(value.label)
    if drill.field is not None:
        field = db.session.get(IssueField, drill.field) if drill.field else None
        labels.append(field.name if field else str(NO_FIELD))
    if drill.bucket is not None:
        labels.append(drill.bucket.label)
    if drill.inform is not None:
        labels.append(drill.inform.label)
    if drill.row is not None:
        unit = db.session.get(Unit, drill.row)
        labels.append(unit.display_name if unit else "?")
    return labels
