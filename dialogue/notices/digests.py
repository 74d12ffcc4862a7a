"""Digests: each agency's open commitments every working day, the secretariat's week.

Every worker's tick calls :func:`queue_due_digests` each minute. Before the hour or on a
weekend it reads nothing; on a working day after the hour it reads two small rows (the
day's holidays, whether the rounds are done) until a round falls due. A round leaves a line
in the trail, also when it had nothing to say, and that line is what "done" is read from:
a round is computed once a day (a week), not once a minute. The round, its notices and
their deliveries are one transaction (the tick's); two workers running the same round at
once queue each message once (the keys), and the one that lost drops its empty notices.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby

from flask import current_app
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from ..accounts.models import Role, RoleAssignment, User
from ..accounts.permissions import EDIT_ROLES, edit_scope
from ..audit.models import AuditAction, AuditEntry
from ..audit.operations import record
from ..core.models import UTCDateTime
from ..core.sql import date_pairs, local_day
from ..core.time import format_date, local_day_bounds, local_to_utc, to_local, utcnow
from ..core.web import public_url
from ..core.workdays import deadline_after, deadlines_after, holidays_between, is_working_day
from ..extensions import db
from ..issues.models import Agency, Commitment, InformState, Issue
from ..issues.operations import INFORM_WITHIN_WORKING_DAYS
from ..sessions.models import RECORDING, DialogueSession
from . import compose
from .models import Notice, NoticeKind
from .operations import new_notice, queue_or_drop, recipients_of

#: "Due soon": at the latest this many working days from today.
DUE_SOON_WORKING_DAYS = 3
#: An agency's first digest counts as new what was assigned this long before it.
FIRST_DIGEST_LOOKBACK = timedelta(days=7)
#: The secretariat's digest lists the sessions of this many days from today.
UPCOMING_DAYS = 7
#: Rows a section of the secretariat's digest lists (a province's scope has thousands);
#: its count is always the whole one, the board has the rest.
LIST_LIMIT = 30
#: The trail lines that mark a round done (object_id: the day's ordinal, the ISO week as
#: 202611).
AGENCY_ROUND = "agency_digests"
SECRETARIAT_ROUND = "secretariat_digests"


@dataclass(frozen=True)
class Item:
    """A commitment as a digest lists it, with where to read it."""

    commitment: Commitment
    link: str
    #: When the citizen had to be told (the secretariat's "not told" section only).
    deadline: date | None = None

    @property
    def issue(self) -> Issue:
        return self.commitment.issue

    @property
    def session(self) -> DialogueSession:
        return self.commitment.issue.session


def _item(commitment: Commitment, deadline: date | None = None) -> Item:
    link = public_url("issues.show_issue", issue_id=commitment.issue_id)
    return Item(commitment, f"{link}#commitment-{commitment.id}", deadline)


def _listed(statement):
    """What a digest shows of each commitment: its agency, issue and session."""
    return statement.options(selectinload(Commitment.agency),
                             selectinload(Commitment.issue).selectinload(Issue.session))


def _counted(counts: list[tuple[int, str]]) -> str:
    """"2 quá hạn, 1 sắp đến hạn": the parts that are not zero."""
    return ", ".join(f"{number} {what}" for number, what in counts if number)


def queue_due_digests(now: datetime | None = None) -> int:
    """Queue the digests that fell due by ``now`` (UTC; the clock by default) and were not
    queued yet; returns how many deliveries were queued."""
    now = now or utcnow()
    local = to_local(now)
    today = local.date()
    if local.hour < current_app.config["MAIL_DIGEST_HOUR"] or today.weekday() >= 5:
        return 0
    monday = today - timedelta(days=today.weekday())
    if not is_working_day(today, holidays_between(today, today)):
        return 0
    iso_year, iso_week, _weekday = today.isocalendar()
    week = iso_year * 100 + iso_week
    done = set(db.session.execute(select(AuditEntry.object_type).where(or_(
        and_(AuditEntry.object_type == AGENCY_ROUND, AuditEntry.object_id == today.toordinal()),
        and_(AuditEntry.object_type == SECRETARIAT_ROUND, AuditEntry.object_id == week),
    ))).scalars())
    if {AGENCY_ROUND, SECRETARIAT_ROUND} <= done:
        return 0
    horizon = deadline_after(today, DUE_SOON_WORKING_DAYS)
    queued = 0
    if AGENCY_ROUND not in done:
        queued += _agency_round(now, today, horizon)
    # From the week's first working day: a week whose Monday the workers missed (or a
    # holiday) still gets its digest, once.
    if SECRETARIAT_ROUND not in done:
        queued += _secretariat_round(now, today, horizon, monday, iso_year, iso_week)
    return queued


# Agencies ------------------------------------------------------------------------------------


def _agency_round(now: datetime, today: date, horizon: date) -> int:
    """Each agency with an address and something to say: what is overdue, due within three
    working days, and assigned since its previous digest (one query for every agency)."""
    previous = (select(func.max(Notice.created_at)).where(
        Notice.kind == NoticeKind.AGENCY_DIGEST, Notice.agency_id == Commitment.agency_id,
        Notice.created_at < now).scalar_subquery())
    since = func.coalesce(previous, literal(now - FIRST_DIGEST_LOOKBACK, UTCDateTime()))
    commitments = db.session.scalars(
        select(Commitment).join(Commitment.agency)
        .where(Agency.email != "", Commitment.is_open,
               or_(Commitment.due_on <= horizon, Commitment.created_at > since))
        .options(contains_eager(Commitment.agency),
                 selectinload(Commitment.issue).selectinload(Issue.session))
        .order_by(Agency.name, Commitment.due_on, Commitment.id)).all()
    queued = sent = 0
    for agency, group in groupby(commitments, key=lambda c: c.agency):
        recipients = recipients_of([(agency.email, agency.name)])
        if not recipients:
            continue
        overdue, due_soon, new = [], [], []
        for commitment in group:
            section = (overdue if commitment.is_overdue(today) else
                       due_soon if commitment.due_on <= horizon else new)
            section.append(_item(commitment))
        subject = f"Việc cần làm của {agency.name}: " + _counted(
            [(len(overdue), "quá hạn"), (len(due_soon), "sắp đến hạn"), (len(new), "mới giao")])
        notice = new_notice(NoticeKind.AGENCY_DIGEST, compose.texts(
            "agency_digest", subject, agency=agency, today=today, horizon=horizon,
            overdue=overdue, due_soon=due_soon, new=new, soon_days=DUE_SOON_WORKING_DAYS),
            by=None, unit_id=None, agency_id=agency.id, created_at=now)
        count = queue_or_drop(notice, recipients, lambda r, agency_id=agency.id: (
            f"agency-digest:{agency_id}:{today.isoformat()}:{r.address}"))
        queued += count
        sent += bool(count)
    # The trail is kept in Vietnamese, as the messages are.
    record(AuditAction.NOTIFIED, object_type=AGENCY_ROUND, object_id=today.toordinal(),
           label=f"Thư tổng hợp việc của cơ quan ngày {format_date(today)}: {sent} cơ quan")
    return queued


# The secretariat ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """The first rows of a list and how many there are in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _secretariat_round(now: datetime, today: date, horizon: date, monday: date,
                       iso_year: int, iso_week: int) -> int:
    users = db.session.scalars(
        select(User).where(User.is_active, User.email != "",
                           User.roles.any(RoleAssignment.role == Role.SECRETARY))
        .options(selectinload(User.roles).selectinload(RoleAssignment.unit))
        .order_by(User.id)).all()
    queued = sent = 0
    for user in users:
        count = _secretariat_digest(user, now, today, horizon, monday, iso_year, iso_week)
        queued += count
        sent += bool(count)
    record(AuditAction.NOTIFIED, object_type=SECRETARIAT_ROUND, object_id=iso_year * 100
           + iso_week, label=f"Thư tổng hợp tuần {iso_week:02d}/{iso_year} cho văn phòng: "
           f"{sent} người")
    return queued


