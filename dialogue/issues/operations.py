"""Recording issues and chasing commitments: the rules a secretariat follows."""

import io
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import puremagic
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit, sessions_clause
from ..audit.models import AuditAction
from ..audit.operations import describe, diff, record, snapshot
from ..core.errors import UserError, check_version
from ..core.text import fold, like_pattern
from ..core.time import (
    add_working_days,
    format_date,
    local_today,
    utcnow,
    working_day_deadlines,
)
from ..extensions import db
from ..officials.models import Official
from ..sessions.models import RECORDING, DialogueSession
from ..units.models import Unit
from ..units.operations import within
from .models import (
    OPEN_STATUSES,
    Agency,
    Commitment,
    CommitmentStatus,
    Holiday,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
    ProgressUpdate,
)

#: Quy định 11-QĐi/TW: the citizen is told in writing within 10 working days.
INFORM_WITHIN_WORKING_DAYS = 10

describe("issue", {
    "number": _l("Số thứ tự"), "raised_by": _l("Người nêu"), "locality": _l("Thôn, tổ dân phố"),
    "contact": _l("Liên hệ"), "kind": _l("Loại"), "field": _l("Lĩnh vực"),
    "content": _l("Nội dung"), "answered_by": _l("Người trả lời"), "answer": _l("Trả lời"),
    "outcome": _l("Kết quả"),
}, {"kind": IssueKind, "outcome": IssueOutcome})
describe("commitment", {
    "agency": _l("Cơ quan thực hiện"), "official": _l("Cán bộ phụ trách"),
    "action": _l("Việc phải làm"), "due_on": _l("Hạn"), "working_days": _l("Số ngày làm việc"),
    "status": _l("Tình trạng"), "citizen_informed_on": _l("Ngày trả lời bằng văn bản"),
    "update": _l("Cập nhật tiến độ"),
}, {"status": CommitmentStatus})


class IssueError(UserError):
    """A rule about issues or commitments the user broke."""


# Holidays and working days ------------------------------------------------------------------

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


def add_holiday(day: date, name: str, *, by: User | None) -> Holiday:
    if db.session.scalar(select(Holiday).where(Holiday.day == day)) is not None:
        raise IssueError(_l("Ngày này đã có trong danh sách nghỉ lễ."), field="day")
    holiday = Holiday(day=day, name=name.strip())
    db.session.add(holiday)
    db.session.flush()
    record(AuditAction.CREATED, by=by, object_type="holiday", object_id=holiday.id,
           label=f"{format_date(day)} {holiday.name}")
    return holiday


def remove_holiday(holiday: Holiday, *, by: User) -> None:
    record(AuditAction.DELETED, by=by, object_type="holiday", object_id=holiday.id,
           label=f"{format_date(holiday.day)} {holiday.name}")
    db.session.delete(holiday)
    db.session.flush()


# Fields --------------------------------------------------------------------------------------

def active_fields() -> list[IssueField]:
    return list(db.session.scalars(select(IssueField).where(
        IssueField.archived_at.is_(None)).order_by(IssueField.position, IssueField.name)))


def add_field(name: str, *, by: User | None) -> IssueField:
    name = name.strip()
    if db.session.scalar(select(IssueField).where(func.lower(IssueField.name) == name.lower())):
        raise IssueError(_l("Lĩnh vực này đã có."), field="name")
    position = (db.session.scalar(select(func.max(IssueField.position))) or 0) + 1
    field = IssueField(name=name, position=position)
    db.session.add(field)
    db.session.flush()
    record(AuditAction.CREATED, by=by, object_type="issue_field", object_id=field.id, label=name)
    return field


def set_field_archived(field: IssueField, archived: bool, *, by: User) -> None:
    field.archived_at = utcnow() if archived else None
    record(AuditAction.UPDATED, by=by, object_type="issue_field", object_id=field.id,
           label=field.name, changes={"archived": [not archived, archived]})


# Issues --------------------------------------------------------------------------------------

@dataclass
class IssueDetails:
    raised_by: str
    kind: IssueKind
    content: str
    outcome: IssueOutcome
    locality: str = ""
    contact: str = ""
    field: IssueField | None = None
    answered_by: str = ""
    answer: str = ""


