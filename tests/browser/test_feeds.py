"""A secretary subscribes to her personal calendar, replaces and revokes its address, and
adds one session to her calendar from its page."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.feeds.conftest import uids

from .actions import sign_in

pytestmark = pytest.mark.browser


def feed_path(page) -> str:
    address = page.get_by_label("Địa chỉ lịch (dán vào ứng dụng lịch)").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/feeds/private/[\w-]+\.ics", address)
    return address.removeprefix("http://127.0.0.1:5000")


def test_a_personal_calendar_address_is_created_replaced_and_revoked(page, secretary,
                                                                     create_session):
    internal = create_session(is_public=False, title="Đối thoại nội bộ về cán bộ cơ sở")
    sign_in(page, secretary.username, PASSWORD)
    page.get_by_role("link", name="Lịch riêng").click()
    expect(page.get_by_text("Bạn chưa có địa chỉ lịch riêng.")).to_be_visible()
    page.get_by_role("button", name="Tạo địa chỉ lịch riêng").click()

    expect(page.get_by_text("Đã tạo địa chỉ lịch riêng mới.")).to_be_visible()
    expect(page.get_by_role("img", name="Mã QR của địa chỉ lịch")).to_be_visible()
    subscribe = page.get_by_role("link", name="Theo dõi bằng ứng dụng lịch")
    expect(subscribe).to_have_attribute("href", re.compile(r"^webcal://127\.0\.0\.1:5000/"))
    first = feed_path(page)
    feed = page.request.get(first)
    assert feed.ok and feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert uids(feed.text()) == [internal.uid]

    # Replacing asks first; dismissing keeps the address.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Tạo địa chỉ mới").click()
    assert feed_path(page) == first
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Tạo địa chỉ mới").click()
    expect(page.get_by_text("Địa chỉ cũ (nếu có) không còn dùng được.")).to_be_visible()
    second = feed_path(page)
    assert second != first
    assert page.request.get(first).status == 404
    assert page.request.get(second).ok

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Thu hồi địa chỉ").click()
    expect(page.get_by_text("Bạn chưa có địa chỉ lịch riêng.")).to_be_visible()
    assert page.request.get(second).status == 404


def test_add_one_session_to_a_calendar_from_its_page(page, secretary, create_session):
    session = create_session(unit="Xã Ia Grai", title="Đối thoại với Nhân dân xã Ia Grai")
    sign_in(page, secretary.username, PASSWORD)
    page.goto(f"/sessions/{session.id}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Thêm vào lịch").click()
    saved = download.value
    assert saved.suggested_filename.endswith(f"-{session.id}.ics")
    text = Path(saved.path()).read_text(encoding="utf-8")
    assert uids(text) == [session.uid]
    assert "SUMMARY:Đối thoại với Nhân dân xã Ia Grai" in text
    page.get_by_role("link", name="Theo dõi lịch của Xã Ia Grai").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Lịch đối thoại — Xã Ia Grai")
