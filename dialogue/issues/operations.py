"""Recording issues and chasing commitments: the rules a secretariat follows."""

from dataclasses import dataclass
from datetime import date

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit
from ..audit.models import AuditAction
from ..audit.tracking import record_change, record_note
from ..core.errors import check_version
from ..core.sql import lock_row
from ..core.text import fold
from ..core.time import format_date, local_today, utcnow
from ..core.workdays import deadline_after
from ..extensions import db
from ..officials.models import Official
from ..sessions.access import sessions_clause
from ..sessions.models import RECORDING, DialogueSession
from ..units.operations import within
from .attachments import Upload, attach
from .models import (
    CLOSED_OTHERWISE,
    Agency,
    Commitment,
    CommitmentStatus,
    InformState,
    Issue,
    IssueError,
    IssueField,
    IssueKind,
    IssueOutcome,
    ProgressUpdate,
)

#: Quy định 11-QĐi/TW: the citizen is told in writing within 10 working days.
INFORM_WITHIN_WORKING_DAYS = 10


# Issues --------------------------------------------------------------------------------------

@dataclass
class IssueDetails:
    raised_by: str
    kind: IssueKind
    content: str
    outcome: IssueOutcome
    locality: str = ""
    contact: str = ""
    citizen_email: str = ""
    field: IssueField | None = None
    answered_by: str = ""
    answer: str = ""


def issues_editable(session: DialogueSession) -> bool:
    """Issues are recorded while a session is announced or held, until its minutes are
    final (the minutes then lock them)."""
    return session.status in RECORDING and session.issues_locked_at is None


def _check_editable(session: DialogueSession, by: User) -> None:
    check_edit_unit(by, session.unit, field=None)
    # The lock finalizing the minutes takes to file them: a save while they are filed
    # waits, then sees them final and is refused, rather than change a filed record.
    lock_row(session)
    if not issues_editable(session):
        if session.issues_locked_at is not None:
            raise IssueError(_l("Biên bản đã ký: ý kiến của phiên này không thể sửa nữa."))
        raise IssueError(_l("Chỉ ghi ý kiến cho phiên đã công bố hoặc đã tổ chức."))


def _apply_issue(issue: Issue, details: IssueDetails) -> None:
    if not details.raised_by.strip():
        raise IssueError(_l("Hãy ghi người nêu ý kiến."), field="raised_by")
    if not details.content.strip():
        raise IssueError(_l("Hãy ghi nội dung ý kiến."), field="content")
    issue.raised_by = details.raised_by.strip()
    issue.locality = details.locality.strip()
    issue.contact = details.contact.strip()
    issue.citizen_email = details.citizen_email.strip()
    issue.kind = details.kind
    issue.field = details.field
    issue.content = details.content.strip()
    issue.answered_by = details.answered_by.strip()
    issue.answer = details.answer.strip()
    issue.outcome = details.outcome
    issue.refresh_search_text()


def record_issue(session: DialogueSession, details: IssueDetails, *, by: User) -> Issue:
    """Add the next issue of a session (numbered after the last one)."""
    _check_editable(session, by)
    number = (db.session.scalar(select(func.max(Issue.number)).where(
        Issue.session_id == session.id)) or 0) + 1
    issue = Issue(session=session, number=number)
    _apply_issue(issue, details)
    db.session.add(issue)
    record_change(AuditAction.CREATED, issue, by=by)
    return issue


def update_issue(issue: Issue, details: IssueDetails, *, by: User,
                 expected_version: int | None) -> None:
    _check_editable(issue.session, by)
    check_version(issue, expected_version)
    _apply_issue(issue, details)
    record_change(AuditAction.UPDATED, issue, by=by)


def move_issue(issue: Issue, offset: int, *, by: User) -> None:
    """Swap an issue with its neighbour above (-1) or below (+1)."""
    _check_editable(issue.session, by)
    neighbour = db.session.scalar(select(Issue).where(
        Issue.session_id == issue.session_id, Issue.number == issue.number + offset))
    if neighbour is None:
        return
    # Through a free number: (session, number) is unique at every step.
    spare = (db.session.scalar(select(func.max(Issue.number)).where(
        Issue.session_id == issue.session_id)) or 0) + 1
    old, new = issue.number, neighbour.number
    issue.number = spare
    db.session.flush()
    neighbour.number = old
    db.session.flush()
    issue.number = new
    record_change(AuditAction.UPDATED, issue, by=by)


