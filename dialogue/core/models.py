"""Column types and mixins shared by every module's models."""

import enum
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, event, types
from sqlalchemy.orm import Mapped, mapped_column

from .time import utcnow


class UTCDateTime(types.TypeDecorator):
    """An aware UTC datetime; SQLite keeps no zone, so one is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def new_uid() -> str:
    return str(uuid.uuid4())


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def enum_column(enum_class: type) -> types.Enum:
    """Store an enum by its value as a short string: portable, readable in SQL."""
    return types.Enum(
        enum_class,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


_LABELS: dict[type, dict] = {}


class LabelledEnum(enum.StrEnum):
    """An enum whose members carry a (lazily translated) label for the interface."""

    @property
    def label(self) -> str:
        return str(_LABELS[type(self)][self])

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        # Labels stay lazy so a form built at import time renders in the request's language.
        return [(m.value, _LABELS[cls][m]) for m in cls]


def set_labels(enum_class: type[LabelledEnum], labels: dict) -> None:
    missing = set(enum_class) - set(labels)
    if missing:
        raise ValueError(f"no label for {missing}")
    _LABELS[enum_class] = labels


def render_migration_item(type_, obj, autogen_context):
    """Let autogenerate write UTCDateTime as the plain type it stores, so migrations
    never import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def append_only(model: type, error: type[Exception]) -> None:
    """Refuse, with ``error``, any update or delete of ``model``'s rows through the ORM:
    what was recorded (an audit entry, filed minutes) is never changed afterwards."""

    def refuse(mapper, connection, target):
        raise error(f"{model.__tablename__} row {target.id} cannot be changed or deleted")

    event.listen(model, "before_update", refuse)
    event.listen(model, "before_delete", refuse)
