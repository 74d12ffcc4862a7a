"""What a secretary, a viewer and anyone holding a printed copy do with the minutes, through
HTTP."""

import html
import re
import secrets

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from dialogue.accounts.models import Role
from dialogue.extensions import db
from dialogue.issues.operations import session_issues
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import latest_job, run_queued
from dialogue.minutes.archive import filed_revision
from dialogue.minutes.models import Minutes, MinutesRevision, MinutesStatus
from dialogue.minutes.operations import (
    finalize_minutes,
    finalizing_job,
    minutes_of,
    start_correction,
)
from dialogue.sessions.models import SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule
from tests.helpers import at, field_errors, flashes, form_token

from .conftest import CONCLUSIONS

STALE = ("Bản ghi vừa được người khác cập nhật trong lúc bạn sửa. Hãy tải lại trang, xem thay "
         "đổi của họ rồi nhập lại.")
REASON = "Ghi sai số người dân tham dự: 120 người, không phải 150 người."

_FORM = re.compile(r'<form method="post" action="[^"]*/minutes"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r"<input\b([^>]*)>")
_TEXTAREA = re.compile(r'<textarea\b[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)
_SELECT = re.compile(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)
_ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


def fields(page: str) -> dict[str, str]:
    """What the browser sends from the minutes form of ``page`` as it is shown."""
    match = _FORM.search(page)
    assert match, "the page has no minutes form"
    form = match.group(1)
    data = {}
    for attributes in _INPUT.findall(form):
        attributes = dict(_ATTRIBUTE.findall(attributes))
        data[attributes["name"]] = html.unescape(attributes.get("value", ""))
    for name, text in _TEXTAREA.findall(form):
        # Browsers drop the line break that follows the opening tag.
        data[name] = html.unescape(re.sub(r"^\r?\n", "", text))
    for name, options in _SELECT.findall(form):
        chosen = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected',
                           options)
        data[name] = next(value for value in chosen.groups() if value is not None)
    return data


def minutes_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Minutes))


@pytest.fixture
def session(held_session):
    return held_session()


@pytest.fixture
def url(session):
    return f"/sessions/{session.id}/minutes"


@pytest.fixture
def opened(client, url):
    """``opened(browser=client)``: the minutes form as the page shows it now, to submit."""

    def open_form(browser=None) -> dict[str, str]:
        response = (browser or client).get(url)
        assert response.status_code == 200
        return fields(response.get_data(as_text=True))

    return open_form


@pytest.fixture
def submit(client, url, opened):
    """``submit(action="save", **changes)``: open the page, change fields, press a button."""

    def post(action: str = "save", *, browser=None, form=None, **changes):
        data = {**(form or opened(browser)), **changes, "action": action}
        return (browser or client).post(url, data=data)

    return post


@pytest.fixture
def viewer_browser(client_for, create_user):
    """Signed in as xem.tinh, a viewer of the whole province."""
    return client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))


@pytest.fixture
def commune_browser(client_for, commune_secretary):
    return client_for(commune_secretary)


# Drafting ----------------------------------------------------------------------------------

def test_a_held_session_without_minutes_shows_the_form_filled_from_the_session(opened):
    form = opened()

    assert form["template"] == "state"
    assert form["issuing_body"] == "ỦY BAN NHÂN DÂN TỈNH GIA LAI"
    assert (form["parent_body"], form["symbol"], form["number"]) == ("", "BB-UBND", "")
    assert form["place_name"] == "Gia Lai"
    assert (form["attendance-0-label"], form["attendance-0-count"]) == ("Lãnh đạo", "1")
    assert (form["attendance-1-label"], form["attendance-1-count"]) == ("Nhân dân", "0")
    assert form["attendees"] == "Ayun H’Bút, Phó Chủ tịch HĐND tỉnh"
    assert form["copies"] == "2"
    assert form["recipients"].endswith("- Lưu: VT, Hồ sơ.")
    assert form["version"] == ""


def test_looking_at_the_form_saves_nothing(client, url):
    assert "Chưa lập" in client.get(url).get_data(as_text=True)

    assert minutes_count() == 0


