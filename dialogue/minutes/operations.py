"""Drafting the minutes of a session, finalizing them into a filed revision, and
reopening them for a correction."""

import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import partial

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit
from ..audit.models import AuditAction
from ..audit.tracking import record_change
from ..core.errors import StaleEdit, UserError, check_version
from ..core.sql import lock_row
from ..core.time import utcnow
from ..core.transaction import on_commit
from ..extensions import db
from ..jobs.models import Job, JobState
from ..jobs.operations import enqueue, latest_job, pending_job
from ..sessions.models import RECORDING, DialogueSession, ParticipantRole, SessionStatus
from ..units.models import Unit, UnitKind, UnitLevel
from . import document
from .content import ARCHIVE_LINE, canonical_hash, document_content, draft_key, last_finalized_on
from .models import (
    AttendanceGroup,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    MinutesTemplate,
)

log = logging.getLogger(__name__)

#: The job that finalizes minutes (:mod:`.tasks`).
FINALIZE_TASK = "minutes.finalize"
#: Roles whose participants are named in the minutes (the others are counted).
NAMED_ROLES = (ParticipantRole.LEADER, ParticipantRole.AGENCY,
               ParticipantRole.FATHERLAND_FRONT)
MAX_ATTENDANCE_GROUPS = 12


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
                      place_name=session.unit.short_name, copies=2,
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


def minutes_or_new(session: DialogueSession) -> Minutes:
    """The session's minutes, or new ones filled from it when none were saved yet."""
    return minutes_of(session) or new_minutes(session)


def drafting_open(session: DialogueSession) -> bool:
    """Minutes are drafted for an announced or held session (not a draft, a postponed or a
    cancelled one)."""
    return session.status in RECORDING


def _check_drafting(session: DialogueSession, by: User) -> None:
    check_edit_unit(by, session.unit, field=None)
    if not drafting_open(session):
        raise MinutesError(_("Chỉ lập biên bản cho phiên đã công bố hoặc đã tổ chức."))


def _numbered_under(minutes: Minutes) -> tuple[Unit, int]:
    """The issuing unit and year the minutes are numbered under: until first filed, the
    session's current ones (the session may have moved since the draft was started); a
    correction reissues the filed document."""
    if minutes.revision:
        return minutes.unit, minutes.year
    return minutes.session.unit, minutes.session.local_date.year


def _follow_session(minutes: Minutes) -> None:
    minutes.unit, minutes.year = _numbered_under(minutes)


def _check_number_free(minutes: Minutes, number: int | None) -> None:
    if number is None:
        return
    unit, year = _numbered_under(minutes)
    taken = db.session.scalar(select(Minutes.id).where(
        Minutes.unit_id == unit.id, Minutes.template == minutes.template,
        Minutes.year == year, Minutes.number == number,
        Minutes.id != minutes.id if minutes.id else true()))
    if taken is not None:
        raise MinutesError(_("Số %(number)d đã dùng cho một biên bản khác của cơ quan này "
                             "trong năm %(year)d.", number=number, year=year),
                           field="number")


def save_minutes(session: DialogueSession, details: MinutesDetails, *, by: User,
                 expected_version: int | None = None) -> Minutes:
    """Save the draft of a session's minutes (started on first save)."""
    details = replace(details)  # adjusted below; the caller's stays as given
    _check_drafting(session, by)
    minutes = minutes_of(session)
    if minutes is None:
        minutes, action = new_minutes(session), AuditAction.CREATED
        db.session.add(minutes)
        try:
            db.session.flush()
        except IntegrityError:
            # Someone else started these minutes a moment ago (one per session).
            db.session.rollback()
            raise StaleEdit() from None
    else:
        if finalizing_job(minutes) is not None:
            # The job files the draft as it finds it: it must not change under it.
            raise MinutesError(_("Biên bản đang được hoàn thiện: hãy chờ kết quả rồi mới sửa "
                                 "hoặc hoàn thiện lại."))
        check_version(minutes, expected_version)
        action = AuditAction.UPDATED
    if minutes.is_final:
        raise MinutesError(_("Biên bản đã hoàn thiện: muốn sửa, hãy lập bản đính chính."))
    if minutes.is_correction:
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
    record_change(action, minutes, by=by)
    return minutes


