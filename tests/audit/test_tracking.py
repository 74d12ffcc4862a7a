"""The trail reads changes from the ORM itself: old values survive autoflush and commits."""

from dialogue.accounts.models import Role
from dialogue.accounts.operations import authenticate, grant_role
from dialogue.audit.models import AuditAction
from dialogue.audit.operations import history
from dialogue.audit.tracking import record_change
from dialogue.extensions import db
from dialogue.officials.operations import add_official
from tests.conftest import PASSWORD
from tests.helpers import counting


def test_the_value_before_survives_a_commit_and_an_autoflush(secretary, unit):
    official = add_official("Nguyễn Văn Hùng", "Phó Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            by=secretary)
    db.session.commit()  # every attribute is expired now

    official.position = "Chủ tịch UBND xã"
    db.session.flush()  # as an autoflush in the middle of an operation would
    official.full_name = "Nguyễn Văn Hưng"
    record_change(AuditAction.UPDATED, official, by=secretary)
    db.session.commit()

    assert history("official", official.id)[-1].changes == {
        "position": ["Phó Chủ tịch UBND xã", "Chủ tịch UBND xã"],
        "full_name": ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]}


def test_an_update_that_changes_nothing_leaves_no_entry(secretary, unit):
    official = add_official("Nguyễn Văn Hùng", "Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            by=secretary)
    db.session.commit()
    official.position = "Chủ tịch UBND xã"
    assert record_change(AuditAction.UPDATED, official, by=secretary) is None
    db.session.commit()
    assert [e.action for e in history("official", official.id)] == [AuditAction.CREATED]


def test_two_changes_in_one_transaction_are_two_entries(secretary, unit):
    official = add_official("Nguyễn Văn Hùng", "Phó Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            by=secretary)
    official.position = "Chủ tịch UBND xã"
    record_change(AuditAction.UPDATED, official, by=secretary)
    official.position = "Bí thư Đảng ủy xã"
    record_change(AuditAction.UPDATED, official, by=secretary)
    db.session.commit()

    assert [e.changes for e in history("official", official.id)[1:]] == [
        {"position": ["Phó Chủ tịch UBND xã", "Chủ tịch UBND xã"]},
        {"position": ["Chủ tịch UBND xã", "Bí thư Đảng ủy xã"]}]


def test_a_sign_in_reads_nothing_for_the_trail_however_many_roles(create_user, admin, unit):
    """A sign-in changes only untracked columns (last sign-in time): the trail's fields,
    the account's roles among them, are not read for it."""

    def statements_of_a_sign_in() -> int:
        db.session.expire_all()
        with counting() as count:
            user, why = authenticate("thuky.xa", PASSWORD, "192.0.2.7")
            db.session.commit()
        assert (user.username, why) == ("thuky.xa", "")
        return count[0]

    user = create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai")
    one_role = statements_of_a_sign_in()
    for name in ("Phường Pleiku", "Xã Ia Hrung", "Xã Biển Hồ"):
        grant_role(user, Role.VIEWER, unit(name), by=admin)
    db.session.commit()
    assert statements_of_a_sign_in() == one_role
