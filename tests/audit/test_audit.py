"""The audit trail: every change, sign-in and refusal to sign in is kept, field by field,
and cannot be rewritten."""

import re

import pytest
import sqlalchemy as sa

from dialogue.accounts import operations as accounts
from dialogue.accounts.models import Role
from dialogue.audit.models import AuditAction, AuditEntry, AuditTrailIsAppendOnly
from dialogue.audit.operations import history
from dialogue.core.time import format_datetime
from dialogue.extensions import db
from dialogue.officials.operations import add_official, set_archived, update_official
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule, update_session
from tests.conftest import PASSWORD
from tests.helpers import at, details_of, form_token, log_in

REASON = "Trùng lịch kỳ họp HĐND tỉnh"


def trail(action: AuditAction | None = None) -> list[AuditEntry]:
    statement = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        statement = statement.where(AuditEntry.action == action)
    return list(db.session.scalars(statement))


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


# What is recorded ----------------------------------------------------------------------------

def test_scheduling_a_session_records_who_created_what(create_session, secretary):
    session = create_session(unit="Xã Ia Grai")
    [created] = history("session", session.id)
    assert created.action is AuditAction.CREATED
    assert (created.actor_id, created.actor_name) == (
        secretary.id, "Trần Thị Minh Thư (thuky.tinh)")
    assert created.unit_id == session.unit_id and created.object_label == session.title
    assert created.changes["title"] == [None, session.title]
    assert created.changes["status"] == [None, "scheduled"]
    assert created.at is not None


def test_an_edit_records_only_the_fields_that_changed(create_session, secretary):
    session = create_session(unit="Xã Ia Grai")
    update_session(session, details_of(session, topic="Xóa nhà tạm, nhà dột nát"),
                   by=secretary, expected_version=session.version)
    db.session.commit()
    updated = history("session", session.id)[-1]
    assert updated.action is AuditAction.UPDATED
    assert updated.changes == {"topic": [
        "Bồi thường, hỗ trợ, tái định cư; cấp giấy chứng nhận quyền sử dụng đất.",
        "Xóa nhà tạm, nhà dột nát"]}


def test_a_reschedule_records_the_old_and_new_times(create_session, secretary):
    session = create_session(unit="Xã Ia Grai", starts_at=at("2026-12-02 08:00"))
    reschedule(session, at("2026-12-09 14:00"), at("2026-12-09 17:00"), venue=session.venue,
               reason=REASON, by=secretary)
    db.session.commit()
    moved = history("session", session.id)[-1]
    assert moved.action is AuditAction.RESCHEDULED
    assert moved.reason == REASON
    assert moved.changes["starts_at"] == [at("2026-12-02 08:00").isoformat(),
                                          at("2026-12-09 14:00").isoformat()]
    assert moved.changes["ends_at"] == [at("2026-12-02 11:00").isoformat(),
                                        at("2026-12-09 17:00").isoformat()]
    assert "venue" not in moved.changes


def test_a_status_change_records_the_transition_and_its_reason(create_session, secretary):
    session = create_session(unit="Xã Ia Grai", starts_at=at("2026-12-02 08:00"))
    change_status(session, TRANSITIONS["postpone"], reason="Mưa lũ, chia cắt giao thông",
                  by=secretary)
    db.session.commit()
    postponed = history("session", session.id)[-1]
    assert postponed.action is AuditAction.STATUS_CHANGED
    assert postponed.changes == {"status": ["scheduled", "postponed"]}
    assert postponed.reason == "Mưa lũ, chia cắt giao thông"


