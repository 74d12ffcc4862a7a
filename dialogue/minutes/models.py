"""The minutes of a session and their final, never-changing revisions."""

import re
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.tracking import Tracked, track
from ..core.models import (
    LabelledEnum,
    TimestampMixin,
    UTCDateTime,
    append_only,
    enum_column,
    set_labels,
)
from ..core.text import fold
from ..extensions import db
from ..sessions.models import DialogueSession
from ..units.models import Unit


class MinutesTemplate(LabelledEnum):
    """Whose document it is: a state body (Quốc hiệu, Tiêu ngữ) or a Party committee."""

    STATE = "state"
    PARTY = "party"


class MinutesStatus(LabelledEnum):
    DRAFT = "draft"
    FINAL = "final"


set_labels(MinutesTemplate, {
    MinutesTemplate.STATE: _l("Cơ quan nhà nước (Quốc hiệu, Tiêu ngữ)"),
    MinutesTemplate.PARTY: _l("Cấp ủy Đảng (Đảng Cộng sản Việt Nam)"),
})
set_labels(MinutesStatus, {
    MinutesStatus.DRAFT: _l("Dự thảo"),
    MinutesStatus.FINAL: _l("Đã hoàn thiện"),
})


def document_number(template: MinutesTemplate, number: int | None, symbol: str) -> str:
    """"12/BB-UBND" for a state body, "12-BB/ĐU" for a Party committee; numbers below
    10 take a leading zero (Nghị định 30/2020)."""
    if number is None:
        return ""
    separator = "-" if template is MinutesTemplate.PARTY else "/"
    return f"{number:02d}{separator}{symbol}"


class Minutes(TimestampMixin, db.Model):
    """The biên bản of one session: edited as a draft, then finalized into revisions."""

    __tablename__ = "minutes"
    __table_args__ = (
        # Numbered per issuing body (the unit's People's Committee or Party committee) and year.
        UniqueConstraint("unit_id", "template", "year", "number"),
        CheckConstraint("number IS NULL OR number > 0", name="number_positive"),
        CheckConstraint("copies > 0", name="copies_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dialogue_sessions.id"), unique=True)
    #: The issuing unit, copied from the session when the minutes are started.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    template: Mapped[MinutesTemplate] = mapped_column(enum_column(MinutesTemplate))
    status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus), default=MinutesStatus.DRAFT)
    #: "Tên cơ quan chủ quản" (may be empty) and "tên cơ quan ban hành", as printed.
    parent_body: Mapped[str] = mapped_column(String(200), default="")
    issuing_body: Mapped[str] = mapped_column(String(200))
    #: The document number, given when first finalized unless the clerk entered one.
    number: Mapped[int | None]
    year: Mapped[int]
    #: "BB-UBND" (state) or "BB/ĐU" (Party): the part after the number.
    symbol: Mapped[str] = mapped_column(String(40))
    #: The place in the date line ("Ia Grai, ngày 05 tháng 3 năm 2026").
    place_name: Mapped[str] = mapped_column(String(100))
    #: Officials attending, one per line as printed.
    attendees: Mapped[str] = mapped_column(Text, default="")
    conclusions: Mapped[str] = mapped_column(Text, default="")
    #: Refusals to sign and their reasons, as the Law on Complaints requires them written.
    signing_note: Mapped[str] = mapped_column(Text, default="")
    copies: Mapped[int] = mapped_column(default=2)
    #: "Nơi nhận", one per line; "- Lưu: VT, Hồ sơ." always ends the printed list.
    recipients: Mapped[str] = mapped_column(Text, default="")
    #: While a correction is drafted: why the final text is being corrected.
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(nullable=False)
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    session: Mapped[DialogueSession] = relationship()
    unit: Mapped[Unit] = relationship()
    attendance: Mapped[list["AttendanceGroup"]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan",
        order_by="AttendanceGroup.position")
    revisions: Mapped[list["MinutesRevision"]] = relationship(
        back_populates="minutes", order_by="MinutesRevision.number")

    @property
    def document_number(self) -> str:
        return document_number(self.template, self.number, self.symbol)

    @property
    def is_final(self) -> bool:
        return self.status is MinutesStatus.FINAL

    @property
    def revision(self) -> int:
        """How many revisions have been finalized (0 before the first): read from the filed
        rows, so it can never disagree with them."""
        return self.revisions[-1].number if self.revisions else 0

    @property
    def is_correction(self) -> bool:
        """The draft of a correction: it reissues the filed document, so the number and
        template stay as filed."""
        return not self.is_final and self.revision > 0


