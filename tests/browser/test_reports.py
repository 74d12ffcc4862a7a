"""The provincial secretary reads the 2025 report on the dashboard, follows a figure to the
rows behind it and downloads the workbook she sends upward (laid out by a job).

The data is ``gia_lai_2025`` (tests/reports/conftest.py). That fixture's ``TODAY`` is
02/01/2026, but the web dashboard judges open work against the real today (later than
31/03/2026), so every commitment of 2025 still open is overdue here: C3 (due 31/12/2025),
C6 (28/02/2026) and C4 (31/03/2026).
"""

import re

import openpyxl
import pytest
from playwright.sync_api import expect

from dialogue.jobs.operations import run_queued
from tests.conftest import PASSWORD
from tests.reports import conftest as reports

from .actions import sign_in

pytestmark = pytest.mark.browser

#: The hand-built 2025 of Gia Lai (its docstring lists the sessions), a fixture of the
#: report tests that this folder does not otherwise see.
gia_lai_2025 = reports.gia_lai_2025


def figure(page, name: str):
    return page.locator(f'ul.key-figures a[data-figure="{name}"]')


def open_year(page, year: int) -> None:
    """Choose the whole year in the report form and show its figures."""
    page.get_by_role("link", name="Tổng hợp", exact=True).click()
    form = page.locator("form.report-filters")
    form.get_by_label("Kỳ báo cáo").select_option(label="Năm")
    form.get_by_label("Năm", exact=True).fill(str(year))
    form.get_by_role("button", name="Xem số liệu").click()
    expect(page.locator(".scope-line")).to_contain_text(f"Năm {year}")


@pytest.fixture
def signed_in(page, secretary, gia_lai_2025):
    sign_in(page, secretary.username, PASSWORD)
    return page


def test_the_overdue_figure_lists_the_overdue_commitments(signed_in):
    page = signed_in
    open_year(page, 2025)
    expect(page).to_have_url(re.compile(r"/dashboard\?.*year=2025"))
    expect(page.locator(".scope-line")).to_contain_text("Tỉnh Gia Lai")
    for name, value in {"held": "5", "issues": "7", "assigned": "6", "resolved": "2",
                        "overdue": "3", "short_notice": "3", "late_minutes": "3"}.items():
        expect(figure(page, name).locator(".counter-value")).to_have_text(value)
    expect(figure(page, "held")).to_contain_text("hội nghị đã tổ chức")
    expect(figure(page, "overdue")).to_contain_text("quá hạn")

    figure(page, "overdue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nội dung giao xử lý · Quá hạn")
    expect(page.locator("[data-total]")).to_have_text("3 mục")
    rows = page.locator("table.commitments tbody tr")
    expect(rows).to_have_count(3)
    # Soonest due first: C3 (31/12/2025), C6 (28/02/2026), C4 (31/03/2026).
    for row, (due, issue, session) in zip(rows.all(), [
            ("31/12/2025", "Ý kiến số 1", "Xã Ia Grai · 15/09/2025"),
            ("28/02/2026", "Ý kiến số 1", "Tỉnh Gia Lai · 20/12/2025"),
            ("31/03/2026", "Ý kiến số 2", "Xã Ia Grai · 15/09/2025")], strict=True):
        expect(row).to_have_class(re.compile(r"\boverdue\b"))
        expect(row.locator("td").nth(0)).to_contain_text(due)
        expect(row.locator("td").nth(0)).to_contain_text("Quá hạn")
        expect(row.get_by_role("link", name="Sở Nông nghiệp và Môi trường")).to_be_visible()
        expect(row.get_by_role("link", name=issue)).to_be_visible()
        expect(row).to_contain_text(session)
    # Resolved (C1, C2) and transferred (C5) commitments are not overdue.
    expect(page.locator("table.commitments")).not_to_contain_text("Thanh tra tỉnh")
    expect(page.locator("table.commitments")).not_to_contain_text("Đã giải quyết")

    page.get_by_role("link", name="Về trang tổng hợp").click()
    expect(page).to_have_url(re.compile(r"/dashboard\?"))
    expect(page.locator(".scope-line")).to_contain_text("Năm 2025")
    expect(figure(page, "overdue").locator(".counter-value")).to_have_text("3")


