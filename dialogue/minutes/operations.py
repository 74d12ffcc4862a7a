"""Drafting, finalizing, correcting, verifying and exporting the minutes of a session."""

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload, undefer

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit
from ..audit.models import AuditAction
from ..audit.operations import describe, diff, record, snapshot
from ..core.document import date_line
from ..core.errors import StaleEdit, UserError, check_version
from ..core.text import fold, spreadsheet_safe
from ..core.time import format_date, to_local, utcnow
from ..extensions import db
from ..issues.operations import session_issues
from ..sessions.models import RECORDING, DialogueSession, ParticipantRole, SessionStatus
from ..units.models import Unit, UnitKind, UnitLevel
from ..units.operations import within
from . import document
from .models import (
    AttendanceGroup,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    MinutesTemplate,
)

#: Roles whose participants are named in the minutes (the others are counted).
NAMED_ROLES = (ParticipantRole.LEADER, ParticipantRole.AGENCY,
               ParticipantRole.FATHERLAND_FRONT)
ARCHIVE_LINE = "- Lưu: VT, Hồ sơ."
MAX_ATTENDANCE_GROUPS = 12

describe("minutes", {
    "template": _l("Mẫu"), "parent_body": _l("Cơ quan chủ quản"),
    "issuing_body": _l("Cơ quan ban hành"), "number": _l("Số"), "symbol": _l("Ký hiệu"),
    "place_name": _l("Địa danh"), "attendance": _l("Thành phần tham dự"),
    "attendees": _l("Đại biểu"), "conclusions": _l("Kết luận"),
    "signing_note": _l("Ghi chú về việc ký"), "copies": _l("Số bản"),
    "recipients": _l("Nơi nhận"), "status": _l("Trạng thái"), "revision": _l("Lần hoàn thiện"),
}, {"template": MinutesTemplate, "status": MinutesStatus})


class MinutesError(UserError):
    pass


# Drafting ----------------------------------------------------------------------------------

@dataclass
class MinutesDetails:
    template: MinutesTemplate
    issuing_body: str
    symbol: str
    place_name: str
    parent_body: str = ""
    number: int | None = None
    attendance: list[tuple[str, int]] = field(default_factory=list)
    attendees: str = ""
    conclusions: str = ""
    signing_note: str = ""
    copies: int = 2
    recipients: str = ""


#: The Party committee of a province or district by the unit's kind, and its symbol.
_PARTY_COMMITTEES = {
    UnitKind.TINH: ("TỈNH ỦY", "BB/TU"), UnitKind.THANH_PHO_TRUNG_UONG: ("THÀNH ỦY", "BB/TU"),
    UnitKind.HUYEN: ("HUYỆN ỦY", "BB/HU"), UnitKind.QUAN: ("QUẬN ỦY", "BB/QU"),
    UnitKind.THI_XA: ("THỊ ỦY", "BB/TU"), UnitKind.THANH_PHO: ("THÀNH ỦY", "BB/TU"),
}


def heading_defaults(unit: Unit, template: MinutesTemplate) -> dict:
    """Header lines as a unit's People's Committee or Party committee prints them."""
    province = unit.province or unit
    if template is MinutesTemplate.STATE:
        return {"parent_body": "", "issuing_body": f"ỦY BAN NHÂN DÂN {unit.name.upper()}",
                "symbol": "BB-UBND"}
    if unit.level is UnitLevel.COMMUNE:
        issuing, symbol = f"ĐẢNG ỦY {unit.name.upper()}", "BB/ĐU"
    else:
        committee, symbol = _PARTY_COMMITTEES[unit.kind]
        issuing = committee if unit.level is UnitLevel.PROVINCE else (
            f"{committee} {unit.short_name.upper()}")
    return {"parent_body": f"ĐẢNG BỘ {province.name.upper()}", "issuing_body": issuing,
            "symbol": symbol}


