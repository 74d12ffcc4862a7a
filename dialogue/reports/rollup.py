"""Which line of the table by unit each unit's figures go on, and the lines' order."""

from collections import defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..units.models import Era, Unit, UnitLevel, UnitSuccession
from ..units.operations import with_predecessors
from .scope import ReportScope


class UnitRows:
    """Which line of the table by unit each unit's figures go on.

    Under a province a line is a commune (or, before the reform, a district with its
    communes: a 2024 district total stays a district total); the unit itself has its own line.
    Rolling up moves a legacy unit's figures to its 2025 successor, a former district's to
    the province that took over its province.
    """

    def __init__(self, scope: ReportScope, unit_ids: set[int]):
        self.scope = scope
        ids = sorted(unit_ids)
        loaded = db.session.scalars(select(Unit).where(or_(
            Unit.id.in_(ids),
            Unit.id.in_(select(Unit.parent_id).where(Unit.id.in_(ids))),
            Unit.id.in_(select(Unit.province_id).where(Unit.id.in_(ids))))))
        self.units: dict[int, Unit] = {unit.id: unit for unit in loaded}
        if scope.unit is not None:
            self.units.setdefault(scope.unit.id, scope.unit)
            self.roots = ({scope.unit.id} if scope.rolls_up
                          else set(db.session.scalars(with_predecessors(scope.unit))))
        else:
            self.roots = set()
        self.successors: dict[int, list[Unit]] = defaultdict(list)
        if scope.rolls_up:
            legacy = [unit.id for unit in self.units.values() if unit.era is Era.LEGACY]
            for predecessor_id, successor in db.session.execute(
                    select(UnitSuccession.predecessor_id, Unit)
                    .join(Unit, Unit.id == UnitSuccession.successor_id)
                    .where(UnitSuccession.predecessor_id.in_(legacy))
                    .options(selectinload(Unit.province))
                    .order_by(UnitSuccession.is_partial, Unit.code)):
                self.successors[predecessor_id].append(successor)
                self.units.setdefault(successor.id, successor)
                if successor.province is not None:
                    self.units.setdefault(successor.province.id, successor.province)

    def _in_scope(self, unit: Unit) -> bool:
        if self.scope.unit is None:
            return True
        return bool({unit.id, unit.parent_id, unit.province_id} & self.roots)

    def _current(self, unit: Unit) -> Unit:
        if not self.scope.rolls_up or unit.era is Era.Y2025:
            return unit
        if unit.level is UnitLevel.DISTRICT and unit.parent_id in self.units:
            return self._current(self.units[unit.parent_id])
        candidates = self.successors.get(unit.id, [])
        # A split commune goes to the successor inside the report, if one is.
        return next((c for c in candidates if self._in_scope(c)),
                    candidates[0] if candidates else unit)

    def row_of(self, unit_id: int) -> Unit:
        unit = self._current(self.units[unit_id])
        if self.scope.unit is None:
            if unit.level is UnitLevel.PROVINCE:
                return unit
            return self.units.get(unit.province_id) or unit
        if unit.id in self.roots or unit.parent_id in self.roots:
            return unit
        parent = self.units.get(unit.parent_id)
        if parent is not None and parent.parent_id in self.roots:
            return parent
        return self.scope.unit

    def members(self, row_id: int) -> set[int]:
        return {unit_id for unit_id in self.units if self.row_of(unit_id).id == row_id}


def line_order(unit: Unit, scope: ReportScope):
    """The report's own unit first, then current units, provinces before the others."""
    return (unit is not scope.unit, unit.era is Era.LEGACY, unit.level is not UnitLevel.PROVINCE,
            unit.name_folded)
