"""Loading the official unit lists and finding units in them."""

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import ColumnElement, Select, func, literal, or_, select
from sqlalchemy.orm import selectinload

from ..core.text import escape_like, fold, like_pattern
from ..extensions import db
from .models import (
    CODE_DIGITS,
    LEGACY_LAST_DAY,
    REFORM_DAY,
    Era,
    Unit,
    UnitKind,
    UnitLevel,
    UnitSuccession,
)

VALIDITY = {Era.LEGACY: (None, LEGACY_LAST_DAY), Era.Y2025: (REFORM_DAY, None)}


@dataclass(frozen=True)
class UnitRecord:
    era: Era
    level: UnitLevel
    code: int
    name: str
    kind: UnitKind
    parent: tuple[UnitLevel, int] | None


def _read(name: str) -> dict:
    return json.loads(resources.files("dialogue.units.data").joinpath(name).read_text("utf-8"))


def official_records(era: Era, province_codes: set[int] | None = None) -> list[UnitRecord]:
    """The official list of one era, parents before children, optionally for some provinces."""
    data = _read("units-legacy.json" if era is Era.LEGACY else "units-2025.json")
    P, D, C = UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE
    records = [UnitRecord(era, P, code, name, UnitKind(kind), None)
               for code, name, kind in data["provinces"]
               if province_codes is None or code in province_codes]
    kept = {r.code for r in records}
    commune_parent = P
    if era is Era.LEGACY:
        districts = [UnitRecord(era, D, code, name, UnitKind(kind), (P, parent))
                     for code, name, kind, parent in data["districts"] if parent in kept]
        records += districts
        kept = {r.code for r in districts}
        commune_parent = D
    records += [UnitRecord(era, C, code, name, UnitKind(kind), (commune_parent, parent))
                for code, name, kind, parent in data["communes"] if parent in kept]
    return records


def legacy_provinces_of(new_codes: Iterable[int]) -> set[int]:
    """Codes of the legacy provinces that merged into the given 2025 provinces."""
    wanted = set(new_codes)
    return {old for old, new in _read("succession-2025.json")["provinces"] if new in wanted}


@dataclass
class ImportResult:
    loaded: Counter  # (era, level) -> records in the official list
    created: int = 0
    updated: int = 0
    successions_created: int = 0