def new_minutes(session: DialogueSession) -> Minutes:
    """Minutes filled from the session, not yet saved (the form shows them first)."""
    template = MinutesTemplate.STATE
    minutes = Minutes(session=session, unit=session.unit, template=template,
                      status=MinutesStatus.DRAFT, year=session.local_date.year,
                      place_name=session.unit.short_name, copies=2, revision=0,
                      correction_reason="", conclusions="", signing_note="",
                      recipients="- Các đại biểu dự hội nghị;\n" + ARCHIVE_LINE,
                      **heading_defaults(session.unit, template))
    with force_locale("vi"):
        counts = Counter(p.role for p in session.participants)
        minutes.attendance = [AttendanceGroup(position=i, label=role.label, count=counts[role])
                              for i, role in enumerate(r for r in ParticipantRole if counts[r])]
        minutes.attendance.append(AttendanceGroup(
            position=len(minutes.attendance), label="Nhân dân", count=0))
    minutes.attendees = "\n".join(
        ", ".join(part for part in (p.full_name, p.organisation) if part)
        for p in session.participants if p.role in NAMED_ROLES)
    return minutes


def minutes_of(session: DialogueSession) -> Minutes | None:
    return db.session.scalar(select(Minutes).where(Minutes.session_id == session.id).options(
        selectinload(Minutes.attendance), selectinload(Minutes.revisions)))


def _audited(minutes: Minutes) -> dict:
    return snapshot({
        "template": minutes.template, "parent_body": minutes.parent_body,
        "issuing_body": minutes.issuing_body, "number": minutes.number,
        "symbol": minutes.symbol, "place_name": minutes.place_name,
        "attendance": "; ".join(f"{g.label}: {g.count}" for g in minutes.attendance),
        "attendees": minutes.attendees, "conclusions": minutes.conclusions,
        "signing_note": minutes.signing_note, "copies": minutes.copies,
        "recipients": minutes.recipients, "status": minutes.status,
        "revision": minutes.revision})


def _audit(action: AuditAction, minutes: Minutes, by: User, before: dict,
           reason: str = "") -> None:
    record(action, by=by, object_type="minutes", object_id=minutes.id,
           label=_("Biên bản: %(title)s", title=minutes.session.title),
           unit_id=minutes.unit_id, changes=diff(before, _audited(minutes)), reason=reason)


def drafting_open(session: DialogueSession) -> bool:
    """Minutes are drafted for an announced or held session (not a draft, a postponed or a
    cancelled one)."""
    return session.status in RECORDING


def _check_drafting(session: DialogueSession, by: User) -> None:
    check_edit_unit(by, session.unit, field=None)
    if not drafting_open(session):
        raise MinutesError(_("Chỉ lập biên bản cho phiên đã công bố hoặc đã tổ chức."))


def _follow_session(minutes: Minutes) -> None:
    """Until first filed, the minutes belong to the session's current unit and year (the
    session may have moved since the draft was started)."""
    minutes.unit = minutes.session.unit
    minutes.year = minutes.session.local_date.year


def _check_number_free(minutes: Minutes, number: int | None) -> None:
    if number is None:
        return
    taken = db.session.scalar(select(Minutes.id).where(
        Minutes.unit_id == minutes.unit_id, Minutes.template == minutes.template,
        Minutes.year == minutes.year, Minutes.number == number,
        Minutes.id != minutes.id if minutes.id else true()))
    if taken is not None:
        raise MinutesError(_("Số %(number)d đã dùng cho một biên bản khác của cơ quan này "
                             "trong năm %(year)d.", number=number, year=minutes.year),
                           field="number")


def save_minutes(session: DialogueSession, details: MinutesDetails, *, by: User,
                 expected_version: int | None = None) -> Minutes:
    """Save the draft of a session's minutes (started on first save)."""
    details = replace(details)  # adjusted below; the caller's stays as given
    _check_drafting(session, by)
    minutes = minutes_of(session)
    if minutes is None:
        minutes, action, before = new_minutes(session), AuditAction.CREATED, {}
        db.session.add(minutes)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone else started these minutes a moment ago (one per session).
            db.session.rollback()
            raise StaleEdit() from None
    else:
        check_version(minutes, expected_version)
        action, before = AuditAction.UPDATED, _audited(minutes)
    if minutes.is_final:
        raise MinutesError(_("Biên bản đã hoàn thiện: muốn sửa, hãy lập bản đính chính."))
    if minutes.revision:
        # A correction reissues the same document: its number and template stay.
        details.number, details.template = minutes.number, minutes.template
    else:
        _follow_session(minutes)
    if details.template is not minutes.template:
        # Header lines still at the old template's defaults follow the new template.
        old = heading_defaults(minutes.unit, minutes.template)
        new = heading_defaults(minutes.unit, details.template)
        for name in old:
            if getattr(details, name) == old[name]:
                setattr(details, name, new[name])
    minutes.template = details.template
    _check_number_free(minutes, details.number)
    for name in ("parent_body", "issuing_body", "symbol", "place_name", "attendees",
                 "conclusions", "signing_note", "recipients"):
        setattr(minutes, name, getattr(details, name).strip())
    minutes.number = details.number
    minutes.copies = details.copies
    minutes.attendance = [AttendanceGroup(position=i, label=label.strip(), count=count)
                          for i, (label, count) in enumerate(
                              (label, count) for label, count in details.attendance
                              if label.strip())]
    # The attendance rows alone do not touch the minutes row: bump it, so a form opened
    # before this save is refused as stale rather than silently overwrite the counts.
    minutes.updated_at = utcnow()
    db.session.flush()
    _audit(action, minutes, by, before)
    return minutes


