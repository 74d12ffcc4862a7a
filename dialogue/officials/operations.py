"""Keeping the list of officials who chair and record sessions."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.operations import find_user
from ..accounts.permissions import check_admin, check_edit_unit, officials_clause
from ..audit.models import AuditAction
from ..audit.tracking import record_change
from ..core.errors import UserError, check_version
from ..core.text import like_pattern
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit
from ..units.operations import level_order, within
from .models import Official


def add_official(full_name: str, position: str, unit: Unit, *, by: User,
                 email: str = "") -> Official:
    check_edit_unit(by, unit)
    official = Official(full_name=full_name.strip(), position=position.strip(), unit=unit,
                        email=email.strip())
    official.refresh_search_text()
    db.session.add(official)
    record_change(AuditAction.CREATED, official, by=by)
    return official


def update_official(official: Official, *, full_name: str, position: str, unit: Unit,
                    by: User, expected_version: int | None, email: str | None = None) -> None:
    """Save the official's form; ``email`` None leaves the address as it was (a caller that
    does not show it)."""
    check_edit_unit(by, official.unit, field=None)
    check_edit_unit(by, unit)
    check_version(official, expected_version)
    official.full_name, official.position, official.unit = full_name.strip(), position.strip(), unit
    if email is not None:
        official.email = email.strip()
    official.refresh_search_text()
    record_change(AuditAction.UPDATED, official, by=by)


def set_archived(official: Official, archived: bool, *, by: User) -> None:
    """Take an official off the pickers (or back); sessions they chaired still show them."""
    check_edit_unit(by, official.unit, field=None)
    if (official.archived_at is not None) == archived:
        return
    official.archived_at = utcnow() if archived else None
    record_change(AuditAction.UPDATED, official, by=by)


def link_account(official: Official, username: str, *, by: User | None) -> None:
    """Say which sign-in is the official's own (an empty name unlinks it); ``by`` is an
    administrator, or None for the command line."""
    check_admin(by)
    account = find_user(username) if username.strip() else None
    if username.strip() and account is None:
        raise UserError(_l("Không có tài khoản với tên đăng nhập này."), field="account")
    if account is not None and account.id != official.account_id and db.session.scalar(
            select(Official.id).where(Official.account_id == account.id)):
        raise UserError(_l("Tài khoản này đã gắn với một cán bộ khác."), field="account")
    official.account = account
    record_change(AuditAction.UPDATED, official, by=by)


def search_officials(query: str, *, user: User, unit: Unit | None = None,
                     limit: int | None = 20, include_archived: bool = False):
    """Officials the user may see whose name or position contains the query, ignoring
    diacritics, provincial leaders first."""
    statement = select(Official).join(Official.unit).options(selectinload(Official.unit)).where(
        officials_clause(user, Official.unit_id))
    if not include_archived:
        statement = statement.where(Official.archived_at.is_(None))
    if unit is not None:
        statement = statement.where(within(unit, Official.unit_id))
    if query.strip():
        statement = statement.where(Official.search_text.like(like_pattern(query), escape="\\"))
    return statement.order_by(level_order(), Official.full_name).limit(limit)
