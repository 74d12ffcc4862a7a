"""Recording what citizens raise and chasing every commitment to the end."""

import io
import logging
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

from dialogue.accounts.permissions import NotPermitted
from dialogue.audit.models import AuditAction
from dialogue.audit.operations import history
from dialogue.core.errors import StaleEdit
from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.issues.attachments import Upload
from dialogue.issues.board import (
    BoardFilter,
    board_counters,
    board_query,
    search_commitments,
    search_issues,
    search_sessions,
)
from dialogue.issues.models import (
    Commitment,
    CommitmentStatus,
    InformState,
    Issue,
    IssueError,
    IssueKind,
    IssueOutcome,
    ProgressUpdate,
)
from dialogue.issues.operations import (
    add_progress_update,
    allowed_statuses,
    assign_commitment,
    change_commitment_status,
    delete_issue,
    earlier_issues,
    find_or_add_agency,
    inform_rule,
    move_issue,
    record_citizen_informed,
    record_issue,
    update_commitment,
    update_issue,
)
from dialogue.sessions.models import SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status
from dialogue.units.models import Era
from tests.helpers import at
from tests.issue_fixtures import COMPENSATION, ENVIRONMENT, SOCIAL_POLICY

S = CommitmentStatus
OPEN = [S.ASSIGNED, S.IN_PROGRESS]
CLOSED = [S.RESOLVED, S.TRANSFERRED, S.NOT_COMPETENT, S.REJECTED]
NEEDS_NOTE = [S.TRANSFERRED, S.NOT_COMPETENT, S.REJECTED]
NOTE = "Đã chuyển hồ sơ đến Thanh tra tỉnh theo thẩm quyền (Công văn số 125/UBND-TCD)."


def rows(statement) -> list:
    return list(db.session.scalars(statement))


def numbers(session) -> dict[str, int]:
    return {issue.raised_by: issue.number for issue in rows(
        sa.select(Issue).where(Issue.session_id == session.id).order_by(Issue.number))}


@pytest.fixture
def before_tet(create_session):
    """A dialogue held on Friday 13/02/2026, the last working day before Tết."""
    return create_session(starts_at=at("2026-02-13 08:00"), status=SessionStatus.HELD,
                          title="Đối thoại với Nhân dân về bồi thường, giải phóng mặt bằng")


@pytest.fixture
def issue(before_tet, record):
    return record(before_tet)


# Working-day deadlines ---------------------------------------------------------------------

def test_ten_working_days_from_the_friday_before_tet_skip_the_holiday_and_weekends(
        issue, commit_to):
    commitment = commit_to(issue, working_days=10)
    # Tết 16–20/02 and the weekends around it are skipped: Mon 23/02 is day 1.
    assert commitment.due_on == date(2026, 3, 6)
    assert commitment.working_days == 10


def test_a_deadline_given_as_a_date_is_kept_as_typed(issue, commit_to):
    commitment = commit_to(issue, due_on=date(2026, 3, 31))
    assert commitment.due_on == date(2026, 3, 31)
    assert commitment.working_days is None


def test_a_deadline_on_the_session_day_itself_is_accepted(issue, commit_to):
    assert commit_to(issue, due_on=date(2026, 2, 13)).due_on == date(2026, 2, 13)


@pytest.mark.parametrize(("overrides", "blamed"), [
    ({"due_on": None, "working_days": None}, "due_on"),
    ({"due_on": date(2026, 3, 31), "working_days": 10}, "due_on"),
    ({"working_days": 0}, "working_days"),
    ({"working_days": -5}, "working_days"),
    ({"working_days": 366}, "working_days"),
    ({"due_on": date(2026, 2, 12)}, "due_on"),
], ids=["neither", "both", "zero-days", "negative-days", "over-a-year", "before-session"])
def test_a_deadline_must_be_one_date_or_1_to_365_working_days_not_before_the_session(
        issue, commitment_details, secretary, overrides, blamed):
    with pytest.raises(IssueError) as refused:
        assign_commitment(issue, commitment_details(**overrides), by=secretary)
    assert refused.value.field == blamed


def test_a_refused_commitment_leaves_nothing_behind(issue, commitment_details, secretary):
    with pytest.raises(IssueError):
        assign_commitment(issue, commitment_details(working_days=0), by=secretary)
    db.session.commit()  # the secretary goes on recording the session
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Commitment)) == 0
    db.session.expire_all()
    assert issue.commitments == []


def test_a_deadline_of_a_full_year_of_working_days_is_accepted(issue, commit_to):
    commitment = commit_to(issue, working_days=365)
    assert date(2027, 7, 1) < commitment.due_on < date(2027, 8, 31)


def test_changing_a_date_deadline_to_working_days_recomputes_it(
        issue, commit_to, commitment_details, secretary):
    commitment = commit_to(issue, due_on=date(2026, 4, 30))
    update_commitment(commitment, commitment_details(working_days=10), by=secretary,
                      expected_version=commitment.version)
    assert commitment.due_on == date(2026, 3, 6)


# The overdue rule --------------------------------------------------------------------------

def test_an_open_commitment_is_overdue_only_after_its_deadline(issue, commit_to):
    commitment = commit_to(issue, working_days=10)  # due Fri 06/03/2026
    assert not commitment.is_overdue(date(2026, 3, 5))
    assert not commitment.is_overdue(date(2026, 3, 6))  # the deadline day itself
    assert commitment.is_overdue(date(2026, 3, 7))