# The document --------------------------------------------------------------------------------

def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _clock(moment) -> str:
    local = to_local(moment)
    return f"{local.hour:02d} giờ {local.minute:02d} phút"


def recipient_lines(text: str) -> list[str]:
    lines = [line if line.startswith("-") else f"- {line}" for line in _lines(text)]
    if not lines or not fold(lines[-1]).startswith("- luu"):
        lines.append(ARCHIVE_LINE)
    return lines


def document_content(minutes: Minutes, *, revision: int | None = None, replaces: date | None = None,
                     correction_reason: str = "") -> dict:
    """Everything the document prints, as plain JSON-ready values in Vietnamese.

    Never a citizen's contact: the minutes are filed and handed out.
    """
    session = minutes.session
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    if minutes.number is not None:
        number_line = minutes.document_number
    else:  # the clerk writes the number in by hand on a printed draft
        separator = "-" if minutes.template is MinutesTemplate.PARTY else "/"
        number_line = f"{chr(0xA0) * 8}{separator}{minutes.symbol}"
    number_line = ("Số " if minutes.template is MinutesTemplate.PARTY else "Số: ") + number_line
    with force_locale("vi"):
        issues = session_issues(session)
        content = {
            "template": minutes.template.value,
            "parent_body": minutes.parent_body, "issuing_body": minutes.issuing_body,
            "number_line": number_line,
            "place_date": date_line(minutes.place_name, starts.date()),
            "title": session.title, "unit": session.unit_name,
            "starts": f"{_clock(session.starts_at)}, ngày {format_date(starts)}",
            "ends": (f"{_clock(session.ends_at)} cùng ngày" if ends.date() == starts.date()
                     else f"{_clock(session.ends_at)}, ngày {format_date(ends)}"),
            "venue": session.venue, "format": session.format.label,
            "connection_points": [", ".join(part for part in (p.name, p.place) if part)
                                  for p in session.connection_points],
            "chair": session.chair_label, "secretary": session.secretary_label,
            "chair_name": session.chair.full_name if session.chair else session.chair_name,
            "secretary_name": (session.secretary.full_name if session.secretary
                               else session.secretary_name),
            "attendance": [{"label": g.label, "count": g.count} for g in minutes.attendance],
            "attendance_total": sum(g.count for g in minutes.attendance),
            "attendees": _lines(minutes.attendees),
            "issues": [{
                "number": issue.number, "raised_by": issue.raised_by,
                "locality": issue.locality, "kind": issue.kind.label,
                "field": issue.field.name if issue.field else "",
                "content": _lines(issue.content), "answered_by": issue.answered_by,
                "answer": _lines(issue.answer), "outcome": issue.outcome.label,
            } for issue in issues],
            "commitments": [{
                "issue_number": issue.number, "agency": commitment.agency.name,
                "action": commitment.action, "due_on": format_date(commitment.due_on),
                "working_days": commitment.working_days,
            } for issue in issues for commitment in issue.commitments],
            "conclusions": _lines(minutes.conclusions),
            "signing_note": _lines(minutes.signing_note),
            "copies": minutes.copies,
            "recipients": recipient_lines(minutes.recipients),
            "revision": revision or minutes.revision + 1,
            "replaces": format_date(replaces) if replaces else "",
            "correction_reason": correction_reason,
        }
    return content


def draft_content(minutes: Minutes) -> dict:
    return document_content(minutes, correction_reason=minutes.correction_reason,
                            replaces=_last_finalized_on(minutes))


def _last_finalized_on(minutes: Minutes) -> date | None:
    if not minutes.revisions:
        return None
    return to_local(minutes.revisions[-1].finalized_at).date()


