"""Telling people: what is queued when (an invitation, the change of a session it spoke
of, the reminders before it, the citizen's answer), and sending what is due.

A notice and its deliveries are written in the transaction of the change they tell of, so
a change that does not commit tells nobody, and one that commits is never lost: the
deliveries wait in the outbox until a job hands them to the mail server. Each delivery has
a key naming the change and the address; the same change never queues a second one.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit, edit_scope
from ..audit.models import AuditAction
from ..audit.operations import record
from ..audit.tracking import record_note
from ..core.errors import UserError
from ..core.sql import upsert
from ..core.text import escape_like
from ..core.time import local_today, utcnow
from ..core.web import public_url
from ..extensions import db
from ..issues.models import Commitment
from ..issues.operations import commitment_resolved, inform_deadline
from ..jobs.operations import enqueue, pending_job
from ..sessions.models import DialogueSession, SessionStatus
from ..sessions.operations import session_changed
from . import compose
from .mailer import (
    Attachment,
    Connection,
    PermanentFailure,
    TransientFailure,
    build_message,
    mail_configured,
)
from .models import (
    SESSION_KINDS,
    TOPICS,
    Delivery,
    DeliveryState,
    Notice,
    NoticeKind,
    OptOut,
    Topic,
)

log = logging.getLogger(__name__)

DELIVER_TASK = "notices.deliver"
#: The job that sends is about this (one at a time is asked for).
OUTBOX = ("outbox", 0)
#: A delivery being sent is held this long: a worker killed meanwhile leaves it to be sent
#: again after it, never by two workers at once.
SENDING_LEASE = timedelta(minutes=10)
#: Rows per INSERT when queueing (SQLite takes at most 32,766 parameters a statement).
INSERT_CHUNK = 1000


class NoticeError(UserError):
    """Something the secretary asked to send cannot be sent."""


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str

    @property
    def address(self) -> str:
        """The address as keys and opt-outs compare it."""
        return self.email.lower()


@lru_cache(maxsize=20_000)
def clean_address(text: str) -> str | None:
    """The address if it is one a message can go to, else None (checked again here: an
    address may have been saved before it was validated, or typed into the database)."""
    text = (text or "").strip()
    if not text or any(ch in text for ch in "\r\n\t <>,;\"'"):
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def recipients_of(pairs: Iterable[tuple[str, str]]) -> list[Recipient]:
    """Valid addresses, once each, in order."""
    seen, found = set(), []
    for email, name in pairs:
        address = clean_address(email)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            found.append(Recipient(address, compose.one_line(name)[:200]))
    return found


def session_recipients(session: DialogueSession) -> list[Recipient]:
    """Who an invitation goes to: the participants with an address, then the chair and the
    secretary when they are officials with one."""
    pairs = [(p.email, p.full_name) for p in session.participants]
    pairs += [(official.email, official.full_name)
              for official in (session.chair, session.secretary) if official is not None]
    return recipients_of(pairs)


def without_address(session: DialogueSession) -> int:
    """How many of the participants cannot be sent an invitation (no valid address)."""
    return sum(1 for p in session.participants if clean_address(p.email) is None)


# Queueing ----------------------------------------------------------------------------------


def new_notice(kind: NoticeKind, texts: tuple[str, str, str], *, by: User | None,
                unit_id: int | None, **values) -> Notice:
    subject, text, html = texts
    notice = Notice(kind=kind, subject=subject, body_text=text, body_html=html,
                    unit_id=unit_id, created_by_id=by.id if by else None, **values)
    db.session.add(notice)
    db.session.flush()
    return notice


def _opted_out(addresses: list[str], topic: Topic | None) -> set[str]:
    if topic is None or not addresses:
        return set()
    found = set()
    for start in range(0, len(addresses), INSERT_CHUNK):
        found.update(db.session.scalars(select(OptOut.email).where(
            OptOut.topic == topic, OptOut.email.in_(addresses[start:start + INSERT_CHUNK]))))
    return found


def queue(notice: Notice, recipients: list[Recipient], key: Callable[[Recipient], str], *,
          send_after=None) -> int:
    """Deliveries of ``notice`` to ``recipients`` (but those who stopped its topic), each
    under its key; a key already queued is skipped. Returns how many were queued."""
    opted_out = _opted_out([r.address for r in recipients], notice.topic)
    rows = [{"notice_id": notice.id, "key": key(r)[:400], "email": r.email, "name": r.name,
             "state": DeliveryState.QUEUED.value, "attempts": 0, "error": "",
             "send_after": send_after or utcnow()}
            for r in recipients if r.address not in opted_out]
    queued = 0
    table = Delivery.__table__
    statement = upsert(table, db.session.get_bind().dialect.name).on_conflict_do_nothing(
        index_elements=["key"]).returning(table.c.id)
    for start in range(0, len(rows), INSERT_CHUNK):
        # Many parameter sets to one statement: sent as multi-row INSERTs by the driver
        # layer, without compiling a statement per chunk; RETURNING tells what was new.
        queued += len(db.session.execute(statement, rows[start:start + INSERT_CHUNK]).all())
    if queued and (send_after is None or send_after <= utcnow()):
        request_delivery()
    return queued


def queue_or_drop(notice: Notice, recipients: list[Recipient],
                  key: Callable[[Recipient], str], *, send_after=None) -> int:
    """:func:`queue`, and a notice that queued nothing (everyone had it already, or stopped
    its topic) is not kept."""
    queued = queue(notice, recipients, key, send_after=send_after)
    if not queued:
        db.session.delete(notice)
        db.session.flush()
    return queued


def request_delivery(*, again: bool = False) -> None:
    """Ask for the sending job in the current transaction, unless one is waiting already
    (``again``: the running one asks for its successor) or no server is configured (the
    messages then wait in the outbox)."""
    if not mail_configured() or (not again and pending_job(*OUTBOX, DELIVER_TASK)):
        return
    enqueue(DELIVER_TASK, {}, label=_l("Gửi thư trong hộp thư đi"), by=None, unit=None,
            subject=OUTBOX)


def has_due() -> bool:
    return db.session.scalar(select(Delivery.id).where(
        Delivery.state == DeliveryState.QUEUED, Delivery.send_after <= utcnow()).limit(1)) \
        is not None


# Sessions ----------------------------------------------------------------------------------


def _session_notice(session: DialogueSession, kind: NoticeKind, *, by: User | None,
                    reason: str = "", lead: timedelta | None = None) -> Notice:
    letter = compose.letter_content(session, kind, reason=reason) \
        if compose.uses_letter(kind) else None
    return new_notice(kind, compose.session_texts(session, kind, reason=reason, lead=lead),
                       by=by, unit_id=session.unit_id, session_id=session.id,
                       sequence=session.revision, reason=reason.strip(), letter=letter,
                       calendar=compose.session_calendar(session, kind))


def _session_deliveries(session: DialogueSession, kinds):
    return select(Delivery).join(Notice).where(Notice.session_id == session.id,
                                               Notice.kind.in_(kinds))


def invited(session: DialogueSession) -> list[Recipient]:
    """Everyone an invitation to the session was queued for (and not withdrawn)."""
    rows = db.session.execute(
        select(Delivery.email, func.max(Delivery.name)).join(Notice).where(
            Notice.session_id == session.id, Notice.kind == NoticeKind.INVITATION,
            Delivery.state != DeliveryState.WITHDRAWN,
        ).group_by(Delivery.email).order_by(func.min(Delivery.id))).all()
    return recipients_of(rows)


@dataclass(frozen=True)
class InvitationResult:
    queued: int
    already_invited: int
    without_address: int


def send_invitations(session: DialogueSession, *, by: User) -> InvitationResult:
    """Queue the invitation (e-mail, iTIP request, letter) to everyone on the session with
    an address and not invited yet, and plan their reminders. Those invited before get the
    session's changes by themselves."""
    check_edit_unit(by, session.unit, field=None)
    if session.status is not SessionStatus.SCHEDULED:
        raise NoticeError(_l("Chỉ gửi giấy mời cho phiên đã công bố lịch (trạng thái “Đã lên "
                             "lịch”)."))
    if session.starts_at <= utcnow():
        raise NoticeError(_l("Phiên đã bắt đầu: không gửi giấy mời nữa."))
    recipients = session_recipients(session)
    if not recipients:
        raise NoticeError(_l("Chưa có ai trong thành phần mời có địa chỉ thư điện tử. Hãy "
                             "thêm địa chỉ vào danh sách thành phần mời."))
    already = {r.address for r in invited(session)}
    fresh = [r for r in recipients if r.address not in already]
    if not fresh:
        raise NoticeError(_l("Tất cả người có địa chỉ đã được gửi giấy mời; các thay đổi của "
                             "phiên được gửi cho họ tự động."))
    notice = _session_notice(session, NoticeKind.INVITATION, by=by)
    queued = queue(notice, fresh, lambda r: f"invitation:{session.uid}:{r.address}")
    plan_reminders(session, fresh)
    record_note(AuditAction.NOTIFIED, session, by=by, changes={"notice": ngettext(
        "Giấy mời gửi %(num)d người", "Giấy mời gửi %(num)d người", queued)})
    log.info("session %d: invitation queued for %d recipient(s)", session.id, queued)
    return InvitationResult(queued, len(already), without_address(session))


