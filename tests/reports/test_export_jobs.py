"""A province's or the country's report file laid out by a job; a commune's or a district's
still sent at once."""

import io
import re

import openpyxl
import pytest
import sqlalchemy as sa

from dialogue.accounts.models import Role
from dialogue.accounts.operations import grant_role, revoke_role
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import run_queued
from dialogue.reports import exports, tasks
from dialogue.reports.operations import build_report
from dialogue.reports.periods import year_period
from dialogue.reports.scope import ReportScope
from dialogue.units.models import Era
from tests.helpers import csrf_token_in, form_token


@pytest.fixture(autouse=True)
def job_files(app, monkeypatch, tmp_path):
    """The files jobs write go to a temporary instance folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "job-files"


def jobs() -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Job).order_by(Job.id)))


def start(client, url: str):
    """Press the button that starts the report at ``url``, as the page offering it has it."""
    token = csrf_token_in(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def job_id(response) -> int:
    assert response.status_code == 302, response.status_code
    return int(re.fullmatch(r"/jobs/(\d+)", response.headers["Location"]).group(1))


def without_timestamp(csv_text: str) -> list[str]:
    """The lines of a CSV report but the one saying when it was made."""
    return [line for line in csv_text.splitlines() if not line.startswith("Lập lúc,")]


def test_a_communes_report_is_sent_at_once(client_for, commune_secretary, gia_lai_2025):
    client = client_for(commune_secretary)
    page = client.get("/dashboard?year=2025").get_data(as_text=True)

    response = client.get("/dashboard/report.csv?year=2025")

    assert 'href="/dashboard/report.csv?' in page and "formaction" not in page
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Xã Ia Grai" in response.data.decode("utf-8-sig")
    assert jobs() == []


def test_a_former_districts_report_is_sent_at_once(client, gia_lai_2025, unit):
    district = unit("Huyện Ia Grai", Era.LEGACY).id

    response = client.get(f"/dashboard/report.xlsx?year=2025&unit_id={district}")

    assert response.status_code == 200
    assert response.mimetype == exports.FORMATS["xlsx"].mimetype
    assert jobs() == []


def test_a_provinces_report_is_a_job_whose_page_offers_the_file(client, gia_lai_2025, unit):
    page = client.get("/dashboard?year=2025").get_data(as_text=True)
    buttons = re.findall(r'formaction="([^"]+)"', page)
    assert [re.match(r"/dashboard/report\.(\w+)\?", url).group(1) for url in buttons] == [
        "xlsx", "csv", "pdf"]
    assert 'href="/dashboard/report.' not in page

    token = csrf_token_in(page)
    job = job_id(client.post(buttons[0].replace("&amp;", "&"), data={"csrf_token": token}))

    queued = client.get(f"/jobs/{job}").get_data(as_text=True)
    assert "Báo cáo Excel (XLSX): Tỉnh Gia Lai, Năm 2025" in queued
    assert "data-job-url" in queued  # followed by the page's script until it ends
    assert run_queued() == 1
    status = client.get(f"/jobs/{job}.json").json
    assert status["state"] == "done" and status["result_url"] == f"/jobs/{job}/file"
    download = client.get(status["result_url"])
    assert download.status_code == 200
    assert download.mimetype == exports.FORMATS["xlsx"].mimetype
    assert "bao-cao-doi-thoai_2025-52_2025.xlsx" in download.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(download.data))
    # The province's four sessions of 2025 held or scheduled under its 2025 units.
    report = build_report(ReportScope(year_period(2025), unit("Tỉnh Gia Lai")))
    assert workbook["Hội nghị"].max_row == len(exports.report_tables(report)[0].rows) + 1


def test_the_job_counts_then_lays_out_and_says_so(client, gia_lai_2025, monkeypatch):
    """Its progress, as the job's page reads it while the worker is at each step."""
    seen = []

    def job_row() -> tuple:
        with db.engine.connect() as connection:  # what another request would read now
            return tuple(connection.execute(sa.select(
                Job.progress_done, Job.progress_total, Job.progress_text)).one())

    def counting(scope):
        seen.append(job_row())
        return build_report(scope)

    def laying_out(report, fmt, report_file=exports.report_file):
        seen.append(job_row())
        return report_file(report, fmt)

    monkeypatch.setattr(tasks, "build_report", counting)
    monkeypatch.setattr(tasks.exports, "report_file", laying_out)
    job_id(start(client, "/dashboard/report.pdf?year=2025"))

    run_queued()

    assert seen == [(0, 2, "Đang tổng hợp số liệu…"), (1, 2, "Đang lập tệp PDF…")]
    assert jobs()[0].state is JobState.DONE


def test_the_file_holds_what_the_report_counts(client, gia_lai_2025, unit):
    """The same figures as the report made in the request (the commune's way)."""
    job_id(start(client, "/dashboard/report.csv?year=2025&roll_up=y"))
    run_queued()

    data = client.get(f"/jobs/{jobs()[0].id}/file").data
    direct = exports.to_csv(build_report(ReportScope(
        year_period(2025), unit("Tỉnh Gia Lai"), roll_up=True, today=local_today())))
    assert data.startswith(b"\xef\xbb\xbf")
    assert without_timestamp(data.decode("utf-8-sig")) == without_timestamp(
        direct.decode("utf-8-sig"))
    assert "Tính vào đơn vị kế thừa" in data.decode("utf-8-sig")