def test_a_commitment_in_progress_can_be_overdue(issue, commit_to, secretary):
    commitment = commit_to(issue, working_days=10)
    change_commitment_status(commitment, S.IN_PROGRESS, note="", by=secretary)
    assert commitment.is_overdue(date(2026, 3, 9))


@pytest.mark.parametrize("status", CLOSED)
def test_a_closed_commitment_is_never_overdue(issue, commit_to, secretary, status):
    commitment = commit_to(issue, working_days=10)
    change_commitment_status(commitment, status, note=NOTE, by=secretary,
                             today=date(2026, 3, 2))
    assert not commitment.is_overdue(date(2026, 3, 9))
    assert not commitment.is_overdue(date(2027, 1, 1))


@pytest.mark.parametrize("today", [date(2026, 3, 6), date(2026, 3, 7), date(2026, 4, 1)])
def test_sql_finds_the_commitments_python_calls_overdue(issue, commit_to, secretary, today):
    commitments = [commit_to(issue, due_on=date(2026, 3, day)) for day in (5, 6, 31)]
    change_commitment_status(commitments[0], S.RESOLVED, note="", by=secretary,
                             today=date(2026, 3, 4))
    change_commitment_status(commitments[1], S.IN_PROGRESS, note="", by=secretary)
    db.session.commit()
    found = rows(sa.select(Commitment.id).where(Commitment.is_overdue(today)))
    assert sorted(found) == sorted(c.id for c in commitments if c.is_overdue(today))


# Status changes ----------------------------------------------------------------------------

@pytest.fixture
def commitment_in(issue, commit_to, secretary):
    """``commitment_in(status)``: a commitment that has reached ``status``."""

    def reach(status: CommitmentStatus):
        commitment = commit_to(issue)
        if status is not S.ASSIGNED:
            change_commitment_status(commitment, status, note=NOTE, by=secretary,
                                     today=date(2026, 3, 2))
        return commitment

    return reach


@pytest.mark.parametrize(("old", "new"), [(o, n) for o in OPEN for n in S if n is not o])
def test_an_open_commitment_may_move_to_any_other_status(commitment_in, secretary, old, new):
    commitment = commitment_in(old)
    assert new in allowed_statuses(commitment)
    change_commitment_status(commitment, new, note=NOTE, by=secretary, today=date(2026, 3, 10))
    assert commitment.status is new


@pytest.mark.parametrize("status", list(S))
def test_moving_to_the_same_status_is_refused(commitment_in, secretary, status):
    commitment = commitment_in(status)
    assert status not in allowed_statuses(commitment)
    with pytest.raises(IssueError) as refused:
        change_commitment_status(commitment, status, note=NOTE, by=secretary)
    assert refused.value.field == "status"


@pytest.mark.parametrize("old", CLOSED)
def test_a_closed_commitment_can_only_be_reopened_as_in_progress(commitment_in, old):
    assert allowed_statuses(commitment_in(old)) == [S.IN_PROGRESS]


@pytest.mark.parametrize(("old", "new"),
                         [(o, n) for o in CLOSED for n in S if n is not S.IN_PROGRESS])
def test_a_closed_commitment_refuses_every_other_status(commitment_in, secretary, old, new):
    commitment = commitment_in(old)
    with pytest.raises(IssueError):
        change_commitment_status(commitment, new, note=NOTE, by=secretary)
    assert commitment.status is old
    assert commitment.closed_on == date(2026, 3, 2)


@pytest.mark.parametrize("old", CLOSED)
def test_reopening_a_closed_commitment_clears_its_closing_day(commitment_in, secretary, old):
    commitment = commitment_in(old)
    change_commitment_status(commitment, S.IN_PROGRESS, note="Công dân tiếp tục khiếu nại",
                             by=secretary)
    assert commitment.status is S.IN_PROGRESS
    assert commitment.closed_on is None


@pytest.mark.parametrize("status", CLOSED)
def test_closing_a_commitment_records_the_day(commitment_in, secretary, status):
    commitment = commitment_in(S.IN_PROGRESS)
    assert commitment.closed_on is None
    change_commitment_status(commitment, status, note=NOTE, by=secretary,
                             today=date(2026, 3, 20))
    assert commitment.closed_on == date(2026, 3, 20)


@pytest.mark.parametrize("status", NEEDS_NOTE)
@pytest.mark.parametrize("note", ["", "   "])
def test_transferring_declining_or_rejecting_needs_a_reason(commitment_in, secretary,
                                                            status, note):
    commitment = commitment_in(S.ASSIGNED)
    with pytest.raises(IssueError) as refused:
        change_commitment_status(commitment, status, note=note, by=secretary)
    assert refused.value.field == "note"
    assert commitment.status is S.ASSIGNED
    assert commitment.closed_on is None


def test_resolving_needs_no_reason(commitment_in, secretary):
    commitment = commitment_in(S.IN_PROGRESS)
    change_commitment_status(commitment, S.RESOLVED, note="", by=secretary,
                             today=date(2026, 3, 5))
    assert commitment.status is S.RESOLVED


