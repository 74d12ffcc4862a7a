"""The issue pages: the same number of SQL statements however much they hold, what each
reader may see, and what a second secretary or a cancelled session meets."""


from datetime import date

import pytest
from sqlalchemy import event

from dialogue.accounts.models import Role
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.issues.models import CommitmentStatus
from dialogue.issues.operations import (
    add_progress_update,
    change_commitment_status,
    inform_rule,
    record_citizen_informed,
)
from dialogue.sessions.models import SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status
from tests.helpers import at, field_errors, flashes, form_token, statements
from tests.issue_fixtures import COMPENSATION, ENVIRONMENT, LAND, SOCIAL_POLICY


@pytest.fixture
def empty_held_session(create_session):
    """A held session of the province with no issue recorded yet."""
    return create_session(status=SessionStatus.HELD)


def test_the_live_entry_page_reads_the_fields_once_not_per_issue(
        client, empty_held_session, record):
    record(empty_held_session)
    few = statements(client, f"/sessions/{empty_held_session.id}/issues")
    for _ in range(6):
        record(empty_held_session)
    assert statements(client, f"/sessions/{empty_held_session.id}/issues") == few


def test_an_issue_page_costs_the_same_with_more_commitments(client, empty_held_session, record,
                                                          commit_to):
    issue = record(empty_held_session)
    commit_to(issue)
    db.session.commit()
    one = statements(client, f"/issues/{issue.id}")
    for _ in range(3):
        commit_to(issue)
    db.session.commit()
    assert statements(client, f"/issues/{issue.id}") == one


def test_an_issue_page_costs_the_same_however_far_its_commitments_are_followed(
        client, empty_held_session, record, commit_to, create_official, secretary):
    issue = record(empty_held_session)

    def follow(agency: str) -> None:
        """A commitment with its own official, a progress update, a status change and the
        citizen informed."""
        official = create_official(full_name=f"Rơ Mah Hơn ({agency})", position="Phó Chủ tịch")
        commitment = commit_to(issue, agency_name=agency, official=official)
        add_progress_update(commitment, on=date(2026, 3, 3), upload=None, by=secretary,
                            text="Đã khảo sát hiện trường cùng 37 hộ dân làng Dơ Lâm.")
        change_commitment_status(commitment, CommitmentStatus.IN_PROGRESS, note="",
                                 by=secretary)
        record_citizen_informed(commitment, date(2026, 3, 5), by=secretary)
        db.session.commit()

    follow("Sở Nông nghiệp và Môi trường")
    one = statements(client, f"/issues/{issue.id}")
    for agency in ("UBND xã Ia Grai", "Sở Tài chính", "Công an tỉnh"):
        follow(agency)
    assert statements(client, f"/issues/{issue.id}") == one


def test_an_issue_page_reads_its_session_once(client, empty_held_session, record, commit_to):
    issue = record(empty_held_session)
    commit_to(issue)
    read = []

    def seen(_connection, _cursor, statement, *_args):
        if "FROM dialogue_sessions" in statement:
            read.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"/issues/{issue.id}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(read) == 1


def follow_up_pages(agency_id: int) -> list[str]:
    return ["/followup", "/followup?status=in_progress", f"/agencies/{agency_id}",
            "/search?q=lang+do+lam&in=issues", "/search?q=lang+do+lam&in=commitments",
            "/search?q=doi+thoai&in=sessions"]


def test_the_board_an_agencys_page_and_search_cost_the_same_with_more_rows(
        client, create_session, record, commit_to, secretary):
    """Each row its own session, unit, field and agency: nothing is read row by row."""
    first = commit_to(record(create_session(status=SessionStatus.HELD)),
                      agency_name="Sở Tài chính")
    change_commitment_status(first, CommitmentStatus.IN_PROGRESS, note="", by=secretary)
    db.session.commit()
    few = {url: statements(client, url) for url in follow_up_pages(first.agency_id)}
    places = [("Xã Ia Grai", LAND, "UBND xã Ia Grai"), ("Phường Pleiku", COMPENSATION,
              "UBND phường Pleiku"), ("Xã Biển Hồ", ENVIRONMENT, "Công an tỉnh"),
              ("Xã Ia Hrung", SOCIAL_POLICY, "Sở Y tế")]
    for day, (unit, field, agency) in enumerate(places, start=3):
        session = create_session(unit=unit, status=SessionStatus.HELD,
                                 starts_at=at(f"2026-03-{day:02} 08:00"))
        issue = record(session, field=field)
        for name in (agency, "Sở Tài chính"):
            change_commitment_status(commit_to(issue, agency_name=name),
                                     CommitmentStatus.IN_PROGRESS, note="", by=secretary)
        db.session.commit()
    assert {url: statements(client, url) for url in few} == few


