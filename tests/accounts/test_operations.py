"""Accounts without HTTP: passwords, signing in and its throttling, roles."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from argon2 import extract_parameters

from dialogue.accounts import operations
from dialogue.accounts.models import Role, User
from dialogue.audit.models import AuditAction, AuditEntry
from dialogue.core.errors import UserError
from dialogue.core.time import utcnow
from dialogue.extensions import db
from tests.conftest import PASSWORD

THROTTLED = "Đăng nhập sai quá nhiều lần"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
HOME = "203.113.131.5"
ELSEWHERE = "14.161.22.8"


def entries(action: AuditAction) -> list[AuditEntry]:
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def fail(username: str, times: int, address: str = HOME) -> None:
    for _ in range(times):
        user, refusal = operations.authenticate(username, "mat-khau-sai", address)
        assert user is None and refusal
    db.session.commit()


# Passwords -----------------------------------------------------------------------------------

def test_a_password_is_kept_only_as_an_argon2id_hash(production_hasher, monkeypatch, unit):
    monkeypatch.setattr(operations, "_hasher", production_hasher)
    secret = "Hoa-Da-Quy-2026"
    user = operations.create_user("thuky.xa", "Nguyễn Thị Hồng Nhung", secret,
                                  roles=[(Role.SECRETARY, unit("Xã Ia Grai"))])
    db.session.commit()

    assert user.password_hash.startswith("$argon2id$")
    parameters = extract_parameters(user.password_hash)
    # At least OWASP's minimum for Argon2id (19 MiB, 2 passes).
    assert parameters.memory_cost >= 19 * 1024 and parameters.time_cost >= 2
    row = db.session.execute(sa.select(db.metadata.tables["users"])).one()
    assert not any(secret in str(value) for value in row)
    assert operations.authenticate("thuky.xa", secret, HOME)[0] is user


def test_two_accounts_with_the_same_password_have_different_hashes(create_user):
    first, second = create_user("thuky.xa"), create_user("xem", Role.VIEWER, "Xã Ia Grai")
    assert first.password_hash != second.password_hash


def test_a_short_password_is_refused(unit):
    with pytest.raises(UserError, match="ít nhất 8 ký tự"):
        operations.create_user("xem", "Siu H’Lan", "ngan",
                               roles=[(Role.VIEWER, unit("Xã Ia Grai"))])


def test_a_username_is_taken_once_whatever_its_case(commune_secretary):
    with pytest.raises(UserError, match="đã có người dùng"):
        operations.create_user("ThuKy.Xa", "Nguyễn Thị Hồng Nhung", PASSWORD)


def test_changing_a_password_needs_the_current_one(commune_secretary):
    with pytest.raises(UserError) as refused:
        operations.change_password(commune_secretary, "mat-khau-doan-bua", "mat-khau-moi-2026")
    assert refused.value.field == "current_password"
    db.session.rollback()
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is not None

    operations.change_password(commune_secretary, PASSWORD, "mat-khau-moi-2026")
    db.session.commit()
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is None
    assert operations.authenticate("thuky.xa", "mat-khau-moi-2026", HOME)[0] is commune_secretary
    assert entries(AuditAction.PASSWORD_CHANGED)[0].object_id == commune_secretary.id


def test_a_reset_password_must_be_changed_at_next_sign_in(admin, commune_secretary):
    operations.reset_password(commune_secretary, "tam-thoi-2026", by=admin)
    db.session.commit()
    assert commune_secretary.must_change_password
    assert operations.authenticate("thuky.xa", "tam-thoi-2026", HOME)[0] is commune_secretary

    operations.change_password(commune_secretary, "tam-thoi-2026", "cua-rieng-toi-2026")
    assert not commune_secretary.must_change_password
    reset = entries(AuditAction.PASSWORD_RESET)[0]
    assert (reset.actor_id, reset.object_id) == (admin.id, commune_secretary.id)


# Signing in ----------------------------------------------------------------------------------

def test_signing_in_is_recorded(commune_secretary):
    user, refusal = operations.authenticate("  ThuKy.Xa ", PASSWORD, HOME)
    assert (user, refusal) == (commune_secretary, "")
    assert user.last_login_at is not None
    assert entries(AuditAction.LOGIN)[0].actor_id == commune_secretary.id


def test_a_wrong_password_is_refused_and_recorded(commune_secretary):
    assert operations.authenticate("thuky.xa", "mat-khau-sai", HOME) == (None, WRONG)
    failed = entries(AuditAction.LOGIN_FAILED)[0]
    assert (failed.object_id, failed.actor_name, failed.actor_id) == (
        commune_secretary.id, "thuky.xa", None)


def test_an_unknown_account_reads_like_a_wrong_password(commune_secretary):
    assert operations.authenticate("khong.co", PASSWORD, HOME) == (None, WRONG)


def test_a_deactivated_account_cannot_sign_in(commune_secretary):
    commune_secretary.is_active = False
    db.session.commit()
    assert operations.authenticate("thuky.xa", PASSWORD, HOME) == (None, WRONG)


def test_five_failures_lock_the_account_even_for_the_right_password(commune_secretary, viewer):
    fail("thuky.xa", 4)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is not None  # 4: not yet
    fail("thuky.xa", 5)

    user, refusal = operations.authenticate("thuky.xa", PASSWORD, ELSEWHERE)
    assert user is None and THROTTLED in refusal and "15 phút" in refusal
    # The lock is on that account, not on everyone signing in from the same place.
    assert operations.authenticate("xem", PASSWORD, HOME)[0] is viewer


def test_a_success_resets_the_account_count(commune_secretary):
    for _ in range(3):
        fail("thuky.xa", 4)
        assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is commune_secretary
        db.session.commit()


def test_the_account_lock_lifts_after_fifteen_minutes(commune_secretary, monkeypatch):
    fail("thuky.xa", 5)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is None
    later = utcnow() + timedelta(minutes=16)
    monkeypatch.setattr(operations, "utcnow", lambda: later)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is commune_secretary


def test_twenty_failures_from_one_address_lock_that_address(commune_secretary, viewer):
    """Guessing many accounts from one place: per account it stays under 5, so only the
    count per address stops it. authenticate() is given the address to count."""
    for number in range(20):
        fail(f"ai.do.{number}", 1, address=HOME)

    user, refusal = operations.authenticate("xem", PASSWORD, HOME)
    assert user is None and THROTTLED in refusal
    assert operations.authenticate("xem", PASSWORD, ELSEWHERE)[0] is viewer


# Accounts and roles --------------------------------------------------------------------------

def test_granting_and_revoking_a_role_is_recorded(admin, viewer, unit):
    operations.grant_role(viewer, Role.SECRETARY, unit("Phường Pleiku"), by=admin)
    db.session.commit()
    assert {(a.role, a.unit.name) for a in viewer.roles} == {
        (Role.VIEWER, "Xã Ia Grai"), (Role.SECRETARY, "Phường Pleiku")}
    granted = entries(AuditAction.UPDATED)[-1]
    assert granted.changes == {"roles": [["Xem — Xã Ia Grai"],
                                         ["Thư ký, văn phòng — Phường Pleiku", "Xem — Xã Ia Grai"]]}

    operations.revoke_role(viewer.roles[0], by=admin)
    db.session.commit()
    revoked = entries(AuditAction.UPDATED)[-1]
    assert revoked.actor_id == admin.id
    assert revoked.changes == {"roles": [["Thư ký, văn phòng — Phường Pleiku", "Xem — Xã Ia Grai"],
                                         ["Thư ký, văn phòng — Phường Pleiku"]]}


def test_a_role_other_than_administrator_needs_a_unit(admin, viewer):
    with pytest.raises(UserError, match="Hãy chọn đơn vị"):
        operations.grant_role(viewer, Role.SECRETARY, None, by=admin)


def test_the_same_role_twice_on_a_unit_is_refused(admin, viewer, unit):
    with pytest.raises(UserError, match="đã có vai trò này"):
        operations.grant_role(viewer, Role.VIEWER, unit("Xã Ia Grai"), by=admin)


def test_an_administrator_cannot_lock_themselves_out(admin):
    with pytest.raises(UserError):
        operations.revoke_role(admin.roles[0], by=admin)
    with pytest.raises(UserError):
        operations.update_user(admin, full_name=admin.full_name, email="", is_active=False,
                               language="vi", by=admin, expected_version=None)


def test_an_account_keeps_its_roles_on_several_units(create_user, admin, unit):
    user = create_user("thuky.hai.xa", Role.SECRETARY, "Xã Ia Grai")
    operations.grant_role(user, Role.SECRETARY, unit("Phường Pleiku"), by=admin)
    db.session.commit()
    assert db.session.get(User, user.id).has_role(Role.SECRETARY)
    assert len(user.roles) == 2