def test_saving_the_form_keeps_a_draft_and_comes_back_to_it(client, url, submit, session):
    response = submit(conclusions=CONCLUSIONS, **{"attendance-1-count": "120"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    minutes = minutes_of(session)
    assert minutes.status is MinutesStatus.DRAFT
    assert minutes.conclusions == CONCLUSIONS
    assert [(g.label, g.count) for g in minutes.attendance] == [("Lãnh đạo", 1),
                                                               ("Nhân dân", 120)]
    assert minutes.number is None
    page = client.get(url)
    assert flashes(page) == ["Đã lưu dự thảo biên bản."]
    assert fields(page.get_data(as_text=True))["conclusions"] == CONCLUSIONS


def test_an_attendance_row_added_in_the_page_is_saved(submit, session):
    submit(**{"attendance-2-label": "Đại diện các sở, ngành", "attendance-2-count": "14"})

    assert [(g.label, g.count) for g in minutes_of(session).attendance] == [
        ("Lãnh đạo", 1), ("Nhân dân", 0), ("Đại diện các sở, ngành", 14)]


# (Not "field": that name is the fixture issue_details uses.)
@pytest.mark.parametrize(("changes", "blamed", "message"), [
    ({"copies": "0"}, "copies", "Số bản phải từ 1 đến 99."),
    ({"copies": "abc"}, "copies", "Hãy nhập một số nguyên."),
    ({"issuing_body": "", "place_name": "Pleiku"}, "issuing_body",
     "Hãy ghi tên cơ quan ban hành."),
    ({"attendance-1-label": "", "attendance-1-count": "120"}, "attendance-1-label",
     "Hãy ghi thành phần, hoặc xóa cả dòng."),
], ids=["no-copies", "copies-not-a-number", "no-issuing-body", "count-without-label"])
def test_bad_input_is_explained_beside_the_field_and_what_was_typed_stays(
        submit, changes, blamed, message):
    typed = {**changes, "conclusions": "Kết luận chưa lưu.", "signing_note": "Không ai từ chối."}

    response = submit(**typed)

    assert response.status_code == 400
    assert message in field_errors(response)[blamed]
    shown = fields(response.get_data(as_text=True))
    assert {name: shown[name] for name in typed} == typed
    assert minutes_count() == 0


# Finalizing --------------------------------------------------------------------------------

def test_finalizing_from_the_form_saves_the_draft_and_leaves_the_filing_to_a_job(
        client, url, submit, session):
    response = submit("finalize", conclusions=CONCLUSIONS)

    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    minutes = minutes_of(session)
    assert (minutes.status, minutes.conclusions, minutes.revisions) == (
        MinutesStatus.DRAFT, CONCLUSIONS, [])
    job = finalizing_job(minutes)
    assert (job.kind, job.state, job.created_by.username) == (
        "minutes.finalize", JobState.QUEUED, "thuky.tinh")
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert flashes(page) == ["Đã lưu dự thảo và bắt đầu hoàn thiện biên bản: bản PDF/A hiện "
                             "ở trang này khi xong."]
    assert "Đang hoàn thiện biên bản…" in text
    # The panel follows the job (jobs.js) and, without script, offers to reload.
    assert f'data-job-url="/jobs/{job.id}.json"' in text
    assert "Tải lại trang" in text
    # Nothing more to send until it is done: the draft is what the job files.
    assert re.search(r'<button type="submit" name="action" value="save" disabled>', text)
    assert re.search(r'value="finalize" class="primary" disabled', text)


def test_once_the_job_has_run_the_page_shows_the_filed_revision_and_offers_a_correction(
        client, url, submit, session):
    submit("finalize", conclusions=CONCLUSIONS)

    assert run_queued() == 1

    minutes = minutes_of(session)
    assert minutes.status is MinutesStatus.FINAL
    assert [r.document_number for r in minutes.revisions] == ["01/BB-UBND"]
    job = db.session.get(Job, latest_job("minutes", minutes.id).id)
    assert (job.state, job.result["revision"]) == (JobState.DONE, 1)
    text = client.get(url).get_data(as_text=True)
    assert "Đang hoàn thiện biên bản…" not in text
    assert "Các bản đã hoàn thiện" in text
    assert minutes.revisions[0].pdf_sha256[:16] in text
    assert f"{url}/revisions/1.pdf" in text
    assert "Lập bản đính chính" in text
    assert not _FORM.search(text)  # the filed text is no longer edited in place


def test_a_finalizing_job_that_failed_says_why_and_can_be_retried_from_the_page(
        client, url, submit, session):
    submit("finalize", conclusions=CONCLUSIONS)
    # Meanwhile the session lost its secretary: the job refuses to file.
    session.secretary = None
    session.secretary_name = ""
    db.session.commit()
    run_queued()

    page = client.get(url).get_data(as_text=True)
    assert "Chưa hoàn thiện được biên bản" in page
    assert "Phiên chưa có thư ký: hãy ghi thư ký trước khi hoàn thiện biên bản." in page
    assert "Thử lại" in page
    assert _FORM.search(page)  # the draft can be corrected and finalized again
    assert minutes_of(session).status is MinutesStatus.DRAFT

    session.secretary_name = "Siu H’Lan"
    db.session.commit()
    job = latest_job("minutes", minutes_of(session).id)
    retried = client.post(f"/jobs/{job.id}/retry", data={
        "csrf_token": form_token(client, url), "next": url})
    assert retried.status_code == 302
    assert retried.headers["Location"].endswith(url)
    assert run_queued() == 1
    db.session.expire_all()
    assert minutes_of(session).status is MinutesStatus.FINAL


def test_finalizing_without_conclusions_saves_nothing_and_says_why(submit, session):
    response = submit("finalize", conclusions="")

    assert response.status_code == 400
    assert field_errors(response)["conclusions"] == [
        "Hãy ghi kết luận của chủ trì trước khi hoàn thiện."]
    assert minutes_count() == 0


def test_a_form_from_a_second_tab_does_not_overwrite_the_first(submit, opened, session,
                                                               draft):
    draft(session)
    first_tab, second_tab = opened(), opened()
    submit(form=first_tab, conclusions="Kết luận từ tab thứ nhất.")

    response = submit(form=second_tab, conclusions="Kết luận từ tab thứ hai.")

    assert response.status_code == 400
    assert field_errors(response)[""] == [STALE]
    assert "Kết luận từ tab thứ hai." in response.get_data(as_text=True)
    db.session.expire_all()
    assert minutes_of(session).conclusions == "Kết luận từ tab thứ nhất."


def test_a_tab_opened_before_the_first_save_cannot_start_a_second_draft(submit, opened,
                                                                        session):
    first_tab, second_tab = opened(), opened()
    submit(form=first_tab, conclusions="Kết luận từ tab thứ nhất.")

    response = submit(form=second_tab, conclusions="Kết luận từ tab thứ hai.")

    assert response.status_code == 400
    assert field_errors(response)[""] == [STALE]
    assert minutes_of(session).conclusions == "Kết luận từ tab thứ nhất."



def test_a_second_secretary_finalizing_while_the_job_is_pending_is_told_and_nothing_is_queued(
        client, client_for, create_user, url, opened, submit, session, draft):
    draft(session)
    colleague = client_for(create_user("thuky2.tinh", full_name="Rơ Mah H’Nhi"))
    mine, theirs = opened(), opened(colleague)
    assert submit("finalize", form=mine).status_code == 302

    response = submit("finalize", form=theirs, browser=colleague)

    assert response.status_code == 400
    assert field_errors(response)[""] == [
        "Biên bản đang được hoàn thiện: hãy chờ kết quả rồi mới sửa hoặc hoàn thiện lại."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 1
    assert run_queued() == 1
    db.session.expire_all()
    assert [revision.number for revision in minutes_of(session).revisions] == [1]


def test_a_second_secretary_finalizing_a_moment_later_is_told_and_nothing_is_filed_twice(
        client, client_for, create_user, url, opened, submit, session, draft):
    draft(session)
    colleague = client_for(create_user("thuky2.tinh", full_name="Rơ Mah H’Nhi"))
    mine, theirs = opened(), opened(colleague)
    assert submit("finalize", form=mine).status_code == 302
    run_queued()

    response = submit("finalize", form=theirs, browser=colleague)

    # The page now offers a correction, not the form she sent: the message is still shown.
    assert response.status_code == 400
    assert field_errors(response)[""] == [STALE]
    db.session.expire_all()
    assert [revision.number for revision in minutes_of(session).revisions] == [1]


def test_a_correction_started_twice_is_refused_to_the_second_secretary(
        client, client_for, create_user, url, session, final):
    minutes = final(session).minutes
    colleague = client_for(create_user("thuky2.tinh", full_name="Rơ Mah H’Nhi"))
    tokens = {browser: form_token(browser, url) for browser in (client, colleague)}
    version = str(minutes.version)
    client.post(f"{url}/correction", data={"csrf_token": tokens[client], "version": version,
                                           "reason": REASON})

    response = colleague.post(f"{url}/correction", data={
        "csrf_token": tokens[colleague], "version": version,
        "reason": "Ghi sai tên đại biểu."})

    assert response.status_code == 400
    assert field_errors(response)[""] == [STALE]
    db.session.expire_all()
    assert minutes_of(session).correction_reason == REASON

# Downloading -------------------------------------------------------------------------------

def test_the_final_pdf_does_not_exist_before_the_minutes_are_finalized(client, url, session,
                                                                       draft):
    assert client.get(f"{url}.pdf").status_code == 404
    draft(session)
    assert client.get(f"{url}.pdf").status_code == 404
    assert client.get(f"{url}/revisions/1.pdf").status_code == 404


def test_the_final_pdf_is_served_byte_for_byte_with_its_hash_as_etag(client, url, session,
                                                                     final):
    revision = final(session)

    response = client.get(f"{url}.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == revision.pdf
    assert response.headers["ETag"] == f'"{revision.pdf_sha256}"'
    assert response.headers["Content-Disposition"] == 'inline; filename="01-BB-UBND.pdf"'


def test_a_browser_holding_the_final_pdf_is_told_it_has_not_changed(client, url, session,
                                                                    final):
    revision = final(session)

    response = client.get(f"{url}.pdf", headers={"If-None-Match": f'"{revision.pdf_sha256}"'})

    assert response.status_code == 304
    assert response.data == b""


def test_the_draft_pdf_is_made_fresh_and_never_cached(client, url, session, draft):
    draft(session)

    response = client.get(f"{url}/draft.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"


def test_the_preview_shows_the_draft_as_a_web_page(client, url, session, draft):
    draft(session)

    response = client.get(f"{url}/preview")

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "ỦY BAN NHÂN DÂN TỈNH GIA LAI" in text
    assert "Làng Dơ Lâm" in text


def test_the_draft_can_be_previewed_before_anything_is_saved(client, url):
    assert client.get(f"{url}/preview").status_code == 200
    assert client.get(f"{url}/draft.pdf").status_code == 200
    assert minutes_count() == 0


# Corrections -------------------------------------------------------------------------------

def test_a_correction_without_a_reason_is_refused_beside_the_reason(client, url, session,
                                                                    final):
    revision = final(session)

    response = client.post(f"{url}/correction", data={
        "csrf_token": form_token(client, url), "version": str(revision.minutes.version),
        "reason": "  "})

    assert response.status_code == 400
    assert field_errors(response)["reason"] == ["Hãy ghi lý do đính chính."]
    db.session.expire_all()
    assert minutes_of(session).is_final


def test_a_correction_is_drafted_and_filed_as_revision_2_leaving_revision_1_to_download(
        client, url, submit, session, final):
    first = final(session)
    first_pdf = first.pdf

    started = client.post(f"{url}/correction", data={
        "csrf_token": form_token(client, url), "version": str(first.minutes.version),
        "reason": REASON})
    assert started.status_code == 302
    page = client.get(url)
    assert f"Đang lập bản đính chính lần 1. Lý do: {REASON}" in page.get_data(as_text=True)
    form = fields(page.get_data(as_text=True))
    assert form["number"] == "1"

    filed = submit("finalize", form=form, **{"attendance-1-count": "120"})

    assert filed.status_code == 302
    assert run_queued() == 1
    db.session.expire_all()
    second = filed_revision(session)
    assert (second.number, second.reason, second.document_number) == (2, REASON, "01/BB-UBND")
    assert client.get(f"{url}/revisions/1.pdf").data == first_pdf
    latest = client.get(f"{url}.pdf")
    assert latest.data == second.pdf
    assert latest.headers["ETag"] == f'"{second.pdf_sha256}"'



def test_in_english_the_page_speaks_english_and_the_filed_minutes_stay_vietnamese(
        client, url, submit, session):
    client.post("/language", data={"csrf_token": form_token(client, url), "language": "en"})

    refused = submit("finalize", conclusions="")
    filed = submit("finalize", conclusions=CONCLUSIONS)

    assert field_errors(refused)["conclusions"] == [
        "Enter the chair's conclusions before finalizing."]
    assert filed.status_code == 302
    # The job runs without the user's language: the page is still theirs, the text filed
    # Vietnamese.
    assert run_queued() == 1
    assert "Final revisions" in client.get(url).get_data(as_text=True)
    printed = filed_revision(session).content
    with force_locale("vi"):
        outcomes = [issue.outcome.label for issue in session_issues(session)]
    assert printed["format"] == "Trực tiếp"
    assert [issue["outcome"] for issue in printed["issues"]] == outcomes

# Verifying a copy --------------------------------------------------------------------------

def test_anyone_can_verify_a_copy_by_the_code_printed_on_it(anonymous, session, final):
    revision = final(session)

    for code in (revision.content_sha256, revision.pdf_sha256):
        response = anonymous.get(f"/verify/{code}")
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "Mã này khớp với một biên bản đã hoàn thiện trong kho lưu trữ." in text
        assert "01/BB-UBND" in text
        assert "02/03/2026" in text
        assert "Tỉnh Gia Lai" in text
        assert revision.pdf_sha256 in text
        assert "đã được đính chính" not in text


def test_verifying_the_first_text_after_a_correction_says_it_was_corrected(
        anonymous, session, final, secretary, draft):
    first = final(session)
    start_correction(first.minutes, reason=REASON, by=secretary)
    db.session.commit()
    draft(session, number=1)
    finalize_minutes(first.minutes, by=secretary)

    response = anonymous.get(f"/verify/{first.content_sha256}")

    assert response.status_code == 200
    assert ("Biên bản này đã được đính chính: bản mới nhất là lần 2."
            in response.get_data(as_text=True))


def test_an_unknown_code_is_not_found_and_says_so(anonymous, session, final):
    final(session)

    response = anonymous.get(f"/verify/{secrets.token_hex(32)}")

    assert response.status_code == 404
    assert ("Không có biên bản nào trong kho lưu trữ khớp với mã này."
            in response.get_data(as_text=True))


def test_a_code_typed_in_the_lookup_form_goes_to_its_page(anonymous, session, final):
    code = final(session).pdf_sha256

    response = anonymous.get("/verify/", query_string={"code": f" {code.upper()} "})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{code}")
    assert anonymous.get(response.headers["Location"]).status_code == 200


def test_the_lookup_form_is_open_to_anyone(anonymous):
    response = anonymous.get("/verify/")

    assert response.status_code == 200
    assert 'name="code"' in response.get_data(as_text=True)


# Who may see and do what -------------------------------------------------------------------

def test_someone_not_signed_in_is_sent_to_sign_in_for_the_minutes(anonymous, url, session,
                                                                  final):
    final(session)

    for path in (url, f"{url}.pdf", f"{url}/draft.pdf"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_a_viewer_downloads_the_final_pdf_but_cannot_change_anything(viewer_browser, url,
                                                                     session, final):
    revision = final(session)

    assert viewer_browser.get(f"{url}.pdf").data == revision.pdf
    page = viewer_browser.get(url).get_data(as_text=True)
    assert "Lập bản đính chính" not in page
    token = form_token(viewer_browser, url)
    assert viewer_browser.post(url, data={"csrf_token": token, "action": "save"}).status_code == 403
    assert viewer_browser.post(f"{url}/correction", data={
        "csrf_token": token, "reason": REASON,
        "version": str(revision.minutes.version)}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MinutesRevision)) == 1
    assert minutes_of(session).is_final


@pytest.mark.parametrize("path", ["", ".pdf", "/draft.pdf", "/preview", "/revisions/1.pdf"])
def test_a_commune_secretary_does_not_see_the_provincial_minutes(commune_browser, url,
                                                                 session, final, path):
    final(session)

    assert commune_browser.get(f"{url}{path}").status_code == 404


def test_a_commune_secretary_cannot_post_to_the_provincial_minutes(commune_browser, url,
                                                                   session, draft):
    draft(session)
    token = form_token(commune_browser, "/sessions/")

    for path in ("", "/correction"):
        response = commune_browser.post(f"{url}{path}", data={
            "csrf_token": token, "action": "finalize", "reason": REASON})
        assert response.status_code == 404
    db.session.expire_all()
    assert minutes_of(session).status is MinutesStatus.DRAFT


def test_a_cancelled_session_offers_no_minutes_form_and_says_why(client, create_session):
    cancelled = create_session(status=SessionStatus.CANCELLED,
                               reason="Mưa lũ, chia cắt giao thông")

    page = client.get(f"/sessions/{cancelled.id}/minutes").get_data(as_text=True)

    assert "Chỉ lập biên bản cho phiên đã công bố hoặc đã tổ chức." in page
    assert 'name="conclusions"' not in page



def test_a_draft_kept_through_a_postponement_is_read_but_not_changed_until_rescheduled(
        client, create_session, secretary, draft):
    session = create_session()  # announced: the secretary may start the minutes already
    url = f"/sessions/{session.id}/minutes"
    draft(session)
    opened_before = fields(client.get(url).get_data(as_text=True))
    change_status(session, TRANSITIONS["postpone"], reason="Mưa lũ, chia cắt giao thông",
                  by=secretary)
    db.session.commit()

    response = client.post(url, data={**opened_before, "action": "save",
                                      "conclusions": "Kết luận gõ sau khi phiên bị hoãn."})

    assert response.status_code == 400
    assert ("Chỉ lập biên bản cho phiên đã công bố hoặc đã tổ chức."
            in field_errors(response)[""])
    assert 'name="conclusions"' not in response.get_data(as_text=True)
    assert client.get(f"{url}/preview").status_code == 200
    db.session.expire_all()
    assert minutes_of(session).conclusions == CONCLUSIONS
    reschedule(session, at("2026-12-21 08:00"), at("2026-12-21 11:00"), venue=session.venue,
               reason="Lũ đã rút", by=secretary)
    db.session.commit()
    assert fields(client.get(url).get_data(as_text=True))["conclusions"] == CONCLUSIONS

def test_final_minutes_have_no_draft_to_preview(client, held_session, final):
    """Their draft would print a revision that does not exist: the filed PDF is shown."""
    session = held_session()
    final(session)
    for suffix in ("minutes/preview", "minutes/draft.pdf"):
        response = client.get(f"/sessions/{session.id}/{suffix}")
        assert response.status_code == 302
        assert response.location.endswith(f"/sessions/{session.id}/minutes.pdf")


def test_a_session_with_filed_minutes_is_not_offered_reopening(client, held_session, final):
    session = held_session()
    final(session)
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f"/sessions/{session.id}/reopen" not in page
    response = client.get(f"/sessions/{session.id}/reopen", follow_redirects=True)
    assert "Biên bản của phiên đã hoàn thiện" in response.get_data(as_text=True)
