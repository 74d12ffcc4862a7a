"""Keeping the list of officials who chair and record sessions."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..accounts.permissions import check_edit_unit, officials_clause
from ..audit.models import AuditAction
from ..audit.operations import describe, diff, record, snapshot
from ..core.errors import check_version
from ..core.text import like_pattern
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit
from ..units.operations import level_order, within
from .models import Official

describe("official", {"full_name": _l("Họ và tên"), "position": _l("Chức vụ"),
                      "unit": _l("Đơn vị"), "archived": _l("Đã nghỉ")})


def _audited(official: Official) -> dict:
    return snapshot({"full_name": official.full_name, "position": official.position,
                     "unit": official.unit.display_name if official.unit else "",
                     "archived": official.archived_at is not None})


def _audit(action: AuditAction, official: Official, by: User, before: dict) -> None:
    changes = diff(before, _audited(official))
    if changes or action is AuditAction.CREATED:
        record(action, by=by, object_type="official", object_id=official.id,
               label=official.full_name, unit_id=official.unit_id, changes=changes)


def add_official(full_name: str, position: str, unit: Unit, *, by: User) -> Official:
    check_edit_unit(by, unit)
    official = Official(full_name=full_name.strip(), position=position.strip(), unit=unit)
    official.refresh_search_text()
    db.session.add(official)
    db.session.flush()
    _audit(AuditAction.CREATED, official, by, {})
    return official


def update_official(official: Official, *, full_name: str, position: str, unit: Unit,
                    by: User, expected_version: int | None) -> None:
    check_edit_unit(by, official.unit, field=None)
    check_edit_unit(by, unit)
    check_version(official, expected_version)
    before = _audited(official)
    official.full_name, official.position, official.unit = full_name.strip(), position.strip(), unit
    official.refresh_search_text()
    db.session.flush()
    _audit(AuditAction.UPDATED, official, by, before)


def set_archived(official: Official, archived: bool, *, by: User) -> None:
    """Take an official off the pickers (or back); sessions they chaired still show them."""
    check_edit_unit(by, official.unit, field=None)
    if (official.archived_at is not None) == archived:
        return
    before = _audited(official)
    official.archived_at = utcnow() if archived else None
    db.session.flush()
    _audit(AuditAction.UPDATED, official, by, before)


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
