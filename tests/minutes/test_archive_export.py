"""A secretary hands a year's filed minutes to the archives: /minutes/archive queues a job
that packs the PDFs and index.csv into a .zip, downloaded from the page once done; the
command `flask minutes export` writes the same files to a folder."""

import csv
import io
import re
import zipfile

import pytest
import sqlalchemy as sa

from dialogue.accounts.models import Role
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import run_queued
from dialogue.minutes.archive import INDEX_NAME, export_year
from tests.helpers import at, field_errors, flashes, form_token

PAGE = "/minutes/archive"


@pytest.fixture(autouse=True)
def job_files(app, monkeypatch, tmp_path):
    """The files jobs produce land in a temporary instance folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path / "instance"))


@pytest.fixture
def filed_2026(held_session, final):
    """Two minutes of Tỉnh Gia Lai filed for sessions of March 2026."""
    return [final(held_session()), final(held_session(starts_at=at("2026-03-09 08:00")))]


@pytest.fixture
def ask(client):
    """``ask(year, unit, browser=client)``: the page's form sent."""

    def post(year, unit, *, browser=None):
        browser = browser or client
        return browser.post(PAGE, data={
            "csrf_token": form_token(browser, PAGE), "year": str(year),
            "unit_id": str(unit.id) if unit else "", "unit_label": unit.name if unit else ""})

    return post


def jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Job).order_by(Job.id)))


def test_the_page_offers_last_year_and_the_secretarys_own_unit(client, unit):
    page = client.get(PAGE).get_data(as_text=True)

    assert re.search(rf'name="year"[^>]* value="{local_today().year - 1}"', page)
    assert re.search(rf'name="unit_id"[^>]* value="{unit("Tỉnh Gia Lai").id}"', page)
    assert 'value="Tỉnh Gia Lai"' in page


def test_a_year_is_packed_by_a_job_and_downloaded_as_the_same_files_as_the_command(
        client, ask, unit, filed_2026, tmp_path):
    province = unit("Tỉnh Gia Lai")

    response = ask(2026, province)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(PAGE)
    [job] = jobs()
    assert (job.kind, job.state, job.unit_id) == ("minutes.archive_export", JobState.QUEUED,
                                                 province.id)
    page = client.get(PAGE)
    assert flashes(page) == ["Đang đóng gói biên bản năm 2026: tải tệp ở đây khi xong."]
    assert "Biên bản năm 2026 để nộp lưu: Tỉnh Gia Lai" in page.get_data(as_text=True)
    assert f'data-job-url="/jobs/{job.id}.json"' in page.get_data(as_text=True)

    assert run_queued() == 1

    [job] = jobs()
    assert job.state is JobState.DONE
    # One step per PDF, as the user saw it move.
    assert (job.progress_done, job.progress_total) == (2, 2)
    assert f"/jobs/{job.id}/file" in client.get(PAGE).get_data(as_text=True)
    download = client.get(f"/jobs/{job.id}/file")
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert "bien-ban-2026-tinh-gia-lai.zip" in download.headers["Content-Disposition"]
    packed = zipfile.ZipFile(io.BytesIO(download.data))
    folder = tmp_path / "by-the-command"
    export_year(2026, folder, unit=province)
    assert sorted(packed.namelist()) == sorted(path.name for path in folder.iterdir())
    for name in packed.namelist():
        assert packed.read(name) == (folder / name).read_bytes(), name
    index = list(csv.reader(io.StringIO(packed.read(INDEX_NAME).decode("utf-8-sig"))))
    assert [row[5] for row in index[1:]] == [revision.pdf_sha256 for revision in filed_2026]


def test_a_year_without_filed_minutes_is_refused_beside_the_year_and_nothing_is_queued(
        ask, unit, filed_2026):
    response = ask(2025, unit("Tỉnh Gia Lai"))

    assert response.status_code == 400
    assert field_errors(response)["year"] == [
        "Năm 2025 chưa có biên bản nào đã hoàn thiện ở đơn vị này."]
    assert jobs() == []


@pytest.mark.parametrize(("year", "message"), [
    ("", "Hãy ghi năm."), ("hai nghìn", "Hãy nhập một số nguyên."),
    ("1975", "Năm phải từ 2000 đến 2100."),
], ids=["empty", "words", "too-early"])
def test_a_bad_year_is_explained_beside_it(client, year, message):
    response = client.post(PAGE, data={"csrf_token": form_token(client, PAGE), "year": year})

    assert response.status_code == 400
    assert message in field_errors(response)["year"]
    assert jobs() == []


def test_a_second_click_follows_the_same_job(ask, unit, filed_2026):
    ask(2026, unit("Tỉnh Gia Lai"))

    assert ask(2026, unit("Tỉnh Gia Lai")).status_code == 302

    assert len(jobs()) == 1


def test_a_commune_secretary_packs_her_commune_but_not_the_province(
        client_for, commune_secretary, ask, unit, filed_2026):
    browser = client_for(commune_secretary)

    refused = ask(2026, unit("Tỉnh Gia Lai"), browser=browser)
    unchosen = ask(2026, None, browser=browser)

    assert field_errors(refused)["unit_id"] == ["Bạn không có quyền với đơn vị này."]
    assert field_errors(unchosen)["unit_id"] == ["Hãy chọn đơn vị."]
    assert jobs() == []


def test_an_administrator_packs_the_whole_country_when_no_unit_is_chosen(
        client_for, admin, ask, filed_2026):
    assert ask(2026, None, browser=client_for(admin)).status_code == 302

    run_queued()
    [job] = jobs()
    assert (job.state, job.unit_id, job.result["filename"]) == (
        JobState.DONE, None, "bien-ban-2026-toan-quoc.zip")


def test_a_job_asked_for_by_someone_who_has_since_lost_the_unit_fails_and_says_why(
        ask, unit, filed_2026, secretary):
    ask(2026, unit("Tỉnh Gia Lai"))
    secretary.roles.clear()
    db.session.commit()

    run_queued()

    [job] = jobs()
    assert (job.state, job.error) == (JobState.FAILED, "Bạn không có quyền với đơn vị này.")


def test_a_viewer_has_no_archive_page(client_for, create_user):
    viewer = client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))

    assert viewer.get(PAGE).status_code == 403
