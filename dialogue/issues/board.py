"""Finding commitments and issues: the follow-up board, an agency's list, and search."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.text import like_pattern
from ..extensions import db
from ..sessions.access import sessions_clause
from ..sessions.models import DialogueSession
from ..units.models import Unit
from ..units.operations import within
from .models import Agency, Commitment, CommitmentStatus, Issue, IssueField


@dataclass
class BoardFilter:
    unit: Unit | None = None
    agency: Agency | None = None
    field: IssueField | None = None
    status: CommitmentStatus | None = None
    due_before: date | None = None


def _visible_commitments(user: User) -> Select:
    return select(Commitment).join(Commitment.issue).join(Issue.session).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id))


def _listed(statement: Select) -> Select:
    """What a list of commitments shows of each: its agency, issue, field and session (the
    session names its unit as it was called on the day: the unit itself is not read)."""
    return statement.options(
        selectinload(Commitment.agency),
        selectinload(Commitment.issue).options(selectinload(Issue.session),
                                               selectinload(Issue.field)))


def board_query(user: User, criteria: BoardFilter) -> Select:
    """Open commitments the user may see (or those of the chosen status), overdue first,
    then by deadline."""
    statement = _listed(_visible_commitments(user))
    if criteria.status is not None:
        statement = statement.where(Commitment.status == criteria.status)
    else:
        statement = statement.where(Commitment.is_open)
    if criteria.unit is not None:
        statement = statement.where(within(criteria.unit, DialogueSession.unit_id))
    if criteria.agency is not None:
        statement = statement.where(Commitment.agency_id == criteria.agency.id)
    if criteria.field is not None:
        statement = statement.where(Issue.field_id == criteria.field.id)
    if criteria.due_before is not None:
        statement = statement.where(Commitment.due_on <= criteria.due_before)
    # Earliest deadline first puts the overdue ones (deadline before today) on top.
    return statement.order_by(Commitment.due_on, Commitment.id)


@dataclass(frozen=True)
class BoardCounters:
    open: int
    overdue: int
    due_this_week: int
    resolved_this_month: int


def board_counters(user: User, today: date) -> BoardCounters:
    """The four numbers above the board, in one query."""
    week_end = today + timedelta(days=6 - today.weekday())
    month_start = today.replace(day=1)
    row = db.session.execute(select(
        func.count().filter(Commitment.is_open),
        func.count().filter(Commitment.is_overdue(today)),
        func.count().filter(and_(Commitment.is_open, Commitment.due_on >= today,
                                 Commitment.due_on <= week_end)),
        func.count().filter(and_(Commitment.status == CommitmentStatus.RESOLVED,
                                 Commitment.closed_on >= month_start)),
    ).select_from(Commitment).join(Commitment.issue).join(Issue.session).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id))).one()
    return BoardCounters(*row)


def search_sessions(user: User, query: str) -> Select:
    return select(DialogueSession).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id),
        DialogueSession.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())


def search_issues(user: User, query: str) -> Select:
    return select(Issue).join(Issue.session).options(
        selectinload(Issue.session), selectinload(Issue.field)).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id),
        Issue.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(DialogueSession.starts_at.desc(), Issue.number)


def search_commitments(user: User, query: str) -> Select:
    return _listed(_visible_commitments(user)).where(
        Commitment.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(Commitment.due_on.desc(), Commitment.id.desc())


def agency_commitments(agency: Agency, user: User) -> Select:
    return _listed(_visible_commitments(user)).where(
        Commitment.agency_id == agency.id).order_by(Commitment.due_on.desc(), Commitment.id)


def agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


#: Enough agency names to suggest while typing; the browser filters them as one types.
AGENCY_SUGGESTIONS = 500


def agency_names() -> list[str]:
    """The names offered when typing a commitment's agency."""
    return list(db.session.scalars(
        select(Agency.name).order_by(Agency.name).limit(AGENCY_SUGGESTIONS)))
