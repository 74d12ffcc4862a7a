"""Work that follows the transaction: done once the outermost commit happens, undone when a
transaction or savepoint ends without committing."""

import logging

from dialogue.core.transaction import on_commit, on_rollback
from dialogue.extensions import db


def follow(done: list, name: str) -> None:
    on_commit(lambda: done.append(f"{name} committed"))
    on_rollback(lambda: done.append(f"{name} rolled back"))


def test_work_waits_for_the_commit():
    done = []
    follow(done, "biên bản")
    db.session.flush()
    assert done == []
    db.session.commit()
    assert done == ["biên bản committed"]


def test_a_rollback_does_the_undoing_and_never_the_committed_work():
    done = []
    follow(done, "biên bản")
    db.session.rollback()
    db.session.commit()
    assert done == ["biên bản rolled back"]


def test_a_released_savepoint_waits_for_the_commit_around_it():
    done = []
    with db.session.begin_nested():
        follow(done, "biên bản")
    assert done == []
    db.session.rollback()
    assert done == ["biên bản rolled back"]


def test_a_rolled_back_savepoint_undoes_its_own_work_and_the_savepoints_inside_it():
    done = []
    follow(done, "biên bản")
    outer = db.session.begin_nested()
    follow(done, "đính chính")
    with db.session.begin_nested():
        follow(done, "lần 2")
    outer.rollback()
    assert sorted(done) == ["lần 2 rolled back", "đính chính rolled back"]
    db.session.commit()
    assert done[2:] == ["biên bản committed"]


def test_a_session_closed_without_committing_undoes_its_work():
    done = []
    follow(done, "biên bản")
    db.session.close()
    assert done == ["biên bản rolled back"]


def test_failing_work_after_a_commit_is_logged_and_the_rest_still_done(caplog):
    done = []
    on_commit(lambda: 1 / 0)
    on_commit(lambda: done.append("logged"))
    with caplog.at_level(logging.ERROR, logger="dialogue.core.transaction"):
        db.session.commit()
    assert done == ["logged"]
    assert "failed after the transaction committed" in caplog.text
