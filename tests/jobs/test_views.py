"""A job's page, its status as the page's script reads it, its retry and its file."""

from datetime import timedelta

import pytest

from dialogue.accounts.models import Role
from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.models import JobState
from dialogue.jobs.operations import run_queued
from tests.helpers import errors, flashes, form_token


def test_a_queued_job_shows_its_progress_and_is_followed_by_the_script(client, enqueue_job):
    job = enqueue_job("tests.echo")

    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)

    assert "Xuất báo cáo tỉnh Gia Lai năm 2025" in page
    assert "Đang chờ" in page
    assert f'data-job-url="/jobs/{job.id}.json"' in page
    assert "<progress" in page
    assert "Tải lại trang" in page  # without script
    assert '/static/js/jobs.js' in page


def test_the_status_for_the_script(client, enqueue_job, job_state):
    job = enqueue_job("tests.echo")
    job.state, job.progress_done, job.progress_total = JobState.RUNNING, 1, 4
    job.progress_text = "Đang đếm các phiên"
    db.session.commit()

    response = client.get(f"/jobs/{job.id}.json")

    assert response.headers["Cache-Control"] == "no-store"
    assert response.json == {
        "id": job.id, "state": "running", "state_label": "Đang chạy",
        "label": "Xuất báo cáo tỉnh Gia Lai năm 2025", "pending": True,
        "progress": {"done": 1, "total": 4, "percent": 25}, "text": "Đang đếm các phiên",
        "error": "", "delayed": False, "delay_message": "", "result_url": None}


def test_a_finished_job_offers_its_file(client, enqueue_job):
    job = enqueue_job("tests.file")
    run_queued()

    status = client.get(f"/jobs/{job.id}.json").json
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    download = client.get(f"/jobs/{job.id}/file")

    assert (status["state"], status["pending"]) == ("done", False)
    assert status["progress"]["percent"] == 100
    assert status["result_url"] == f"/jobs/{job.id}/file"
    assert "data-job-url" not in page  # nothing left to follow
    assert "Tải tệp kết quả" in page and "Báo cáo tỉnh Gia Lai 2025.csv" in page
    assert download.status_code == 200
    assert download.mimetype == "text/csv"
    assert download.get_data(as_text=True) == "Đơn vị;Số phiên\nGia Lai;12\n"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "B%C3%A1o%20c%C3%A1o" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "private, no-store"


def test_a_job_without_a_file_has_nothing_to_download(client, enqueue_job):
    job = enqueue_job("tests.echo")
    run_queued()

    assert client.get(f"/jobs/{job.id}/file").status_code == 404


def test_a_failed_job_says_why_and_can_be_retried_from_its_page(client, enqueue_job,
                                                                 job_state):
    job = enqueue_job("tests.refuse")
    run_queued()
    page_url = f"/jobs/{job.id}"

    page = client.get(page_url).get_data(as_text=True)
    assert "Năm 2025 chưa có biên bản nào đã hoàn thiện để xuất." in page
    assert "Thử lại" in page

    response = client.post(f"/jobs/{job.id}/retry", data={
        "csrf_token": form_token(client, page_url), "next": "/sessions/"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/sessions/"
    assert job_state(job).state is JobState.QUEUED
    assert "Đã xếp việc vào hàng đợi để chạy lại." in flashes(client.get("/sessions/"))


def test_retrying_needs_the_forms_token(client, enqueue_job, job_state):
    job = enqueue_job("tests.refuse")
    run_queued()

    response = client.post(f"/jobs/{job.id}/retry")

    assert response.status_code == 400
    assert job_state(job).state is JobState.FAILED


def test_retrying_what_has_not_failed_is_explained(client, enqueue_job):
    job = enqueue_job("tests.echo")

    response = client.post(f"/jobs/{job.id}/retry", data={
        "csrf_token": form_token(client, f"/jobs/{job.id}")}, follow_redirects=True)

    assert "Chỉ chạy lại được việc không thành công." in flashes(response)


def test_who_reads_the_unit_sees_the_job_but_only_who_may_change_it_retries(
        client_for, create_user, enqueue_job, job_state):
    job = enqueue_job("tests.refuse")
    run_queued()
    viewer = client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))

    page = viewer.get(f"/jobs/{job.id}").get_data(as_text=True)
    token = form_token(viewer, f"/jobs/{job.id}")
    refused = viewer.post(f"/jobs/{job.id}/retry", data={"csrf_token": token})

    assert "Năm 2025 chưa có biên bản nào" in page
    assert "Thử lại" not in page
    assert refused.status_code == 403
    assert job_state(job).state is JobState.FAILED


