"""What the follow-up table counts a commitment as, each column's rule written once in SQL
so a figure and the list behind it never disagree; and the deadlines the 10-working-day
table judges by (its states are :class:`~dialogue.issues.models.InformState`)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, select

from ..core.models import LabelledEnum, set_labels
from ..core.sql import date_pairs, local_day
from ..core.workdays import deadlines_after
from ..extensions import db
from ..issues.models import CLOSED_OTHERWISE, Commitment, CommitmentStatus
from ..issues.operations import INFORM_WITHIN_WORKING_DAYS
from ..sessions.models import DialogueSession
from .scope import ReportScope


class CommitmentBucket(LabelledEnum):
    """What a column, a chart segment or a list counts of the commitments."""

    RESOLVED = "resolved"
    RESOLVED_ON_TIME = "resolved_on_time"
    RESOLVED_LATE = "resolved_late"
    OPEN = "open"
    OVERDUE = "overdue"
    #: Still open and within the deadline.
    ON_TRACK = "on_track"
    CLOSED_OTHERWISE = "closed_otherwise"


set_labels(CommitmentBucket, {
    CommitmentBucket.RESOLVED: _l("Đã giải quyết"),
    CommitmentBucket.RESOLVED_ON_TIME: _l("Giải quyết đúng hạn"),
    CommitmentBucket.RESOLVED_LATE: _l("Giải quyết quá hạn"),
    CommitmentBucket.OPEN: _l("Đang giải quyết"),
    CommitmentBucket.OVERDUE: _l("Quá hạn"),
    CommitmentBucket.ON_TRACK: _l("Đang giải quyết, trong hạn"),
    CommitmentBucket.CLOSED_OTHERWISE: _l("Đã chuyển, không thuộc thẩm quyền, không chấp nhận"),
})

#: The columns of the follow-up table after "assigned" (every commitment), in the order of
#: :class:`~.operations.CommitmentFigures`.
COMMITMENT_BUCKETS = (CommitmentBucket.RESOLVED_ON_TIME, CommitmentBucket.RESOLVED_LATE,
                      CommitmentBucket.OPEN, CommitmentBucket.OVERDUE,
                      CommitmentBucket.CLOSED_OTHERWISE)


def _inform_deadlines(scope: ReportScope) -> dict[date, date]:
    """Session day → the day by which citizens must be told in writing (10 working days)."""
    days = db.session.scalars(
        select(local_day(DialogueSession.starts_at)).distinct()
        .where(*scope.recorded_clauses())).all()
    return deadlines_after(days, INFORM_WITHIN_WORKING_DAYS)


def join_deadlines(statement: Select, scope: ReportScope) -> tuple[Select, ColumnElement]:
    """``statement`` (over sessions) joined to each session day's inform deadline, and that
    deadline's column; a table of days joins faster than a CASE of hundreds of branches."""
    table = date_pairs(_inform_deadlines(scope), "inform_deadlines")
    return (statement.join(table, table.c.day == local_day(DialogueSession.starts_at)),
            table.c.value)


def commitment_conditions(bucket: CommitmentBucket, today: date) -> ColumnElement[bool]:
    """Which commitments a column of the follow-up table counts."""
    resolved = Commitment.status == CommitmentStatus.RESOLVED
    return {
        CommitmentBucket.RESOLVED: resolved,
        CommitmentBucket.RESOLVED_ON_TIME: and_(resolved,
                                                Commitment.closed_on <= Commitment.due_on),
        CommitmentBucket.RESOLVED_LATE: and_(resolved,
                                             Commitment.closed_on > Commitment.due_on),
        CommitmentBucket.OPEN: Commitment.is_open,
        CommitmentBucket.OVERDUE: Commitment.is_overdue(today),
        CommitmentBucket.ON_TRACK: and_(Commitment.is_open, ~Commitment.is_overdue(today)),
        CommitmentBucket.CLOSED_OTHERWISE: Commitment.status.in_(CLOSED_OTHERWISE),
    }[bucket]