def draft_pdf(minutes: Minutes) -> document.RenderedPdf:
    return document.render_pdf(draft_content(minutes), draft=True,
                               guess_key=_draft_key(minutes))


def _draft_key(minutes: Minutes) -> tuple:
    # Unsaved minutes are known by their session only.
    return ("draft", minutes.id) if minutes.id else ("unsaved", minutes.session_id)


def draft_html(minutes: Minutes) -> str:
    return document.render_html(draft_content(minutes), pages=1, draft=True, for_pdf=False)


# Finalizing ---------------------------------------------------------------------------------

def _next_number(minutes: Minutes) -> int:
    highest = db.session.scalar(select(func.max(Minutes.number)).where(
        Minutes.unit_id == minutes.unit_id, Minutes.template == minutes.template,
        Minutes.year == minutes.year))
    return (highest or 0) + 1


def _check_finalizable(minutes: Minutes) -> None:
    session = minutes.session
    if session.status is not SessionStatus.HELD:
        raise MinutesError(_("Chỉ hoàn thiện biên bản sau khi xác nhận phiên đã tổ chức."))
    if not session.chair_label:
        raise MinutesError(_("Phiên chưa có người chủ trì: hãy ghi chủ trì trước khi hoàn "
                             "thiện biên bản."))
    if not session.secretary_label:
        raise MinutesError(_("Phiên chưa có thư ký: hãy ghi thư ký trước khi hoàn thiện "
                             "biên bản."))
    if not minutes.conclusions.strip():
        raise MinutesError(_("Hãy ghi kết luận của chủ trì trước khi hoàn thiện."),
                           field="conclusions")


