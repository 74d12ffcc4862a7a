"""Accounts and the roles they hold on administrative units."""

import hashlib
from datetime import datetime

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Tracked, track
from ..core.models import LabelledEnum, TimestampMixin, UTCDateTime, enum_column, set_labels
from ..extensions import db
from ..units.models import Unit


class Role(LabelledEnum):
    ADMIN = "admin"
    SECRETARY = "secretary"
    LEADER = "leader"
    VIEWER = "viewer"


set_labels(Role, {
    Role.ADMIN: _l("Quản trị hệ thống"),
    Role.SECRETARY: _l("Thư ký, văn phòng"),
    Role.LEADER: _l("Lãnh đạo"),
    Role.VIEWER: _l("Xem"),
})


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case, as typed at login.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Set by an administrator's reset: the user chooses a new password at next login.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    roles: Mapped[list["RoleAssignment"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id")

    @property
    def display_name(self) -> str:
        return f"{self.full_name} ({self.username})"

    def get_id(self) -> str:
        """What the session cookie keeps: the id and a stamp of the password, so a new
        password signs out every other browser."""
        stamp = hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]
        return f"{self.id}:{stamp}"

    def has_role(self, role: Role) -> bool:
        return any(assignment.role is role for assignment in self.roles)


class RoleAssignment(db.Model):
    """A role held on a unit and everything under it (and on the units it succeeded)."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "unit_id"),
        # An administrator holds the whole country (no unit); every other role is on a unit.
        CheckConstraint("(role = 'admin') = (unit_id IS NULL)", name="unit_unless_admin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit | None] = relationship()


def _role_labels(user: User) -> list[str]:
    """Roles as the trail keeps them, in Vietnamese: the trail is an archive record."""
    with force_locale("vi"):
        return sorted(f"{a.role.label} — {a.unit.display_name if a.unit else _('toàn quốc')}"
                      for a in user.roles)


track(User, "user", fields={
    "username": Tracked(_l("Tên đăng nhập")),
    "full_name": Tracked(_l("Họ và tên")),
    "email": Tracked(_l("Thư điện tử")),
    "is_active": Tracked(_l("Đang hoạt động")),
    "language": Tracked(_l("Ngôn ngữ")),
    "roles": Tracked(_l("Vai trò"), get=_role_labels),
}, label=lambda user: user.display_name)


class SignInThrottle(db.Model):
    """Failed sign-ins counted per account and per address, shared by every process.

    A sign-in takes its number here before the password is checked, in one atomic
    statement, so concurrent guesses cannot all pass a check that each read before the
    others were counted.
    """

    __tablename__ = "sign_in_throttles"
    __table_args__ = (CheckConstraint("failures >= 0", name="failures_not_negative"),)

    #: "account:<username>" or "address:<IP address>".
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
