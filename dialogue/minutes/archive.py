"""Reading back what was filed: a session's revisions, a verification code's, a year's for
transfer to the archives."""

import csv
import io
import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, undefer

from ..core.text import spreadsheet_safe
from ..core.time import format_date
from ..extensions import db
from ..sessions.models import DialogueSession
from ..units.models import Unit
from ..units.operations import within
from .models import Minutes, MinutesRevision

log = logging.getLogger(__name__)


def filed_revision(session: DialogueSession,
                   number: int | None = None) -> MinutesRevision | None:
    """A filed revision of the session's minutes with its bytes, in one query (the latest
    when ``number`` is None)."""
    statement = (select(MinutesRevision).join(MinutesRevision.minutes)
                 .where(Minutes.session_id == session.id)
                 .options(undefer(MinutesRevision.pdf)))
    if number is None:
        statement = statement.order_by(MinutesRevision.number.desc()).limit(1)
    else:
        statement = statement.where(MinutesRevision.number == number)
    return db.session.scalar(statement)


def find_revision(code: str) -> MinutesRevision | None:
    """The revision a verification code names: the hash of its text (the QR code) or of
    its PDF file (what anyone can compute from a forwarded copy)."""
    code = code.strip().lower()
    if len(code) != 64 or any(c not in "0123456789abcdef" for c in code):
        return None
    return db.session.scalar(select(MinutesRevision).where(or_(
        MinutesRevision.content_sha256 == code, MinutesRevision.pdf_sha256 == code)))


# Archive transfer ----------------------------------------------------------------------------

INDEX_COLUMNS = ("Số văn bản", "Ngày", "Đơn vị", "Tên hội nghị", "Lần", "SHA-256",
                 "Số trang", "Tệp")


@dataclass
class ExportResult:
    files: int = 0
    written: int = 0


def revisions_of_year(year: int, unit: Unit | None = None):
    statement = (select(MinutesRevision).join(MinutesRevision.minutes).join(Minutes.unit)
                 .where(MinutesRevision.document_date.between(date(year, 1, 1),
                                                             date(year, 12, 31))))
    if unit is not None:
        statement = statement.where(within(unit, Minutes.unit_id))
    return statement.order_by(MinutesRevision.document_date, Unit.code, Minutes.number,
                              MinutesRevision.number)


def _unit_key(unit: Unit) -> str:
    return f"{unit.era.value}-{unit.level.value}-{unit.code:05d}"


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


def export_year(year: int, out: Path, *, unit: Unit | None = None,
                progress=lambda items: items) -> ExportResult:
    """Write every final PDF of ``year`` into ``out`` with ``index.csv``; running it again
    writes the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INDEX_COLUMNS)
    ids = list(db.session.scalars(revisions_of_year(year, unit).with_only_columns(
        MinutesRevision.id)))
    for revision_id in progress(ids):
        # One at a time: a year of PDFs need not fit in memory.
        revision = db.session.scalar(select(MinutesRevision).where(
            MinutesRevision.id == revision_id).options(
                undefer(MinutesRevision.pdf),
                joinedload(MinutesRevision.minutes).joinedload(Minutes.unit)))
        issuer = revision.minutes.unit
        # Codes were reused at the 2025 reform and number each level apart: the era and
        # level keep two units' files apart, the year two exports in one folder.
        name = f"{revision.document_date.year}_{_unit_key(issuer)}_{revision.file_stem}.pdf"
        result.files += 1
        result.written += _write_if_changed(out / name, revision.pdf)
        writer.writerow([spreadsheet_safe(value) for value in (
            revision.document_number, format_date(revision.document_date), revision.unit_name,
            revision.session_title, revision.number, revision.pdf_sha256, revision.pages,
            name)])
        # Drop the bytes just written (a year of PDFs need not stay in memory), without
        # detaching a revision the caller may hold.
        db.session.expire(revision)
    # With a byte order mark, spreadsheet programs read the Vietnamese correctly.
    _write_if_changed(out / "index.csv", ("\ufeff" + buffer.getvalue()).encode())
    log.info("exported the minutes of %d%s to %s (pdfs=%d, written=%d)", year,
             f" of unit {_unit_key(unit)}" if unit else "",
             out, result.files, result.written)
    return result
