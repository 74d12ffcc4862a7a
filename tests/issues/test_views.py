"""The issue pages: the same number of SQL statements however much they hold, and what
each reader may see."""


import pytest

from dialogue.accounts.models import Role
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.issues.operations import inform_rule
from dialogue.sessions.models import SessionStatus
from tests.helpers import statements


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
