"""A report as tables, and those tables as the files sent upward: XLSX, CSV and PDF.

The files are always in Vietnamese (official reports), whatever the reader's interface
language; the dashboard shows the same tables in the reader's language.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from ..core.document import date_line, lay_out, render_lock
from ..core.text import spreadsheet_safe
from ..core.time import format_date, format_datetime, utcnow
from ..extensions import db
from ..issues.models import IssueField, IssueKind, IssueOutcome
from ..sessions.models import SessionFormat, SessionKind, SessionStatus
from ..units.models import Unit
from .operations import CommitmentFigures, Drill, Report, UnitRow

#: The report's title as the files print it (always Vietnamese, as official reports are).
REPORT_TITLE = "Báo cáo kết quả tổ chức hội nghị đối thoại"
NO_FIELD = _l("Chưa xác định lĩnh vực")
#: What the commitments of a column, a chart segment or a list are.
BUCKET_LABELS = {
    "resolved": _l("Đã giải quyết"), "resolved_on_time": _l("Giải quyết đúng hạn"),
    "resolved_late": _l("Giải quyết quá hạn"), "open": _l("Đang giải quyết"),
    "overdue": _l("Quá hạn"), "on_track": _l("Đang giải quyết, trong hạn"),
    "closed_otherwise": _l("Đã chuyển, không thuộc thẩm quyền, không chấp nhận"),
}
INFORM_LABELS = {
    "on_time": _l("Trả lời công dân đúng hạn"), "late": _l("Trả lời công dân quá hạn"),
    "pending": _l("Chưa trả lời công dân, còn trong hạn"),
    "overdue": _l("Chưa trả lời công dân, quá hạn"),
}


@dataclass(frozen=True)
class Cell:
    """A value as printed; ``drill`` names the rows behind a count, ``session_id`` the
    session a line is about."""

    value: int | float | str | date | None
    drill: Drill | None = None
    session_id: int | None = None


@dataclass(frozen=True)
class Table:
    key: str
    #: The worksheet's name (at most 31 characters, as Excel allows).
    sheet: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    #: The last row adds up the others.
    has_total: bool = False
    #: Shown under the title: what the table counts, when not obvious.
    note: str = ""


def _session_tables(report: Report) -> list[Table]:
    held = Drill("sessions", status=SessionStatus.HELD)
    levels = [*report.levels, None]

    def level_label(level) -> str:
        return level.label if level else str(_l("Tổng cộng"))

    by_level = []
    for level in levels:
        drill = held.but(level=level)
        people = sum(report.people.values()) if level is None else report.people[level]
        by_level.append([
            Cell(level_label(level)),
            Cell(report.held(level), drill),
            *[Cell(report.held(level, kind=kind), drill.but(kind=kind)) for kind in SessionKind],
            *[Cell(report.held(level, format=fmt), drill.but(format=fmt))
              for fmt in SessionFormat],
            Cell(people),
        ])
    statuses = [SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.POSTPONED,
                SessionStatus.CANCELLED, SessionStatus.DRAFT]
    by_status = []
    for level in levels:
        counts = {status: report.count_sessions(level=level, status=status)
                  for status in statuses}
        by_status.append([
            Cell(level_label(level)),
            *[Cell(counts[status], Drill("sessions", level=level, status=status))
              for status in statuses],
            Cell(sum(counts.values()), Drill("sessions", level=level)),
        ])
    return [
        Table("sessions", str(_l("Hội nghị")), str(_l("Hội nghị đối thoại đã tổ chức")),
              [str(_l("Cấp")), str(_l("Tổng số")), *[k.label for k in SessionKind],
               *[f.label for f in SessionFormat], str(_l("Số người tham dự"))],
              by_level, has_total=True,
              note=str(_l("Số người tham dự theo biên bản các hội nghị."))),
        Table("statuses", str(_l("Tình trạng")), str(_l("Tình trạng các hội nghị trong kỳ")),
              [str(_l("Cấp")), *[s.label for s in statuses], str(_l("Tổng số"))],
              by_status, has_total=True),
    ]


def _issue_tables(report: Report) -> list[Table]:
    def counts(drill: Drill) -> list[Cell]:
        """The issues the drill names, then those answered and those followed up."""
        def count(outcome=None) -> int:
            return report.count_issues(kind=drill.issue_kind, field=drill.field,
                                       outcome=outcome)

        return [Cell(count(), drill), *[Cell(count(outcome), drill.but(outcome=outcome))
                                        for outcome in IssueOutcome]]

    issues = Drill("issues")
    total = [Cell(str(_l("Tổng cộng"))), *counts(issues)]
    by_kind = [[Cell(kind.label), *counts(issues.but(issue_kind=kind))] for kind in IssueKind]
    named = sorted(report.field_names.items(), key=lambda item: item[1])
    by_field = [[Cell(name), *counts(issues.but(field=field_id))] for field_id, name in named]
    if report.count_issues(field=0):
        by_field.append([Cell(str(NO_FIELD)), *counts(issues.but(field=0))])
    columns = [str(_l("Tổng số")), *[outcome.label for outcome in IssueOutcome]]
    return [
        Table("issue_kinds", str(_l("Ý kiến theo loại")),
              str(_l("Ý kiến, kiến nghị của Nhân dân theo loại")),
              [str(_l("Loại")), *columns], [*by_kind, total], has_total=True),
        Table("issue_fields", str(_l("Ý kiến theo lĩnh vực")),
              str(_l("Ý kiến, kiến nghị của Nhân dân theo lĩnh vực")),
              [str(_l("Lĩnh vực")), *columns], [*by_field, total], has_total=True),
    ]


def _commitment_tables(report: Report) -> list[Table]:
    follow_up, inform = [], []
    for level in [*report.levels, None]:
        figures = (report.total_commitments() if level is None
                   else report.commitments.get(level, CommitmentFigures()))
        label = Cell(level.label if level else str(_l("Tổng cộng")))
        drill = Drill("commitments", level=level)
        follow_up.append([
            label,
            Cell(figures.assigned, drill),
            Cell(figures.resolved_on_time, drill.but(bucket="resolved_on_time")),
            Cell(figures.resolved_late, drill.but(bucket="resolved_late")),
            Cell(figures.open, drill.but(bucket="open")),
            Cell(figures.overdue, drill.but(bucket="overdue")),
            Cell(figures.closed_otherwise, drill.but(bucket="closed_otherwise")),
            Cell(figures.average_days_to_resolve),
        ])
        inform.append([
            label,
            Cell(figures.informed_on_time, drill.but(inform="on_time")),
            Cell(figures.informed_late, drill.but(inform="late")),
            Cell(figures.inform_pending, drill.but(inform="pending")),
            Cell(figures.inform_overdue, drill.but(inform="overdue")),
        ])
    return [
        Table("commitments", str(_l("Giao xử lý")),
              str(_l("Kết quả thực hiện các nội dung giao xử lý")),
              [str(_l("Cấp")), str(_l("Đã giao")),
               *[str(BUCKET_LABELS[bucket]) for bucket in ("resolved_on_time", "resolved_late",
                                                           "open")],
               str(_l("Trong đó quá hạn")), str(BUCKET_LABELS["closed_otherwise"]),
               str(_l("Số ngày giải quyết bình quân"))],
              follow_up, has_total=True,
              note=str(_l("Tình trạng đến ngày %(day)s; số ngày tính từ ngày hội nghị.",
                          day=format_date(report.scope.today)))),
        Table("inform", str(_l("Trả lời công dân")),
              str(_l("Trả lời bằng văn bản cho công dân trong 10 ngày làm việc")),
              [str(_l("Cấp")), str(_l("Đúng hạn")), str(_l("Quá hạn")),
               str(_l("Chưa trả lời, còn trong hạn")), str(_l("Chưa trả lời, quá hạn"))],
              inform, has_total=True,
              note=str(_l("Theo Quy định 11-QĐi/TW; mỗi nội dung giao xử lý một dòng."))),
    ]


def _unit_table(report: Report) -> Table:
    def line(row: UnitRow) -> list[Cell]:
        figures = row.commitments
        commitments = Drill("commitments", row=row.unit.id)
        return [
            Cell(row.unit.display_name), Cell(row.unit.level.label),
            Cell(row.held, Drill("sessions", status=SessionStatus.HELD, row=row.unit.id)),
            Cell(row.issues, Drill("issues", row=row.unit.id)),
            Cell(figures.assigned, commitments),
            Cell(figures.resolved, commitments.but(bucket="resolved")),
            Cell(figures.open, commitments.but(bucket="open")),
            Cell(figures.overdue, commitments.but(bucket="overdue")),
        ]

    note = (_l("Số liệu của đơn vị cũ được tính vào đơn vị kế thừa từ 01/07/2025.")
            if report.scope.rolls_up else
            _l("Số liệu của đơn vị cũ (trước 01/07/2025) giữ nguyên theo đơn vị cũ."))
    return Table("units", str(_l("Theo đơn vị")), str(_l("Số liệu theo đơn vị")),
                 [str(_l("Đơn vị")), str(_l("Cấp")), str(_l("Hội nghị đã tổ chức")),
                  str(_l("Ý kiến, kiến nghị")), str(_l("Nội dung giao xử lý")),
                  str(_l("Đã giải quyết")), str(_l("Đang giải quyết")), str(_l("Quá hạn"))],
                 [line(row) for row in report.units], note=str(note))


def _duty_tables(report: Report) -> list[Table]:
    communes = [[Cell(duty.commune.display_name),
                 Cell(duty.commune.parent.display_name if duty.commune.parent else ""),
                 Cell(duty.planned_on)] for duty in report.communes_without_conference]

    def session_line(duty) -> list[Cell]:
        return [Cell(duty.title, session_id=duty.session_id), Cell(duty.unit_name),
                Cell(duty.held_on), Cell(duty.on), Cell(duty.days)]

    return [
        Table("communes", str(_l("Xã chưa tổ chức")),
              str(_l("Xã, phường chưa tổ chức hội nghị đối thoại định kỳ năm %(year)d",
                     year=report.duty_year)),
              [str(_l("Xã, phường, đặc khu")), str(_l("Trực thuộc")),
               str(_l("Đã lên lịch ngày"))], communes,
              note=str(_l("Luật Thực hiện dân chủ ở cơ sở, Điều 32: ít nhất mỗi năm một lần; "
                          "hội nghị của xã cũ trước sắp xếp được tính cho xã mới."))),
        Table("short_notice", str(_l("Thông báo muộn")),
              str(_l("Hội nghị thông báo chưa đủ 7 ngày trước khi tổ chức")),
              [str(_l("Hội nghị")), str(_l("Đơn vị")), str(_l("Ngày tổ chức")),
               str(_l("Ngày thông báo")), str(_l("Số ngày"))],
              [session_line(duty) for duty in report.short_notice],
              note=str(_l("Luật Tổ chức chính quyền địa phương 2025, Điều 43."))),
        Table("late_minutes", str(_l("Công bố muộn")),
              str(_l("Hội nghị chưa công bố kết quả (hoàn thiện biên bản) trong 10 ngày")),
              [str(_l("Hội nghị")), str(_l("Đơn vị")), str(_l("Ngày tổ chức")),
               str(_l("Ngày hoàn thiện biên bản")), str(_l("Số ngày"))],
              [session_line(duty) for duty in report.late_minutes],
              note=str(_l("Luật Tổ chức chính quyền địa phương 2025, Điều 43; số ngày tính "
                          "đến ngày hoàn thiện biên bản hoặc đến hôm nay."))),
    ]


def report_tables(report: Report) -> list[Table]:
    """The report as the tables every format shows, in the order they are printed."""
    return [*_session_tables(report), *_issue_tables(report), *_commitment_tables(report),
            _unit_table(report), *_duty_tables(report)]


def report_heading(report: Report) -> list[tuple[str, str]]:
    scope = report.scope
    return [
        (str(_l("Đơn vị")), scope.unit_name),
        (str(_l("Kỳ báo cáo")), scope.period.label),
        (str(_l("Số liệu đơn vị cũ")), str(_l("Tính vào đơn vị kế thừa") if scope.rolls_up
                                            else _l("Giữ theo đơn vị cũ"))),
        (str(_l("Lập lúc")), format_datetime(utcnow())),
    ]


def file_name(report: Report, extension: str) -> str:
    """bao-cao-doi-thoai_52_2025.xlsx: the unit's code and the period."""
    unit = report.scope.unit
    where = f"{unit.era.value}-{unit.code_text}" if unit else "toan-quoc"
    return f"bao-cao-doi-thoai_{where}_{report.scope.period.code}.{extension}"