def issues_editable(session: DialogueSession) -> bool:
    """Issues are recorded while a session is announced or held, until its minutes are
    final (the minutes then lock them)."""
    return session.status in RECORDING and session.issues_locked_at is None


def _check_editable(session: DialogueSession, by: User) -> None:
    check_edit_unit(by, session.unit, field=None)
    if not issues_editable(session):
        if session.issues_locked_at is not None:
            raise IssueError(_l("Biên bản đã ký: ý kiến của phiên này không thể sửa nữa."))
        raise IssueError(_l("Chỉ ghi ý kiến cho phiên đã công bố hoặc đã tổ chức."))


def _audited_issue(issue: Issue) -> dict:
    return snapshot({
        "number": issue.number, "raised_by": issue.raised_by, "locality": issue.locality,
        "contact": issue.contact, "kind": issue.kind,
        "field": issue.field.name if issue.field else "", "content": issue.content,
        "answered_by": issue.answered_by, "answer": issue.answer, "outcome": issue.outcome})


def _audit_issue(action: AuditAction, issue: Issue, by: User, before: dict) -> None:
    record(action, by=by, object_type="issue", object_id=issue.id,
           label=f"{issue.session.title} — {_('Ý kiến số %(n)d', n=issue.number)}",
           unit_id=issue.session.unit_id, changes=diff(before, _audited_issue(issue)))


def _apply_issue(issue: Issue, details: IssueDetails) -> None:
    if not details.raised_by.strip():
        raise IssueError(_l("Hãy ghi người nêu ý kiến."), field="raised_by")
    if not details.content.strip():
        raise IssueError(_l("Hãy ghi nội dung ý kiến."), field="content")
    issue.raised_by = details.raised_by.strip()
    issue.locality = details.locality.strip()
    issue.contact = details.contact.strip()
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
    db.session.flush()
    _audit_issue(AuditAction.CREATED, issue, by, {})
    return issue


def update_issue(issue: Issue, details: IssueDetails, *, by: User,
                 expected_version: int | None) -> None:
    _check_editable(issue.session, by)
    check_version(issue, expected_version)
    before = _audited_issue(issue)
    _apply_issue(issue, details)
    db.session.flush()
    _audit_issue(AuditAction.UPDATED, issue, by, before)


def move_issue(issue: Issue, offset: int, *, by: User) -> None:
    """Swap an issue with its neighbour above (-1) or below (+1)."""
    _check_editable(issue.session, by)
    neighbour = db.session.scalar(select(Issue).where(
        Issue.session_id == issue.session_id, Issue.number == issue.number + offset))
    if neighbour is None:
        return
    before = _audited_issue(issue)
    # Through a free number: (session, number) is unique at every step.
    spare = (db.session.scalar(select(func.max(Issue.number)).where(
        Issue.session_id == issue.session_id)) or 0) + 1
    old, new = issue.number, neighbour.number
    issue.number = spare
    db.session.flush()
    neighbour.number = old
    db.session.flush()
    issue.number = new
    db.session.flush()
    _audit_issue(AuditAction.UPDATED, issue, by, before)


def delete_issue(issue: Issue, *, by: User) -> None:
    """Remove an issue recorded by mistake; the trail keeps what it said."""
    _check_editable(issue.session, by)
    if issue.commitments:
        raise IssueError(_l("Ý kiến đã có cam kết: hãy xử lý cam kết trước khi xóa."))
    record(AuditAction.DELETED, by=by, object_type="issue", object_id=issue.id,
           label=f"{issue.session.title} — {_('Ý kiến số %(n)d', n=issue.number)}",
           unit_id=issue.session.unit_id, changes=diff(_audited_issue(issue), {}))
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


def _audited_commitment(commitment: Commitment) -> dict:
    return snapshot({
        "agency": commitment.agency.name if commitment.agency else "",
        "official": commitment.official.label if commitment.official else "",
        "action": commitment.action, "due_on": commitment.due_on,
        "working_days": commitment.working_days, "status": commitment.status,
        "citizen_informed_on": commitment.citizen_informed_on})