def test_the_workbook_is_made_by_a_job_then_downloads_with_the_figures_on_screen(
        signed_in, app, monkeypatch, tmp_path):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))  # where the job keeps the file
    page = signed_in
    open_year(page, 2025)
    # A province's workbook is laid out in the background: its page follows the job.
    page.get_by_role("button", name="Tải Excel (XLSX)").click()
    expect(page.locator(".job-panel")).to_contain_text("Đang chờ")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Báo cáo Excel (XLSX): Tỉnh Gia Lai, Năm 2025")
    assert run_queued() == 1

    result = page.get_by_role("link", name="Tải tệp kết quả")
    expect(result).to_be_visible()  # the page's script reloaded it once the job ended
    with page.expect_download() as started:
        result.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename == "bao-cao-doi-thoai_2025-52_2025.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    workbook = openpyxl.load_workbook(saved)
    info = [[cell.value for cell in row] for row in workbook["Thông tin"].iter_rows()]
    assert ["Đơn vị", "Tỉnh Gia Lai"] in info
    assert ["Kỳ báo cáo", "Năm 2025"] in info
    sessions = [[cell.value for cell in row] for row in workbook["Hội nghị"].iter_rows()]
    assert sessions[0][:2] == ["Cấp", "Tổng số"]
    assert sessions[-1] == ["Tổng cộng", 5, 3, 2, 3, 1, 1, 368]
    # The same 5 as the dashboard's key figure.
    open_year(page, 2025)
    expect(figure(page, "held").locator(".counter-value")).to_have_text("5")


def test_the_period_form_shows_the_fields_of_the_period_chosen(signed_in):
    page = signed_in
    page.get_by_role("link", name="Tổng hợp", exact=True).click()
    form = page.locator("form.report-filters")
    kind = form.get_by_label("Kỳ báo cáo")
    year = form.get_by_label("Năm", exact=True)
    quarter = form.get_by_label("Quý", exact=True)
    month = form.get_by_label("Tháng", exact=True)
    first, last = form.get_by_label("Từ ngày"), form.get_by_label("Đến ngày")

    expect(kind).to_have_value("year")
    for hidden in (quarter, month, first, last):
        expect(hidden).to_be_hidden()

    kind.select_option(label="Quý")
    expect(quarter).to_be_visible()
    expect(year).to_be_visible()
    for hidden in (month, first, last):
        expect(hidden).to_be_hidden()

    year.fill("2025")
    quarter.select_option(label="II")
    form.get_by_role("button", name="Xem số liệu").click()
    # S2 (10/04/2025) and S3 (20/05/2025) were held in the second quarter.
    expect(page.locator(".scope-line")).to_contain_text("Quý II năm 2025")
    expect(figure(page, "held").locator(".counter-value")).to_have_text("2")
    expect(quarter).to_be_visible()
    expect(first).to_be_hidden()

    kind.select_option(label="Khoảng ngày tự chọn")
    expect(first).to_be_visible()
    expect(last).to_be_visible()
    for hidden in (year, quarter, month):
        expect(hidden).to_be_hidden()


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(signed_in):
    page = signed_in
    page.get_by_role("link", name="Tổng hợp", exact=True).click()
    form = page.locator("form.report-filters")
    form.get_by_label("Kỳ báo cáo").select_option(label="Khoảng ngày tự chọn")
    form.get_by_label("Từ ngày").fill("31/12/2025")
    form.get_by_label("Đến ngày").fill("01/07/2025")
    with page.expect_response(re.compile(r"/dashboard\?")) as answered:
        form.get_by_role("button", name="Xem số liệu").click()
    assert answered.value.status == 200

    field = page.locator(".field.has-error", has=page.locator("#date_to"))
    expect(field.locator("p.error")).to_have_text("Ngày kết thúc phải sau ngày bắt đầu.")
    expect(field.get_by_label("Đến ngày")).to_be_visible()
    expect(form.get_by_label("Đến ngày")).to_have_value("01/07/2025")
    expect(form.get_by_label("Từ ngày")).to_have_value("31/12/2025")
    expect(page.locator("ul.key-figures")).to_have_count(0)
    expect(page.get_by_role("link", name="Tải Excel (XLSX)")).to_have_count(0)


def test_a_chart_bar_leads_to_the_rows_it_counts(signed_in):
    page = signed_in
    open_year(page, 2025)
    chart = page.locator("figure#chart-commitments")
    segments = chart.locator("a:has(rect)")
    titles = [segment.locator("title").text_content() for segment in segments.all()]
    # C1 on time, C6 overdue; C2 late, C5 transferred; C3 and C4 overdue.
    assert titles == [
        "Cấp tỉnh · Giải quyết đúng hạn: 1", "Cấp tỉnh · Quá hạn: 1",
        "Cấp huyện · Giải quyết quá hạn: 1",
        "Cấp huyện · Đã chuyển, không thuộc thẩm quyền, không chấp nhận: 1",
        "Cấp xã · Quá hạn: 2"]

    segments.nth(titles.index("Cấp xã · Quá hạn: 2")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Nội dung giao xử lý · Cấp xã · Quá hạn")
    expect(page.locator("[data-total]")).to_have_text("2 mục")
    rows = page.locator("table.commitments tbody tr")
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect(row).to_contain_text("Xã Ia Grai · 15/09/2025")
        expect(row).to_contain_text("Quá hạn")