# The files -----------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_value(cell, value) -> None:
    """Put ``value`` in a worksheet cell: numbers and dates as such, text always as text."""
    cell.value = value
    if isinstance(value, str):
        # openpyxl would take a leading "=" for a formula; text stays text, and one that
        # starts like a formula is marked so Excel never evaluates it when edited.
        cell.data_type = "s"
        cell.quotePrefix = spreadsheet_safe(value) != value
    elif isinstance(value, date):
        cell.number_format = "DD/MM/YYYY"


def to_xlsx(report: Report) -> bytes:
    """One sheet per table, headers in Vietnamese, real numbers and dates."""
    with force_locale("vi"):
        tables = report_tables(report)
        workbook = Workbook()
        info = workbook.active
        info.title = "Thông tin"
        info.append([REPORT_TITLE])
        info["A1"].font = _BOLD
        for label, value in report_heading(report):
            info.append([label])
            _sheet_value(info.cell(info.max_row, 2), value)
        info.column_dimensions["A"].width = 22
        info.column_dimensions["B"].width = 60
        for table in tables:
            sheet = workbook.create_sheet(table.sheet)
            for column, title in enumerate(table.columns, start=1):
                cell = sheet.cell(1, column)
                _sheet_value(cell, title)
                cell.font, cell.alignment = _BOLD, _WRAP
                sheet.column_dimensions[get_column_letter(column)].width = (
                    45 if column == 1 else 16)
            for row_number, row in enumerate(table.rows, start=2):
                for column, item in enumerate(row, start=1):
                    _sheet_value(sheet.cell(row_number, column), item.value)
                if table.has_total and row_number == len(table.rows) + 1:
                    for item in sheet[row_number]:
                        item.font = _BOLD
            sheet.freeze_panes = "B2"
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value)
    return spreadsheet_safe(value)


