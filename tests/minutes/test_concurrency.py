"""Finalizing the minutes while someone saves the session's issues: each in its own
thread, application context and database session, as two requests (or a request and a job
worker) would be.

The layout of the PDF is held on an Event, so the other save lands exactly in the window
under test: during the layout (no lock may be held then) or once the minutes are being
filed (the session's row is locked then).
"""

import threading
import time

import pytest
import sqlalchemy as sa

from dialogue.accounts.models import User
from dialogue.core import sql
from dialogue.extensions import db
from dialogue.issues.models import Issue, IssueError
from dialogue.issues.operations import IssueDetails, update_issue
from dialogue.minutes import document
from dialogue.minutes import operations as minutes_operations
from dialogue.minutes.models import Minutes, MinutesRevision, MinutesStatus
from dialogue.minutes.operations import FINALIZE_TRIES, MinutesError, finalize_minutes

#: Long enough for any step of these tests; a test that waits this long has failed.
PATIENCE = 30
NEW_ANSWER = "Sở Nông nghiệp và Môi trường đã cấp giấy cho 37 hộ ngày 20/3/2026."


class Elsewhere(threading.Thread):
    """``work()`` in a thread of its own, in an application context of its own (hence its
    own database session), committed; ``result()`` is what it returned or raises what it
    raised."""

    def __init__(self, app, work):
        super().__init__(daemon=True)
        self._app, self._work = app, work
        self._outcome = None

    def run(self):
        with self._app.app_context():
            try:
                value = self._work()
                db.session.commit()
                self._outcome = (True, value)
            except BaseException as error:
                db.session.rollback()
                self._outcome = (False, error)
            finally:
                db.session.remove()

    def result(self):
        self.join(PATIENCE)
        assert not self.is_alive(), "the thread did not finish"
        done, value = self._outcome
        if not done:
            raise value
        return value


def finalizing(app, minutes: Minutes, by: User) -> Elsewhere:
    """A thread finalizing ``minutes`` as ``by``, started; ``result()`` is the filed
    revision's id."""
    minutes_id, user_id = minutes.id, by.id

    def finalize():
        revision = finalize_minutes(db.session.get(Minutes, minutes_id),
                                    by=db.session.get(User, user_id))
        db.session.flush()
        return revision.id

    thread = Elsewhere(app, finalize)
    thread.start()
    return thread


def answering(app, issue: Issue, by: User, answer: str = NEW_ANSWER) -> Elsewhere:
    """A thread saving a new answer to ``issue`` as ``by`` (the issue form's save)."""
    issue_id, user_id = issue.id, by.id

    def save():
        saved = db.session.get(Issue, issue_id)
        update_issue(saved, _details_of(saved, answer=answer),
                     by=db.session.get(User, user_id), expected_version=saved.version)

    return Elsewhere(app, save)


def _details_of(issue: Issue, **changes) -> IssueDetails:
    values = {name: getattr(issue, name) for name in (
        "raised_by", "kind", "content", "outcome", "locality", "contact", "field",
        "answered_by", "answer")}
    return IssueDetails(**{**values, **changes})


@pytest.fixture
def held_layout(monkeypatch):
    """The first layout of a final PDF waits, once it has started, until ``release`` is
    set; ``started`` is set when it starts, ``layouts`` counts them all."""

    class Layout:
        started = threading.Event()
        release = threading.Event()
        layouts = 0

    original = document.render_pdf

    def render_pdf(content, **kwargs):
        Layout.layouts += 1
        if Layout.layouts == 1:
            Layout.started.set()
            assert Layout.release.wait(PATIENCE), "the layout was never released"
        return original(content, **kwargs)

    monkeypatch.setattr(document, "render_pdf", render_pdf)
    yield Layout
    Layout.release.set()


def filed_answers(revision_id: int) -> list[str]:
    db.session.expire_all()
    revision = db.session.get(MinutesRevision, revision_id)
    return [" ".join(issue["answer"]) for issue in revision.content["issues"]]


