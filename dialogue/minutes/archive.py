"""Reading back what was filed: a session's revisions, a verification code's, a year's for
transfer to the archives (written to a folder by ``flask minutes export``, or packed into a
.zip by a job for the secretariat to download)."""

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, undefer

from ..accounts.models import User
from ..accounts.permissions import EDIT_ROLES, NotPermitted, edit_scope
from ..core.errors import UserError
from ..core.text import fold, spreadsheet_safe
from ..core.time import format_date
from ..extensions import db
from ..jobs.models import PENDING, Job
from ..jobs.operations import enqueue
from ..sessions.models import DialogueSession
from ..units.models import Unit, UnitLevel
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

INDEX_NAME = "index.csv"
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


def archive_files(year: int, unit: Unit | None = None, *,
                  progress=lambda items: items) -> Iterator[tuple[str, bytes]]:
    """Every final PDF of ``year`` (of ``unit`` and the units under it and before it) as
    (file name, bytes), one at a time, then ``index.csv`` listing them."""
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
        writer.writerow([spreadsheet_safe(value) for value in (
            revision.document_number, format_date(revision.document_date), revision.unit_name,
            revision.session_title, revision.number, revision.pdf_sha256, revision.pages,
            name)])
        yield name, revision.pdf
        # Drop the bytes just handed out (a year of PDFs need not stay in memory), without
        # detaching a revision the caller may hold.
        db.session.expire(revision)
    # With a byte order mark, spreadsheet programs read the Vietnamese correctly.
    yield INDEX_NAME, ("\ufeff" + buffer.getvalue()).encode()


def export_year(year: int, out: Path, *, unit: Unit | None = None,
                progress=lambda items: items) -> ExportResult:
    """Write every final PDF of ``year`` into ``out`` with ``index.csv``; running it again
    writes the same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult()
    for name, data in archive_files(year, unit, progress=progress):
        written = _write_if_changed(out / name, data)
        if name != INDEX_NAME:
            result.files += 1
            result.written += written
    log.info("exported the minutes of %d%s to %s (pdfs=%d, written=%d)", year,
             f" of unit {_unit_key(unit)}" if unit else "",
             out, result.files, result.written)
    return result


def archive_zip(year: int, unit: Unit | None = None, *, progress=lambda items: items) -> bytes:
    """The same files in one .zip, for download: the PDFs stored as they are (already
    compressed), the index compressed."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, content in archive_files(year, unit, progress=progress):
            archive.writestr(name, content, compress_type=(
                zipfile.ZIP_DEFLATED if name == INDEX_NAME else zipfile.ZIP_STORED))
    return data.getvalue()


# Export for download, by a job ------------------------------------------------------------

#: The job that packs a year's minutes into a .zip (:mod:`.tasks`).
ARCHIVE_EXPORT_TASK = "minutes.archive_export"
#: How many of the user's last exports the page lists.
RECENT_EXPORTS = 5


def check_export(user: User, unit: Unit | None) -> None:
    """The filed minutes of a unit go to the archives through its secretariat: who may
    edit the unit (the whole country: its administrators)."""
    if unit is None and not edit_scope(user).everything:
        raise UserError(_l("Hãy chọn đơn vị."), field="unit_id")
    if not edit_scope(user).covers(unit):
        raise NotPermitted("unit_id")


def default_export_unit(user: User) -> Unit | None:
    """The widest unit the user keeps the minutes of (None: the whole country, or none)."""
    if edit_scope(user).everything:
        return None
    levels = list(UnitLevel)  # province, district, commune: widest first
    units = [a.unit for a in user.roles if a.role in EDIT_ROLES and a.unit is not None]
    return min(units, key=lambda unit: (levels.index(unit.level), unit.name_folded),
               default=None)


def export_file_name(year: int, unit: Unit | None) -> str:
    place = re.sub(r"[^a-z0-9]+", "-", fold(unit.name)).strip("-") if unit else "toan-quoc"
    return f"bien-ban-{year}-{place}.zip"


def request_archive_export(year: int, unit: Unit | None, *, by: User) -> Job:
    """Have a job pack the year's filed minutes of ``unit`` into a .zip (or return the same
    request's job still pending: a second click follows it)."""
    check_export(by, unit)
    if db.session.scalar(revisions_of_year(year, unit).with_only_columns(
            MinutesRevision.id).limit(1)) is None:
        raise UserError(_l("Năm %(year)d chưa có biên bản nào đã hoàn thiện ở đơn vị này.",
                           year=year), field="year")
    params = {"year": year, "unit_id": unit.id if unit else None}
    pending = db.session.scalars(select(Job).where(
        Job.kind == ARCHIVE_EXPORT_TASK, Job.created_by_id == by.id, Job.state.in_(PENDING)))
    if same := next((job for job in pending if job.params == params), None):
        return same
    return enqueue(ARCHIVE_EXPORT_TASK, params, by=by, unit=unit, label=_(
        "Biên bản năm %(year)d để nộp lưu: %(unit)s", year=year,
        unit=unit.name if unit else _("toàn quốc")))


def recent_exports(user: User) -> list[Job]:
    return list(db.session.scalars(select(Job).where(
        Job.kind == ARCHIVE_EXPORT_TASK, Job.created_by_id == user.id)
        .order_by(Job.id.desc()).limit(RECENT_EXPORTS)))