class AttendanceGroup(db.Model):
    """How many attended from one group (leaders, agencies, citizens…)."""

    __tablename__ = "minutes_attendance"
    __table_args__ = (CheckConstraint("count >= 0", name="count_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(
        ForeignKey("minutes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    count: Mapped[int]

    minutes: Mapped[Minutes] = relationship(back_populates="attendance")


class MinutesRevision(db.Model):
    """One finalized text of the minutes and the exact PDF bytes made from it.

    Rows are only ever inserted (see the guard below): what was filed never changes.
    """

    __tablename__ = "minutes_revisions"
    __table_args__ = (
        UniqueConstraint("minutes_id", "number"),
        CheckConstraint("number > 0", name="number_positive"),
        CheckConstraint("pages > 0", name="pages_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    #: 1 for the first final text, 2 for its first correction…
    number: Mapped[int]
    #: Why this revision corrects the previous one (empty for the first).
    reason: Mapped[str] = mapped_column(Text, default="")
    document_number: Mapped[str] = mapped_column(String(60))
    document_date: Mapped[date] = mapped_column(index=True)
    unit_name: Mapped[str] = mapped_column(String(120))
    session_title: Mapped[str] = mapped_column(String(300))
    #: The frozen text as rendered: the minutes and the session's issues and commitments.
    #: Deferred like the PDF: lists of revisions (the minutes page, their count) never read it.
    content: Mapped[dict] = mapped_column(JSON, deferred=True)
    #: SHA-256 of the frozen text: what the printed QR code points to (a PDF cannot carry
    #: the hash of its own bytes).
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pdf_size: Mapped[int]
    pages: Mapped[int]
    finalized_by: Mapped[str] = mapped_column(String(200))
    finalized_at: Mapped[datetime] = mapped_column(UTCDateTime)

    minutes: Mapped[Minutes] = relationship(back_populates="revisions")

    @property
    def file_stem(self) -> str:
        """The file name an archivist sees: the document number, then the correction."""
        stem = re.sub(r"[^A-Z0-9]+", "-", fold(self.document_number).upper()).strip("-")
        return stem if self.number == 1 else f"{stem}_DC{self.number - 1}"


class FinalMinutesCannotChange(Exception):
    pass


append_only(MinutesRevision, FinalMinutesCannotChange)


# How the minutes read in the audit trail ---------------------------------------------------

def minutes_label(minutes: Minutes) -> str:
    return _("Biên bản: %(title)s", title=minutes.session.title)


track(Minutes, "minutes", fields={
    "template": Tracked(_l("Mẫu"), enum=MinutesTemplate),
    "parent_body": Tracked(_l("Cơ quan chủ quản")),
    "issuing_body": Tracked(_l("Cơ quan ban hành")),
    "number": Tracked(_l("Số")),
    "symbol": Tracked(_l("Ký hiệu")),
    "place_name": Tracked(_l("Địa danh")),
    "attendance": Tracked(_l("Thành phần tham dự"), get=lambda minutes: "; ".join(
        f"{group.label}: {group.count}" for group in minutes.attendance)),
    "attendees": Tracked(_l("Đại biểu")),
    "conclusions": Tracked(_l("Kết luận")),
    "signing_note": Tracked(_l("Ghi chú về việc ký")),
    "copies": Tracked(_l("Số bản")),
    "recipients": Tracked(_l("Nơi nhận")),
    "status": Tracked(_l("Trạng thái"), enum=MinutesStatus),
    "revision": Tracked(_l("Lần hoàn thiện"), get=Minutes.revision.fget, depends=("revisions",)),
}, label=minutes_label, unit_id=lambda minutes: minutes.unit_id)