def test_officials_are_traced_too(secretary, unit):
    official = add_official("Nguyễn Văn Hùng", "Phó Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            by=secretary)
    update_official(official, full_name=official.full_name, position="Chủ tịch UBND xã",
                    unit=official.unit, by=secretary, expected_version=official.version)
    set_archived(official, True, by=secretary)
    db.session.commit()
    actions = [(e.action, e.changes) for e in history("official", official.id)]
    assert actions[0][0] is AuditAction.CREATED
    assert actions[1] == (AuditAction.UPDATED,
                          {"position": ["Phó Chủ tịch UBND xã", "Chủ tịch UBND xã"]})
    assert actions[2] == (AuditAction.UPDATED, {"archived": [False, True]})


def test_signing_in_and_failing_to_are_recorded(app, create_user):
    create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai", full_name="Nguyễn Thị Hồng Nhung")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.113.131.5"
    client.post("/login", data={"csrf_token": form_token(client, "/login"),
                                "username": "thuky.xa", "password": "mat-khau-sai"})
    log_in(client, "thuky.xa", PASSWORD)
    failed, login = trail(AuditAction.LOGIN_FAILED) + trail(AuditAction.LOGIN)
    assert (failed.actor_name, failed.actor_address) == ("thuky.xa", "203.113.131.5")
    assert login.actor_name == "Nguyễn Thị Hồng Nhung (thuky.xa)"
    assert login.actor_address == "203.113.131.5"


def test_password_changes_and_resets_are_recorded(admin, create_user):
    user = create_user("xem", Role.VIEWER, "Xã Ia Grai", full_name="Siu H’Lan")
    accounts.reset_password(user, "tam-thoi-2026", by=admin)
    accounts.change_password(user, "tam-thoi-2026", "cua-rieng-toi-2026")
    db.session.commit()
    reset, changed = (trail(AuditAction.PASSWORD_RESET)[0],
                      trail(AuditAction.PASSWORD_CHANGED)[0])
    assert (reset.actor_id, reset.object_id) == (admin.id, user.id)
    assert (changed.actor_id, changed.object_id) == (user.id, user.id)
    # A password, even a temporary one, never reaches the trail.
    for entry in trail():
        assert "tam-thoi-2026" not in str(entry.changes) + entry.reason


def test_granting_and_revoking_roles_are_recorded(admin, create_user, unit):
    user = create_user("xem", Role.VIEWER, "Xã Ia Grai", full_name="Siu H’Lan")
    accounts.grant_role(user, Role.SECRETARY, unit("Phường Pleiku"), by=admin)
    accounts.revoke_role(user.roles[0], by=admin)
    db.session.commit()
    *_created, granted, revoked = history("user", user.id)
    assert granted.changes["roles"][1] == ["Thư ký, văn phòng — Phường Pleiku", "Xem — Xã Ia Grai"]
    assert revoked.changes["roles"][1] == ["Thư ký, văn phòng — Phường Pleiku"]
    assert granted.actor_id == revoked.actor_id == admin.id


def test_changes_through_the_pages_name_the_person_and_address(app, create_session, secretary):
    session = create_session(unit="Xã Ia Grai", starts_at=at("2026-12-02 08:00"))
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "113.161.7.20"
    log_in(client, "thuky.tinh", PASSWORD)
    url = f"/sessions/{session.id}/postpone"
    response = client.post(url, data={"csrf_token": form_token(client, url),
                                      "reason": "Mưa lũ", "version": str(session.version)})
    assert response.status_code == 302
    entry = history("session", session.id)[-1]
    assert (entry.actor_id, entry.actor_address) == (secretary.id, "113.161.7.20")


# Append-only ---------------------------------------------------------------------------------

def test_an_audit_entry_cannot_be_changed(create_session):
    session = create_session()
    entry = history("session", session.id)[0]
    entry.actor_name = "Người khác"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert history("session", session.id)[0].actor_name == "Trần Thị Minh Thư (thuky.tinh)"


def test_an_audit_entry_cannot_be_deleted(create_session):
    session = create_session()
    db.session.delete(history("session", session.id)[0])
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert len(history("session", session.id)) == 1


# Where it is shown ---------------------------------------------------------------------------

def test_the_session_page_shows_the_reschedule_in_its_history(client, create_session, secretary):
    session = create_session(unit="Xã Ia Grai", starts_at=at("2026-12-02 08:00"))
    reschedule(session, at("2026-12-09 14:00"), at("2026-12-09 17:00"), venue=session.venue,
               reason=REASON, by=secretary)
    db.session.commit()

    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Lịch sử thay đổi" in page
    changes = page.split("Lịch sử thay đổi", 1)[1]
    rows = re.findall(r'<td[^>]*>([^<]*)</td>\s*<td[^>]*class="old">([^<]*)</td>\s*'
                      r'<td[^>]*class="new">([^<]*)</td>', changes)
    assert ("Bắt đầu", format_datetime(at("2026-12-02 08:00")),
            format_datetime(at("2026-12-09 14:00"))) in rows
    assert format_datetime(at("2026-12-02 08:00")) == "08:00 02/12/2026"  # Vietnam time
    assert REASON in changes
    assert "Trần Thị Minh Thư (thuky.tinh)" in changes


@pytest.fixture
def busy_trail(create_session, create_user, secretary, app):
    """A session created and postponed by the provincial secretary, and a commune
    secretary who signed in."""
    session = create_session(unit="Xã Ia Grai", title="Đối thoại về xóa nhà tạm",
                             starts_at=at("2026-12-02 08:00"))
    change_status(session, TRANSITIONS["postpone"], reason="Mưa lũ", by=secretary)
    create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai", full_name="Nguyễn Thị Hồng Nhung")
    log_in(app.test_client(), "thuky.xa", PASSWORD)
    return session


def listed_actions(page: str) -> list[str]:
    return re.findall(r"<p><strong>[^<]*</strong> · ([^·<]+?)\s*·", page)


def test_the_administrators_trail_filters_by_action(admin_client, busy_trail):
    page = admin_client.get("/admin/audit/?action=status_changed").get_data(as_text=True)
    assert listed_actions(page) == ["Đổi trạng thái"]
    page = admin_client.get("/admin/audit/").get_data(as_text=True)
    assert {"Tạo mới", "Đổi trạng thái", "Đăng nhập"} <= set(listed_actions(page))


def test_the_administrators_trail_filters_by_actor(admin_client, busy_trail):
    page = admin_client.get("/admin/audit/?actor=thuky.xa").get_data(as_text=True)
    assert "Nguyễn Thị Hồng Nhung (thuky.xa)" in page
    assert "Trần Thị Minh Thư" not in page
    page = admin_client.get("/admin/audit/?actor=Minh+Th%C6%B0&action=created").get_data(
        as_text=True)
    assert listed_actions(page) == ["Tạo mới"]
    assert "Đối thoại về xóa nhà tạm" in page
    assert "Nguyễn Thị Hồng Nhung (thuky.xa)" not in page


def test_an_unknown_filter_value_is_ignored_not_an_error(admin_client, busy_trail):
    response = admin_client.get("/admin/audit/?action=xoa-sach&date_from=32/13/2026")
    assert response.status_code == 200