def delete_issue(issue: Issue, *, by: User) -> None:
    """Remove an issue recorded by mistake; the trail keeps what it said."""
    _check_editable(issue.session, by)
    if not issue.deletable:
        raise IssueError(_l("Ý kiến đã có cam kết: hãy xử lý cam kết trước khi xóa."))
    record_change(AuditAction.DELETED, issue, by=by)
    session_id, number = issue.session_id, issue.number
    db.session.delete(issue)
    db.session.flush()
    for later in db.session.scalars(select(Issue).where(
            Issue.session_id == session_id, Issue.number > number).order_by(Issue.number)):
        later.number -= 1
        db.session.flush()


def session_issues(session: DialogueSession) -> list[Issue]:
    return list(db.session.scalars(select(Issue).where(Issue.session_id == session.id).options(
        selectinload(Issue.field),
        selectinload(Issue.commitments).selectinload(Commitment.agency),
    ).order_by(Issue.number)))


def load_issue(issue_id: int) -> Issue | None:
    """An issue with everything its page shows, whatever the number of commitments."""
    return db.session.scalar(select(Issue).where(Issue.id == issue_id).options(
        selectinload(Issue.field),
        selectinload(Issue.commitments).options(
            selectinload(Commitment.agency), selectinload(Commitment.official),
            selectinload(Commitment.updates))))


def earlier_issues(issue: Issue, *, user: User, limit: int = 20) -> list[Issue]:
    """Repeat grievances: earlier issues from the same locality and field that the user
    may see."""
    if not issue.locality_folded or issue.field_id is None:
        return []
    return list(db.session.scalars(
        select(Issue).join(Issue.session).options(selectinload(Issue.session)).where(
            Issue.id != issue.id, Issue.locality_folded == issue.locality_folded,
            Issue.field_id == issue.field_id,
            within(issue.session.unit, DialogueSession.unit_id),
            DialogueSession.starts_at < issue.session.starts_at,
            sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id),
        ).order_by(DialogueSession.starts_at.desc()).limit(limit)))


# Commitments ---------------------------------------------------------------------------------

@dataclass
class CommitmentDetails:
    agency_name: str
    action: str
    due_on: date | None = None
    working_days: int | None = None
    official: Official | None = None


def find_or_add_agency(name: str) -> Agency:
    name = " ".join(name.split())
    agency = db.session.scalar(select(Agency).where(Agency.name_folded == fold(name)))
    if agency is None:
        agency = Agency(name=name)
        agency.refresh_folded()
        db.session.add(agency)
    return agency


def session_day(commitment_or_issue) -> date:
    issue = getattr(commitment_or_issue, "issue", commitment_or_issue)
    return issue.session.local_date


def _apply_commitment(commitment: Commitment, details: CommitmentDetails, *,
                      start: date) -> None:
    if not details.agency_name.strip():
        raise IssueError(_l("Hãy ghi cơ quan thực hiện."), field="agency_name")
    if not details.action.strip():
        raise IssueError(_l("Hãy ghi việc phải làm."), field="action")
    if (details.due_on is None) == (details.working_days is None):
        raise IssueError(_l("Hãy ghi hạn: một ngày cụ thể, hoặc số ngày làm việc kể từ "
                            "ngày hội nghị."), field="due_on")
    if details.working_days is not None:
        if not 0 < details.working_days <= 365:
            raise IssueError(_l("Số ngày làm việc phải từ 1 đến 365."), field="working_days")
        due_on = deadline_after(start, details.working_days)
    else:
        due_on = details.due_on
        if due_on < start:
            raise IssueError(_l("Hạn không thể trước ngày hội nghị."), field="due_on")
    commitment.agency = find_or_add_agency(details.agency_name)
    commitment.official = details.official
    commitment.action = details.action.strip()
    commitment.due_on = due_on
    commitment.working_days = details.working_days
    commitment.search_text = fold(f"{commitment.agency.name} {commitment.action}")


def assign_commitment(issue: Issue, details: CommitmentDetails, *, by: User) -> Commitment:
    """Record what an agency promised to do about an issue, and by when."""
    _check_editable(issue.session, by)
    commitment = Commitment(status=CommitmentStatus.ASSIGNED)
    # Attached to the issue only once valid: a refused one must not linger in issue.commitments.
    _apply_commitment(commitment, details, start=session_day(issue))
    commitment.issue = issue
    if issue.outcome is IssueOutcome.ANSWERED:
        issue.outcome = IssueOutcome.FOLLOW_UP
    db.session.add(commitment)
    record_change(AuditAction.CREATED, commitment, by=by)
    return commitment


