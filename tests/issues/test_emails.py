"""The addresses the notices go to: the citizen's own (private, like their telephone) on
the issue they raised, and an agency's for the digest of the work given to it."""

import json

import pytest
from sqlalchemy import select

from dialogue.accounts.models import Role
from dialogue.accounts.permissions import NotPermitted
from dialogue.audit.models import AuditAction
from dialogue.audit.operations import history
from dialogue.extensions import db
from dialogue.issues.admin import set_agency_email
from dialogue.issues.models import Issue
from dialogue.issues.operations import update_issue
from dialogue.minutes.content import document_content
from dialogue.minutes.models import MinutesTemplate
from dialogue.minutes.operations import MinutesDetails, save_minutes
from dialogue.sessions.models import SessionStatus
from tests.helpers import field_errors, flashes, form_token

INVALID = "Địa chỉ thư điện tử không hợp lệ."
CITIZEN = "romahhyun.langdolam@gmail.com"
AGENCY = "vanphong@snnmt.gialai.gov.vn"


# The citizen's address --------------------------------------------------------------------

def test_the_citizens_address_is_kept_without_spaces_and_traced(
        create_session, record, issue_details, secretary):
    issue = record(create_session(), citizen_email=f"  {CITIZEN} ")
    assert issue.citizen_email == CITIZEN

    update_issue(issue, issue_details(citizen_email=""), by=secretary,
                 expected_version=issue.version)
    db.session.commit()
    assert issue.citizen_email == ""
    assert history("issue", issue.id)[-1].changes["citizen_email"] == [CITIZEN, ""]


def _new_issue(client, session, **fields):
    url = f"/sessions/{session.id}/issues"
    return client.post(url, data={
        "csrf_token": form_token(client, url), "raised_by": "Ông Rơ Mah Hyưn",
        "locality": "Làng Dơ Lâm", "kind": "recommendation", "field_id": "",
        "outcome": "answered",
        "content": "Đề nghị sửa đường vào làng Dơ Lâm trước mùa mưa.", **fields})


def test_the_address_typed_during_the_session_is_saved(client, create_session):
    session = create_session(status=SessionStatus.HELD)
    _new_issue(client, session, citizen_email=CITIZEN)
    assert db.session.scalars(select(Issue.citizen_email)).all() == [CITIZEN]


@pytest.mark.parametrize("typed", [f"{CITIZEN}\r\nBcc: x@y.vn", "romahhyun@gmail"])
def test_an_address_that_is_not_one_is_refused_beside_the_field_the_rest_kept(
        client, create_session, typed):
    session = create_session(status=SessionStatus.HELD)
    response = _new_issue(client, session, citizen_email=typed)
    assert response.status_code == 400
    assert field_errors(response) == {"citizen_email": [INVALID]}
    page = response.get_data(as_text=True)
    assert 'value="Ông Rơ Mah Hyưn"' in page and "trước mùa mưa" in page
    assert db.session.scalars(select(Issue)).all() == []


def test_an_edit_with_a_refused_address_says_why_and_changes_nothing(
        client, create_session, record):
    issue = record(create_session(status=SessionStatus.HELD), citizen_email=CITIZEN)
    prefix = f"issue-{issue.id}-"
    response = client.post(f"/issues/{issue.id}/edit", headers={"X-Requested-With": "fetch"},
                           data={
        "csrf_token": form_token(client, f"/sessions/{issue.session_id}/issues"),
        f"{prefix}version": str(issue.version), f"{prefix}raised_by": issue.raised_by,
        f"{prefix}kind": issue.kind.value, f"{prefix}field_id": str(issue.field_id),
        f"{prefix}outcome": issue.outcome.value,
        f"{prefix}content": issue.content, f"{prefix}citizen_email": "hyun@@gmail.com"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        f"Thư điện tử của người nêu (không công khai; để báo kết quả giải quyết): {INVALID}"]
    db.session.refresh(issue)
    assert issue.citizen_email == CITIZEN


def test_only_who_may_edit_the_session_sees_the_citizens_address(
        client, client_for, anonymous, create_session, record, create_user):
    session = create_session()
    issue = record(session, citizen_email=CITIZEN)
    for url in (f"/issues/{issue.id}", f"/sessions/{session.id}/issues"):
        assert CITIZEN in client.get(url).get_data(as_text=True), url

    viewer = client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))
    listing = (f"/issues/{issue.id}", f"/sessions/{session.id}/issues", "/search?q=do+lam")
    for url in (*listing, f"/sessions/{session.id}", f"/sessions/{session.id}.ics"):
        response = viewer.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert CITIZEN not in page, url
        assert url not in listing or issue.raised_by in page, url
    public = anonymous.get(f"/public/sessions/{session.id}")
    assert public.status_code == 200 and CITIZEN not in public.get_data(as_text=True)