def _audit_commitment(action: AuditAction, commitment: Commitment, by: User, before: dict,
                      reason: str = "") -> None:
    record(action, by=by, object_type="commitment", object_id=commitment.id,
           label=f"{commitment.agency.name}: {commitment.action[:200]}",
           unit_id=commitment.issue.session.unit_id,
           changes=diff(before, _audited_commitment(commitment)), reason=reason)


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
    db.session.flush()
    _audit_commitment(AuditAction.CREATED, commitment, by, {})
    return commitment


def update_commitment(commitment: Commitment, details: CommitmentDetails, *, by: User,
                      expected_version: int | None) -> None:
    _check_editable(commitment.issue.session, by)
    check_version(commitment, expected_version)
    before = _audited_commitment(commitment)
    _apply_commitment(commitment, details, start=session_day(commitment))
    db.session.flush()
    _audit_commitment(AuditAction.UPDATED, commitment, by, before)


def allowed_statuses(commitment: Commitment) -> list[CommitmentStatus]:
    """An open commitment may move anywhere; a closed one can only be taken up again."""
    if commitment.status.is_open:
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
    if not status.is_open and status is not CommitmentStatus.RESOLVED and not note.strip():
        raise IssueError(_l("Hãy ghi lý do, căn cứ."), field="note")
    before = _audited_commitment(commitment)
    commitment.status = status
    commitment.closed_on = None if status.is_open else (today or local_today())
    db.session.flush()
    _audit_commitment(AuditAction.STATUS_CHANGED, commitment, by, before, reason=note.strip())


def record_citizen_informed(commitment: Commitment, day: date, *, by: User) -> None:
    check_edit_unit(by, commitment.issue.session.unit, field=None)
    if day < session_day(commitment):
        raise IssueError(_l("Ngày trả lời không thể trước ngày hội nghị."),
                         field="citizen_informed_on")
    before = _audited_commitment(commitment)
    commitment.citizen_informed_on = day
    db.session.flush()
    _audit_commitment(AuditAction.UPDATED, commitment, by, before)


@dataclass(frozen=True)
class InformRule:
    """Where a commitment stands against the 10-working-day rule."""

    deadline: date
    state: str  # "on_time", "late", "pending", "overdue"

    @property
    def label(self) -> str:
        return str({
            "on_time": _l("Đã trả lời đúng hạn"), "late": _l("Đã trả lời nhưng quá hạn"),
            "pending": _l("Chưa trả lời, còn trong hạn"), "overdue": _l("Chưa trả lời, quá hạn"),
        }[self.state])


def inform_deadline(issue: Issue) -> date:
    """The day by which the citizen must be told in writing how the issue is handled."""
    return deadline_after(session_day(issue), INFORM_WITHIN_WORKING_DAYS)


def inform_rule(commitment: Commitment, today: date | None = None, *,
                deadline: date | None = None) -> InformRule:
    """``deadline`` is the issue's :func:`inform_deadline`, when already known."""
    deadline = deadline or inform_deadline(commitment.issue)
    informed = commitment.citizen_informed_on
    if informed is not None:
        return InformRule(deadline, "on_time" if informed <= deadline else "late")
    return InformRule(deadline, "pending" if (today or local_today()) <= deadline else "overdue")


# Progress updates and their documents --------------------------------------------------------

#: What a progress update may carry, by the content's own type (never the file name).
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
}


@dataclass
class Upload:
    filename: str
    content: bytes


def detect_type(content: bytes) -> str | None:
    """The allowed MIME type the content really is, or None."""
    if content.startswith(b"PK\x03\x04"):
        return _office_zip_type(content)
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type in ALLOWED_TYPES:
            return match.mime_type
    return None


