"""Recording and reading the audit trail.

Each module says how its records read in the trail (field labels, enum values) through
:func:`describe`; the trail itself knows nothing of sessions or officials.
"""

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import has_request_context, request
from sqlalchemy import Select, func, select

from ..core.text import escape_like
from ..core.time import format_date, format_datetime, local_day_bounds, utcnow
from ..extensions import db
from .models import AuditAction, AuditEntry

#: object type -> (field -> label), and field -> enum class for values.
_FIELD_LABELS: dict[str, dict] = {}
_VALUE_ENUMS: dict[str, type] = {}


def describe(object_type: str, field_labels: dict, value_enums: dict | None = None) -> None:
    """Say how a module's records read in the trail."""
    _FIELD_LABELS[object_type] = field_labels
    _VALUE_ENUMS.update(value_enums or {})


def jsonable(value):
    """A value as the trail keeps it: plain JSON, times in UTC ISO form."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def snapshot(values: dict) -> dict:
    return {key: jsonable(value) for key, value in values.items()}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for every field that changed."""
    return {key: [before.get(key), after.get(key)] for key in {**before, **after}
            if before.get(key) != after.get(key)}


def record(action: AuditAction, *, by=None, object_type: str = "", object_id: int | None = None,
           label: str = "", unit_id: int | None = None, changes: dict | None = None,
           reason: str = "", actor_name: str | None = None,
           address: str | None = None) -> AuditEntry:
    """Append one entry; ``by`` is the acting user (None for the system itself) and
    ``address`` where the request came from (the current request's by default)."""
    if address is None:
        address = (request.remote_addr or "") if has_request_context() else ""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=by.id if by is not None else None,
        actor_name=actor_name if actor_name is not None else (by.display_name if by else ""),
        actor_address=address[:64],
        action=action, object_type=object_type, object_id=object_id, object_label=label[:300],
        unit_id=unit_id, changes=changes or {}, reason=reason[:2000],
    )
    db.session.add(entry)
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    """What happened to one record, oldest first."""
    return list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.object_type == object_type, AuditEntry.object_id == object_id,
    ).order_by(AuditEntry.id)))


def histories(object_type: str, object_ids: list[int]) -> dict[int, list[AuditEntry]]:
    """What happened to several records, in one query: {id: entries oldest first}."""
    found: dict[int, list[AuditEntry]] = {object_id: [] for object_id in object_ids}
    if object_ids:
        for entry in db.session.scalars(select(AuditEntry).where(
                AuditEntry.object_type == object_type, AuditEntry.object_id.in_(object_ids),
        ).order_by(AuditEntry.id)):
            found[entry.object_id].append(entry)
    return found


def recent_failures(*, username: str | None = None, address: str | None = None,
                    within: timedelta) -> int:
    """Failed logins for an account (since its last success) or from an address."""
    since = utcnow() - within
    statement = select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == AuditAction.LOGIN_FAILED, AuditEntry.at > since)
    if username is not None:
        last_success = db.session.scalar(select(func.max(AuditEntry.at)).where(
            AuditEntry.action == AuditAction.LOGIN, AuditEntry.object_label == username))
        if last_success is not None:
            statement = statement.where(AuditEntry.at > last_success)
        statement = statement.where(AuditEntry.object_label == username)
    if address is not None:
        statement = statement.where(AuditEntry.actor_address == address)
    return db.session.scalar(statement)


@dataclass
class AuditFilter:
    actor: str = ""
    action: AuditAction | None = None
    object_type: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search_trail(criteria: AuditFilter) -> Select:
    statement = select(AuditEntry)
    if criteria.actor:
        statement = statement.where(AuditEntry.actor_name.ilike(
            f"%{escape_like(criteria.actor)}%", escape="\\"))
    if criteria.action is not None:
        statement = statement.where(AuditEntry.action == criteria.action)
    if criteria.object_type:
        statement = statement.where(AuditEntry.object_type == criteria.object_type)
    if criteria.date_from:
        statement = statement.where(
            AuditEntry.at >= local_day_bounds(criteria.date_from, criteria.date_from)[0])
    if criteria.date_to:
        statement = statement.where(
            AuditEntry.at < local_day_bounds(criteria.date_to, criteria.date_to)[1])
    return statement.order_by(AuditEntry.id.desc())


def field_label(object_type: str, field: str) -> str:
    return str(_FIELD_LABELS.get(object_type, {}).get(field, field))


def display_value(field: str, value) -> str:
    """A recorded value as a person reads it: local times, labels, lists one per line."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return "; ".join(display_value(field, v) for v in value) or "—"
    if field in _VALUE_ENUMS:
        try:
            return _VALUE_ENUMS[field](value).label
        except ValueError:
            return str(value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_datetime(parsed) if parsed.tzinfo else format_date(parsed)
    return str(value)
