"""What a person does in the browser, in the words of the interface."""

import re

from playwright.sync_api import expect


def sign_in(page, username: str, password: str) -> None:
    """Sign in through the login page."""
    page.goto("/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/login" not in url)


def pick(page, label: str, typed: str, choice: str) -> None:
    """Type into a type-to-search picker and click the suggestion."""
    box = page.get_by_role("combobox", name=label)
    box.fill(typed)
    page.get_by_role("option", name=re.compile(choice)).first.click()
    expect(box).to_have_value(choice)