def import_units(
    eras: Iterable[Era],
    province_code: int | None = None,
    progress: Callable[[Iterable], Iterable] = lambda items: items,
) -> ImportResult:
    """Create or update units from the official lists; importing twice changes nothing.

    ``province_code`` is the code in the 2025 list when both eras are imported (the legacy
    provinces merged into it come along), otherwise the code in the era's own list.
    """
    eras = list(eras)
    result = ImportResult(loaded=Counter())
    records: list[UnitRecord] = []
    for era in eras:
        codes = None
        if province_code is not None:
            codes = ({province_code} if era is Era.Y2025 or len(eras) == 1
                     else legacy_provinces_of([province_code]))
        records += official_records(era, codes)

    existing = {(u.era, u.level, u.code): u
                for u in db.session.scalars(select(Unit).where(Unit.era.in_(eras)))}
    for record in progress(records):
        result.loaded[(record.era, record.level)] += 1
        parent = existing[(record.era, *record.parent)] if record.parent else None
        valid_from, valid_to = VALIDITY[record.era]
        values = {
            "name": record.name,
            "name_folded": fold(record.name),
            "kind": record.kind,
            "parent": parent,
            # A province has none above it; everything below points at its province.
            "province": (parent.province or parent) if parent else None,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
        unit = existing.get((record.era, record.level, record.code))
        if unit is None:
            unit = Unit(era=record.era, level=record.level, code=record.code, **values)
            db.session.add(unit)
            existing[(record.era, record.level, record.code)] = unit
            result.created += 1
        elif any(getattr(unit, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            result.updated += 1
    db.session.flush()
    result.successions_created = _link_successions(existing)
    return result


def _link_successions(units: dict) -> int:
    """Record legacy→2025 succession wherever both ends are loaded."""
    data = _read("succession-2025.json")
    pairs = {}
    L, N = Era.LEGACY, Era.Y2025
    for old, new in data["provinces"]:
        pairs[(L, UnitLevel.PROVINCE, old), (N, UnitLevel.PROVINCE, new)] = False
    for old, new, partial in data["communes"]:
        pairs[(L, UnitLevel.COMMUNE, old), (N, UnitLevel.COMMUNE, new)] = partial
    linked = {(row.predecessor_id, row.successor_id) for row in db.session.execute(
        select(UnitSuccession.predecessor_id, UnitSuccession.successor_id))}
    created = 0
    for (old_key, new_key), partial in pairs.items():
        old, new = units.get(old_key), units.get(new_key)
        if old is None or new is None or (old.id, new.id) in linked:
            continue
        db.session.add(UnitSuccession(predecessor_id=old.id, successor_id=new.id,
                                      is_partial=partial))
        created += 1
    db.session.flush()
    return created


def browse_units(era: Era, level: UnitLevel | None, query: str) -> Select:
    """The units list: an era's provinces, or what matches the query, provinces first."""
    statement = select(Unit).where(Unit.era == era).options(
        selectinload(Unit.parent).selectinload(Unit.parent))
    if level is not None:
        statement = statement.where(Unit.level == level)
    if fold(query):
        statement = statement.where(Unit.name_folded.like(like_pattern(query), escape="\\"))
    elif level is None:
        statement = statement.where(Unit.level == UnitLevel.PROVINCE)
    return statement.order_by(level_order(), Unit.name_folded)


def unit_counts() -> dict[Era, int]:
    return {row.era: row.total for row in db.session.execute(
        select(Unit.era, func.count().label("total")).group_by(Unit.era))}


def search_units(
    query: str,
    *,
    era: Era | None = None,
    level: UnitLevel | None = None,
    valid_on: date | None = None,
    limit: int = 20,
) -> list[Unit]:
    """Units whose name contains the query, ignoring diacritics, provinces first."""
    statement = select(Unit).options(selectinload(Unit.parent).selectinload(Unit.parent))
    folded = fold(query)
    if folded:
        statement = statement.where(Unit.name_folded.like(like_pattern(folded), escape="\\"))
    if era is not None:
        statement = statement.where(Unit.era == era)
    if level is not None:
        statement = statement.where(Unit.level == level)
    if valid_on is not None:
        statement = statement.where(
            or_(Unit.valid_from.is_(None), Unit.valid_from <= valid_on),
            or_(Unit.valid_to.is_(None), Unit.valid_to >= valid_on),
        )
    # The current structure before the legacy one, provinces first, and within a level the
    # name itself ("ia grai" ends "xa ia grai") before names merely containing it.
    ordering = [Unit.era == Era.LEGACY, level_order()]
    if folded:
        ordering.append(Unit.name_folded.like(f"%{escape_like(folded)}", escape="\\").desc())
    statement = statement.order_by(*ordering, Unit.name_folded).limit(limit)
    return list(db.session.scalars(statement))


def level_order():
    """An ORDER BY term putting provinces before districts before communes."""
    return db.case((Unit.level == UnitLevel.PROVINCE, 0), (Unit.level == UnitLevel.DISTRICT, 1),
                   else_=2)


def in_subtrees(roots, column) -> ColumnElement[bool]:
    """A condition on ``column`` (unit ids): the root units and every unit under them.

    ``roots`` is a collection of unit ids or a SELECT of them.
    """
    return column.in_(select(Unit.id).where(or_(
        Unit.id.in_(roots), Unit.parent_id.in_(roots), Unit.province_id.in_(roots))))


def with_predecessors(unit: Unit) -> Select:
    """The ids of ``unit`` and of the legacy units it succeeded."""
    return select(UnitSuccession.predecessor_id).where(
        UnitSuccession.successor_id == unit.id).union(select(literal(unit.id)))


def within(unit: Unit, column=None) -> ColumnElement[bool]:
    """``unit``, every unit under it, and the legacy units it succeeded with theirs: choosing
    the 2025 Tỉnh Gia Lai also finds the sessions of the former Gia Lai and Bình Định."""
    column = column if column is not None else Unit.id
    return in_subtrees(with_predecessors(unit), column)


def unit_for_code(text: str, era: Era | None = None) -> Unit | None:
    """The unit a zero-padded code names (``52``, ``26734``): of the 2025 structure, or a
    former district (districts were abolished, their codes not reused); ``era`` asks for a
    former province or commune instead."""
    levels = {digits: level for level, digits in CODE_DIGITS.items()}
    if not text.isascii() or not text.isdigit() or len(text) not in levels:
        return None
    level = levels[len(text)]
    era = era or (Era.LEGACY if level is UnitLevel.DISTRICT else Era.Y2025)
    return db.session.scalar(select(Unit).where(
        Unit.era == era, Unit.level == level, Unit.code == int(text)))


def current_provinces() -> list[Unit]:
    """The provinces and centrally run cities of the 2025 structure, by name."""
    return list(db.session.scalars(select(Unit).where(
        Unit.era == Era.Y2025, Unit.level == UnitLevel.PROVINCE).order_by(Unit.name_folded)))
