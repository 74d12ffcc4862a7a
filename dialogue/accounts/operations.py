"""Accounts: creating them, signing in, passwords and roles."""

import logging
import math
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, literal, select, update

from ..audit.models import AuditAction
from ..audit.operations import record
from ..audit.tracking import record_change
from ..core.errors import UserError, check_version
from ..core.models import UTCDateTime
from ..core.sql import upsert
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit
from .models import Role, RoleAssignment, SignInThrottle, User
from .permissions import check_admin

log = logging.getLogger(__name__)
_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
_DECOY_PASSWORD = "not-an-account"


@cache
def _decoy_hash() -> str:
    return _hasher.hash(_DECOY_PASSWORD)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _password_matches(user: User, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def check_new_password(password: str, *, field: str = "new_password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_l("Mật khẩu cần ít nhất %(count)d ký tự.", count=MIN_PASSWORD_LENGTH),
                        field=field)


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(
        func.lower(User.username) == username.strip().lower()))


def _check_role_unit(role: Role, unit: Unit | None) -> None:
    if role is Role.ADMIN and unit is not None:
        raise UserError(_l("Quản trị hệ thống áp dụng cho toàn quốc: để trống đơn vị."),
                        field="unit_id")
    if role is not Role.ADMIN and unit is None:
        raise UserError(_l("Hãy chọn đơn vị cho vai trò này."), field="unit_id")


def create_user(username: str, full_name: str, password: str, *, email: str = "",
                roles: list[tuple[Role, Unit | None]] = (), by=None) -> User:
    """Create an account; ``by`` is the administrator (None for the command line)."""
    check_admin(by)
    username = username.strip().lower()
    if not username or find_user(username) is not None:
        raise UserError(_l("Tên đăng nhập đã có người dùng."), field="username")
    check_new_password(password, field="password")
    for role, unit in roles:
        _check_role_unit(role, unit)
    user = User(username=username, full_name=full_name.strip(), email=email.strip(),
                password_hash=hash_password(password))
    user.roles = [RoleAssignment(role=role, unit=unit) for role, unit in roles]
    db.session.add(user)
    record_change(AuditAction.CREATED, user, by=by)
    return user


def _take_numbers(keys: list[str], now, cutoff) -> dict[str, tuple[int, datetime]]:
    """Count one more attempt on each key and return {key: (its number, its window's start)}.

    One statement per key, so two processes can never both read the same count: the
    database hands out the numbers one after the other. A window older than the lockout
    starts again at 1.
    """
    expired = SignInThrottle.window_started_at < cutoff
    taken = {}
    for key in keys:
        statement = upsert(SignInThrottle.__table__, db.engine.dialect.name).values(
            key=key, failures=1, window_started_at=now)
        # In the update, the table's columns are the row already there.
        statement = statement.on_conflict_do_update(index_elements=[SignInThrottle.key], set_={
            "failures": case((expired, 1), else_=SignInThrottle.failures + 1),
            "window_started_at": case((expired, literal(now, UTCDateTime())),
                                      else_=SignInThrottle.window_started_at),
        }).returning(SignInThrottle.failures, SignInThrottle.window_started_at)
        taken[key] = tuple(db.session.execute(statement).one())
    # Committed before the password is checked: every other process counts this attempt
    # from now on, and no row (SQLite: no write lock) is held during the slow hash.
    db.session.commit()
    return taken


def _give_back(key: str, window_started_at: datetime) -> None:
    """Undo an attempt's number, unless its window has started again since."""
    db.session.execute(update(SignInThrottle).where(
        SignInThrottle.key == key, SignInThrottle.window_started_at == window_started_at,
        SignInThrottle.failures > 0,
    ).values(failures=SignInThrottle.failures - 1))


def _forget(account_key: str, cutoff) -> None:
    """Clear an account's count after its success, and drop every count whose window is
    over (a new attempt would start them again at 1 anyway)."""
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key))
    # SKIP LOCKED (PostgreSQL; SQLite has one writer): a row another sign-in is counting is
    # left for later rather than waited for, so the sweep never waits on anyone.
    db.session.execute(delete(SignInThrottle).where(SignInThrottle.key.in_(
        select(SignInThrottle.key).where(SignInThrottle.window_started_at < cutoff)
        .with_for_update(skip_locked=True))))


