"""The sign-in throttle as every worker process shares it: counts in the database, a number
taken atomically before the password is checked.

The concurrent tests run each attempt in its own thread, application context and database
session, as requests in several gunicorn workers would, and hold every password check for a
moment so that the attempts overlap: a throttle that reads the count, checks the password
and only then records the failure lets them all through.
"""

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue.accounts import operations
from dialogue.accounts.models import SignInThrottle
from dialogue.audit.models import AuditAction, AuditEntry
from dialogue.core.time import utcnow
from dialogue.extensions import db
from tests.conftest import PASSWORD

HOME = "203.113.131.5"
ELSEWHERE = "14.161.22.8"
THROTTLED = "Đăng nhập sai quá nhiều lần"
#: How long each password check is held: far longer than taking a number, so without the
#: atomic number every attempt would be past the count before the first failure is saved.
CHECK_SECONDS = 0.3
#: A thread still running after this has hung: the test fails rather than waits.
PATIENCE = 60


class SlowHasher:
    """The suite's cheap hasher, each verify held for CHECK_SECONDS and counted."""

    def __init__(self, hasher):
        self._hasher = hasher
        self._lock = threading.Lock()
        self.checks = 0

    def verify(self, hash_, password):
        with self._lock:
            self.checks += 1
        threading.Event().wait(CHECK_SECONDS)
        return self._hasher.verify(hash_, password)

    def __getattr__(self, name):
        return getattr(self._hasher, name)


@pytest.fixture
def slow_hasher(monkeypatch):
    hasher = SlowHasher(operations._hasher)
    monkeypatch.setattr(operations, "_hasher", hasher)
    return hasher


def attempt_together(app, attempts: list[tuple[str, str, str]]) -> list[tuple[object, str]]:
    """Run ``authenticate(username, password, address)`` for each attempt at once, each in
    its own thread and application context, committed as the login view does; returns
    (whether it signed in, the refusal) in order."""
    start = threading.Barrier(len(attempts))
    outcomes: list = [None] * len(attempts)

    def run(index, username, password, address):
        with app.app_context():
            try:
                start.wait(PATIENCE)
                user, refusal = operations.authenticate(username, password, address)
                db.session.commit()
                outcomes[index] = (user is not None, refusal)
            except Exception as error:  # reported by the test below, not lost in the thread
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index, *attempt), daemon=True)
               for index, attempt in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PATIENCE)
        assert not thread.is_alive(), "an attempt hung"
    errors = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert not errors, errors
    return outcomes


def failures_recorded() -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == AuditAction.LOGIN_FAILED)))


def count_of(key: str) -> int | None:
    row = db.session.get(SignInThrottle, key, populate_existing=True)
    return row.failures if row else None


def fail(username: str, times: int, address: str = HOME) -> None:
    for _ in range(times):
        user, refusal = operations.authenticate(username, "mat-khau-sai", address)
        assert user is None and refusal
    db.session.commit()


def at_minutes(monkeypatch, minutes: float) -> None:
    """Move the throttle's clock ``minutes`` from now."""
    moment = utcnow() + timedelta(minutes=minutes)
    monkeypatch.setattr(operations, "utcnow", lambda: moment)


# Concurrent attempts -------------------------------------------------------------------------

def test_concurrent_guesses_at_one_account_check_at_most_the_limit(app, create_user,
                                                                  slow_hasher):
    create_user("thuky.xa")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    attempts = [("thuky.xa", f"doan-bua-{number}", f"198.51.100.{number}")
                for number in range(3 * limit)]

    outcomes = attempt_together(app, attempts)

    assert slow_hasher.checks == limit
    assert not any(signed_in for signed_in, _refusal in outcomes)
    assert sum(THROTTLED in refusal for _signed_in, refusal in outcomes) == 2 * limit
    # Every attempt is in the trail, the refused ones as today: reason "throttled".
    recorded = failures_recorded()
    assert len(recorded) == 3 * limit
    assert sum(entry.reason == "throttled" for entry in recorded) == 2 * limit
    assert count_of("account:thuky.xa") == limit
    # Now the right password is refused too, from anywhere.
    user, refusal = operations.authenticate("thuky.xa", PASSWORD, ELSEWHERE)
    assert user is None and THROTTLED in refusal