# Finalizing ---------------------------------------------------------------------------------

def _next_number(minutes: Minutes) -> int:
    unit, year = _numbered_under(minutes)
    highest = db.session.scalar(select(func.max(Minutes.number)).where(
        Minutes.unit_id == unit.id, Minutes.template == minutes.template,
        Minutes.year == year))
    return (highest or 0) + 1


def check_finalizable(minutes: Minutes) -> None:
    """What finalizing refuses before any work: the view asks it before it queues the job,
    so the reason shows beside its field at once."""
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


#: How many times finalizing lays the text out again when it changed while it was being
#: laid out, before it gives up.
FINALIZE_TRIES = 3


@dataclass(frozen=True)
class _Filing:
    """What finalizing would file, as the database holds it now."""

    number: int
    content: dict


def _filing(minutes: Minutes, expected_version: int | None) -> _Filing:
    """Check the minutes can be finalized and work out what they would file, reading only:
    nothing is written before the PDF is laid out."""
    check_version(minutes, expected_version)
    if minutes.is_final:
        raise MinutesError(_("Biên bản đã hoàn thiện."))
    check_finalizable(minutes)
    if minutes.number is None:
        number = _next_number(minutes)
    else:
        if not minutes.is_correction:
            _check_number_free(minutes, minutes.number)
        number = minutes.number
    return _Filing(number, document_content(
        minutes, number=number, revision=minutes.revision + 1,
        correction_reason=minutes.correction_reason, replaces=last_finalized_on(minutes)))


def _flush_or_number_taken() -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Another secretary took the same number in the same instant.
        db.session.rollback()
        raise MinutesError(_("Số biên bản vừa được dùng cho văn bản khác: hãy hoàn thiện "
                             "lại."), field="number") from None


def _quiet(done: int, total: int, text: str = "") -> None:
    pass


def finalize_minutes(minutes: Minutes, *, by: User, expected_version: int | None = None,
                     progress=_quiet) -> MinutesRevision:
    """Freeze the text and the session's issues, and file the PDF/A made from them once.

    The PDF is laid out (seconds for a long session) before anything is written, so no
    lock is held meanwhile: on SQLite any write would stop every other save for that long.
    Then the session's row is locked (the issue operations take the same lock before
    they check the minutes are still open), the text read again and filed only if it is
    still the one laid out. When it changed meanwhile, say an issue saved during the
    layout, the lock is let go and the new text laid out, a few times at most.

    Run it in a transaction of its own: letting go of the lock rolls that back.
    ``progress(done, total, text)`` hears how far it got (a job's), always before a write.
    """
    check_edit_unit(by, minutes.session.unit, field=None)
    session = minutes.session
    for attempt in range(FINALIZE_TRIES):
        filing = _filing(minutes, expected_version)
        progress(0, 2, _("Đang dàn trang biên bản…") if not attempt else _(
            "Biên bản vừa thay đổi trong lúc dàn trang: đang dàn trang lại…"))
        # The finalizing moment and the revision make each filed text unique, even when a
        # correction reprints the same words.
        now = utcnow()
        content = {**filing.content, "finalized_at": now.isoformat()}
        code = canonical_hash(content)
        rendered = document.render_pdf(
            content, draft=False, verification=document.verify_url(code),
            guess_key=("final", minutes.id), first_guess=draft_key(minutes))
        progress(1, 2, _("Đang lưu bản PDF/A đã hoàn thiện…"))
        lock_row(session)
        # Everything the text is made of, read again as committed by now.
        db.session.expire_all()
        if _filing(minutes, expected_version) == filing:
            return _file(minutes, filing, content=content, code=code, rendered=rendered,
                         now=now, by=by)
        log.info("the minutes of session %d changed while laid out; laying them out again",
                 session.id)
        db.session.rollback()
    raise MinutesError(_("Biên bản hoặc các ý kiến của phiên liên tục thay đổi trong lúc "
                         "hoàn thiện: hãy hoàn thiện lại sau ít phút."))


