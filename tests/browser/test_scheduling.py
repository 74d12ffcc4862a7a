"""A secretary schedules a session through the real form, in a real browser."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dialogue.core.time import local_today
from tests.conftest import PASSWORD

from .actions import pick, sign_in

pytestmark = pytest.mark.browser


def test_secretary_schedules_a_session_and_finds_it_in_list_and_calendar(page, create_official,
                                                                        secretary):
    create_official(full_name="Rơ Mah Tuấn", position="Bí thư Đảng ủy xã Ia Grai",
                    unit="Xã Ia Grai")
    day = local_today() + timedelta(days=20)
    sign_in(page, secretary.username, PASSWORD)

    page.goto("/sessions/new")
    page.get_by_label("Tên hội nghị đối thoại").fill(
        "Đối thoại với Nhân dân về xóa nhà tạm, nhà dột nát")
    pick(page, "Đơn vị hành chính", "ia grai", "Xã Ia Grai")
    page.get_by_label("Ngày bắt đầu").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Giờ kết thúc", exact=True).fill("10:30")
    page.get_by_label("Địa điểm", exact=True).fill("Hội trường UBND xã Ia Grai")
    pick(page, "Chủ trì", "ro mah", "Rơ Mah Tuấn")
    page.get_by_role("button", name="Lên lịch và công bố").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đối thoại với Nhân dân về xóa nhà tạm, nhà dột nát")
    expect(page.get_by_text("Đã lên lịch “Đối thoại với Nhân dân về xóa nhà tạm")).to_be_visible()
    details = page.locator("dl.details")
    expect(details).to_contain_text("08:00–10:30, " + day.strftime("%d/%m/%Y"))
    expect(details).to_contain_text("Rơ Mah Tuấn — Bí thư Đảng ủy xã Ia Grai")

    page.get_by_role("link", name="Phiên đối thoại", exact=True).first.click()
    row = page.get_by_role("row").filter(has_text="xóa nhà tạm, nhà dột nát")
    expect(row).to_contain_text(day.strftime("%d/%m/%Y"))
    expect(row).to_contain_text("Xã Ia Grai")
    expect(row).to_contain_text("Đã lên lịch")

    page.goto(f"/sessions/calendar?year={day.year}&month={day.month}")
    cell = page.locator(f'td[data-date="{day.strftime("%d/%m/%Y")}"]')
    expect(cell.get_by_role("link")).to_contain_text("08:00 Đối thoại với Nhân dân về xóa nhà tạm")


def test_form_keeps_what_was_typed_and_explains_errors_in_vietnamese(page, secretary):
    sign_in(page, secretary.username, PASSWORD)
    page.goto("/sessions/new")
    page.get_by_label("Tên hội nghị đối thoại").fill("Đối thoại về bồi thường tuyến tránh An Khê")
    page.get_by_label("Ngày bắt đầu").fill("31/02/2026")
    page.get_by_role("button", name="Lên lịch và công bố").click()

    expect(page.get_by_text("Ngày phải có dạng dd/mm/yyyy, ví dụ 02/03/2026.")).to_be_visible()
    expect(page.get_by_text("Hãy chọn đơn vị hành chính.")).to_be_visible()
    expect(page.get_by_label("Tên hội nghị đối thoại")).to_have_value(
        "Đối thoại về bồi thường tuyến tránh An Khê")
    expect(page.get_by_label("Ngày bắt đầu")).to_have_value("31/02/2026")