def authenticate(username: str, password: str, address: str) -> tuple[User | None, str]:
    """(the account, "") for good credentials, else (None, why); every attempt is recorded.

    Repeated failures lock out the account (since its last success) and, separately, the
    address, for a while: guessing is slowed without letting one attacker lock out all.
    The counts are in the database (:class:`.models.SignInThrottle`), shared by every
    worker on every machine, and each attempt takes its number before its password is
    checked, so concurrent guesses cannot slip past the limit together. Taking the number
    commits the session (the caller's pending work with it).
    """
    config = current_app.config
    window = timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
    typed = username.strip().lower()[:64]
    now = utcnow()
    cutoff = now - window
    account_key, address_key = f"account:{typed}", f"address:{address[:64]}"
    taken = _take_numbers([account_key, address_key], now, cutoff)
    limits = {account_key: config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
              address_key: config["LOGIN_MAX_FAILURES_PER_ADDRESS"]}
    over = [key for key, (number, _started) in taken.items() if number > limits[key]]
    if over:
        # A refused attempt tried no password: it gives its numbers back, so retrying while
        # locked out neither prolongs the lock nor uses up the address's allowance.
        for key, (_number, started) in taken.items():
            _give_back(key, started)
        record(AuditAction.LOGIN_FAILED, object_type="user", label=typed, actor_name=typed,
               reason="throttled", address=address)
        log.warning("sign-in throttled after repeated failures")
        lifts_at = max(taken[key][1] for key in over) + window
        minutes = max(1, math.ceil((lifts_at - now).total_seconds() / 60))
        return None, _("Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)d phút.",
                       minutes=minutes)
    user = find_user(typed)
    if user is None or not user.is_active:
        # Spend the time a real check takes, so timing does not tell which accounts exist.
        _hasher.verify(_decoy_hash(), _DECOY_PASSWORD)
    if user is None or not user.is_active or not _password_matches(user, password):
        # The numbers stay taken: they are this failure's count.
        record(AuditAction.LOGIN_FAILED, object_type="user",
               object_id=user.id if user else None, label=typed, actor_name=typed,
               address=address)
        return None, _("Tên đăng nhập hoặc mật khẩu không đúng.")
    # Only failures count against an address (an office signs in all day from one). The
    # account's row before the address's, as everywhere: two sign-ins never wait on each
    # other's rows in opposite orders (PostgreSQL would break the deadlock with an error).
    _forget(account_key, cutoff)
    _give_back(address_key, taken[address_key][1])
    user.last_login_at = now
    record(AuditAction.LOGIN, by=user, object_type="user", object_id=user.id, label=typed,
           address=address)
    return user, ""


def change_password(user: User, current: str, new: str) -> None:
    if not _password_matches(user, current):
        raise UserError(_l("Mật khẩu hiện tại không đúng."), field="current_password")
    check_new_password(new)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    record(AuditAction.PASSWORD_CHANGED, by=user, object_type="user", object_id=user.id,
           label=user.display_name)


def reset_password(user: User, new: str, *, by: User) -> None:
    """An administrator sets a temporary password; the user must change it at next login."""
    check_admin(by)
    check_new_password(new)
    user.password_hash = hash_password(new)
    user.must_change_password = True
    record(AuditAction.PASSWORD_RESET, by=by, object_type="user", object_id=user.id,
           label=user.display_name)


def update_user(user: User, *, full_name: str, email: str, is_active: bool, language: str,
                by: User, expected_version: int | None) -> None:
    check_admin(by)
    check_version(user, expected_version)
    if user.id == by.id and not is_active:
        raise UserError(_l("Bạn không thể tự khóa tài khoản của mình."), field="is_active")
    user.full_name, user.email = full_name.strip(), email.strip()
    user.is_active, user.language = is_active, language
    record_change(AuditAction.UPDATED, user, by=by)


def grant_role(user: User, role: Role, unit: Unit | None, *, by: User) -> None:
    check_admin(by)
    _check_role_unit(role, unit)
    if any(a.role is role and a.unit_id == (unit.id if unit else None) for a in user.roles):
        raise UserError(_l("Người dùng đã có vai trò này trên đơn vị này."), field="role")
    user.roles.append(RoleAssignment(role=role, unit=unit))
    record_change(AuditAction.UPDATED, user, by=by)


def revoke_role(assignment: RoleAssignment, *, by: User) -> None:
    check_admin(by)
    user = assignment.user
    if user.id == by.id and assignment.role is Role.ADMIN:
        raise UserError(_l("Bạn không thể tự bỏ quyền quản trị của mình."))
    user.roles.remove(assignment)
    record_change(AuditAction.UPDATED, user, by=by)
