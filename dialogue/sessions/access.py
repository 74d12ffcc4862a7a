"""Who may see a session: by the units in a user's scope, a leader the sessions they chair,
the public what is announced; and a request reaching one session (the per-object check
every module's views share)."""

from flask import g
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select

from ..accounts import permissions
from ..accounts.models import Role
from ..core.web import get_or_404
from ..extensions import db
from ..officials.models import Official
from .models import DialogueSession, SessionStatus


def own_officials(user) -> frozenset[int]:
    """The officials whose own sign-in ``user`` is, read once per request (an account is
    linked on the official's page, never in the request that reads this)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = g.setdefault("own_officials", {})
    if user.id not in cache:
        cache[user.id] = frozenset(db.session.scalars(
            select(Official.id).where(Official.account_id == user.id)))
    return cache[user.id]


def chaired_by(user) -> frozenset[int]:
    """The officials whose sessions a leader sees, wherever those are: their own."""
    if user is None or not user.is_authenticated or not user.has_role(Role.LEADER):
        return frozenset()
    return own_officials(user)


def can_read_session(user, session: DialogueSession) -> bool:
    return (permissions.can_read_unit(user, session.unit)
            or session.chair_id in chaired_by(user))


def can_edit_session(user, session: DialogueSession) -> bool:
    return permissions.can_edit_unit(user, session.unit)


def sessions_clause(user, unit_column, chair_column) -> ColumnElement[bool]:
    """Which sessions a user may see in lists, calendars and searches."""
    clause = permissions.read_scope(user).clause(unit_column)
    if chaired := chaired_by(user):
        clause = or_(clause, chair_column.in_(sorted(chaired)))
    return clause


def session_or_404(session_id: int, *, edit: bool) -> DialogueSession:
    """The session if the user may see it (404 otherwise) and, for ``edit``, change it
    (403 otherwise)."""
    session = get_or_404(DialogueSession, session_id)
    permissions.visible_or_404(can_read_session(current_user, session))
    if edit:
        permissions.require(can_edit_session(current_user, session))
    return session


#: What the public announcement lists: everything announced, never drafts.
PUBLISHED = (SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.POSTPONED,
             SessionStatus.CANCELLED)


def published_clause() -> ColumnElement[bool]:
    """The sessions anyone may see: public ones, once announced."""
    return and_(DialogueSession.is_public.is_(True), DialogueSession.status.in_(PUBLISHED),
                # A draft cancelled before it was announced was never public.
                DialogueSession.announced_at.is_not(None))


def is_published(session: DialogueSession) -> bool:
    """:func:`published_clause` for one loaded session."""
    return session.is_public and session.status in PUBLISHED and session.announced_at is not None