def update_commitment(commitment: Commitment, details: CommitmentDetails, *, by: User,
                      expected_version: int | None) -> None:
    _check_editable(commitment.issue.session, by)
    check_version(commitment, expected_version)
    _apply_commitment(commitment, details, start=session_day(commitment))
    record_change(AuditAction.UPDATED, commitment, by=by)


#: Sent with the commitment (and ``by``) when it became resolved, in the transaction of
#: the change: the citizen who left an address is told (:mod:`dialogue.notices`).
commitment_resolved = Namespace().signal("commitment-resolved")


def allowed_statuses(commitment: Commitment) -> list[CommitmentStatus]:
    """An open commitment may move anywhere; a closed one can only be taken up again."""
    if commitment.is_open:
        return [s for s in CommitmentStatus if s is not commitment.status]
    return [CommitmentStatus.IN_PROGRESS]


def change_commitment_status(commitment: Commitment, status: CommitmentStatus, *, note: str,
                             by: User, expected_version: int | None = None,
                             today: date | None = None) -> None:
    """Move a commitment along; chasing goes on after the minutes, so no lock applies."""
    check_edit_unit(by, commitment.issue.session.unit, field=None)
    check_version(commitment, expected_version)
    if status not in allowed_statuses(commitment):
        raise IssueError(_l("Không thể chuyển từ “%(old)s” sang “%(new)s”.",
                            old=commitment.status.label, new=status.label), field="status")
    if status in CLOSED_OTHERWISE and not note.strip():
        raise IssueError(_l("Hãy ghi lý do, căn cứ."), field="note")
    commitment.status = status
    commitment.closed_on = None if status.is_open else (today or local_today())
    record_change(AuditAction.STATUS_CHANGED, commitment, by=by, reason=note)
    if status is CommitmentStatus.RESOLVED:
        commitment_resolved.send(commitment, by=by)


def record_citizen_informed(commitment: Commitment, day: date, *, by: User,
                            expected_version: int | None = None) -> None:
    check_edit_unit(by, commitment.issue.session.unit, field=None)
    check_version(commitment, expected_version)
    if day < session_day(commitment):
        raise IssueError(_l("Ngày trả lời không thể trước ngày hội nghị."),
                         field="citizen_informed_on")
    commitment.citizen_informed_on = day
    record_change(AuditAction.UPDATED, commitment, by=by)


@dataclass(frozen=True)
class InformRule:
    """Where a commitment stands against the 10-working-day rule, and the deadline."""

    deadline: date
    state: InformState


def inform_deadline(issue: Issue) -> date:
    """The day by which the citizen must be told in writing how the issue is handled."""
    return deadline_after(session_day(issue), INFORM_WITHIN_WORKING_DAYS)


def inform_rule(commitment: Commitment, today: date | None = None, *,
                deadline: date | None = None) -> InformRule:
    """``deadline`` is the issue's :func:`inform_deadline`, when already known."""
    deadline = deadline or inform_deadline(commitment.issue)
    return InformRule(deadline, commitment.inform_state(today or local_today(), deadline))


# Progress updates --------------------------------------------------------------------------

def add_progress_update(commitment: Commitment, *, on: date, text: str,
                        upload: Upload | None, by: User) -> ProgressUpdate:
    check_edit_unit(by, commitment.issue.session.unit, field=None)
    if not text.strip():
        raise IssueError(_l("Hãy ghi nội dung cập nhật."), field="text")
    if on < session_day(commitment):
        raise IssueError(_l("Ngày cập nhật không thể trước ngày hội nghị."), field="on")
    update = ProgressUpdate(on=on, text=text.strip(),
                            created_by=by.display_name, created_at=utcnow())
    if upload is not None and upload.content:
        attach(update, upload)
    update.commitment = commitment
    db.session.add(update)
    db.session.flush()
    # The update is an event of the commitment, not a change of its fields.
    record_note(AuditAction.CREATED, commitment, by=by, changes={"update": [
        None, f"{format_date(on)}: {update.text}"
        + (f" [{update.attachment_name}]" if update.attachment_path else "")]})
    return update
