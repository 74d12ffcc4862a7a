"""Keeping the list of officials who chair and record sessions."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.errors import check_version
from ..core.text import like_pattern
from ..core.time import utcnow
from ..extensions import db
from ..units.models import Unit
from ..units.operations import level_order, within
from .models import Official


def add_official(full_name: str, position: str, unit: Unit) -> Official:
    official = Official(full_name=full_name.strip(), position=position.strip(), unit=unit)
    official.refresh_search_text()
    db.session.add(official)
    db.session.flush()
    return official


def update_official(official: Official, *, full_name: str, position: str, unit: Unit,
                    expected_version: int | None) -> None:
    check_version(official, expected_version)
    official.full_name, official.position, official.unit = full_name.strip(), position.strip(), unit
    official.refresh_search_text()
    db.session.flush()


def archive_official(official: Official) -> None:
    """Take an official off the pickers; sessions they chaired still show them."""
    if official.archived_at is None:
        official.archived_at = utcnow()
        db.session.flush()


def restore_official(official: Official) -> None:
    official.archived_at = None
    db.session.flush()


def search_officials(query: str, *, unit: Unit | None = None, limit: int = 20,
                     include_archived: bool = False):
    """Officials whose name or position contains the query, ignoring diacritics."""
    statement = select(Official).join(Official.unit).options(selectinload(Official.unit))
    if not include_archived:
        statement = statement.where(Official.archived_at.is_(None))
    if unit is not None:
        statement = statement.where(within(unit, Official.unit_id))
    if query.strip():
        statement = statement.where(Official.search_text.like(like_pattern(query), escape="\\"))
    return statement.order_by(level_order(), Official.full_name).limit(limit)
