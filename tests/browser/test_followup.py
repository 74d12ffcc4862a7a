"""The secretary records issues live, commits an agency and chases it on the board."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from dialogue.accounts.models import Role
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.issues.models import IssueKind, IssueOutcome
from dialogue.issues.operations import IssueDetails, record_issue
from tests.conftest import PASSWORD
from tests.helpers import at

from .actions import sign_in

pytestmark = pytest.mark.browser

ISSUES = [
    ("Ông Rơ Mah Thuyên", "Làng Dơ Nâu", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất"),
    ("Bà Ksor H’Nga", "Thôn 3", "Phản ánh đường vào làng sạt lở, xe không đi được"),
    ("Ông Nguyễn Văn Hòa", "Tổ dân phố 5", "Đề nghị công khai danh sách hộ được hỗ trợ nhà"),
]


def counter(page, name: str):
    return page.locator(f'[data-counter="{name}"]')


def test_live_entry_commitment_and_progress_move_the_board(page, create_session, secretary):
    held_on = local_today() - timedelta(days=1)
    session = create_session(unit="Xã Ia Grai", title="Đối thoại về xóa nhà tạm, nhà dột nát",
                             starts_at=at(f"{held_on.isoformat()} 08:00"))
    sign_in(page, secretary.username, PASSWORD)

    page.goto("/followup")
    expect(counter(page, "open")).to_have_text("0")

    page.goto(f"/sessions/{session.id}/issues")
    form = page.locator("#new-issue-form")
    for raised_by, locality, content in ISSUES:
        form = page.locator("#new-issue-form")
        form.get_by_label("Người nêu", exact=True).fill(raised_by)
        form.get_by_label("Thôn, làng, tổ dân phố").fill(locality)
        form.get_by_label("Nội dung").fill(content)
        form.get_by_role("button", name="Lưu và ghi ý kiến tiếp theo").click()
        expect(page.locator("#issue-list")).to_contain_text(content)
        # The page stayed put and the form is empty for the next issue.
        expect(page.locator("#new-issue-form").get_by_label("Người nêu", exact=True)
               ).to_have_value("")
    items = page.locator("#issue-list > li.issue")
    expect(items).to_have_count(3)
    expect(items.nth(2)).to_contain_text("Ý kiến số 3")

    items.nth(1).get_by_role("link", name="Chi tiết, cam kết").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ý kiến số 2")
    new = page.locator("#new-commitment")
    new.get_by_label("Cơ quan thực hiện").fill("Phòng Kinh tế")
    new.get_by_label("Việc phải làm").fill("Khảo sát, lập dự toán sửa đường vào làng")
    new.get_by_label("…hoặc số ngày làm việc kể từ ngày hội nghị").fill("10")
    new.get_by_role("button", name="Giao việc").click()
    expect(page.get_by_text("Đã giao việc cho Phòng Kinh tế")).to_be_visible()
    expect(page.locator(".commitment")).to_contain_text("10 ngày làm việc kể từ ngày hội nghị")

    page.goto("/followup")
    expect(counter(page, "open")).to_have_text("1")
    expect(counter(page, "overdue")).to_have_text("0")
    expect(page.locator("table.commitments")).to_contain_text("Phòng Kinh tế")

    page.get_by_role("link", name="Ý kiến số 2").click()
    page.get_by_text("Cập nhật tiến độ, tình trạng").click()
    page.get_by_label("Ngày", exact=True).fill(local_today().strftime("%d/%m/%Y"))
    page.get_by_label("Tiến độ").fill("Đã khảo sát hiện trường, đang lập dự toán")
    page.get_by_role("button", name="Lưu tiến độ").click()
    expect(page.locator(".timeline")).to_contain_text("Đã khảo sát hiện trường")

    page.get_by_text("Cập nhật tiến độ, tình trạng").click()
    page.get_by_label("Tình trạng mới").select_option(label="Đã giải quyết")
    page.get_by_role("button", name="Đổi tình trạng").click()
    expect(page.get_by_text("Tình trạng mới: Đã giải quyết.")).to_be_visible()

    page.goto("/followup")
    expect(counter(page, "open")).to_have_text("0")
    expect(counter(page, "resolved_this_month")).to_have_text("1")


def test_what_was_typed_survives_a_dropped_network(page, create_session, secretary):
    session = create_session(unit="Xã Ia Grai", title="Đối thoại về giao khoán bảo vệ rừng",
                             starts_at=at(f"{local_today().isoformat()} 08:00"))
    sign_in(page, secretary.username, PASSWORD)
    page.goto(f"/sessions/{session.id}/issues")
    form = page.locator("#new-issue-form")
    form.get_by_label("Người nêu", exact=True).fill("Ông Siu Hyưk")
    form.get_by_label("Nội dung").fill("Đề nghị giao khoán thêm 20 ha rừng cho làng")

    page.context.set_offline(True)
    form.get_by_role("button", name="Lưu và ghi ý kiến tiếp theo").click()
    expect(form.locator(".live-network")).to_be_visible()
    typed = "Đề nghị giao khoán thêm 20 ha rừng cho làng"
    expect(form.get_by_label("Nội dung")).to_have_value(typed)

    page.context.set_offline(False)
    form.get_by_role("button", name="Lưu và ghi ý kiến tiếp theo").click()
    expect(page.locator("#issue-list")).to_contain_text("Đề nghị giao khoán thêm 20 ha rừng")


def test_a_viewer_never_receives_the_citizens_contacts(page, create_session, create_user):
    session = create_session(unit="Xã Ia Grai", starts_at=at(f"{local_today().isoformat()} 08:00"))
    record_issue(session, IssueDetails(raised_by="Bà Rơ Châm H’Lan", kind=IssueKind.REPORT,
                                       outcome=IssueOutcome.ANSWERED, contact="0905 123 456",
                                       content="Phản ánh đường sạt lở"),
                 by=create_user("thuky.tinh"))
    db.session.commit()
    create_user("xem", Role.VIEWER, "Xã Ia Grai")
    sign_in(page, "xem", PASSWORD)
    page.goto(f"/sessions/{session.id}/issues")
    expect(page.locator("#issue-list")).to_contain_text("Phản ánh đường sạt lở")
    assert "0905 123 456" not in page.content()
