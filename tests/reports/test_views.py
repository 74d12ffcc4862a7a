"""The dashboard, the rows behind its figures, the downloads and the command line."""

import csv
import io
import re
from datetime import timedelta

import openpyxl
import pytest

from dialogue.issues.models import IssueKind, IssueOutcome
from dialogue.sessions.models import SessionStatus
from dialogue.units.models import Era
from tests.helpers import at, form_token, statements


def figure(html: str, name: str) -> int:
    match = re.search(rf'data-figure="{name}"><span class="counter-value">(\d+)<', html)
    assert match, name
    return int(match.group(1))


def drill_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/dashboard/rows\?[^"]+)"',
                                                              html)]




def test_the_dashboard_shows_the_years_figures_each_linked_to_its_rows(client, gia_lai_2025):
    html = client.get("/dashboard?period=year&year=2025").get_data(as_text=True)

    assert "Năm 2025" in html and "Tỉnh Gia Lai" in html
    assert [figure(html, name) for name in ("held", "issues", "assigned", "resolved",
                                            "communes", "short_notice", "late_minutes")] == [
        5, 7, 6, 2, 134, 3, 3]
    # Judged today (2026 or later), C4 and C6 are overdue too.
    assert figure(html, "overdue") == 3
    assert "<svg" in html and 'id="chart-commitments"' in html
    links = drill_links(html)
    assert len(links) > 50
    overdue = next(link for link in links if "bucket=overdue" in link and "level" not in link)
    rows = client.get(overdue).get_data(as_text=True)
    assert 'data-total="3"' in rows and rows.count('class="overdue"') == 3
    commitments = gia_lai_2025.commitments
    for name in ("C3", "C4", "C6"):
        assert f"#commitment-{commitments[name].id}" in rows


def test_every_link_of_the_dashboard_lists_as_many_rows_as_it_counts(client, gia_lai_2025):
    html = client.get("/dashboard?period=year&year=2025&roll_up=y").get_data(as_text=True)

    checked = 0
    for link, count in re.findall(r'href="(/dashboard/rows\?[^"]+)"[^>]*>(\d+)<', html):
        rows = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert f'data-total="{count}"' in rows, link
        checked += 1
    assert checked > 40


