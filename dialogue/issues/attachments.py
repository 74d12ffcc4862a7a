"""The documents a progress update carries: what they may be, and where they are kept."""

import errno
import io
import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from uuid import uuid4

import puremagic
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..core.storage import FileStore, instance_store, save_with_transaction
from .models import IssueError, ProgressUpdate

log = logging.getLogger(__name__)

#: What a progress update may carry, by the content's own type (never the file name).
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "application/msword": ".doc",
    "application/vnd.ms-excel": ".xls",
}


@dataclass
class Upload:
    filename: str
    content: bytes


def detect_type(content: bytes) -> str | None:
    """The allowed MIME type the content really is, or None."""
    if content.startswith(b"PK\x03\x04"):
        return _office_zip_type(content)
    try:
        matches = puremagic.magic_string(content)
    except (puremagic.PureError, ValueError):
        return None
    for match in matches:
        if match.mime_type in ALLOWED_TYPES:
            return match.mime_type
    return None


#: The part that makes a zip an Office Open XML document of each type.
_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml":
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _office_zip_type(content: bytes) -> str | None:
    """A zip is an office document only if it holds one's parts (any zip, an executable
    inside, starts with the same bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:  # OpenDocument
                mime = archive.read("mimetype").decode("ascii", "replace").strip()
                return mime if mime in ALLOWED_TYPES else None
            if "[Content_Types].xml" in names:
                return next((mime for part, mime in _OOXML_PARTS.items() if part in names),
                            None)
    except (zipfile.BadZipFile, OSError):
        return None
    return None


def checked_type(upload: Upload) -> str:
    """The upload's MIME type, once its size and content are acceptable."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if len(upload.content) > limit:
        raise IssueError(_l("Tệp quá lớn: tối đa %(mb)s MB.", mb=f"{limit / 2**20:g}"),
                         field="attachment")
    mime = detect_type(upload.content)
    if mime is None:
        raise IssueError(_l("Chỉ nhận tệp PDF, ảnh hoặc văn bản văn phòng (Word, Excel, "
                            "OpenDocument). Nội dung tệp này không phải các loại đó."),
                         field="attachment")
    return mime


def attachment_store() -> FileStore:
    return instance_store("attachments")


def attach(update: ProgressUpdate, upload: Upload) -> None:
    """Check an upload and keep it as the update's document, under a random name; the file
    stays only if the update is committed."""
    mime = checked_type(upload)
    stored = f"{uuid4().hex}{ALLOWED_TYPES[mime]}"
    try:
        save_with_transaction(attachment_store(), stored, upload.content)
    except OSError as error:
        # The server's fault, not the user's: the operator finds the cause in the log; the
        # user is told nothing was saved (the operation fails whole, the form keeps the text).
        log.error("could not store the attachment %s: %s", stored, error)
        if error.errno in (errno.ENOSPC, errno.EDQUOT):
            raise IssueError(_l("Máy chủ đã hết chỗ lưu tệp nên chưa lưu được tệp này; cập "
                                "nhật tiến độ chưa được lưu. Hãy báo quản trị hệ thống rồi "
                                "gửi lại."), field="attachment") from error
        raise IssueError(_l("Máy chủ không ghi được tệp đính kèm vào thư mục lưu tệp; cập "
                            "nhật tiến độ chưa được lưu. Hãy báo quản trị hệ thống rồi gửi "
                            "lại."), field="attachment") from error
    update.attachment_path = stored
    update.attachment_name = Path(upload.filename or stored).name[:255]
    update.attachment_type = mime
    update.attachment_size = len(upload.content)


def open_attachment(update: ProgressUpdate) -> BinaryIO:
    """The update's document for reading; FileNotFoundError when it has none."""
    return attachment_store().open(update.attachment_path)
