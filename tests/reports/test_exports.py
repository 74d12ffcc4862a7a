"""The files sent upward: XLSX and CSV read back as a spreadsheet would, and the PDF."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from dialogue.extensions import db
from dialogue.issues.models import IssueField
from dialogue.reports.exports import file_name, to_csv, to_pdf, to_xlsx
from dialogue.reports.operations import build_report
from tests.helpers import pdf_text
from tests.minutes.test_document import fonts_used

#: What would run as a formula (or smuggle a command) if a spreadsheet took it for one.
PAYLOADS = ['=HYPERLINK("http://127.0.0.1:9/x","Bấm vào đây")', "+cmd|' /C calc'!A0",
            "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def report(gia_lai_2025, unit):
    return build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai")))


@pytest.fixture
def poisoned(gia_lai_2025, unit):
    """The dataset with formula-like text where users type it: session titles (listed in
    the legal duties) and the names of issue fields."""
    s = gia_lai_2025.sessions
    s["S3"].title, s["S4"].title, s["S5"].title = PAYLOADS[0], PAYLOADS[3], PAYLOADS[4]
    fields = {issue.field for issue in gia_lai_2025.issues.values() if issue.field}
    for field, payload in zip(sorted(fields, key=lambda f: f.id), [PAYLOADS[1], PAYLOADS[2],
                                                                   PAYLOADS[5]], strict=False):
        field.name = payload
    db.session.commit()
    return build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai")))


def _sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_workbook_has_one_sheet_per_table_with_real_numbers_and_dates(app, report):
    with app.test_request_context():
        workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(report)))

    assert workbook.sheetnames == [
        "Thông tin", "Hội nghị", "Tình trạng", "Ý kiến theo loại", "Ý kiến theo lĩnh vực",
        "Giao xử lý", "Trả lời công dân", "Theo đơn vị", "Xã chưa tổ chức", "Thông báo muộn",
        "Công bố muộn"]
    info = _sheet_rows(workbook["Thông tin"])
    assert ["Đơn vị", "Tỉnh Gia Lai"] in info and ["Kỳ báo cáo", "Năm 2025"] in info
    sessions = _sheet_rows(workbook["Hội nghị"])
    assert sessions[0] == ["Cấp", "Tổng số", "Định kỳ", "Đột xuất", "Trực tiếp", "Trực tuyến",
                           "Trực tiếp kết hợp trực tuyến", "Số người tham dự"]
    assert sessions[1:] == [["Cấp tỉnh", 1, 1, 0, 0, 0, 1, 245],
                            ["Cấp huyện", 1, 0, 1, 1, 0, 0, 0],
                            ["Cấp xã", 3, 2, 1, 2, 1, 0, 123],
                            ["Tổng cộng", 5, 3, 2, 3, 1, 1, 368]]
    follow_up = _sheet_rows(workbook["Giao xử lý"])
    assert follow_up[-1] == ["Tổng cộng", 6, 1, 1, 3, 1, 1, 53.0]
    assert _sheet_rows(workbook["Trả lời công dân"])[-1] == ["Tổng cộng", 2, 1, 1, 2]
    late = _sheet_rows(workbook["Công bố muộn"])
    assert late[0] == ["Hội nghị", "Đơn vị", "Ngày tổ chức", "Ngày hoàn thiện biên bản",
                       "Số ngày"]
    assert [row[2:] for row in late[1:]] == [
        [datetime(2025, 4, 10), None, 267], [datetime(2025, 5, 20), datetime(2025, 6, 10), 21],
        [datetime(2025, 10, 6), datetime(2025, 10, 20), 14]]
    assert workbook["Công bố muộn"]["C2"].number_format == "DD/MM/YYYY"
    assert len(_sheet_rows(workbook["Xã chưa tổ chức"])) == 1 + 134


def test_the_csv_opens_in_excel_with_its_vietnamese_and_the_same_figures(app, report):
    with app.test_request_context():
        data = to_csv(report)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Báo cáo kết quả tổ chức hội nghị đối thoại"]
    start = rows.index(["Hội nghị đối thoại đã tổ chức"])
    assert rows[start + 1][0] == "Cấp" and rows[start + 5] == [
        "Tổng cộng", "5", "3", "2", "3", "1", "1", "368"]
    late = rows.index(["Hội nghị chưa công bố kết quả (hoàn thiện biên bản) trong 10 ngày"])
    assert [row[2:] for row in rows[late + 2:late + 5]] == [
        ["10/04/2025", "", "267"], ["20/05/2025", "10/06/2025", "21"],
        ["06/10/2025", "20/10/2025", "14"]]


def test_formula_payloads_come_out_inert_in_both_spreadsheets(app, poisoned):
    with app.test_request_context():
        workbook = openpyxl.load_workbook(io.BytesIO(to_xlsx(poisoned)))
        rows = list(csv.reader(io.StringIO(to_csv(poisoned).decode("utf-8-sig"))))

    seen = {}
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                # XML reads a carriage return back as a line feed.
                value = cell.value.replace("\n", "\r") if isinstance(cell.value, str) \
                    else cell.value
                if value in PAYLOADS:
                    # Kept as typed, stored as text (never a formula), marked so Excel does
                    # not evaluate it even when the cell is edited.
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, value)
                    seen[value] = True
    assert set(seen) == set(PAYLOADS)
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    for payload in PAYLOADS:
        assert "'" + payload in cells


def test_the_pdf_is_the_report_in_the_minutes_style_with_fonts_embedded(app, report):
    with app.test_request_context():
        pdf = to_pdf(report)

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "BÁO CÁO", "Năm 2025", "Hội nghị đối thoại đã tổ chức",
                     "Trả lời bằng văn bản cho công dân trong 10 ngày làm việc",
                     "Huyện Ia Grai (trước 01/07/2025)", "Nơi nhận:", "THỦ TRƯỞNG ĐƠN VỊ"):
        assert expected in text, expected
    assert fonts_used(pdf)


def test_files_are_named_by_unit_and_period(app, report, unit):
    with app.test_request_context():
        assert file_name(report, "xlsx") == "bao-cao-doi-thoai_2025-52_2025.xlsx"
    assert date(2025, 1, 1) == report.scope.period.first
    assert IssueField  # the field model is what the poisoned fixture renames
