"""Local time of the secretariats (Asia/Ho_Chi_Minh) against UTC storage."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DATE_FORMAT = "%d/%m/%Y"


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def local_to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a wall-clock time in Vietnam."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    return moment.astimezone(LOCAL_TZ)


def local_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC instants enclosing the local days first..last inclusive."""
    return local_to_utc(first, time()), local_to_utc(last + timedelta(days=1), time())


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value)
    return value.strftime(DATE_FORMAT)


def format_time(value: datetime | None) -> str:
    return to_local(value).strftime("%H:%M") if value else ""


def format_datetime(value: datetime | None) -> str:
    return f"{format_time(value)} {format_date(value)}" if value else ""


def parse_date(text: str) -> date:
    """Read dd/mm/yyyy (what users type) or yyyy-mm-dd (what browsers send)."""
    text = text.strip()
    for fmt in (DATE_FORMAT, "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no zone
        except ValueError:
            continue
    raise ValueError(text)