def _inform_deadlines(in_scope, today: date):
    """The table of session day → the day by which citizens had to be told in writing, for
    the days in scope that have a commitment whose citizen was not told (past days only:
    a deadline is later than its session)."""
    days = db.session.scalars(
        select(local_day(DialogueSession.starts_at)).distinct()
        .join(Issue, Issue.session_id == DialogueSession.id)
        .join(Commitment, Commitment.issue_id == Issue.id)
        .where(in_scope, DialogueSession.status.in_(RECORDING),
               Commitment.citizen_informed_on.is_(None),
               DialogueSession.starts_at < local_to_utc(today, time()))).all()
    return date_pairs(deadlines_after(days, INFORM_WITHIN_WORKING_DAYS), "inform_deadlines")


def _secretariat_digest(user: User, now: datetime, today: date, horizon: date, monday: date,
                        iso_year: int, iso_week: int) -> int:
    """The user's edit scope this week: its sessions of the next seven days, what is
    overdue or due soon, the citizens not told in time; nothing when all are empty. A fixed
    number of queries, whatever the scope holds."""
    recipients = recipients_of([(user.email, user.full_name)])
    if not recipients:
        return 0
    in_scope = edit_scope(user).clause(DialogueSession.unit_id)
    start, end = local_day_bounds(today, today + timedelta(days=UPCOMING_DAYS - 1))
    upcoming = select(DialogueSession).where(in_scope, DialogueSession.starts_at >= start,
                                             DialogueSession.starts_at < end)
    sessions = Section(
        list(db.session.scalars(upcoming.order_by(DialogueSession.starts_at, DialogueSession.id)
                                .limit(LIST_LIMIT))),
        db.session.scalar(upcoming.with_only_columns(func.count())))

    deadlines = _inform_deadlines(in_scope, today)
    deadline = deadlines.c.value
    overdue = Commitment.is_overdue(today)
    due_soon = and_(Commitment.is_open, Commitment.due_on >= today, Commitment.due_on <= horizon)
    not_told = and_(DialogueSession.status.in_(RECORDING),
                    Commitment.inform_state_is(InformState.OVERDUE, today, deadline))
    commitments = (select(Commitment).join(Commitment.issue).join(Issue.session)
                   .outerjoin(deadlines, deadlines.c.day == local_day(DialogueSession.starts_at))
                   .where(in_scope))
    counts = db.session.execute(commitments.with_only_columns(
        func.count().filter(overdue), func.count().filter(due_soon),
        func.count().filter(not_told), func.count().filter(Commitment.is_open))).one()
    n_overdue, n_due_soon, n_not_told, n_open = counts
    if not (sessions.total or n_overdue or n_due_soon or n_not_told):
        return 0

    def first(condition, total: int, *order) -> list:
        if not total:
            return []
        return db.session.execute(_listed(commitments.add_columns(deadline).where(condition))
                                  .order_by(*order, Commitment.id).limit(LIST_LIMIT)).all()

    sections = {
        "overdue": Section([_item(c) for c, _d in first(overdue, n_overdue, Commitment.due_on)],
                           n_overdue),
        "due_soon": Section([_item(c) for c, _d in first(due_soon, n_due_soon,
                                                         Commitment.due_on)], n_due_soon),
        "not_told": Section([_item(c, d) for c, d in first(not_told, n_not_told, deadline)],
                            n_not_told),
    }
    units = [a.unit for a in user.roles if a.role in EDIT_ROLES and a.unit is not None]
    subject = f"Tổng hợp tuần {iso_week:02d}/{iso_year}: " + (_counted([
        (sessions.total, "phiên trong 7 ngày tới"), (n_overdue, "việc quá hạn"),
        (n_due_soon, "việc sắp đến hạn"), (n_not_told, "ý kiến chưa trả lời công dân quá hạn"),
    ]))
    notice = new_notice(NoticeKind.SECRETARIAT_DIGEST, compose.texts(
        "secretariat_digest", subject, user=user, today=today, monday=monday,
        sunday=monday + timedelta(days=6), iso_week=iso_week, iso_year=iso_year,
        scope_names=[unit.display_name for unit in units], sessions=sessions,
        session_links={s.id: public_url("sessions.show_session", session_id=s.id)
                       for s in sessions.items},
        open_total=n_open, board=public_url("followup.board"),
        soon_days=DUE_SOON_WORKING_DAYS, inform_days=INFORM_WITHIN_WORKING_DAYS,
        upcoming_days=UPCOMING_DAYS, **sections),
        by=None, unit_id=units[0].id if units else None, created_at=now)
    return queue_or_drop(notice, recipients, lambda r: (
        f"secretariat-digest:{user.id}:{iso_year}-W{iso_week:02d}"))

