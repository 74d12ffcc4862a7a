"""What calendar feeds keep in the database: personal feed addresses, and the counter that
tells every feed whether anything in it may have changed."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core.models import UTCDateTime
from ..core.time import utcnow
from ..extensions import db


class FeedToken(db.Model):
    """The secret in the address of a user's personal feed (``/feeds/private/<token>.ics``).

    Kept as it is, not hashed: like Google Calendar's secret address, its owner must be
    able to read it again to subscribe another phone or computer. Regenerating replaces it.
    """

    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class FeedState(db.Model):
    """One row: raised in the same transaction as any change a feed could show.

    A feed's ETag is derived from it, so a client polling an unchanged feed is answered
    304 after reading this row alone, in every worker process.
    """

    __tablename__ = "feed_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedScopeState(db.Model):
    """The change counter of one unit's feeds, beside the one of every feed (FeedState).

    Raised with it when a session of that unit, of a unit under it, or of a former unit it
    succeeded changes, so a commune's feed keeps its ETag while other communes' sessions
    change. Scope 0 is what every unit feed shows but no unit owns (officials' names, the
    units themselves). A scope without a row has never changed.
    """

    __tablename__ = "feed_scope_states"

    #: A unit's id, or 0.
    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    generation: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