def canonical_hash(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _flush_or_number_taken() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Another secretary took the same number in the same instant.
        db.session.rollback()
        raise MinutesError(_("Số biên bản vừa được dùng cho văn bản khác: hãy hoàn thiện "
                             "lại."), field="number") from None


def finalize_minutes(minutes: Minutes, *, by: User,
                     expected_version: int | None = None) -> MinutesRevision:
    """Freeze the text and the session's issues, and file the PDF/A made from them once."""
    check_edit_unit(by, minutes.session.unit, field=None)
    check_version(minutes, expected_version)
    if minutes.is_final:
        raise MinutesError(_("Biên bản đã hoàn thiện."))
    _check_finalizable(minutes)
    before = _audited(minutes)
    if not minutes.revision:
        _follow_session(minutes)
        _check_number_free(minutes, minutes.number)
    if minutes.number is None:
        minutes.number = _next_number(minutes)
    # Before the PDF is rendered: a number taken meanwhile is refused without that work.
    _flush_or_number_taken()
    revision_number = minutes.revision + 1
    reason = minutes.correction_reason
    now = utcnow()
    content = document_content(minutes, revision=revision_number, correction_reason=reason,
                               replaces=_last_finalized_on(minutes))
    # The finalizing moment and the revision make each filed text unique, even when a
    # correction reprints the same words.
    content["finalized_at"] = now.isoformat()
    code = canonical_hash(content)
    rendered = document.render_pdf(content, draft=False, verification=document.verify_url(code),
                                   guess_key=("final", minutes.id),
                                   first_guess=_draft_key(minutes))
    revision = MinutesRevision(
        minutes=minutes, number=revision_number, reason=reason,
        document_number=minutes.document_number, document_date=minutes.session.local_date,
        unit_name=minutes.session.unit_name, session_title=minutes.session.title,
        content=content, content_sha256=code, pdf=rendered.data,
        pdf_sha256=hashlib.sha256(rendered.data).hexdigest(), pdf_size=len(rendered.data),
        pages=rendered.pages, finalized_by=by.display_name, finalized_at=now)
    db.session.add(revision)
    minutes.status = MinutesStatus.FINAL
    minutes.revision = revision_number
    minutes.correction_reason = ""
    minutes.session.issues_locked_at = now
    minutes.session.minutes_filed_at = minutes.session.minutes_filed_at or now
    _flush_or_number_taken()
    _audit(AuditAction.FINALIZED, minutes, by, before, reason)
    return revision


def start_correction(minutes: Minutes, *, reason: str, by: User,
                     expected_version: int | None = None) -> None:
    """Reopen final minutes as the draft of their next revision; filed ones stay as filed."""
    check_edit_unit(by, minutes.session.unit, field=None)
    check_version(minutes, expected_version)
    if not minutes.is_final:
        raise MinutesError(_("Biên bản đang là dự thảo: cứ sửa và hoàn thiện."))
    if not reason.strip():
        raise MinutesError(_("Hãy ghi lý do đính chính."), field="reason")
    before = _audited(minutes)
    minutes.status = MinutesStatus.DRAFT
    minutes.correction_reason = reason.strip()
    minutes.session.issues_locked_at = None
    db.session.flush()
    _audit(AuditAction.CORRECTION_STARTED, minutes, by, before, reason.strip())


# Reading filed revisions -------------------------------------------------------------------

def filed_revision(session: DialogueSession,
                   number: int | None = None) -> MinutesRevision | None:
    """A filed revision of the session's minutes with its bytes, in one query (the latest
    when ``number`` is None)."""
    statement = (select(MinutesRevision).join(MinutesRevision.minutes)
                 .where(Minutes.session_id == session.id)
                 .options(undefer(MinutesRevision.pdf)))
    if number is None:
        statement = statement.order_by(MinutesRevision.number.desc()).limit(1)
    else:
        statement = statement.where(MinutesRevision.number == number)
    return db.session.scalar(statement)


def find_revision(code: str) -> MinutesRevision | None:
    """The revision a verification code names: the hash of its text (the QR code) or of
    its PDF file (what anyone can compute from a forwarded copy)."""
    code = code.strip().lower()
    if len(code) != 64 or any(c not in "0123456789abcdef" for c in code):
        return None
    return db.session.scalar(select(MinutesRevision).where(or_(
        MinutesRevision.content_sha256 == code, MinutesRevision.pdf_sha256 == code)))


def latest_revision_number(minutes: Minutes) -> int:
    return db.session.scalar(select(func.max(MinutesRevision.number)).where(
        MinutesRevision.minutes_id == minutes.id)) or 0


# Archive transfer ----------------------------------------------------------------------------

INDEX_COLUMNS = ("Số văn bản", "Ngày", "Đơn vị", "Tên hội nghị", "Lần", "SHA-256",
                 "Số trang", "Tệp")


@dataclass
class ExportResult:
    files: int = 0
    written: int = 0


def revisions_of_year(year: int, unit: Unit | None = None):
    statement = (select(MinutesRevision).join(MinutesRevision.minutes).join(Minutes.unit)
                 .where(MinutesRevision.document_date.between(date(year, 1, 1),
                                                             date(year, 12, 31))))
    if unit is not None:
        statement = statement.where(within(unit, Minutes.unit_id))
    return statement.order_by(MinutesRevision.document_date, Unit.code, Minutes.number,
                              MinutesRevision.number)


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def export_year(year: int, out: Path, *, unit: Unit | None = None,
                progress=lambda items: items) -> ExportResult:
    """Write every final PDF of ``year`` into ``out`` with ``index.csv``; running it again
    writes the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    ids = list(db.session.scalars(revisions_of_year(year, unit).with_only_columns(
        MinutesRevision.id)))
    for revision_id in progress(ids):
        # One at a time: a year of PDFs need not fit in memory.
        revision = db.session.scalar(select(MinutesRevision).where(
            MinutesRevision.id == revision_id).options(undefer(MinutesRevision.pdf),
                                                       selectinload(MinutesRevision.minutes)
                                                       .selectinload(Minutes.unit)))
        unit = revision.minutes.unit
        # Codes were reused at the 2025 reform and number each level apart: the era and
        # level keep two units' files apart, the year two exports in one folder.
        name = (f"{revision.document_date.year}_{unit.era.value}-{unit.level.value}-"
                f"{unit.code:05d}_{revision.file_stem}.pdf")
        result.files += 1
        result.written += _write_if_changed(out / name, revision.pdf)
        writer.writerow([spreadsheet_safe(value) for value in (
            revision.document_number, format_date(revision.document_date), revision.unit_name,
            revision.session_title, revision.number, revision.pdf_sha256, revision.pages,
            name)])
        # Drop the bytes just written (a year of PDFs need not stay in memory), without
        # detaching a revision the caller may hold.
        db.session.expire(revision)
    # With a byte order mark, spreadsheet programs read the Vietnamese correctly.
    _write_if_changed(out / "index.csv", ("\ufeff" + buffer.getvalue()).encode())
    return result
