"""Officials: the leaders and staff who chair or record dialogue sessions."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..audit.tracking import Tracked, track
from ..core.models import TimestampMixin, UTCDateTime
from ..core.text import fold
from ..extensions import db
from ..units.models import Unit


class Official(TimestampMixin, db.Model):
    __tablename__ = "officials"
    __table_args__ = (Index(None, "unit_id", "full_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(db.String(120))
    #: As printed in minutes: "Phó Bí thư Tỉnh ủy", "Chủ tịch UBND xã".
    position: Mapped[str] = mapped_column(db.String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    #: Where invitations to the sessions they chair or record are sent (optional).
    email: Mapped[str] = mapped_column(db.String(254), default="")
    #: Name and position without diacritics, for type-to-search.
    search_text: Mapped[str] = mapped_column(db.String(330), default="")
    #: Set when the official leaves; sessions they chaired keep pointing at them.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The official's own sign-in, if any: as a leader it sees the sessions they chair.
    account_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   unique=True)
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    unit: Mapped[Unit] = relationship()
    account: Mapped[User | None] = relationship()

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.full_name} {self.position}")

    @property
    def label(self) -> str:
        return f"{self.full_name} — {self.position}"


track(Official, "official", fields={
    "full_name": Tracked(_l("Họ và tên")),
    "position": Tracked(_l("Chức vụ")),
    "unit": Tracked(_l("Đơn vị"), get=lambda o: o.unit.display_name if o.unit else ""),
    "email": Tracked(_l("Thư điện tử")),
    "archived": Tracked(_l("Đã nghỉ"), get=lambda o: o.archived_at is not None,
                        depends=("archived_at",)),
    "account": Tracked(_l("Tài khoản đăng nhập"),
                       get=lambda o: o.account.username if o.account else ""),
}, label=lambda o: o.full_name, unit_id=lambda o: o.unit_id)