def test_a_stale_status_change_is_refused(commitment_in, secretary):
    commitment = commitment_in(S.ASSIGNED)
    seen = commitment.version
    change_commitment_status(commitment, S.IN_PROGRESS, note="", by=secretary)
    with pytest.raises(StaleEdit):
        change_commitment_status(commitment, S.RESOLVED, note="", by=secretary,
                                 expected_version=seen)


def test_a_commune_secretary_cannot_change_a_provincial_commitment(
        commitment_in, commune_secretary):
    commitment = commitment_in(S.ASSIGNED)
    with pytest.raises(NotPermitted):
        change_commitment_status(commitment, S.RESOLVED, note="", by=commune_secretary)


# The 10-working-day rule for telling the citizen in writing ---------------------------------

def test_informing_the_citizen_on_the_tenth_working_day_is_on_time(issue, commit_to,
                                                                   secretary):
    commitment = commit_to(issue)
    record_citizen_informed(commitment, date(2026, 3, 6), by=secretary)
    rule = inform_rule(commitment, today=date(2026, 4, 1))
    assert (rule.deadline, rule.state) == (date(2026, 3, 6), "on_time")


def test_informing_the_citizen_after_ten_working_days_is_late(issue, commit_to, secretary):
    commitment = commit_to(issue)
    record_citizen_informed(commitment, date(2026, 3, 9), by=secretary)
    assert inform_rule(commitment, today=date(2026, 3, 9)).state == "late"


def test_a_citizen_not_yet_informed_is_pending_until_the_deadline_then_overdue(
        issue, commit_to):
    commitment = commit_to(issue)
    assert inform_rule(commitment, today=date(2026, 2, 23)).state == "pending"
    assert inform_rule(commitment, today=date(2026, 3, 6)).state == "pending"
    assert inform_rule(commitment, today=date(2026, 3, 7)).state == "overdue"


@pytest.mark.parametrize("today", [date(2026, 3, 6), date(2026, 3, 7)])
def test_sql_reads_the_inform_state_as_python_does(issue, commit_to, secretary, today):
    deadline = date(2026, 3, 6)
    commitments = [commit_to(issue) for _ in range(3)]
    record_citizen_informed(commitments[0], date(2026, 3, 6), by=secretary)
    record_citizen_informed(commitments[1], date(2026, 3, 9), by=secretary)
    db.session.commit()
    in_python = {c.id: c.inform_state(today, deadline) for c in commitments}
    column = sa.literal(deadline, sa.Date)
    in_sql = dict(db.session.execute(
        sa.select(Commitment.id, Commitment.inform_state(today, column))).all())
    assert in_sql == in_python
    for state in InformState:
        assert sorted(rows(sa.select(Commitment.id).where(
            Commitment.inform_state_is(state, today, column)))) == sorted(
            id_ for id_, found in in_python.items() if found is state)


def test_the_citizen_cannot_be_informed_before_the_session(issue, commit_to, secretary):
    commitment = commit_to(issue)
    with pytest.raises(IssueError):
        record_citizen_informed(commitment, date(2026, 2, 12), by=secretary)


# Progress updates and their documents ------------------------------------------------------