@pytest.mark.parametrize("path", ["", ".json", "/file"])
def test_a_job_of_another_unit_does_not_exist_for_its_outsiders(
        client_for, commune_secretary, enqueue_job, path):
    job = enqueue_job("tests.file")
    run_queued()

    assert client_for(commune_secretary).get(f"/jobs/{job.id}{path}").status_code == 404


def test_who_asked_for_a_job_sees_it_whatever_its_unit(client_for, commune_secretary,
                                                        enqueue_job):
    job = enqueue_job("tests.echo", by=commune_secretary, unit=None)

    assert client_for(commune_secretary).get(f"/jobs/{job.id}").status_code == 200


def test_a_job_of_the_whole_country_is_an_administrators(client_for, client, admin,
                                                          commune_secretary, enqueue_job):
    job = enqueue_job("tests.echo", by=commune_secretary, unit=None)

    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client_for(admin).get(f"/jobs/{job.id}").status_code == 200


def test_nobody_signed_in_is_sent_to_sign_in(anonymous, enqueue_job):
    job = enqueue_job("tests.echo")

    for path in ("", ".json", "/file"):
        response = anonymous.get(f"/jobs/{job.id}{path}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login")
    assert anonymous.post(f"/jobs/{job.id}/retry").status_code in (302, 400)


def test_a_job_that_waits_too_long_says_so(client, enqueue_job):
    job = enqueue_job("tests.echo")
    job.run_after = utcnow() - timedelta(minutes=10)
    db.session.commit()

    status = client.get(f"/jobs/{job.id}.json").json
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)

    assert status["delayed"] is True
    assert "lâu hơn thường lệ" in status["delay_message"]
    assert "lâu hơn thường lệ" in page


def test_the_users_own_jobs_are_listed(client, enqueue_job, commune_secretary):
    mine = enqueue_job("tests.echo", label="Xuất biên bản năm 2025 để lưu trữ")
    enqueue_job("tests.echo", label="Việc của người khác", by=commune_secretary)

    page = client.get("/jobs/").get_data(as_text=True)

    assert f'href="/jobs/{mine.id}"' in page
    assert "Xuất biên bản năm 2025 để lưu trữ" in page
    assert "Việc của người khác" not in page


def test_an_unknown_job_is_not_found(client):
    assert client.get("/jobs/999999").status_code == 404
    assert client.get("/jobs/999999.json").status_code == 404
    assert not errors(client.get("/jobs/"))


def test_who_asked_for_a_job_may_retry_it_with_read_rights_alone(client_for, create_user,
                                                                 enqueue_job, job_state):
    """A viewer's own report export that failed: "Thử lại" is theirs to press (the task
    checks their rights again when it runs)."""
    viewer = create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai")
    job = enqueue_job("tests.refuse", by=viewer)
    run_queued()
    browser = client_for(viewer)

    assert "Thử lại" in browser.get(f"/jobs/{job.id}").get_data(as_text=True)
    token = form_token(browser, f"/jobs/{job.id}")
    retried = browser.post(f"/jobs/{job.id}/retry", data={"csrf_token": token})

    assert retried.status_code == 302
    assert job_state(job).state is JobState.QUEUED