def _file(minutes: Minutes, filing: _Filing, *, content: dict, code: str,
          rendered: document.RenderedPdf, now, by: User) -> MinutesRevision:
    """Write the revision laid out from ``filing``, under the session's lock."""
    _follow_session(minutes)
    minutes.number = filing.number
    reason = minutes.correction_reason
    revision = MinutesRevision(
        minutes=minutes, number=minutes.revision + 1, reason=reason,
        document_number=minutes.document_number, document_date=minutes.session.local_date,
        unit_name=minutes.session.unit_name, session_title=minutes.session.title,
        content=content, content_sha256=code, pdf=rendered.data,
        pdf_sha256=hashlib.sha256(rendered.data).hexdigest(), pdf_size=len(rendered.data),
        pages=rendered.pages, finalized_by=by.display_name, finalized_at=now)
    db.session.add(revision)
    minutes.status = MinutesStatus.FINAL
    minutes.correction_reason = ""
    minutes.session.record_minutes_filed(now)
    _flush_or_number_taken()
    record_change(AuditAction.FINALIZED, minutes, by=by, reason=reason)
    on_commit(partial(log.info, "filed revision %d of the minutes of session %d, PDF SHA-256 %s",
                      revision.number, minutes.session_id, revision.pdf_sha256))
    return revision


def finalizing_job(minutes: Minutes) -> Job | None:
    """The job finalizing the minutes, while it is queued or running."""
    if minutes.id is None:
        return None
    return pending_job("minutes", minutes.id, FINALIZE_TASK)


def last_finalizing(minutes: Minutes) -> Job | None:
    """The finalizing job a draft's page shows: one queued or running, or the last one if
    it failed (why, and its retry)."""
    if minutes.id is None or minutes.is_final:
        return None
    job = latest_job("minutes", minutes.id, FINALIZE_TASK)
    return job if job is not None and job.state is not JobState.DONE else None


def request_finalizing(session: DialogueSession, details: MinutesDetails, *, by: User,
                       expected_version: int | None = None) -> Job:
    """Save the draft as typed and have it finalized by a job (laying out a long PDF takes
    seconds no request should wait for); what would refuse it is refused now, beside its
    field, with nothing saved."""
    # A second click waits for the first, then finds its job (and the lock is taken in
    # the order finalizing takes it: the session's row first).
    lock_row(session)
    minutes = save_minutes(session, details, by=by, expected_version=expected_version)
    check_finalizable(minutes)
    return enqueue(FINALIZE_TASK, {"minutes_id": minutes.id},
                   label=_("Hoàn thiện biên bản: %(title)s", title=session.title), by=by,
                   unit=session.unit, subject=("minutes", minutes.id))


def start_correction(minutes: Minutes, *, reason: str, by: User,
                     expected_version: int | None = None) -> None:
    """Reopen final minutes as the draft of their next revision; filed ones stay as filed."""
    check_edit_unit(by, minutes.session.unit, field=None)
    check_version(minutes, expected_version)
    if not minutes.is_final:
        raise MinutesError(_("Biên bản đang là dự thảo: cứ sửa và hoàn thiện."))
    if not reason.strip():
        raise MinutesError(_("Hãy ghi lý do đính chính."), field="reason")
    minutes.status = MinutesStatus.DRAFT
    minutes.correction_reason = reason.strip()
    minutes.session.record_minutes_reopened()
    record_change(AuditAction.CORRECTION_STARTED, minutes, by=by, reason=reason)