def test_a_former_provinces_report_is_a_job_too(client, gia_lai_2025, unit):
    former = unit("Tỉnh Gia Lai", Era.LEGACY)

    job = job_id(start(client, f"/dashboard/report.csv?year=2025&unit_id={former.id}"))
    run_queued()

    row = db.session.get(Job, job)
    assert row.unit == former and row.state is JobState.DONE
    assert row.result["filename"] == f"bao-cao-doi-thoai_legacy-{former.code_text}_2025.csv"


def test_the_countrys_report_is_a_job_of_the_whole_country(client_for, admin, client,
                                                           gia_lai_2025):
    national = client_for(admin)

    job = job_id(start(national, "/dashboard/report.csv?year=2025"))

    assert db.session.get(Job, job).unit is None
    assert client.get(f"/jobs/{job}").status_code == 404  # the province's secretary
    run_queued()
    data = national.get(f"/jobs/{job}/file").data.decode("utf-8-sig")
    assert "Đơn vị,Toàn quốc" in data


def test_a_link_to_a_big_report_offers_its_button_and_then_follows_the_job(client,
                                                                           gia_lai_2025):
    url = "/dashboard/report.xlsx?year=2025"
    offered = client.get(url)
    html = offered.get_data(as_text=True)
    assert offered.status_code == 200 and jobs() == []
    action = re.search(r'<form method="post" action="(/dashboard/[^"]+)"', html).group(1)
    assert action.startswith("/dashboard/report.xlsx?") and "year=2025" in action
    assert "Lập báo cáo Excel (XLSX)" in html

    first = job_id(start(client, url))
    again = client.get(url).get_data(as_text=True)
    assert f'href="/jobs/{first}"' in again and "data-job-url" in again
    assert "Lập báo cáo Excel (XLSX)</button>" not in again
    # A second press while the first is under way follows the same job.
    assert job_id(client.post(url, data={"csrf_token": csrf_token_in(html)})) == first
    assert len(jobs()) == 1
    # Another format is another file.
    assert job_id(start(client, "/dashboard/report.csv?year=2025")) != first


def test_a_finished_report_can_be_asked_for_again(client, gia_lai_2025):
    url = "/dashboard/report.csv?year=2025"
    first = job_id(start(client, url))
    run_queued()

    assert job_id(start(client, url)) != first


def test_starting_a_report_needs_the_forms_token(client, gia_lai_2025):
    form_token(client, "/dashboard?year=2025")

    assert client.post("/dashboard/report.csv?year=2025").status_code == 400
    assert client.post("/dashboard/report.csv?year=2025",
                       data={"csrf_token": "forged"}).status_code == 400
    assert jobs() == []


def test_a_report_out_of_ones_scope_is_refused(client_for, commune_secretary, gia_lai_2025,
                                               unit):
    client = client_for(commune_secretary)
    token = form_token(client, "/dashboard?year=2025")
    province = unit("Tỉnh Gia Lai").id

    for url in (f"/dashboard/report.csv?year=2025&unit_id={province}",
                "/dashboard/report.csv?year=2025&unit_id=999999999"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
        assert client.get(url).status_code == 403, url
    assert jobs() == []


def test_nobody_signed_in_starts_no_report(anonymous, gia_lai_2025):
    response = anonymous.post("/dashboard/report.csv?year=2025")

    assert response.status_code in (302, 400) and jobs() == []
    assert anonymous.get("/dashboard/report.csv?year=2025").headers["Location"].startswith(
        "/login")


@pytest.mark.parametrize("query", ["year=abc", "year=2025&period=month&month=13",
                                   "year=2025&unit_id=-4"])
def test_a_report_that_does_not_parse_starts_nothing(client, gia_lai_2025, query):
    token = form_token(client, "/dashboard?year=2025")

    assert client.post(f"/dashboard/report.pdf?{query}",
                       data={"csrf_token": token}).status_code in (400, 403)
    assert client.post("/dashboard/report.docx?year=2025",
                       data={"csrf_token": token}).status_code == 404
    assert jobs() == []


def test_rights_lost_before_the_job_runs_fail_it_with_the_reason(client, secretary, admin,
                                                                 gia_lai_2025, unit):
    job = job_id(start(client, "/dashboard/report.csv?year=2025"))
    revoke_role(secretary.roles[0], by=admin)
    grant_role(secretary, Role.SECRETARY, unit("Xã Ia Grai"), by=admin)
    db.session.commit()

    run_queued()

    row = db.session.get(Job, job)
    assert row.state is JobState.FAILED and row.attempts == 1  # not retried: it cannot help
    assert row.error == "Bạn không có quyền xem số liệu của đơn vị này."
    assert not row.result


def test_the_files_stay_vietnamese_under_an_english_interface(client, gia_lai_2025):
    client.post("/language", data={"csrf_token": form_token(client, "/dashboard"),
                                   "language": "en", "next": "/dashboard"})

    job = job_id(start(client, "/dashboard/report.csv?year=2025"))
    assert "Year 2025" in client.get(f"/jobs/{job}").get_data(as_text=True)
    run_queued()

    data = client.get(f"/jobs/{job}/file").data.decode("utf-8-sig")
    assert "Kỳ báo cáo,Năm 2025" in data and "Year 2025" not in data
