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
