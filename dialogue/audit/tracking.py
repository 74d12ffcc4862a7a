"""What the trail keeps of a record: one field map per model, its changes read from the
ORM's attribute history.

A module declares once, beside its model, which fields the trail shows and how they read
(:func:`track`); its operations then call :func:`record_change` after changing a record.
The values before the change are taken when the record is first flushed dirty (autoflush
included), so an operation never snapshots anything by hand.
"""

import enum as enums
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE

from ..extensions import db
from .models import AuditAction, AuditEntry
from .operations import record

#: session.info key: {record: {field: value before}} for records changed since their last entry.
_BEFORE = "audit_before"


@dataclass(frozen=True)
class Tracked:
    """One field as the trail shows it.

    ``get`` reads the value from the record (by default the attribute of the field's name);
    ``depends`` names the ORM attributes it is computed from, whose old values stand in
    when the value before a change is computed.
    """

    label: object
    get: Callable | None = None
    depends: tuple[str, ...] = ()
    enum: type[enums.Enum] | None = None


@dataclass(frozen=True)
class TrackedModel:
    object_type: str
    fields: dict[str, Tracked]
    label: Callable
    unit_id: Callable
    summary: Callable | None
    #: Labels of what an operation records of the record without it being a field (a
    #: commitment's progress update): never read from the record.
    notes: dict[str, object]

    @cached_property
    def attributes(self) -> frozenset[str]:
        """The ORM attributes the trail's fields are read from."""
        return frozenset(attribute for name, spec in self.fields.items()
                         for attribute in spec.depends or (name,))

    def read(self, name: str, obj) -> object:
        spec = self.fields[name]
        return jsonable(spec.get(obj) if spec.get else getattr(obj, name))


_BY_CLASS: dict[type, TrackedModel] = {}
_BY_TYPE: dict[str, TrackedModel] = {}


def jsonable(value):
    """A value as the trail keeps it: plain JSON, times in UTC ISO form."""
    if isinstance(value, enums.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _noop(target, value, old, initiator):
    pass


def track(model: type, object_type: str, *, fields: dict[str, Tracked], label: Callable,
          unit_id: Callable = lambda obj: None, summary: Callable | None = None,
          notes: dict[str, object] | None = None) -> None:
    """Declare how ``model``'s records read in the trail; ``summary(entry)`` may add a
    sentence above an entry's table (a move of a session, say), and ``notes`` label what
    :func:`record_note` records."""
    tracked = TrackedModel(object_type, fields, label, unit_id, summary, notes or {})
    _BY_CLASS[model] = _BY_TYPE[object_type] = tracked
    mapper = inspect(model)
    for attribute in tracked.attributes:
        if not getattr(mapper.attrs[attribute], "uselist", False):
            # Loads the old value on assignment even when it was expired (after a commit),
            # so the value before a change is always known.
            event.listen(getattr(model, attribute), "set", _noop, active_history=True)


def tracked_type(object_type: str) -> TrackedModel | None:
    return _BY_TYPE.get(object_type)


class _Before:
    """The record as it was before its pending changes: old values of changed attributes,
    current values of the others."""

    def __init__(self, obj):
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_old", inspect(obj).committed_state)

    def __getattr__(self, name):
        if name not in self._old:
            return getattr(self._obj, name)
        old = self._old[name]
        # Active history loads an expired old value, so none left means never set.
        if old is NO_VALUE:
            return None
        return list(old) if isinstance(old, list) else old


def _values(tracked: TrackedModel, obj) -> dict:
    return {name: tracked.read(name, obj) for name in tracked.fields}


@event.listens_for(OrmSession, "before_flush")
def _take_values_before(session: OrmSession, _context, _instances) -> None:
    before = session.info.setdefault(_BEFORE, {})
    for obj in session.dirty:
        tracked = _BY_CLASS.get(type(obj))
        # Only a change the trail shows is worth reading the fields for: a sign-in's
        # last_login_at or a version bump reads nothing.
        if (tracked is None or obj in before
                or not tracked.attributes & inspect(obj).committed_state.keys()):
            continue
        before[obj] = _values(tracked, _Before(obj))


@event.listens_for(OrmSession, "after_commit")
@event.listens_for(OrmSession, "after_soft_rollback")
def _forget_values_before(session: OrmSession, *_args) -> None:
    session.info.pop(_BEFORE, None)


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def record_change(action: AuditAction, obj, *, by, reason: str = "",
                  changes: dict | None = None) -> AuditEntry | None:
    """Append the trail entry of ``action`` on ``obj`` by ``by``, with what changed.

    CREATED lists every filled field, DELETED (called before the delete) every field it
    had; otherwise the fields changed since the record's previous entry. An update that
    changed nothing and gives no reason is not recorded.
    """
    tracked = _BY_CLASS[type(obj)]
    db.session.flush()
    before = db.session.info.get(_BEFORE, {}).pop(obj, None)
    now = _values(tracked, obj)
    if action is AuditAction.CREATED:
        found = {name: [None, value] for name, value in now.items() if not _empty(value)}
    elif action is AuditAction.DELETED:
        found = {name: [value, None] for name, value in now.items() if not _empty(value)}
    else:
        before = before or now
        found = {name: [before[name], value] for name, value in now.items()
                 if before[name] != value}
    found.update(changes or {})
    if action is AuditAction.UPDATED and not found and not reason.strip():
        return None
    return record_note(action, obj, by=by, changes=found, reason=reason)


def record_note(action: AuditAction, obj, *, by, changes: dict,
                reason: str = "") -> AuditEntry:
    """Append an entry about ``obj`` that is not a change of its fields (``changes`` keyed
    by its model's ``notes``), under the record's label and unit."""
    tracked = _BY_CLASS[type(obj)]
    return record(action, by=by, object_type=tracked.object_type, object_id=obj.id,
                  label=tracked.label(obj), unit_id=tracked.unit_id(obj), changes=changes,
                  reason=reason.strip())
