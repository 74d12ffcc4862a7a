"""A secretary sends the invitations from the session's page and moves the session, in a
real browser; the messages reach a real SMTP server and the outbox says they went."""

from datetime import timedelta

import icalendar
import pytest
from playwright.sync_api import expect

from dialogue.core.time import to_local
from dialogue.jobs.operations import run_queued
from tests.conftest import PASSWORD
from tests.notices.conftest import invited_session, smtp_server  # noqa: F401  (fixtures)

from .actions import sign_in

pytestmark = pytest.mark.browser

ADDRESSES = {"ksorhbia@example.vn", "hung.pkt@iagrai.gialai.gov.vn", "siuthuan@example.vn",
             "romahtuan@iagrai.gialai.gov.vn"}


def sequence_of(message) -> int:
    """The SEQUENCE of the event in the attached lich-hop.ics."""
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "lich-hop.ics"]
    (event,) = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    return int(event["SEQUENCE"])


def test_secretary_invites_then_moves_the_session_and_the_outbox_says_sent(
        page, secretary, invited_session, smtp_server):  # noqa: F811
    # The live server serves this very app in a thread: smtp_server's settings are its own.
    session = invited_session()
    console_errors = []
    page.on("console", lambda message: message.type == "error"
            and console_errors.append(message.text))
    sign_in(page, secretary.username, PASSWORD)
    page.goto(f"/sessions/{session.id}")

    panel = page.locator("section#thong-bao")
    expect(panel.get_by_role("heading", name="Giấy mời và thông báo")).to_be_visible()
    expect(panel).to_contain_text("4 người có địa chỉ thư điện tử, đã mời 0.")
    expect(panel).to_contain_text("1 người trong thành phần mời chưa có địa chỉ.")
    panel.get_by_role("button", name="Gửi giấy mời cho 4 người").click()

    expect(page.get_by_text("Đã đưa giấy mời của 4 người vào hộp thư đi.")).to_be_visible()
    expect(page.get_by_text("1 người trong thành phần mời chưa có địa chỉ thư điện tử.")
           ).to_be_visible()
    invitation = panel.get_by_role("row").filter(has_text="Giấy mời")
    expect(invitation).to_contain_text("Chờ gửi: 4")
    expect(invitation).to_contain_text("Trần Thị Minh Thư")
    expect(panel.get_by_role("button", name="Gửi giấy mời cho 4 người")).to_have_count(0)

    run_queued()  # the worker's turn: the live server runs no jobs of its own
    assert {r.envelope_to[0] for r in smtp_server.messages} == ADDRESSES
    first = sequence_of(smtp_server.to("ksorhbia@example.vn")[0])
    page.reload()
    expect(invitation).to_contain_text("Đã gửi: 4")
    expect(panel).to_contain_text("4 người có địa chỉ thư điện tử, đã mời 4.")

    day = to_local(session.starts_at).date() + timedelta(days=2)
    page.get_by_role("link", name="Dời lịch, đổi địa điểm").click()
    page.get_by_label("Ngày bắt đầu mới").fill(day.strftime("%d/%m/%Y"))
    page.get_by_label("Giờ bắt đầu").fill("14:00")
    page.get_by_label("Giờ kết thúc", exact=True).fill("16:30")
    page.get_by_label("Địa điểm", exact=True).fill("Nhà văn hóa làng Dơ Ngol")
    page.get_by_label("Lý do dời lịch").fill("Trùng lịch tiếp công dân")
    page.get_by_role("button", name="Dời lịch").click()

    expect(page.get_by_text("Đã dời lịch.")).to_be_visible()
    update = panel.get_by_role("row").filter(has_text="Thông báo thay đổi")
    expect(update).to_contain_text("Chờ gửi: 4")
    run_queued()
    updates = [r for r in smtp_server.messages[4:]
               if r.message["Subject"].startswith("Thay đổi thời gian, địa điểm:")]
    assert {r.envelope_to[0] for r in updates} == ADDRESSES
    moved = smtp_server.to("ksorhbia@example.vn")[-1]
    assert f"14:00 {day:%d/%m/%Y}" in moved["Subject"]
    assert sequence_of(moved) > first
    assert "Trùng lịch tiếp công dân" in moved.get_body(("plain",)).get_content()
    page.reload()
    expect(update).to_contain_text("Đã gửi: 4")

    page.get_by_role("link", name="Hộp thư đi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hộp thư đi")
    rows = page.get_by_role("row")
    for subject in ("Giấy mời:", "Thay đổi thời gian, địa điểm:"):
        sent = rows.filter(has_text=subject)
        expect(sent).to_have_count(4)
        for address in ADDRESSES:
            expect(sent.filter(has_text=address)).to_contain_text("Đã gửi")
    assert console_errors == []
