"""The secretary drafts the minutes of a held session, finalizes them and files the PDF."""

import unicodedata

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from dialogue.extensions import db
from dialogue.jobs.operations import run_queued
from dialogue.minutes.models import Minutes, MinutesRevision, MinutesStatus
from tests.conftest import PASSWORD
from tests.helpers import pdf_text
from tests.minutes import conftest as minutes_fixtures

from .actions import sign_in

pytestmark = pytest.mark.browser
held_session = minutes_fixtures.held_session

CONCLUSIONS = [
    "Đồng chí Bí thư Tỉnh ủy kết luận: giao UBND tỉnh chỉ đạo giải quyết dứt điểm các kiến "
    "nghị về đất đai trong quý II năm 2026.",
    "Giao UBND xã Ia Grai phối hợp Sở Nông nghiệp và Môi trường trả lời bằng văn bản cho "
    "bà con làng Dơ Lâm trước ngày 30/4/2026.",
]
#: Rendering the PDF/A takes a second or two on a cold renderer; the page then notices
#: within a poll of its job (1.5 s).
RENDERING = 30_000


def plain(text: str) -> str:
    """Text as compared: composed Vietnamese letters, one space between words."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def filed() -> tuple[MinutesStatus | None, list[tuple[int, int, str]]]:
    """What the database holds: the minutes' status and (number, pages, SHA-256) of each
    filed revision; the read is ended so the live server's writes never wait on it."""
    status = db.session.scalar(sa.select(Minutes.status))
    revisions = db.session.execute(sa.select(
        MinutesRevision.number, MinutesRevision.pages, MinutesRevision.pdf_sha256,
    ).order_by(MinutesRevision.number)).all()
    db.session.rollback()
    return status, [tuple(row) for row in revisions]


def test_secretary_drafts_finalizes_and_downloads_the_filed_pdf(page, secretary, held_session):
    # The provincial dialogue of 02/03/2026, held, with Ayun H’Bút attending and two
    # issues, the first committed to an agency.
    session = held_session()
    session_id = session.id

    sign_in(page, secretary.username, PASSWORD)
    page.goto(f"/sessions/{session_id}")
    page.get_by_role("link", name="Biên bản", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biên bản hội nghị")
    minutes_url = page.url

    # The draft form comes filled from the session.
    expect(page.get_by_label("Cơ quan ban hành")).to_have_value("ỦY BAN NHÂN DÂN TỈNH GIA LAI")
    expect(page.get_by_label("Ký hiệu")).to_have_value("BB-UBND")
    expect(page.get_by_label("Địa danh ở dòng ngày tháng")).to_have_value("Gia Lai")
    expect(page.get_by_label("Đại biểu tham dự (mỗi dòng một người)")).to_have_value(
        "Ayun H’Bút, Phó Chủ tịch HĐND tỉnh")
    expect(page.get_by_label("Nơi nhận (mỗi dòng một nơi)")).to_have_value(
        "- Các đại biểu dự hội nghị;\n- Lưu: VT, Hồ sơ.")
    conclusions = page.get_by_label("Kết luận của chủ trì hội nghị")
    expect(conclusions).to_have_value("")

    conclusions.fill("\n".join(CONCLUSIONS))
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.get_by_text("Đã lưu dự thảo biên bản.")).to_be_visible()
    expect(conclusions).to_have_value("\n".join(CONCLUSIONS))
    assert filed() == (MinutesStatus.DRAFT, [])

    # Finalizing asks first; saying no sends nothing.
    finalize = page.get_by_role("button", name="Hoàn thiện biên bản")
    questions = []

    def answer(accept: bool):
        def handle(dialog):
            questions.append((dialog.type, dialog.message))
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
        return handle

    page.once("dialog", answer(accept=False))
    finalize.click()
    assert len(questions) == 1
    kind, question = questions[0]
    assert kind == "confirm"
    assert question.startswith("Hoàn thiện biên bản? Sau khi hoàn thiện")
    page.wait_for_load_state()
    assert page.url == minutes_url
    expect(page.locator(".flashes")).to_have_text("Đã lưu dự thảo biên bản.")
    expect(page.locator(".page-head .badge")).to_have_text("Dự thảo")
    assert filed() == (MinutesStatus.DRAFT, [])

    # Saying yes saves the draft and leaves the filing to a job; the page follows it.
    page.once("dialog", answer(accept=True))
    finalize.click()
    expect(page.get_by_role("heading", name="Đang hoàn thiện biên bản…")).to_be_visible()
    assert len(questions) == 2
    expect(page.locator(".job-panel")).to_contain_text("Đang chờ")
    expect(finalize).to_be_disabled()
    expect(page.get_by_role("button", name="Lưu dự thảo")).to_be_disabled()
    assert filed() == (MinutesStatus.DRAFT, [])

    # A worker files the final text once, numbered 01/BB-UBND; the page reloads by itself.
    assert run_queued() == 1
    expect(page.locator(".page-head .badge")).to_have_text("Đã hoàn thiện", timeout=RENDERING)
    expect(page.locator(".job-panel")).to_have_count(0)
    status, revisions = filed()
    assert status is MinutesStatus.FINAL
    assert len(revisions) == 1
    number, pages, sha256 = revisions[0]
    expect(page.locator(".page-head .badge")).to_have_text("Đã hoàn thiện")
    expect(finalize).to_have_count(0)
    filed_rows = page.locator("section").filter(
        has=page.get_by_role("heading", name="Các bản đã hoàn thiện")).locator("tbody tr")
    expect(filed_rows).to_have_count(1)
    row = filed_rows.first
    expect(row.locator("td").nth(0)).to_have_text(str(number))
    expect(row).to_contain_text("Trần Thị Minh Thư (thuky.tinh)")
    expect(row.locator("td").nth(3)).to_have_text(str(pages))
    expect(row.locator("a.hash")).to_have_text(f"{sha256[:16]}…")

    # The filed PDF, byte for byte as stored.
    link = page.get_by_role("link", name="Tải bản PDF đã hoàn thiện")
    href = link.get_attribute("href")
    assert href == f"/sessions/{session_id}/minutes.pdf"
    # Served inline, so chromium opens it in its viewer rather than saving it.
    with page.expect_response(lambda response: response.url.endswith(href)) as opened:
        link.click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    assert opened.value.headers["content-disposition"] == 'inline; filename="01-BB-UBND.pdf"'
    # The viewer hands back its own page as the body: fetch the file with the same cookies.
    fetched = page.request.get(href)
    assert fetched.status == 200
    assert fetched.headers["etag"] == f'"{sha256}"'
    data = fetched.body()
    assert data.startswith(b"%PDF")
    stored = db.session.scalar(sa.select(MinutesRevision.pdf))
    db.session.rollback()
    assert data == stored

    text = plain(pdf_text(data))
    for line in CONCLUSIONS:
        assert plain(line) in text
    assert "Ayun H’Bút" in text
    assert "01/BB-UBND" in text
    assert f"Biên bản gồm {pages:02d} trang" in text