def test_the_citizen_informed_on_a_page_opened_before_someone_elses_change_is_refused(
        client, client_for, create_user, empty_held_session, record, commit_to):
    """Two secretaries record the written reply at once: the second is told, not
    silently saved over the first."""
    commitment = commit_to(record(empty_held_session))
    page = f"/issues/{commitment.issue_id}"
    colleague = client_for(create_user("thuky.tinh2", Role.SECRETARY, "Tỉnh Gia Lai"))
    tokens = {who: form_token(who, page) for who in (client, colleague)}
    seen = str(commitment.version)
    for who, day in ((client, "05/03/2026"), (colleague, "09/03/2026")):
        who.post(f"/commitments/{commitment.id}/informed", data={
            "csrf_token": tokens[who], "citizen_informed_on": day, "version": seen})
    assert "người khác cập nhật" in " ".join(flashes(colleague.get(page)))
    db.session.refresh(commitment)
    assert commitment.citizen_informed_on == date(2026, 3, 5)


def test_a_cancelled_sessions_issue_page_in_english_still_follows_its_commitments(
        client, create_session, record, commit_to, secretary):
    session = create_session(starts_at=at("2025-09-10 08:00"))
    commitment = commit_to(record(session))
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 10 đổ bộ", by=secretary)
    client.post("/language", data={"csrf_token": form_token(client, "/followup"),
                                   "language": "en"})
    response = client.get(f"/issues/{commitment.issue_id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="new-commitment"' not in page  # nothing new on a cancelled session…
    assert f"/commitments/{commitment.id}/status" in page  # …but chasing goes on
    assert "Citizen not answered, past the deadline" in page


def test_a_holiday_already_on_the_list_is_refused_beside_the_day(client_for, admin):
    admin_client = client_for(admin)
    response = admin_client.post("/admin/holidays", data={
        "csrf_token": form_token(admin_client, "/admin/holidays"), "day": "02/09/2026",
        "name": "Quốc khánh"})  # seeded by the migrations
    assert response.status_code == 200
    assert field_errors(response) == {"day": ["Ngày này đã có trong danh sách nghỉ lễ."]}


def test_a_reader_does_not_see_a_citizens_contact_in_the_issue_history(
        client, client_for, create_session, record, create_user):
    """The trail keeps every value, the private contact too: only editors read it."""
    issue = record(create_session(), contact="0905 123 456")
    reader = client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))
    response = reader.get(f"/issues/{issue.id}")
    page = response.get_data(as_text=True)
    assert "0905 123 456" not in page
    assert response.status_code == 200 and issue.content in page
    assert "0905 123 456" in client.get(f"/issues/{issue.id}").get_data(as_text=True)


def test_a_year_out_of_range_lists_every_holiday(client_for, admin):
    admin_client = client_for(admin)
    for year in ("10000", "-3", "0"):
        page = admin_client.get(f"/admin/holidays?year={year}")
        assert page.status_code == 200
        for day in ("01/01/2025", "01/01/2026", "01/01/2027"):
            assert day in page.get_data(as_text=True), (year, day)


def test_an_issue_page_says_where_each_commitment_stands_on_informing_the_citizen(
        client, empty_held_session, record, commit_to):
    commitment = commit_to(record(empty_held_session))
    db.session.commit()
    state = inform_rule(commitment, local_today()).state
    page = client.get(f"/issues/{commitment.issue_id}").get_data(as_text=True)
    assert f'class="inform inform-{state.value}"' in page
    assert f"<strong>{state.label}</strong>" in page