def test_concurrent_guesses_from_one_address_check_at_most_its_limit(app, create_user,
                                                                    slow_hasher):
    viewer = create_user("xem")
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    # Each account guessed once: only the count per address can stop this.
    attempts = [(f"ai.do.{number}", PASSWORD, HOME) for number in range(limit + 10)]

    outcomes = attempt_together(app, attempts)

    assert slow_hasher.checks == limit
    assert sum(THROTTLED in refusal for _signed_in, refusal in outcomes) == 10
    assert count_of(f"address:{HOME}") == limit
    user, refusal = operations.authenticate("xem", PASSWORD, HOME)
    assert user is None and THROTTLED in refusal
    assert operations.authenticate("xem", PASSWORD, ELSEWHERE)[0] is viewer


def test_concurrent_sign_ins_from_one_office_all_succeed(app, create_user, slow_hasher):
    """Successes are not failures: colleagues behind one address all get in, however many
    sign in at once, and leave the address's count as it was."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    for number in range(limit + 5):
        create_user(f"can.bo.{number}")

    outcomes = attempt_together(app, [(f"can.bo.{number}", PASSWORD, HOME)
                                      for number in range(limit + 5)])

    assert outcomes == [(True, "")] * (limit + 5)
    assert count_of(f"address:{HOME}") == 0


def test_a_locked_out_account_retried_beside_colleagues_signing_in(app, create_user,
                                                                  slow_hasher):
    """Refused retries and successes from one address at once: every one gets its own
    answer, and none of them counts against the address."""
    create_user("thuky.xa")
    for number in range(10):
        create_user(f"can.bo.{number}")
    fail("thuky.xa", 5, address=ELSEWHERE)

    outcomes = attempt_together(app, [
        attempt for number in range(10)
        for attempt in ((f"can.bo.{number}", PASSWORD, HOME), ("thuky.xa", PASSWORD, HOME))])

    assert outcomes[0::2] == [(True, "")] * 10
    assert all(not signed_in and THROTTLED in refusal for signed_in, refusal in outcomes[1::2])
    assert (count_of("account:thuky.xa"), count_of(f"address:{HOME}")) == (5, 0)


# One attempt after another -------------------------------------------------------------------

def test_the_account_lock_lifts_when_its_window_ends(create_user, monkeypatch):
    secretary = create_user("thuky.xa")
    fail("thuky.xa", 5)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is None

    at_minutes(monkeypatch, 16)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is secretary


def test_retrying_while_locked_out_neither_prolongs_the_lock_nor_counts(create_user,
                                                                       monkeypatch):
    secretary = create_user("thuky.xa")
    fail("thuky.xa", 5)
    at_minutes(monkeypatch, 10)
    for _ in range(3):
        user, refusal = operations.authenticate("thuky.xa", PASSWORD, HOME)
        # The refusal says how long is really left of the lock.
        assert user is None and THROTTLED in refusal and "5 phút" in refusal
    db.session.commit()
    assert (count_of("account:thuky.xa"), count_of(f"address:{HOME}")) == (5, 5)

    at_minutes(monkeypatch, 15.5)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is secretary


def test_a_success_clears_the_account_count_and_does_not_count_for_the_address(create_user):
    secretary = create_user("thuky.xa")
    fail("thuky.xa", 4)
    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is secretary
    db.session.commit()

    assert count_of("account:thuky.xa") is None
    assert count_of(f"address:{HOME}") == 4


def test_a_success_sweeps_counts_whose_window_is_over(create_user, monkeypatch):
    secretary = create_user("thuky.xa")
    fail("ai.do", 2, address=ELSEWHERE)
    at_minutes(monkeypatch, 20)
    fail("nguoi.khac", 1, address="192.0.2.9")

    assert operations.authenticate("thuky.xa", PASSWORD, HOME)[0] is secretary
    db.session.commit()

    assert set(db.session.scalars(sa.select(SignInThrottle.key))) == {
        "account:nguoi.khac", "address:192.0.2.9", f"address:{HOME}"}


def test_a_new_window_starts_again_from_one(create_user, monkeypatch):
    create_user("thuky.xa")
    fail("thuky.xa", 4)
    at_minutes(monkeypatch, 16)
    fail("thuky.xa", 1)
    assert count_of("account:thuky.xa") == 1