@pytest.mark.parametrize(("query", "field", "message"), [
    ("year=abc", "year", "Hãy nhập một số nguyên."),
    ("year=3000", "year", "Năm phải từ 1900 đến 2100."),
    ("period=custom&year=2025", "date_from", "Hãy nhập ngày bắt đầu."),
    ("period=custom&date_from=01/03/2025&date_to=01/02/2025", "date_to",
     "Ngày kết thúc phải sau ngày bắt đầu."),
    ("period=custom&date_from=31/02/2025&date_to=01/03/2025", "date_from",
     "Ngày phải có dạng dd/mm/yyyy"),
    ("period=weekly", "period", "Lựa chọn không hợp lệ."),
    ("period=month&month=13", "month", "Lựa chọn không hợp lệ."),
    ("unit_id=abc", "unit_id", "Hãy chọn từ danh sách gợi ý."),
    ("unit_id=999999", "unit_id", "Không tìm thấy đơn vị này."),
])
def test_bad_input_is_explained_beside_its_field(client, query, field, message):
    response = client.get(f"/dashboard?{query}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert re.search(rf'id="{field}-error"', html) or f'name="{field}"' in html
    assert 'data-figure="held"' not in html


def test_a_unit_out_of_scope_is_refused_beside_the_unit(client_for, unit, commune_secretary):
    client = client_for(commune_secretary)
    pleiku = unit("Phường Pleiku").id

    page = client.get(f"/dashboard?unit_id={pleiku}").get_data(as_text=True)
    assert "Bạn không có quyền xem số liệu của đơn vị này." in page
    assert client.get(f"/dashboard/report.xlsx?unit_id={pleiku}").status_code == 403
    assert client.get(f"/dashboard/rows?show=issues&unit_id={pleiku}").status_code == 403
    # Their own commune is the default.
    own = client.get("/dashboard").get_data(as_text=True)
    assert "Xã Ia Grai" in own and 'data-figure="held"' in own


@pytest.mark.parametrize("query", ["show=everything", "show=issues&level=city",
                                   "show=commitments&bucket=late", "show=issues&field=x",
                                   "show=issues&row=99999999999", ""])
def test_a_list_that_names_nothing_counted_is_not_found(client, query):
    assert client.get(f"/dashboard/rows?year=2025&{query}").status_code == 404


def test_the_downloads_are_files_named_for_the_report(client, gia_lai_2025, unit):
    # A commune's files come at once (a province's are jobs: tests/reports/test_export_jobs).
    commune = unit("Xã Ia Grai")
    query = f"period=quarter&year=2025&quarter=3&unit_id={commune.id}"

    xlsx = client.get(f"/dashboard/report.xlsx?{query}")
    assert xlsx.status_code == 200
    assert xlsx.headers["Content-Disposition"] == (
        f'attachment; filename="bao-cao-doi-thoai_2025-{commune.code_text}_2025-Q3.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert [row[1].value for row in workbook["Hội nghị"].iter_rows()][-1] == 1  # S4 only
    data = client.get(f"/dashboard/report.csv?{query}")
    assert data.mimetype == "text/csv" and data.data.startswith(b"\xef\xbb\xbf")
    pdf = client.get(f"/dashboard/report.pdf?{query}")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert client.get(f"/dashboard/report.docx?{query}").status_code == 404


def test_the_dashboard_costs_the_same_queries_whatever_the_data(
        client, gia_lai_2025, create_session, unit, record, commit_to):
    before = statements(client, "/dashboard?year=2025")
    for number, name in enumerate(["Xã Ia Hrung", "Phường Diên Hồng", "Xã Ân Hảo",
                                   "Phường Pleiku"]):
        session = create_session(unit=name, status=SessionStatus.HELD,
                                 starts_at=at("2025-08-04 08:00") + timedelta(days=number))
        for kind in IssueKind:
            commit_to(record(session, kind=kind, outcome=IssueOutcome.FOLLOW_UP))

    assert statements(client, "/dashboard?year=2025") == before


def test_the_command_line_writes_a_report_for_scheduled_jobs(app, gia_lai_2025, tmp_path):
    out = tmp_path / "bao-cao.csv"

    result = app.test_cli_runner().invoke(args=[
        "reports", "export", "--period", "2025", "--unit", "52", "--format", "csv",
        "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert "Tỉnh Gia Lai, Năm 2025: 5 hội nghị đã tổ chức, 7 ý kiến" in result.output
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert ["Tổng cộng", "5", "3", "2", "3", "1", "1", "368"] in rows
    district = app.test_cli_runner().invoke(args=[
        "reports", "export", "--period", "2025-H1", "--unit", "628", "--format", "xlsx",
        "--out", str(tmp_path / "huyen.xlsx")])
    assert district.exit_code == 0, district.output
    assert "Huyện Ia Grai (trước 01/07/2025), 6 tháng đầu năm 2025: 2 hội nghị" in district.output


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2025-Q9", "--format", "pdf"], "Quý phải từ 1 đến 4."),
    (["--period", "quý 3", "--format", "pdf"], "Kỳ báo cáo không hợp lệ"),
    (["--period", "2025", "--unit", "99", "--format", "pdf"], "không có đơn vị mã 99"),
])
def test_the_command_line_explains_what_it_cannot_read(app, tmp_path, args, message):
    result = app.test_cli_runner().invoke(args=["reports", "export", *args,
                                                "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_line_reads_a_former_province_by_its_code(app, gia_lai_2025, tmp_path):
    result = app.test_cli_runner().invoke(args=[
        "reports", "export", "--period", "2025-H1", "--unit", "64", "--era", "legacy",
        "--format", "csv", "--out", str(tmp_path / "tinh-cu.csv")])

    assert result.exit_code == 0, result.output
    assert "Tỉnh Gia Lai (trước 01/07/2025), 6 tháng đầu năm 2025: 3 hội nghị" in result.output


def answers_every_link(client, url: str) -> str:
    """The dashboard at ``url``, after checking that each list behind it and each download
    answers (and that each list shows as many rows as its figure counts). A province's or
    the country's downloads are buttons that start a job: their address, opened as a link,
    shows the button."""
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.get_data(as_text=True)
    for link, count in re.findall(r'href="(/dashboard/rows\?[^"]+)"[^>]*>(\d+)<', html):
        rows = client.get(link.replace("&amp;", "&"))
        assert rows.status_code == 200, link
        assert f'data-total="{count}"' in rows.get_data(as_text=True), link
    downloads = re.findall(r'(?:href|formaction)="(/dashboard/report\.\w+\?[^"]+)"', html)
    assert len(downloads) == 3
    for link in downloads:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    return html


def test_a_month_without_sessions_counts_nothing_and_every_link_answers(client, gia_lai_2025):
    html = answers_every_link(client, "/dashboard?period=month&year=2025&month=8&roll_up=y")

    assert "Tháng 8 năm 2025" in html
    assert [figure(html, name) for name in ("held", "issues", "assigned", "resolved",
                                            "overdue", "short_notice", "late_minutes")] == [
        0, 0, 0, 0, 0, 0, 0]


def test_a_future_year_counts_nothing_and_lists_no_commune_yet(client, gia_lai_2025):
    html = answers_every_link(client, "/dashboard?year=2030")

    assert figure(html, "held") == 0
    # The communes' yearly duty is judged only once the year has begun.
    assert figure(html, "communes") == 0


def test_rolling_up_a_former_unit_keeps_its_own_figures(client, gia_lai_2025, unit):
    former = unit("Tỉnh Gia Lai", Era.LEGACY).id

    kept = answers_every_link(client, f"/dashboard?year=2025&unit_id={former}")
    ticked = answers_every_link(client, f"/dashboard?year=2025&unit_id={former}&roll_up=y")

    # A former unit has no successor inside itself to move its figures to.
    names = ("held", "issues", "assigned", "resolved", "overdue", "communes")
    assert [figure(ticked, name) for name in names] == [figure(kept, name) for name in names]
    assert figure(ticked, "held") == 3
    assert "số liệu đơn vị cũ tính vào đơn vị kế thừa" not in ticked


@pytest.mark.parametrize("query", ["show=SESSIONS", "show=commitments&inform=soon",
                                   "show=issues&outcome=maybe", "show=issues&field=-1",
                                   "show=issues&row=0"])
def test_a_list_link_with_a_bad_value_is_not_found(client, query):
    assert client.get(f"/dashboard/rows?year=2025&{query}").status_code == 404


def test_the_dashboard_speaks_english_and_the_files_stay_vietnamese(client, gia_lai_2025,
                                                                   unit):
    client.post("/language", data={"csrf_token": form_token(client, "/dashboard"),
                                   "language": "en", "next": "/dashboard"})

    html = answers_every_link(client, "/dashboard?year=2025")
    assert '<html lang="en">' in html
    assert "Figures and reports" in html and "Year 2025" in html
    assert "Citizen answered on time" in html
    overdue = client.get("/dashboard/rows?year=2025&show=commitments&bucket=overdue")
    assert "<h1>Commitments · Overdue</h1>" in overdue.get_data(as_text=True)
    commune = unit("Xã Ia Grai").id
    data = client.get(f"/dashboard/report.csv?year=2025&unit_id={commune}").data.decode(
        "utf-8-sig")
    assert "Kỳ báo cáo,Năm 2025" in data and "Trả lời công dân đúng hạn" in data
    assert "Year 2025" not in data


def test_the_lists_behind_the_figures_cost_the_same_queries_whatever_the_data(
        client, gia_lai_2025, create_session, unit, record, commit_to):
    province = unit("Tỉnh Gia Lai").id
    lists = [f"/dashboard/rows?year=2025&roll_up=y&{query}" for query in (
        "show=sessions", "show=issues", "show=commitments", "show=commitments&inform=overdue",
        f"show=commitments&bucket=open&row={province}", "show=communes", "show=late_minutes")]
    before = [statements(client, url) for url in lists]
    for number, name in enumerate(["Xã Ia Hrung", "Phường Diên Hồng", "Xã Ia Grai"]):
        session = create_session(unit=name, status=SessionStatus.HELD,
                                 starts_at=at("2025-08-04 08:00") + timedelta(days=number))
        for kind in IssueKind:
            commit_to(record(session, kind=kind, outcome=IssueOutcome.FOLLOW_UP))
    former = create_session(unit=unit("Thị trấn Ia Kha", Era.LEGACY), status=SessionStatus.HELD,
                            starts_at=at("2025-03-04 08:00"))
    commit_to(record(former, kind=IssueKind.OPINION, outcome=IssueOutcome.FOLLOW_UP))

    assert [statements(client, url) for url in lists] == before