#: The part that makes a zip an Office Open XML document of each type.
_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _office_zip_type(content: bytes) -> str | None:
    """A zip is an office document only if it holds one's parts (any zip, an executable
    inside, starts with the same bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:  # OpenDocument
                mime = archive.read("mimetype").decode("ascii", "replace").strip()
                return mime if mime in ALLOWED_TYPES else None
            if "[Content_Types].xml" in names:
                return next((mime for part, mime in _OOXML_PARTS.items() if part in names),
                            None)
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def attachments_folder() -> Path:
    folder = Path(current_app.instance_path) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
        limit = current_app.config["ATTACHMENT_MAX_BYTES"]
        if len(upload.content) > limit:
            raise IssueError(_l("Tệp quá lớn: tối đa %(mb)s MB.", mb=f"{limit / 2**20:g}"),
                             field="attachment")
        mime = detect_type(upload.content)
        if mime is None:
            raise IssueError(_l("Chỉ nhận tệp PDF, ảnh hoặc văn bản văn phòng (Word, Excel, "
                                "OpenDocument). Nội dung tệp này không phải các loại đó."),
                             field="attachment")
        stored = f"{uuid4().hex}{ALLOWED_TYPES[mime]}"
        (attachments_folder() / stored).write_bytes(upload.content)
        update.attachment_path = stored
        update.attachment_name = Path(upload.filename or stored).name[:255]
        update.attachment_type = mime
        update.attachment_size = len(upload.content)
    update.commitment = commitment
    db.session.add(update)
    db.session.flush()
    record(AuditAction.CREATED, by=by, object_type="commitment", object_id=commitment.id,
           label=f"{commitment.agency.name}: {commitment.action[:200]}",
           unit_id=commitment.issue.session.unit_id,
           changes={"update": [None, f"{format_date(on)}: {update.text}"
                               + (f" [{update.attachment_name}]" if update.attachment_path
                                  else "")]})
    return update


# The follow-up board and search --------------------------------------------------------------

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


def board_query(user: User, criteria: BoardFilter) -> Select:
    """Open commitments the user may see (or those of the chosen status), overdue first,
    then by deadline."""
    statement = _visible_commitments(user).options(
        selectinload(Commitment.agency),
        selectinload(Commitment.issue).selectinload(Issue.session)
        .selectinload(DialogueSession.unit),
        selectinload(Commitment.issue).selectinload(Issue.field))
    if criteria.status is not None:
        statement = statement.where(Commitment.status == criteria.status)
    else:
        statement = statement.where(Commitment.status.in_(OPEN_STATUSES))
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
    is_open = Commitment.status.in_(OPEN_STATUSES)
    row = db.session.execute(select(
        func.count().filter(is_open),
        func.count().filter(and_(is_open, Commitment.due_on < today)),
        func.count().filter(and_(is_open, Commitment.due_on >= today,
                                 Commitment.due_on <= week_end)),
        func.count().filter(and_(Commitment.status == CommitmentStatus.RESOLVED,
                                 Commitment.closed_on >= month_start)),
    ).select_from(Commitment).join(Commitment.issue).join(Issue.session).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id))).one()
    return BoardCounters(*row)


def search_sessions(user: User, query: str) -> Select:
    return select(DialogueSession).options(selectinload(DialogueSession.unit)).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id),
        DialogueSession.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(DialogueSession.starts_at.desc(), DialogueSession.id.desc())


def search_issues(user: User, query: str) -> Select:
    return select(Issue).join(Issue.session).options(
        selectinload(Issue.session).selectinload(DialogueSession.unit),
        selectinload(Issue.field)).where(
        sessions_clause(user, DialogueSession.unit_id, DialogueSession.chair_id),
        Issue.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(DialogueSession.starts_at.desc(), Issue.number)


def search_commitments(user: User, query: str) -> Select:
    return _visible_commitments(user).options(
        selectinload(Commitment.agency),
        selectinload(Commitment.issue).selectinload(Issue.session),
        selectinload(Commitment.issue).selectinload(Issue.field)).where(
        Commitment.search_text.like(like_pattern(query), escape="\\"),
    ).order_by(Commitment.due_on.desc(), Commitment.id.desc())


def agency_commitments(agency: Agency, user: User) -> Select:
    return _visible_commitments(user).options(
        selectinload(Commitment.agency),
        selectinload(Commitment.issue).selectinload(Issue.session)
        .selectinload(DialogueSession.unit),
        selectinload(Commitment.issue).selectinload(Issue.field)).where(
        Commitment.agency_id == agency.id).order_by(Commitment.due_on.desc(), Commitment.id)
