"""A report as the files sent upward: XLSX, CSV and PDF.

The files are always in Vietnamese (official reports), whatever the reader's interface
language; the dashboard shows the same tables in the reader's language.
"""

import csv
import io
import logging
import time
from collections.abc import Callable
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
from .operations import Report
from .tables import report_tables

log = logging.getLogger(__name__)

#: The report's title as the files print it (always Vietnamese, as official reports are).
REPORT_TITLE = "Báo cáo kết quả tổ chức hội nghị đối thoại"


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


@dataclass(frozen=True)
class FileFormat:
    write: Callable[[Report], bytes]
    mimetype: str
    #: What the interface calls it ("Báo cáo Excel (XLSX)…").
    name: str


FORMATS = {
    "xlsx": FileFormat(to_xlsx,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       "Excel (XLSX)"),
    "csv": FileFormat(to_csv, "text/csv; charset=utf-8", "CSV"),
    "pdf": FileFormat(to_pdf, "application/pdf", "PDF"),
}


def report_file(report: Report, fmt: str) -> bytes:
    """The report as a file in one of :data:`FORMATS`."""
    started = time.perf_counter()
    content = FORMATS[fmt].write(report)
    # Which reports are made, and how long a PDF's layout takes, for whoever runs the app.
    log.info("report %s made: %d bytes in %.1f s", file_name(report, fmt), len(content),
             time.perf_counter() - started)
    return content