def test_the_minutes_never_carry_the_citizens_address(create_session, record, secretary):
    session = create_session()
    record(session, citizen_email=CITIZEN)
    minutes = save_minutes(session, MinutesDetails(
        template=MinutesTemplate.STATE, issuing_body="ỦY BAN NHÂN DÂN TỈNH GIA LAI",
        symbol="BB-UBND", place_name="Gia Lai", attendance=[("Nhân dân", 120)],
        attendees="", conclusions="", copies=2, recipients=""), by=secretary)
    content = json.dumps(document_content(minutes), ensure_ascii=False)
    assert "Ông Rơ Châm Hyưn" in content and CITIZEN not in content


# An agency's address ----------------------------------------------------------------------

@pytest.fixture
def agency(create_session, record, commit_to):
    """The Sở Nông nghiệp và Môi trường, given the work of one issue."""
    return commit_to(record(create_session())).agency


def _set(browser, agency, email):
    url = f"/agencies/{agency.id}"
    return browser.post(f"{url}/email", data={"csrf_token": form_token(browser, url),
                                              "email": email})


def test_an_administrator_sets_and_clears_the_agencys_address(client_for, admin, agency):
    browser = client_for(admin)
    response = _set(browser, agency, f" {AGENCY} ")
    assert response.status_code == 302
    db.session.refresh(agency)
    assert agency.email == AGENCY
    page = browser.get(f"/agencies/{agency.id}")
    assert f'value="{AGENCY}"' in page.get_data(as_text=True)
    assert flashes(page) == ["Đã lưu thư điện tử của Sở Nông nghiệp và Môi trường."]
    entry = history("agency", agency.id)[-1]
    assert (entry.action, entry.object_label, entry.changes, entry.actor_id) == (
        AuditAction.UPDATED, "Sở Nông nghiệp và Môi trường", {"email": ["", AGENCY]}, admin.id)

    _set(browser, agency, "")
    db.session.refresh(agency)
    assert agency.email == ""
    assert history("agency", agency.id)[-1].changes == {"email": [AGENCY, ""]}


def test_the_same_address_again_records_nothing(admin, agency):
    set_agency_email(agency, AGENCY, by=admin)
    set_agency_email(agency, AGENCY, by=admin)
    assert len(history("agency", agency.id)) == 1


def test_a_secretary_sees_the_agencys_address_but_may_not_change_it(
        client, secretary, admin, agency):
    set_agency_email(agency, AGENCY, by=admin)
    db.session.commit()
    page = client.get(f"/agencies/{agency.id}").get_data(as_text=True)
    assert AGENCY in page and "/email" not in page
    response = client.post(f"/agencies/{agency.id}/email", data={
        "csrf_token": form_token(client, f"/agencies/{agency.id}"), "email": "khac@gmail.com"})
    assert response.status_code == 403
    db.session.refresh(agency)
    assert agency.email == AGENCY
    with pytest.raises(NotPermitted):
        set_agency_email(agency, "khac@gmail.com", by=secretary)


@pytest.mark.parametrize("typed", [f"{AGENCY}\r\nBcc: x@y.vn", "vanphong@snnmt"])
def test_an_agency_address_that_is_not_one_is_refused_beside_the_field(
        client_for, admin, agency, typed):
    response = _set(client_for(admin), agency, typed)
    assert response.status_code == 400
    assert field_errors(response) == {"email": [INVALID]}
    assert "Sở Nông nghiệp và Môi trường" in response.get_data(as_text=True)
    db.session.refresh(agency)
    assert agency.email == ""
    assert history("agency", agency.id) == []
