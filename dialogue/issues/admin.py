"""The lists an administrator keeps: fields of issues, public holidays, agencies' addresses."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import User
from ..accounts.permissions import check_admin
from ..audit.models import AuditAction
from ..audit.operations import record
from ..core.time import format_date, utcnow
from ..core.workdays import Holiday
from ..extensions import db
from .models import Agency, IssueError, IssueField

# Holidays ------------------------------------------------------------------------------------


def holidays_of(year: int | None) -> list[Holiday]:
    """The holidays of ``year`` (every year when None), in order."""
    statement = select(Holiday).order_by(Holiday.day)
    if year:
        statement = statement.where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
    return list(db.session.scalars(statement))


def holiday_years() -> list[int]:
    return sorted({day.year for day in db.session.scalars(select(Holiday.day))})


def add_holiday(day: date, name: str, *, by: User | None) -> Holiday:
    if db.session.scalar(select(Holiday).where(Holiday.day == day)) is not None:
        raise IssueError(_l("Ngày này đã có trong danh sách nghỉ lễ."), field="day")
    holiday = Holiday(day=day, name=name.strip())
    db.session.add(holiday)
    db.session.flush()
    record(AuditAction.CREATED, by=by, object_type="holiday", object_id=holiday.id,
           label=f"{format_date(day)} {holiday.name}")
    return holiday


def remove_holiday(holiday: Holiday, *, by: User) -> None:
    record(AuditAction.DELETED, by=by, object_type="holiday", object_id=holiday.id,
           label=f"{format_date(holiday.day)} {holiday.name}")
    db.session.delete(holiday)
    db.session.flush()


# Fields --------------------------------------------------------------------------------------

def all_fields() -> list[IssueField]:
    """Every field, the retired ones too, in the administrator's order."""
    return list(db.session.scalars(select(IssueField).order_by(IssueField.position)))


def active_fields() -> list[IssueField]:
    return list(db.session.scalars(select(IssueField).where(
        IssueField.archived_at.is_(None)).order_by(IssueField.position, IssueField.name)))


def add_field(name: str, *, by: User | None) -> IssueField:
    name = name.strip()
    if db.session.scalar(select(IssueField).where(func.lower(IssueField.name) == name.lower())):
        raise IssueError(_l("Lĩnh vực này đã có."), field="name")
    position = (db.session.scalar(select(func.max(IssueField.position))) or 0) + 1
    field = IssueField(name=name, position=position)
    db.session.add(field)
    db.session.flush()
    record(AuditAction.CREATED, by=by, object_type="issue_field", object_id=field.id, label=name)
    return field


def set_field_archived(field: IssueField, archived: bool, *, by: User) -> None:
    """Retire a field (or take it back): issues keep it, new ones no longer offer it."""
    if (field.archived_at is not None) == archived:
        return  # already so (a second click): nothing changed, nothing to record
    field.archived_at = utcnow() if archived else None
    record(AuditAction.UPDATED, by=by, object_type="issue_field", object_id=field.id,
           label=field.name, changes={"archived": [not archived, archived]})


# Agencies ------------------------------------------------------------------------------------

def set_agency_email(agency: Agency, email: str, *, by: User | None) -> None:
    """Say where the agency's digest of the work given to it goes ("" stops it); only an
    administrator: agencies are shared by every unit that gives them work."""
    check_admin(by)
    email = email.strip()
    if email == agency.email:
        return  # nothing changed (a second click): nothing to record
    record(AuditAction.UPDATED, by=by, object_type="agency", object_id=agency.id,
           label=agency.name, changes={"email": [agency.email, email]})
    agency.email = email
