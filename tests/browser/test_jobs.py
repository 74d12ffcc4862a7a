"""The job panel in a real browser: jobs.js follows the job's progress without reloading,
then reloads the page once the job has ended (and the page works under the CSP)."""

from playwright.sync_api import expect

from dialogue.extensions import db
from dialogue.jobs.models import JobState
from dialogue.jobs.operations import run_queued
from tests.browser.actions import sign_in
from tests.conftest import PASSWORD
from tests.jobs import tasks  # noqa: F401  (registers the test tasks)


def test_the_panel_follows_the_job_then_shows_its_file(page, secretary,
                                                       enqueue_job):
    job = enqueue_job("tests.file", label="Xuất báo cáo toàn tỉnh Gia Lai năm 2025")
    console_errors = []
    page.on("console", lambda message: message.type == "error"
            and console_errors.append(message.text))
    sign_in(page, secretary.username, PASSWORD)
    page.goto(f"/jobs/{job.id}")
    panel = page.locator(".job-panel")
    expect(panel).to_contain_text("Đang chờ")
    page.evaluate("window.sameLoad = true")  # gone if the page is loaded again

    job.state, job.progress_done, job.progress_total = JobState.RUNNING, 2, 4
    job.progress_text = "Đang dàn trang 2/4"
    db.session.commit()

    expect(panel).to_contain_text("Đang dàn trang 2/4")  # fetched, not reloaded
    expect(panel).to_contain_text("Đang chạy")
    expect(panel.locator("progress")).to_have_attribute("value", "2")
    assert page.evaluate("window.sameLoad") is True

    job.state = JobState.QUEUED
    db.session.commit()
    run_queued()

    expect(panel.get_by_role("link", name="Tải tệp kết quả")).to_be_visible()
    expect(panel).to_contain_text("Đã xong")
    expect(panel.locator("progress")).to_have_count(0)
    assert page.evaluate("window.sameLoad") is None
    assert console_errors == []