def to_csv(report: Report) -> bytes:
    """Every table one after another, each under its title; UTF-8 with a byte order mark
    so Excel reads the Vietnamese letters."""
    with force_locale("vi"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([REPORT_TITLE])
        for label, value in report_heading(report):
            writer.writerow([_csv_value(label), _csv_value(value)])
        for table in report_tables(report):
            writer.writerow([])
            writer.writerow([_csv_value(table.title)])
            writer.writerow([_csv_value(column) for column in table.columns])
            for row in table.rows:
                writer.writerow([_csv_value(item.value) for item in row])
    return ("\ufeff" + buffer.getvalue()).encode()


def to_html(report: Report) -> str:
    unit = report.scope.unit
    place = unit.short_name if unit else "Hà Nội"
    with force_locale("vi"):
        return render_template("reports/document.html", report=report,
                               tables=report_tables(report), heading=report_heading(report),
                               title=REPORT_TITLE,
                               place_date=date_line(place, report.scope.today))


def to_pdf(report: Report) -> bytes:
    """The printable report, in the minutes' document style, fonts embedded."""
    html = to_html(report)
    with render_lock:
        return lay_out(html).write_pdf(pdf_variant="pdf/a-3b")


def drill_labels(drill: Drill) -> list[str]:
    """What the rows behind a figure are, as the list's heading says it."""
    subjects = {
        "sessions": _l("Hội nghị"), "issues": _l("Ý kiến, kiến nghị"),
        "commitments": _l("Nội dung giao xử lý"),
        "communes": _l("Xã, phường chưa tổ chức hội nghị đối thoại định kỳ"),
        "short_notice": _l("Hội nghị thông báo chưa đủ 7 ngày"),
        "late_minutes": _l("Hội nghị chưa công bố kết quả trong 10 ngày"),
    }
    labels = [str(subjects[drill.show])]
    for value in (drill.level, drill.status, drill.kind, drill.format, drill.issue_kind,
                  drill.outcome):
        if value is not None:
            labels.append(value.label)
    if drill.field is not None:
        field = db.session.get(IssueField, drill.field) if drill.field else None
        labels.append(field.name if field else str(NO_FIELD))
    if drill.bucket is not None:
        labels.append(str(BUCKET_LABELS[drill.bucket]))
    if drill.inform is not None:
        labels.append(str(INFORM_LABELS[drill.inform]))
    if drill.row is not None:
        unit = db.session.get(Unit, drill.row)
        labels.append(unit.display_name if unit else "?")
    return labels
