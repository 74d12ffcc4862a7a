"""The issue pages: the same number of SQL statements however much they hold, and what
each reader may see."""


import pytest

from dialogue.accounts.models import Role
from dialogue.extensions import db
from dialogue.sessions.models import SessionStatus
from tests.helpers import counting


@pytest.fixture
def held_session(create_session):
    return create_session(status=SessionStatus.HELD)


def statements(client, url: str) -> int:
    with counting() as count:
        assert client.get(url).status_code == 200, url
    return count[0]


def test_the_live_entry_page_reads_the_fields_once_not_per_issue(client, held_session, record):
    record(held_session)
    few = statements(client, f"/sessions/{held_session.id}/issues")
    for _ in range(6):
        record(held_session)
    assert statements(client, f"/sessions/{held_session.id}/issues") == few


def test_an_issue_page_costs_the_same_with_more_commitments(client, held_session, record,
                                                          commit_to):
    issue = record(held_session)
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
