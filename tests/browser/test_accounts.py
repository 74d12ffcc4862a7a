"""A commune secretary works in her commune, is refused next door, and sees the trail."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dialogue.accounts.models import Role
from dialogue.core.time import local_today
from tests.conftest import PASSWORD

from .actions import pick, sign_in

pytestmark = pytest.mark.browser


def fill_session(page, *, title: str, unit_typed: str, unit: str, day, start: str, end: str):
    page.goto("/sessions/new")
    page.get_by_label("Tên hội nghị đối thoại").fill(title)
    pick(page, "Đơn vị hành chính", unit_typed, unit)
    page.get_by_label("Ngày bắt đầu").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu").fill(start)
    page.get_by_label("Giờ kết thúc", exact=True).fill(end)
    page.get_by_label("Địa điểm", exact=True).fill("Hội trường UBND xã Ia Grai")
    page.get_by_role("button", name="Lên lịch và công bố").click()


def test_commune_secretary_schedules_at_home_is_refused_next_door_and_sees_the_diff(
        page, create_user):
    create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai", full_name="Nguyễn Thị Hồng Nhung")
    day = local_today() + timedelta(days=21)
    sign_in(page, "thuky.xa", PASSWORD)

    fill_session(page, title="Đối thoại với Nhân dân về quản lý, bảo vệ rừng",
                 unit_typed="ia grai", unit="Xã Ia Grai", day=day, start="08:00", end="10:30")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Đối thoại với Nhân dân về quản lý, bảo vệ rừng")
    session_url = page.url

    # A neighbouring commune is not hers: the form says so beside the unit and keeps the text.
    fill_session(page, title="Đối thoại ở phường bên cạnh", unit_typed="pleiku",
                 unit="Phường Pleiku", day=day, start="08:00", end="10:30")
    expect(page.get_by_text("Bạn không có quyền với đơn vị này.")).to_be_visible()
    expect(page.get_by_label("Tên hội nghị đối thoại")).to_have_value("Đối thoại ở phường bên cạnh")

    page.goto(session_url)
    page.get_by_role("link", name="Dời lịch, đổi địa điểm").click()
    page.get_by_label("Giờ bắt đầu").fill("14:00")
    page.get_by_label("Giờ kết thúc", exact=True).fill("16:30")
    page.get_by_label("Lý do dời lịch").fill("Trùng lịch tiếp công dân của Bí thư Đảng ủy")
    page.get_by_role("button", name="Dời lịch").click()

    expect(page.get_by_role("heading", name="Lịch sử thay đổi")).to_be_visible()
    moved = page.locator(".audit > li").filter(has_text="Dời lịch, đổi địa điểm")
    expect(moved).to_contain_text("Nguyễn Thị Hồng Nhung (thuky.xa)")
    expect(moved).to_contain_text("Lý do: Trùng lịch tiếp công dân của Bí thư Đảng ủy")
    when = day.strftime("%d/%m/%Y")
    start_row = moved.get_by_role("row").filter(has_text="Bắt đầu")
    expect(start_row).to_contain_text(f"08:00 {when}")
    expect(start_row).to_contain_text(f"14:00 {when}")

    # The neighbouring commune's sessions never appear for her.
    page.goto("/sessions/?q=phuong")
    expect(page.get_by_text(re.compile("Đối thoại ở phường bên cạnh"))).to_have_count(0)
