"""Recording and reading the audit trail.

Each module says how its records read in the trail beside its model (see
:mod:`.tracking`); the trail itself knows nothing of sessions or officials.
"""

from dataclasses import dataclass
from datetime import date

from flask import has_request_context, request
from sqlalchemy import Select, select

from ..core.text import escape_like
from ..core.time import local_day_bounds, utcnow
from ..extensions import db
from .models import AuditAction, AuditEntry


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
