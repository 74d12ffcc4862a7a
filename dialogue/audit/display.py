"""How the trail reads to a person: field labels, values, and a record's own summary."""

from datetime import datetime

from ..core.time import format_date, format_datetime
from .models import AuditEntry
from .tracking import tracked_type


def field_label(object_type: str, field: str) -> str:
    tracked = tracked_type(object_type)
    if tracked is None:
        return field
    spec = tracked.fields.get(field)
    return str(spec.label if spec else tracked.notes.get(field, field))


def display_value(object_type: str, field: str, value) -> str:
    """A recorded value as a person reads it: local times, labels, lists one per line."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list):
        return "; ".join(display_value(object_type, field, v) for v in value) or "—"
    tracked = tracked_type(object_type)
    spec = tracked.fields.get(field) if tracked else None
    if spec is not None and spec.enum is not None:
        try:
            return spec.enum(value).label
        except ValueError:
            return str(value)
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_datetime(parsed) if parsed.tzinfo else format_date(parsed)
    return str(value)


def entry_summary(entry: AuditEntry) -> str:
    """The sentence a record's module gives an entry (a session's move), or ""."""
    tracked = tracked_type(entry.object_type)
    return tracked.summary(entry) if tracked and tracked.summary else ""


def init_display(app) -> None:
    app.jinja_env.globals.update(audit_field=field_label, audit_value=display_value,
                                 audit_summary=entry_summary)