def first_issue(session) -> Issue:
    return db.session.scalars(sa.select(Issue).where(
        Issue.session_id == session.id).order_by(Issue.number)).first()


def test_an_issue_saved_while_the_minutes_are_laid_out_is_in_the_filed_text(
        app, held_session, draft, secretary, held_layout):
    session = held_session()
    minutes, issue = draft(session), first_issue(session)
    finalizer = finalizing(app, minutes, secretary)
    assert held_layout.started.wait(PATIENCE)

    # Nothing is locked during the layout: the save goes through at once (on SQLite a
    # write held by the finalizer would make it wait, then fail as "database is locked").
    saver = answering(app, issue, secretary)
    saver.start()
    try:
        saver.result()
    finally:
        held_layout.release.set()
    revision_id = finalizer.result()

    # The text laid out first no longer matched: it was laid out again, with the answer.
    assert held_layout.layouts == 2
    assert NEW_ANSWER in filed_answers(revision_id)
    db.session.expire_all()
    assert db.session.get(Minutes, minutes.id).status is MinutesStatus.FINAL


def test_an_issue_saved_while_the_minutes_are_filed_waits_for_them_then_is_refused(
        app, held_session, draft, secretary, monkeypatch):
    session = held_session()
    minutes, issue = draft(session), first_issue(session)
    answer_before = issue.answer
    locked, saving = threading.Event(), threading.Event()
    original_lock_row = sql.lock_row

    def lock_row_then_hold(instance):
        # Finalizing's lock only (the issues' is their module's): the session is locked
        # and the minutes about to be filed; let the save start, and give it time to
        # reach the lock.
        original_lock_row(instance)
        locked.set()
        assert saving.wait(PATIENCE)
        time.sleep(0.5)

    monkeypatch.setattr(minutes_operations, "lock_row", lock_row_then_hold)
    finalizer = finalizing(app, minutes, secretary)
    assert locked.wait(PATIENCE)
    saver = answering(app, issue, secretary)
    started = time.monotonic()
    saving.set()
    saver.start()

    with pytest.raises(IssueError, match="Biên bản đã ký"):
        saver.result()
    revision_id = finalizer.result()

    # It waited for the filing rather than act on the minutes it had read as a draft.
    assert time.monotonic() - started >= 0.4
    assert filed_answers(revision_id)[0] == answer_before
    db.session.expire_all()
    assert db.session.get(Issue, issue.id).answer == answer_before


def test_minutes_that_keep_changing_while_laid_out_are_refused_after_a_few_tries(
        app, held_session, draft, secretary, monkeypatch):
    session = held_session()
    minutes, issue = draft(session), first_issue(session)
    original = document.render_pdf
    layouts = []

    def render_pdf_while_someone_saves(content, **kwargs):
        layouts.append(content)
        saver = answering(app, issue, secretary, answer=f"Trả lời lần {len(layouts)}.")
        saver.start()
        saver.result()
        return original(content, **kwargs)

    monkeypatch.setattr(document, "render_pdf", render_pdf_while_someone_saves)

    with pytest.raises(MinutesError, match="liên tục thay đổi"):
        finalizing(app, minutes, secretary).result()

    assert len(layouts) == FINALIZE_TRIES
    db.session.expire_all()
    assert db.session.get(Minutes, minutes.id).status is MinutesStatus.DRAFT
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MinutesRevision)) == 0
    assert db.session.get(Issue, issue.id).answer == f"Trả lời lần {FINALIZE_TRIES}."


def test_the_session_lock_changes_nothing_in_the_session(held_session):
    """On SQLite the lock is an UPDATE of the row: it must not move the session's
    updated_at (what the trail and the feeds read) nor its version (forms opened before
    it would be refused as stale)."""
    session = held_session()
    before = (session.updated_at, session.version)

    sql.lock_row(session)
    db.session.commit()

    db.session.expire_all()
    assert (session.updated_at, session.version) == before