PDF = (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
       b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n"
       b"%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
#: A Windows executable: MZ header pointing at a PE signature.
EXE = (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44
       + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00\x4c\x01\x03\x00" + b"\x00" * 200)


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
        archive.writestr("word/document.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.'
            'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
            "Biên bản làm việc với hộ ông Rơ Châm Hyưn</w:t></w:r></w:p></w:body></w:document>"))
    return buffer.getvalue()


@pytest.fixture
def attachments(app, monkeypatch, tmp_path):
    """The instance folder moved to a temporary one; returns where attachments land."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path / "attachments"


@pytest.fixture
def commitment(issue, commit_to):
    return commit_to(issue)


@pytest.mark.parametrize(("name", "content", "mime"), [
    ("bien-ban-lam-viec.pdf", PDF, "application/pdf"),
    ("anh-hien-trang.png", PNG, "image/png"),
    ("cong-van-tra-loi.docx", docx(),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
], ids=["pdf", "png", "docx"])
def test_a_progress_update_keeps_a_document_in_the_instance_folder(
        commitment, secretary, attachments, name, content, mime):
    update = add_progress_update(commitment, on=date(2026, 3, 3), upload=Upload(name, content),
                                 text="Đoàn kiểm tra làm việc với 37 hộ dân làng Dơ Lâm.",
                                 by=secretary)
    db.session.commit()
    assert (update.attachment_name, update.attachment_type) == (name, mime)
    assert update.attachment_size == len(content)
    assert update.attachment_path != name  # stored under a random name
    assert (attachments / update.attachment_path).read_bytes() == content
    assert commitment.updates == [update]


def test_a_progress_update_without_a_document(commitment, secretary, attachments):
    update = add_progress_update(commitment, on=date(2026, 3, 3), upload=None, by=secretary,
                                 text="Đã đo đạc, lập bản đồ địa chính khu dân cư.")
    assert update.attachment_path == ""
    assert update.created_by == secretary.display_name


def refused_upload(commitment, secretary, upload: Upload) -> IssueError:
    with pytest.raises(IssueError) as refused:
        add_progress_update(commitment, on=date(2026, 3, 3), upload=upload, by=secretary,
                            text="Gửi kèm biên bản làm việc.")
    db.session.commit()
    return refused.value


def assert_nothing_stored(attachments):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0
    assert not attachments.exists() or not any(attachments.iterdir())


def test_a_renamed_executable_is_refused_for_its_type(commitment, secretary, attachments):
    error = refused_upload(commitment, secretary, Upload("bien-ban.pdf", EXE))
    assert error.field == "attachment"
    assert "PDF" in error.message
    assert_nothing_stored(attachments)


def test_a_zip_hiding_an_executable_is_not_taken_for_a_word_document(
        commitment, secretary, attachments):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bien-ban.exe", EXE)
    error = refused_upload(commitment, secretary, Upload("bien-ban.docx", buffer.getvalue()))
    assert error.field == "attachment"
    assert_nothing_stored(attachments)


def test_a_document_over_the_size_limit_is_refused(app, monkeypatch, commitment, secretary,
                                                   attachments):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", len(PDF) - 1)
    error = refused_upload(commitment, secretary, Upload("bien-ban.pdf", PDF))
    assert error.field == "attachment"
    assert_nothing_stored(attachments)


def test_a_document_of_exactly_the_size_limit_is_accepted(app, monkeypatch, commitment,
                                                          secretary, attachments):
    monkeypatch.setitem(app.config, "ATTACHMENT_MAX_BYTES", len(PDF))
    update = add_progress_update(commitment, on=date(2026, 3, 3), by=secretary,
                                 upload=Upload("bien-ban.pdf", PDF), text="Biên bản làm việc.")
    assert update.attachment_size == len(PDF)


def test_a_progress_update_cannot_predate_the_session(commitment, secretary, attachments):
    with pytest.raises(IssueError) as refused:
        add_progress_update(commitment, on=date(2026, 2, 12), upload=Upload("a.pdf", PDF),
                            text="Trước hội nghị.", by=secretary)
    assert refused.value.field == "on"
    assert_nothing_stored(attachments)


def stored_files(attachments) -> list:
    return sorted(attachments.iterdir()) if attachments.exists() else []


def add_report(commitment, secretary, name: str = "bien-ban.pdf", content: bytes = PDF):
    """A progress update carrying the minutes of a working visit (not committed)."""
    return add_progress_update(commitment, on=date(2026, 3, 3), by=secretary,
                               upload=Upload(name, content),
                               text="Biên bản làm việc với 37 hộ dân làng Dơ Lâm.")


def test_a_rolled_back_update_leaves_no_file(commitment, secretary, attachments):
    db.session.commit()
    add_report(commitment, secretary)
    assert len(stored_files(attachments)) == 1  # written with the operation…
    db.session.rollback()  # …and gone with its transaction
    assert_nothing_stored(attachments)


def test_an_update_whose_session_closes_without_commit_leaves_no_file(
        commitment, secretary, attachments):
    db.session.commit()
    add_report(commitment, secretary)
    db.session.close()
    assert_nothing_stored(attachments)


def test_an_update_in_a_rolled_back_savepoint_leaves_no_file_but_the_others_stay(
        commitment, secretary, attachments):
    kept = add_report(commitment, secretary)
    savepoint = db.session.begin_nested()
    add_report(commitment, secretary, "anh-hien-trang.png", PNG)
    savepoint.rollback()
    db.session.commit()
    assert stored_files(attachments) == [attachments / kept.attachment_path]


def test_a_committed_update_leaves_exactly_one_readable_file(commitment, secretary,
                                                             attachments):
    update = add_report(commitment, secretary)
    db.session.commit()
    stored = attachments / update.attachment_path
    db.session.close()  # the request ends: nothing of the committed file is undone
    assert stored_files(attachments) == [stored]
    assert stored.read_bytes() == PDF


def test_the_files_stored_and_removed_are_logged(commitment, secretary, attachments, caplog):
    caplog.set_level(logging.INFO, logger="dialogue.core.storage")
    kept = add_report(commitment, secretary)
    db.session.commit()
    kept_name = kept.attachment_path
    dropped = add_report(commitment, secretary)
    db.session.rollback()
    logged = [r.getMessage() for r in caplog.records if r.name == "dialogue.core.storage"]
    assert [m.split()[0] for m in logged] == ["stored", "removed"]
    assert kept_name in logged[0] and dropped.attachment_path in logged[1]


def test_the_document_of_a_committed_update_is_downloaded(client, commitment, secretary,
                                                          attachments):
    update = add_report(commitment, secretary)
    db.session.commit()
    response = client.get(f"/updates/{update.id}/attachment")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert "bien-ban.pdf" in response.headers["Content-Disposition"]


def test_a_document_missing_from_the_store_is_not_found(client, commitment, secretary,
                                                        attachments):
    update = add_report(commitment, secretary)
    db.session.commit()
    (attachments / update.attachment_path).unlink()
    assert client.get(f"/updates/{update.id}/attachment").status_code == 404


# Issues ------------------------------------------------------------------------------------

@pytest.fixture
def three_issues(create_session, record):
    session = create_session(status=SessionStatus.HELD)
    record(session, raised_by="Ông Rơ Châm Hyưn")
    record(session, raised_by="Bà Siu H’Prăk", field=COMPENSATION, locality="Thôn Ia Lang",
           content="Đề nghị chi trả dứt điểm tiền bồi thường, hỗ trợ giải phóng mặt bằng "
                   "tuyến tránh Quốc lộ 19.")
    record(session, raised_by="Ông Đinh Văn Thơm", field=SOCIAL_POLICY,
           kind=IssueKind.OPINION, locality="Tổ dân phố 5",
           content="Đề nghị xem xét hồ sơ công nhận người có công với cách mạng của thân nhân.")
    return session


def test_issues_are_numbered_in_the_order_they_are_raised(three_issues):
    assert numbers(three_issues) == {"Ông Rơ Châm Hyưn": 1, "Bà Siu H’Prăk": 2,
                                     "Ông Đinh Văn Thơm": 3}


def test_moving_an_issue_up_swaps_it_with_the_one_above(three_issues, secretary):
    third = rows(sa.select(Issue).where(Issue.number == 3))[0]
    move_issue(third, -1, by=secretary)
    db.session.commit()
    assert numbers(three_issues) == {"Ông Rơ Châm Hyưn": 1, "Ông Đinh Văn Thơm": 2,
                                     "Bà Siu H’Prăk": 3}


def test_moving_an_issue_down_swaps_it_with_the_one_below(three_issues, secretary):
    first = rows(sa.select(Issue).where(Issue.number == 1))[0]
    move_issue(first, +1, by=secretary)
    db.session.commit()
    assert numbers(three_issues) == {"Bà Siu H’Prăk": 1, "Ông Rơ Châm Hyưn": 2,
                                     "Ông Đinh Văn Thơm": 3}


def test_moving_the_first_issue_up_changes_nothing(three_issues, secretary):
    first = rows(sa.select(Issue).where(Issue.number == 1))[0]
    move_issue(first, -1, by=secretary)
    db.session.commit()
    assert numbers(three_issues)["Ông Rơ Châm Hyưn"] == 1


def test_deleting_an_issue_renumbers_the_ones_after_it(three_issues, secretary, record):
    first = rows(sa.select(Issue).where(Issue.number == 1))[0]
    delete_issue(first, by=secretary)
    db.session.commit()
    assert numbers(three_issues) == {"Bà Siu H’Prăk": 1, "Ông Đinh Văn Thơm": 2}
    assert record(three_issues, raised_by="Bà Nay H’Thuyên").number == 3


def test_an_issue_with_commitments_cannot_be_deleted(issue, commit_to, secretary):
    commit_to(issue)
    with pytest.raises(IssueError):
        delete_issue(issue, by=secretary)
    assert db.session.get(Issue, issue.id) is issue


def test_a_commitment_turns_an_answered_issue_into_one_to_follow_up(before_tet, record,
                                                                    commit_to):
    issue = record(before_tet, outcome=IssueOutcome.ANSWERED)
    commit_to(issue)
    assert issue.outcome is IssueOutcome.FOLLOW_UP


@pytest.mark.parametrize("blank", ["raised_by", "content"])
def test_an_issue_needs_who_raised_it_and_what_they_said(issue_details, before_tet, secretary,
                                                         blank):
    with pytest.raises(IssueError) as refused:
        record_issue(before_tet, issue_details(**{blank: "  "}), by=secretary)
    assert refused.value.field == blank


def test_a_scheduled_session_takes_issues(create_session, record):
    assert record(create_session()).number == 1


@pytest.mark.parametrize("status", [SessionStatus.DRAFT, SessionStatus.CANCELLED,
                                    SessionStatus.POSTPONED])
def test_no_issues_for_a_session_that_is_not_announced_or_held(create_session, issue_details,
                                                               secretary, status):
    session = create_session(status=status)
    with pytest.raises(IssueError):
        record_issue(session, issue_details(), by=secretary)


def test_a_cancelled_sessions_issues_are_read_only(create_session, record, issue_details,
                                                   secretary):
    session = create_session()
    issue = record(session)
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13 đổ bộ", by=secretary)
    with pytest.raises(IssueError):
        update_issue(issue, issue_details(answer="Sửa"), by=secretary, expected_version=None)


@pytest.fixture
def final_minutes(issue, commit_to):
    """The issue's session once its minutes are signed: its issues are locked."""
    commitment = commit_to(issue)
    issue.session.issues_locked_at = utcnow()
    db.session.commit()
    return commitment


def test_final_minutes_lock_the_issues(final_minutes, issue, record, issue_details,
                                       commitment_details, secretary):
    with pytest.raises(IssueError, match="Biên bản"):
        record(issue.session)
    with pytest.raises(IssueError):
        update_issue(issue, issue_details(answer="Sửa lại câu trả lời"), by=secretary,
                     expected_version=issue.version)
    with pytest.raises(IssueError):
        move_issue(issue, +1, by=secretary)
    with pytest.raises(IssueError):
        delete_issue(issue, by=secretary)
    with pytest.raises(IssueError):
        assign_commitment(issue, commitment_details(), by=secretary)
    with pytest.raises(IssueError):
        update_commitment(final_minutes, commitment_details(action="Sửa"), by=secretary,
                          expected_version=final_minutes.version)


def test_commitments_are_still_chased_after_the_minutes_are_final(final_minutes, secretary,
                                                                  attachments):
    add_progress_update(final_minutes, on=date(2026, 3, 20), upload=None, by=secretary,
                        text="Đã cấp 25/37 giấy chứng nhận.")
    change_commitment_status(final_minutes, S.RESOLVED, note="", by=secretary)
    assert final_minutes.status is S.RESOLVED


def test_a_commune_secretary_cannot_record_issues_on_her_neighbours_session(
        create_session, issue_details, commune_secretary):
    neighbour = create_session(unit="Phường Pleiku", title="Đối thoại phường Pleiku")
    with pytest.raises(NotPermitted):
        record_issue(neighbour, issue_details(), by=commune_secretary)


def test_a_commune_secretary_records_issues_on_her_own_session(create_session, record,
                                                               commune_secretary):
    own = create_session(unit="Xã Ia Grai", by=commune_secretary)
    assert record(own, by=commune_secretary).number == 1


def test_editing_an_issue_someone_else_just_saved_is_refused(issue, issue_details, secretary):
    seen = issue.version
    update_issue(issue, issue_details(answer="Đã trả lời trực tiếp tại hội nghị."),
                 by=secretary, expected_version=seen)
    with pytest.raises(StaleEdit):
        update_issue(issue, issue_details(answer="Bản sửa cũ"), by=secretary,
                     expected_version=seen)


def test_editing_a_commitment_someone_else_just_saved_is_refused(issue, commit_to,
                                                                 commitment_details, secretary):
    commitment = commit_to(issue)
    seen = commitment.version
    update_commitment(commitment, commitment_details(due_on=date(2026, 5, 15)), by=secretary,
                      expected_version=seen)
    with pytest.raises(StaleEdit):
        update_commitment(commitment, commitment_details(), by=secretary,
                          expected_version=seen)


def test_an_agency_typed_twice_differently_is_one_agency(issue, commit_to):
    first = commit_to(issue, agency_name="UBND xã Ia Grai")
    second = commit_to(issue, agency_name="  Ubnd  xã ia grai ")
    assert first.agency is second.agency
    assert find_or_add_agency("UBND XÃ IA GRAI") is first.agency


# Repeat grievances -------------------------------------------------------------------------

def test_earlier_issues_from_the_same_locality_and_field_are_listed(
        create_session, record, secretary):
    earlier = create_session(unit="Xã Ia Grai", starts_at=at("2025-09-10 08:00"))
    first = record(earlier, locality="làng dơ lâm")  # typed without capitals
    record(earlier, locality="Lang Do Lam")  # typed without diacritics
    record(earlier, locality="Làng Dơ Lâm", field=COMPENSATION)  # another field
    record(earlier, locality="Làng Ia Lang")  # another village
    later = create_session(unit="Xã Ia Grai", starts_at=at("2026-03-02 08:00"))
    issue = record(later, locality="Làng Dơ Lâm")
    same_day = record(later, locality="Làng Dơ Lâm", raised_by="Bà Rơ Lan H’Blen")
    found = earlier_issues(issue, user=secretary)
    assert {i.locality for i in found} == {"làng dơ lâm", "Lang Do Lam"}
    assert first in found
    assert same_day not in found  # same session: not an earlier grievance


def test_later_sessions_are_not_earlier_grievances(create_session, record, secretary):
    earlier = create_session(unit="Xã Ia Grai", starts_at=at("2025-09-10 08:00"))
    later = create_session(unit="Xã Ia Grai", starts_at=at("2026-03-02 08:00"))
    old = record(earlier)
    record(later)
    assert earlier_issues(old, user=secretary) == []


def test_an_issue_without_locality_or_field_has_no_repeat_grievances(create_session, record,
                                                                     secretary):
    record(create_session(starts_at=at("2025-09-10 08:00")), locality="")
    later = create_session()
    assert earlier_issues(record(later, locality=""), user=secretary) == []
    assert earlier_issues(record(later, field=None), user=secretary) == []


def test_repeat_grievances_only_come_from_the_users_scope(create_session, record,
                                                          commune_secretary, secretary):
    neighbour = create_session(unit="Phường Pleiku", starts_at=at("2025-09-10 08:00"))
    record(neighbour, locality="Tổ dân phố 5")
    own = create_session(unit="Xã Ia Grai", by=commune_secretary)
    issue = record(own, locality="Tổ dân phố 5", by=commune_secretary)
    assert earlier_issues(issue, user=commune_secretary) == []


def test_a_village_of_the_same_name_in_another_commune_is_not_a_repeat_grievance(
        create_session, record, secretary):
    # "Thôn 1" exists in almost every commune: only the same commune's Thôn 1 repeats.
    elsewhere = create_session(unit="Xã Chư Păh", starts_at=at("2025-09-10 08:00"))
    record(elsewhere, locality="Thôn 1")
    same = create_session(unit="Xã Ia Grai", starts_at=at("2025-10-10 08:00"))
    repeat = record(same, locality="Thôn 1")
    issue = record(create_session(unit="Xã Ia Grai"), locality="Thôn 1")
    assert earlier_issues(issue, user=secretary) == [repeat]


# The follow-up board -----------------------------------------------------------------------

#: Wednesday: its week ends on Sunday 22/03/2026.
TODAY = date(2026, 3, 18)


@pytest.fixture
def board(create_session, record, commit_to, secretary, field):
    """Commitments of Xã Ia Grai, of Phường Pleiku and of the province, by name."""
    ia_grai = create_session(unit="Xã Ia Grai", title="Đối thoại xã Ia Grai")
    pleiku = create_session(unit="Phường Pleiku", title="Đối thoại phường Pleiku")
    province = create_session(title="Đối thoại Bí thư Tỉnh ủy với Nhân dân")
    land = record(ia_grai)
    compensation = record(pleiku, field=COMPENSATION, raised_by="Bà Siu H’Prăk",
                          locality="Tổ dân phố 5",
                          content="Đề nghị chi trả tiền bồi thường giải phóng mặt bằng dự án "
                                  "đường Lê Duẩn nối dài.")
    sea = record(province, field=ENVIRONMENT, raised_by="Ông Nguyễn Văn Hải",
                 locality="Thôn Hải Giang",
                 content="Ngư dân chưa nhận đủ tiền bồi thường do sự cố môi trường biển.")
    commitments = {
        "overdue_land": commit_to(land, due_on=date(2026, 3, 10)),
        "due_friday": commit_to(compensation, due_on=date(2026, 3, 20),
                                agency_name="UBND phường Pleiku",
                                action="Chi trả tiền bồi thường cho 12 hộ."),
        "due_today": commit_to(sea, due_on=TODAY, agency_name="Sở Nông nghiệp và Môi trường",
                               action="Rà soát danh sách ngư dân được bồi thường."),
        "next_month": commit_to(sea, due_on=date(2026, 4, 30),
                                agency_name="Sở Tài chính",
                                action="Bố trí kinh phí bồi thường bổ sung."),
        "overdue_pleiku": commit_to(compensation, due_on=date(2026, 3, 5),
                                    agency_name="UBND phường Pleiku",
                                    action="Công khai phương án bồi thường."),
        "resolved": commit_to(land, due_on=date(2026, 3, 31)),
        "resolved_last_month": commit_to(sea, due_on=date(2026, 3, 3),
                                         agency_name="Sở Tài chính",
                                         action="Tạm ứng kinh phí."),
        "rejected": commit_to(compensation, due_on=date(2026, 3, 4),
                              agency_name="UBND phường Pleiku",
                              action="Xem xét hỗ trợ tái định cư."),
    }
    change_commitment_status(commitments["resolved"], S.RESOLVED, note="", by=secretary,
                             today=date(2026, 3, 16))
    change_commitment_status(commitments["resolved_last_month"], S.RESOLVED, note="",
                             by=secretary, today=date(2026, 2, 27))
    change_commitment_status(commitments["rejected"], S.REJECTED, note=NOTE, by=secretary,
                             today=date(2026, 3, 12))
    change_commitment_status(commitments["due_today"], S.IN_PROGRESS, note="", by=secretary)
    db.session.commit()
    return commitments


def on_board(user, criteria=None, board=None) -> list[str]:
    names = {c.id: name for name, c in board.items()}
    return [names[c.id] for c in rows(board_query(user, criteria or BoardFilter()))]


def test_the_board_lists_open_commitments_overdue_first_then_by_deadline(board, secretary):
    assert on_board(secretary, board=board) == [
        "overdue_pleiku", "overdue_land", "due_today", "due_friday", "next_month"]


def test_the_board_filters_by_unit_including_legacy_units(board, secretary, unit,
                                                          create_session, record, commit_to):
    legacy = create_session(unit=unit("Thị trấn Ia Kha", Era.LEGACY),
                            starts_at=at("2025-05-05 08:00"))
    board["legacy"] = commit_to(record(legacy), due_on=date(2025, 6, 30))
    criteria = BoardFilter(unit=unit("Xã Ia Grai"))
    assert on_board(secretary, criteria, board) == ["legacy", "overdue_land"]


def test_the_board_filters_by_agency(board, secretary):
    pleiku = find_or_add_agency("UBND phường Pleiku")
    assert on_board(secretary, BoardFilter(agency=pleiku), board) == [
        "overdue_pleiku", "due_friday"]


def test_the_board_filters_by_field(board, secretary, field):
    assert on_board(secretary, BoardFilter(field=field(ENVIRONMENT)), board) == [
        "due_today", "next_month"]


def test_the_board_filters_by_status(board, secretary):
    assert on_board(secretary, BoardFilter(status=S.IN_PROGRESS), board) == ["due_today"]
    assert on_board(secretary, BoardFilter(status=S.RESOLVED), board) == [
        "resolved_last_month", "resolved"]


def test_the_board_filters_by_due_date(board, secretary):
    assert on_board(secretary, BoardFilter(due_before=date(2026, 3, 20)), board) == [
        "overdue_pleiku", "overdue_land", "due_today", "due_friday"]


def test_the_board_counters(board, secretary):
    counters = board_counters(secretary, TODAY)
    assert counters.open == 5
    assert counters.overdue == 2  # due 05/03 and 10/03; not the one due today
    assert counters.due_this_week == 2  # today and Friday 20/03
    assert counters.resolved_this_month == 1  # not the one resolved in February


def test_counters_follow_the_day(board, secretary):
    assert board_counters(secretary, date(2026, 3, 23)).overdue == 4
    assert board_counters(secretary, date(2026, 4, 1)).resolved_this_month == 0


def test_a_commune_secretary_sees_only_her_communes_commitments(board, commune_secretary):
    assert on_board(commune_secretary, board=board) == ["overdue_land"]
    counters = board_counters(commune_secretary, TODAY)
    assert (counters.open, counters.overdue, counters.due_this_week,
            counters.resolved_this_month) == (1, 1, 0, 1)


def test_a_commune_secretary_filtering_on_a_neighbour_sees_nothing(board, commune_secretary,
                                                                  unit):
    assert on_board(commune_secretary, BoardFilter(unit=unit("Phường Pleiku")), board) == []


# Search ------------------------------------------------------------------------------------

def test_searching_without_diacritics_finds_issues_with_them(board, secretary):
    found = rows(search_issues(secretary, "boi thuong"))
    # "bồi thường giải phóng mặt bằng" and "bồi thường do sự cố môi trường biển".
    assert {i.raised_by for i in found} == {"Bà Siu H’Prăk", "Ông Nguyễn Văn Hải"}


def test_dat_dai_finds_dat_dai_with_its_diacritics(create_session, record, secretary):
    session = create_session()
    record(session, content="Tranh chấp Đất đai giữa hai hộ ở làng Dơ Lâm chưa được hòa giải.")
    record(session, content="Đường liên thôn xuống cấp.", field=None)
    found = rows(search_issues(secretary, "dat dai"))
    assert [i.content for i in found] == [
        "Tranh chấp Đất đai giữa hai hộ ở làng Dơ Lâm chưa được hòa giải."]


@pytest.mark.parametrize("query", ["Đất đai", "ĐẤT ĐAI", "đất đai", "DAT DAI", "dat  dai"])
def test_search_ignores_case_and_the_stroke_of_d(create_session, record, secretary, query):
    record(create_session(), content="Đề nghị giải quyết tranh chấp đất đai ở thôn 3.")
    assert len(rows(search_issues(secretary, query))) == 1


def test_search_finds_commitments_by_agency_or_action(board, secretary):
    by_action = {c.action for c in rows(search_commitments(secretary, "boi thuong"))}
    assert by_action == {"Chi trả tiền bồi thường cho 12 hộ.",
                         "Rà soát danh sách ngư dân được bồi thường.",
                         "Bố trí kinh phí bồi thường bổ sung.",
                         "Công khai phương án bồi thường."}
    by_agency = rows(search_commitments(secretary, "so tai chinh"))
    assert len(by_agency) == 2


def test_search_finds_sessions_without_diacritics(board, secretary):
    assert [s.title for s in rows(search_sessions(secretary, "doi thoai xa ia grai"))] == [
        "Đối thoại xã Ia Grai"]


def test_search_treats_wildcards_as_text(board, secretary):
    assert rows(search_issues(secretary, "%")) == []
    assert rows(search_commitments(secretary, "_")) == []


def test_search_never_returns_rows_out_of_the_users_scope(board, commune_secretary):
    assert [i.raised_by for i in rows(search_issues(commune_secretary, "dat"))] == [
        "Ông Rơ Châm Hyưn"]
    assert rows(search_issues(commune_secretary, "boi thuong")) == []
    assert rows(search_commitments(commune_secretary, "boi thuong")) == []
    assert [s.title for s in rows(search_sessions(commune_secretary, "doi thoai"))] == [
        "Đối thoại xã Ia Grai"]


# The audit trail ---------------------------------------------------------------------------

def test_the_trail_keeps_an_issue_from_creation_to_deletion(issue, issue_details, secretary):
    update_issue(issue, issue_details(answer="Sẽ cấp giấy trong tháng 4/2026."),
                 by=secretary, expected_version=issue.version)
    issue_id = issue.id
    delete_issue(issue, by=secretary)
    db.session.commit()
    entries = history("issue", issue_id)
    assert [e.action for e in entries] == [AuditAction.CREATED, AuditAction.UPDATED,
                                           AuditAction.DELETED]
    assert entries[0].changes["raised_by"] == [None, "Ông Rơ Châm Hyưn"]
    assert entries[1].changes["answer"][1] == "Sẽ cấp giấy trong tháng 4/2026."
    assert entries[2].changes["content"][1] is None
    assert all(e.actor_id == secretary.id for e in entries)
    assert entries[0].unit_id == issue.session.unit_id


def test_the_trail_keeps_a_commitment_its_status_changes_and_updates(
        issue, commit_to, secretary, attachments):
    commitment = commit_to(issue, working_days=10)
    change_commitment_status(commitment, S.TRANSFERRED, note=NOTE, by=secretary)
    add_progress_update(commitment, on=date(2026, 3, 3), upload=Upload("bien-ban.pdf", PDF),
                        text="Thanh tra tỉnh đã nhận hồ sơ.", by=secretary)
    db.session.commit()
    created, changed, update = history("commitment", commitment.id)
    assert created.action is AuditAction.CREATED
    assert created.changes["due_on"] == [None, "2026-03-06"]
    assert created.changes["working_days"] == [None, 10]
    assert changed.action is AuditAction.STATUS_CHANGED
    assert changed.changes["status"] == ["assigned", "transferred"]
    assert changed.reason == NOTE
    assert update.action is AuditAction.CREATED
    assert update.changes["update"] == [
        None, "03/03/2026: Thanh tra tỉnh đã nhận hồ sơ. [bien-ban.pdf]"]