def reminder_leads() -> list[timedelta]:
    """MAIL_REMINDER_LEADS ("1d,2h"): how long before a session its reminders go."""
    leads = []
    for part in current_app.config["MAIL_REMINDER_LEADS"].split(","):
        match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", part)
        if match is None:
            if part.strip():
                raise ValueError(f"MAIL_REMINDER_LEADS: cannot read {part!r} (e.g. 1d,2h,30m)")
            continue
        number, unit = int(match[1]), match[2]
        leads.append(timedelta(**{{"d": "days", "h": "hours", "m": "minutes"}[unit]: number}))
    return sorted(set(leads), reverse=True)


def plan_reminders(session: DialogueSession, recipients: list[Recipient]) -> int:
    """Reminders of the session as it is now, at each lead still ahead."""
    if session.status is not SessionStatus.SCHEDULED or not recipients:
        return 0
    planned = 0
    now = utcnow()
    for lead in reminder_leads():
        moment = session.starts_at - lead
        if moment <= now:
            continue
        notice = _session_notice(session, NoticeKind.REMINDER, by=None, lead=lead)
        minutes = int(lead.total_seconds() // 60)
        planned += queue_or_drop(notice, recipients, lambda r, m=minutes: (
            f"reminder:{session.uid}:{session.revision}:{m}:{r.address}"), send_after=moment)
    return planned


def _withdraw(statement, reason: str) -> int:
    ids = select(Delivery.id).where(Delivery.state == DeliveryState.QUEUED,
                                    Delivery.id.in_(statement.with_only_columns(Delivery.id)))
    return db.session.execute(update(Delivery).where(Delivery.id.in_(ids)).values(
        state=DeliveryState.WITHDRAWN, error=reason[:500]),
        execution_options={"synchronize_session": False}).rowcount


CHANGE_KINDS = {SessionStatus.SCHEDULED: NoticeKind.UPDATE,
                SessionStatus.POSTPONED: NoticeKind.POSTPONEMENT,
                SessionStatus.CANCELLED: NoticeKind.CANCELLATION}


def tell_of_change(session: DialogueSession, *, by: User | None, reason: str = "") -> int:
    """The session moved, or was postponed, cancelled or reopened: everyone invited gets
    the update (a raised SEQUENCE) or the cancellation, what had not left yet is replaced
    by it, and the reminders are planned again for the new time (or not at all)."""
    recipients = invited(session)
    if not recipients:
        return 0
    _withdraw(_session_deliveries(session, [NoticeKind.REMINDER]), _(
        "Phiên đã thay đổi: nhắc lịch được lập lại theo lịch mới (nếu phiên còn diễn ra)."))
    kind = CHANGE_KINDS.get(session.status)
    if kind is None:  # held: nothing to tell
        return 0
    told = SESSION_KINDS - {NoticeKind.REMINDER}
    _withdraw(_session_deliveries(session, told).where(Notice.sequence < session.revision),
              _("Thay bằng thông báo mới hơn về phiên."))
    if kind is NoticeKind.CANCELLATION:
        # Whoever's invitation had not left yet has nothing to cancel.
        reached = set(db.session.scalars(_session_deliveries(session, told).where(
            Delivery.state == DeliveryState.SENT).with_only_columns(
            func.lower(Delivery.email)).distinct()))
        recipients = [r for r in recipients if r.address in reached]
        if not recipients:
            return 0
    notice = _session_notice(session, kind, by=by, reason=reason)
    queued = queue_or_drop(notice, recipients, lambda r: (
        f"{kind.value}:{session.uid}:{session.revision}:{r.address}"))
    plan_reminders(session, recipients)
    if not queued:
        return 0
    record_note(AuditAction.NOTIFIED, session, by=by, changes={"notice": ngettext(
        "%(kind)s gửi %(num)d người", "%(kind)s gửi %(num)d người", queued,
        kind=kind.label)})
    return queued


@session_changed.connect
def _on_session_changed(session: DialogueSession, *, by=None, reason: str = "") -> None:
    tell_of_change(session, by=by, reason=reason)


# Commitments ----------------------------------------------------------------------------


def tell_citizen(commitment: Commitment, *, by: User | None) -> int:
    """The commitment is resolved: the citizen who left an address is told, and the day it
    is sent counts as their written answer (the 10-working-day rule)."""
    issue = commitment.issue
    recipients = recipients_of([(issue.citizen_email, issue.raised_by)])
    if not recipients:
        return 0
    session = issue.session
    deadline = inform_deadline(issue)
    notice = new_notice(NoticeKind.RESOLUTION, compose.texts(
        "resolution", f"Kết quả giải quyết ý kiến của {issue.raised_by} tại {session.title}",
        issue=issue, session=session, commitment=commitment, deadline=deadline,
        updates=commitment.updates[-3:]),
        by=by, unit_id=session.unit_id, session_id=session.id, commitment_id=commitment.id)
    queued = queue_or_drop(notice, recipients,
                           lambda r: f"resolution:{commitment.id}:{r.address}")
    if not queued:  # told already, when it was resolved before
        return 0
    record_note(AuditAction.NOTIFIED, commitment, by=by, changes={
        "notice": _("Báo kết quả cho người nêu qua thư điện tử")})
    return queued


@commitment_resolved.connect
def _on_commitment_resolved(commitment: Commitment, *, by=None) -> None:
    tell_citizen(commitment, by=by)


# Unsubscribing ----------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="dialogue-unsubscribe")


def unsubscribe_token(email: str, topic: Topic) -> str:
    """Signed, without an expiry: a link in a year-old message still works."""
    return _serializer().dumps({"e": email.lower(), "t": topic.value})


def read_unsubscribe_token(token: str) -> tuple[str, Topic] | None:
    try:
        data = _serializer().loads(token)
        return data["e"], Topic(data["t"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def unsubscribe(email: str, topic: Topic) -> bool:
    """Stop ``topic`` for the address (and withdraw what of it is still waiting); returns
    False if it was stopped already."""
    email = email.lower()
    dialect = db.session.get_bind().dialect.name
    added = db.session.execute(upsert(OptOut.__table__, dialect).values(
        email=email, topic=topic.value, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["email", "topic"])).rowcount
    kinds = [kind for kind, stopped_by in TOPICS.items() if stopped_by is topic]
    _withdraw(select(Delivery).join(Notice).where(func.lower(Delivery.email) == email,
                                                   Notice.kind.in_(kinds)),
              _("Người nhận đã ngừng nhận loại thư này."))
    record(AuditAction.UPDATED, object_type="opt_out", label=f"{email}: {topic.label}"[:300],
           actor_name=email, changes={"topic": [None, topic.value]})
    return bool(added)


def has_opted_out(email: str, topic: Topic) -> bool:
    return db.session.scalar(select(OptOut.id).where(
        OptOut.email == email.lower(), OptOut.topic == topic)) is not None


def unsubscribe_url(email: str, topic: Topic | None) -> str:
    if topic is None:
        return ""
    return public_url("unsubscribe.unsubscribe", token=unsubscribe_token(email, topic))


# Sending ----------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0
    withdrawn: int = 0
    more: bool = False


def _withdrawal_reason(delivery: Delivery, now) -> str | None:
    """Why a delivery that was due should not go after all, or None."""
    notice = delivery.notice
    if notice.topic is not None and has_opted_out(delivery.email, notice.topic):
        return _("Người nhận đã ngừng nhận loại thư này.")
    if notice.kind is not NoticeKind.REMINDER:
        return None
    session = db.session.get(DialogueSession, notice.session_id)
    if session is None or session.status is not SessionStatus.SCHEDULED \
            or session.revision != notice.sequence:
        return _("Phiên đã thay đổi: nhắc lịch được lập lại theo lịch mới (nếu phiên còn diễn "
                 "ra).")
    if session.starts_at <= now:
        return _("Phiên đã bắt đầu trước khi thư nhắc được gửi.")
    return None


def _claim(delivery_id: int, now) -> bool:
    """Take the due delivery for this sender: another sender skips it until the lease ends."""
    taken = db.session.execute(update(Delivery).where(
        Delivery.id == delivery_id, Delivery.state == DeliveryState.QUEUED,
        Delivery.send_after <= now,
    ).values(attempts=Delivery.attempts + 1, send_after=now + SENDING_LEASE),
        execution_options={"synchronize_session": False}).rowcount
    db.session.commit()
    return bool(taken)


def message_for(delivery: Delivery, letters: dict[int, bytes]):
    """The e-mail of one delivery: the notice's frozen text around the recipient's greeting,
    its calendar naming them, the letter laid out once per notice."""
    notice = delivery.notice
    link = unsubscribe_url(delivery.email, notice.topic)
    context = {"notice": notice, "name": delivery.name, "unsubscribe_url": link,
               "topic": notice.topic}
    with force_locale("vi"):
        text = render_template("notices/email.txt", **context)
        html = render_template("notices/email.html", **context)
    calendar = method = None
    attachments = []
    if notice.calendar:
        calendar = compose.calendar_for(notice.calendar, delivery.email, delivery.name)
        method = compose.METHODS[notice.kind]
        attachments.append(Attachment("lich-hop.ics", calendar, "application", "ics"))
    if notice.letter:
        if notice.id not in letters:
            letters[notice.id] = compose.letter_pdf(notice.letter)
        attachments.append(Attachment("giay-moi.pdf", letters[notice.id], "application", "pdf"))
    return build_message(to_email=delivery.email, to_name=delivery.name, subject=notice.subject,
                         text=text, html=html, message_id=delivery.message_id_token,
                         calendar=calendar, method=method or "",
                         attachments=tuple(attachments), unsubscribe_url=link)


def _retry_delay(attempts: int) -> timedelta:
    seconds = current_app.config["MAIL_RETRY_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 24 * 3600))


def _record_failure(delivery: Delivery) -> None:
    notice = delivery.notice
    target = (db.session.get(Commitment, notice.commitment_id) if notice.commitment_id
              else db.session.get(DialogueSession, notice.session_id) if notice.session_id
              else None)
    text = _("%(kind)s tới %(email)s: %(error)s", kind=notice.kind.label, email=delivery.email,
             error=delivery.error)
    if target is not None:
        record_note(AuditAction.DELIVERY_FAILED, target, by=None, changes={"notice": text})
    else:
        record(AuditAction.DELIVERY_FAILED, object_type="notice", object_id=notice.id,
               label=notice.subject, unit_id=notice.unit_id, changes={"notice": text})


def _mark_sent(delivery: Delivery, now) -> None:
    delivery.state = DeliveryState.SENT
    delivery.sent_at = now
    delivery.error = ""
    notice = delivery.notice
    if notice.kind is NoticeKind.RESOLUTION and notice.commitment_id:
        commitment = db.session.get(Commitment, notice.commitment_id)
        if commitment is not None and commitment.citizen_informed_on is None:
            commitment.citizen_informed_on = local_today()
            record_note(AuditAction.NOTIFIED, commitment, by=None, changes={"notice": _(
                "Đã gửi thư báo kết quả tới %(email)s: tính là ngày trả lời bằng văn bản",
                email=delivery.email)})


def deliver_due(limit: int | None = None, progress=None) -> DeliveryReport:
    """Send up to ``limit`` (MAIL_BATCH_SIZE) due deliveries over one connection, each
    committed as soon as the server took it. A server that cannot be reached stops the
    batch; what it did not take waits its retry."""
    limit = limit or current_app.config["MAIL_BATCH_SIZE"]
    report = DeliveryReport()
    now = utcnow()
    due = db.session.scalars(select(Delivery.id).where(
        Delivery.state == DeliveryState.QUEUED, Delivery.send_after <= now,
    ).order_by(Delivery.send_after, Delivery.id).limit(limit + 1)).all()
    report.more = len(due) > limit
    due = due[:limit]
    letters: dict[int, bytes] = {}
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    with Connection() as connection:
        for done, delivery_id in enumerate(due):
            if progress is not None:
                progress(done, len(due), _("Đang gửi thư…"))
            if not _claim(delivery_id, now):
                continue
            delivery = db.session.get(Delivery, delivery_id)
            if reason := _withdrawal_reason(delivery, now):
                delivery.state, delivery.error = DeliveryState.WITHDRAWN, reason[:500]
                report.withdrawn += 1
                db.session.commit()
                continue
            try:
                connection.send(message_for(delivery, letters), delivery.email)
            except PermanentFailure as error:
                delivery.state, delivery.error = DeliveryState.FAILED, str(error)[:500]
                _record_failure(delivery)
                report.failed += 1
            except TransientFailure as error:
                delivery.error = str(error)[:500]
                if delivery.attempts >= max_attempts:
                    delivery.state = DeliveryState.FAILED
                    _record_failure(delivery)
                    report.failed += 1
                else:
                    delivery.send_after = utcnow() + _retry_delay(delivery.attempts)
                    report.retried += 1
                db.session.commit()
                # The server is away: the rest of the batch would wait for it one by one.
                report.more = False
                break
            else:
                _mark_sent(delivery, utcnow())
                report.sent += 1
            db.session.commit()
    log.info("outbox: %d sent, %d failed, %d to retry, %d withdrawn", report.sent,
             report.failed, report.retried, report.withdrawn)
    return report


def retry_delivery(delivery: Delivery, *, by: User) -> None:
    """Send a failed delivery again (the address was corrected at the server, say)."""
    if delivery.notice.unit is not None:
        check_edit_unit(by, delivery.notice.unit, field=None)
    if delivery.state is not DeliveryState.FAILED:
        raise NoticeError(_l("Chỉ gửi lại được thư gửi không được."))
    delivery.state, delivery.attempts = DeliveryState.QUEUED, 0
    delivery.send_after = utcnow()
    delivery.error = ""
    request_delivery()


# Reading the outbox -----------------------------------------------------------------------


def can_see_notice(user, notice: Notice) -> bool:
    """Who may read a notice and its deliveries: an editor of its unit (a country-wide one,
    an agency's digest, is the administrators')."""
    return edit_scope(user).covers(notice.unit)


@dataclass(frozen=True)
class OutboxFilter:
    state: DeliveryState | None = None
    kind: NoticeKind | None = None
    notice_id: int | None = None
    session_id: int | None = None
    email: str = ""


def outbox(user, criteria: OutboxFilter):
    """The deliveries the user may see, newest first."""
    scope = edit_scope(user)
    statement = select(Delivery).join(Notice).options(contains_eager(Delivery.notice))
    if not scope.everything:
        statement = statement.where(Notice.unit_id.is_not(None), scope.clause(Notice.unit_id))
    if criteria.state is not None:
        statement = statement.where(Delivery.state == criteria.state)
    if criteria.kind is not None:
        statement = statement.where(Notice.kind == criteria.kind)
    if criteria.notice_id is not None:
        statement = statement.where(Notice.id == criteria.notice_id)
    if criteria.session_id is not None:
        statement = statement.where(Notice.session_id == criteria.session_id)
    if criteria.email.strip():
        statement = statement.where(Delivery.email.ilike(
            f"%{escape_like(criteria.email.strip())}%", escape="\\"))
    return statement.order_by(Delivery.id.desc())


@dataclass(frozen=True)
class NoticeSummary:
    notice: Notice
    counts: dict[DeliveryState, int]
    #: When the first of its deliveries still waiting may go (a reminder's hour).
    first_due: datetime | None

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def session_notices(session: DialogueSession) -> list[NoticeSummary]:
    """What was said about the session, newest first, with how its deliveries went (two
    statements, however many recipients)."""
    notices = db.session.scalars(select(Notice).where(Notice.session_id == session.id)
                                 .order_by(Notice.id.desc())).all()
    counts: dict[int, dict] = {notice.id: {} for notice in notices}
    due: dict[int, datetime] = {}
    if notices:
        for notice_id, state, number, first in db.session.execute(
                select(Delivery.notice_id, Delivery.state, func.count(),
                       func.min(Delivery.send_after)).where(
                    Delivery.notice_id.in_(list(counts))).group_by(
                    Delivery.notice_id, Delivery.state)):
            counts[notice_id][state] = number
            if state is DeliveryState.QUEUED:
                due[notice_id] = first
    return [NoticeSummary(notice, counts[notice.id], due.get(notice.id)) for notice in notices
            if counts[notice.id]]


@dataclass(frozen=True)
class InvitationStatus:
    with_address: int
    without_address: int
    invited: int

    @property
    def to_invite(self) -> int:
        return max(self.with_address - self.invited, 0)


def invitation_status(session: DialogueSession) -> InvitationStatus:
    recipients = session_recipients(session)
    already = {r.address for r in invited(session)}
    return InvitationStatus(len(recipients), without_address(session),
                            sum(1 for r in recipients if r.address in already))
