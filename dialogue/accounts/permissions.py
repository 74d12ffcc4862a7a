"""Who may see and change what, by unit: the scope every other check builds on (a
session's own rules, chairing included, are in :mod:`dialogue.sessions.access`).

A role is held on a unit and covers that unit, everything under it, and the legacy units it
succeeded (a secretary of the 2025 Tỉnh Gia Lai also keeps the history of the former Gia Lai
and Bình Định, their districts and communes). An administrator without a unit covers the
whole country. Lists, calendars, searches and exports filter with :meth:`Scope.clause`;
single records are checked with :meth:`Scope.covers`.
"""

from dataclasses import dataclass

from flask import abort, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, or_, select, true

from ..core.errors import UserError
from ..extensions import db
from ..units.models import Unit, UnitSuccession
from ..units.operations import in_subtrees
from .models import Role

READ_ROLES = frozenset(Role)
EDIT_ROLES = frozenset({Role.ADMIN, Role.SECRETARY})


class NotPermitted(UserError):
    """The user may not act on this unit; shown beside the field that chose it."""

    def __init__(self, field: str | None = "unit_id"):
        super().__init__(_l("Bạn không có quyền với đơn vị này."), field=field)


@dataclass(frozen=True)
class Scope:
    """A set of units: everything, or the subtrees of some root units."""

    everything: bool
    root_ids: frozenset[int]

    def covers(self, unit: Unit | None) -> bool:
        if unit is None:
            return self.everything
        return self.everything or bool(
            {unit.id, unit.parent_id, unit.province_id} & self.root_ids)

    def clause(self, unit_column) -> ColumnElement[bool]:
        """A condition on a column holding unit ids, true for units in the scope."""
        if self.everything:
            return true()
        if not self.root_ids:
            return false()
        return in_subtrees(list(self.root_ids), unit_column)


def _scope(user, roles: frozenset[Role]) -> Scope:
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope(False, frozenset())
    assignments = [a for a in user.roles if a.role in roles]
    cache = g.setdefault("permission_scopes", {})
    # Keyed on the roles themselves, so a role granted or revoked mid-request counts at once.
    key = (user.id, frozenset((a.role, a.unit_id) for a in assignments))
    if key not in cache:
        everything = any(a.role is Role.ADMIN for a in assignments)
        unit_ids = {a.unit_id for a in assignments if a.unit_id is not None}
        if unit_ids and not everything:
            unit_ids |= set(db.session.scalars(select(UnitSuccession.predecessor_id).where(
                UnitSuccession.successor_id.in_(unit_ids))))
        cache[key] = Scope(everything, frozenset(unit_ids))
    return cache[key]


def read_scope(user) -> Scope:
    return _scope(user, READ_ROLES)


def edit_scope(user) -> Scope:
    return _scope(user, EDIT_ROLES)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def has_edit_rights(user) -> bool:
    """Whether the user may create anything at all (somewhere)."""
    scope = edit_scope(user)
    return scope.everything or bool(scope.root_ids)


def can_read_unit(user, unit: Unit) -> bool:
    return read_scope(user).covers(unit)


def can_edit_unit(user, unit: Unit) -> bool:
    return edit_scope(user).covers(unit)


def officials_clause(user, unit_column) -> ColumnElement[bool]:
    """Officials a user may see: those of the units in scope and of the units above them
    (a commune secretary picks the provincial leader who chairs her dialogue)."""
    scope = read_scope(user)
    if scope.everything or not scope.root_ids:
        return scope.clause(unit_column)
    roots = list(scope.root_ids)
    above = select(Unit.parent_id).where(Unit.id.in_(roots)).union(
        select(Unit.province_id).where(Unit.id.in_(roots)))
    return or_(scope.clause(unit_column), unit_column.in_(above))


def can_see_official(user, official) -> bool:
    unit = official.unit
    scope = read_scope(user)
    return scope.covers(unit) or any(
        root_unit.parent_id == unit.id or root_unit.province_id == unit.id
        for root_unit in _root_units(scope))


def _root_units(scope: Scope) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(scope.root_ids))))


def check_pick_official(user, official, *, field: str) -> None:
    """For operations: a chair or secretary must be an official the user may see."""
    if official is not None and not can_see_official(user, official):
        raise NotPermitted(field)


def check_admin(user) -> None:
    """For operations on accounts: only an administrator (or the system, ``None``)."""
    if user is not None and not is_admin(user):
        raise NotPermitted(None)


def check_edit_unit(user, unit: Unit, *, field: str | None = "unit_id") -> None:
    """For operations: refuse, as a user error beside ``field``, a unit out of scope."""
    if not can_edit_unit(user, unit):
        raise NotPermitted(field)


def require(allowed: bool) -> None:
    """For views: a 403 page when the user may not do this."""
    if not allowed:
        abort(403)


def visible_or_404(allowed: bool) -> None:
    """For views: a record out of the user's scope does not exist for them."""
    if not allowed:
        abort(404)
