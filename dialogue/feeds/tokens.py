"""Personal feed addresses: the secret token in each, given, replaced, revoked and looked up.

Tokens are never logged: an address is all it takes to read the feed. Giving and revoking
one are audited as events (:func:`..audit.operations.record`), without the token.
"""

import secrets

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import User
from ..audit.models import AuditAction
from ..audit.operations import record
from ..core.time import utcnow
from ..extensions import db
from .models import FeedToken


def feed_token_of(user: User) -> FeedToken | None:
    return db.session.scalar(select(FeedToken).where(FeedToken.user_id == user.id))


def _label(user: User) -> str:
    return _("Địa chỉ lịch riêng của %(name)s", name=user.full_name)


def issue_feed_token(user: User) -> FeedToken:
    """Give the user a new personal feed address; the previous one stops working at once."""
    token = feed_token_of(user)
    if token is None:
        token = FeedToken(user=user)
        db.session.add(token)
    token.token = secrets.token_urlsafe(32)
    token.created_at = utcnow()
    db.session.flush()
    record(AuditAction.CREATED, by=user, object_type="feed_token", object_id=token.id,
           label=_label(user))
    return token


def revoke_feed_token(user: User) -> bool:
    """Stop the user's personal feed address; False when there was none."""
    token = feed_token_of(user)
    if token is None:
        return False
    record(AuditAction.DELETED, by=user, object_type="feed_token", object_id=token.id,
           label=_label(user))
    db.session.delete(token)
    db.session.flush()
    return True


def user_of_token(token: str) -> User | None:
    """The active account a personal feed address belongs to, or None."""
    if not token or len(token) > 64:
        return None
    # With its roles, in the same statement: the feed's ETag needs them, and a poll of an
    # unchanged feed then costs this one statement.
    return db.session.scalars(select(User).join(FeedToken, FeedToken.user_id == User.id).where(
        FeedToken.token == token, User.is_active.is_(True)).options(
        joinedload(User.roles))).unique().one_or_none()
