"""Drafting, numbering, filing, correcting, verifying and archiving the minutes of a session,
without HTTP."""

import csv
import hashlib
import io
import logging
import os
import secrets

import pytest
import sqlalchemy as sa

from dialogue.accounts.permissions import NotPermitted
from dialogue.audit.models import AuditAction
from dialogue.audit.operations import history
from dialogue.core.errors import StaleEdit
from dialogue.core.time import format_date
from dialogue.extensions import db
from dialogue.issues.models import Issue, IssueError
from dialogue.issues.operations import record_issue, update_issue
from dialogue.minutes.archive import INDEX_COLUMNS, filed_revision, find_revision
from dialogue.minutes.content import canonical_hash
from dialogue.minutes.models import (
    FinalMinutesCannotChange,
    Minutes,
    MinutesRevision,
    MinutesStatus,
    MinutesTemplate,
)
from dialogue.minutes.operations import (
    MinutesError,
    finalize_minutes,
    heading_defaults,
    new_minutes,
    save_minutes,
    start_correction,
)
from dialogue.sessions.models import SessionStatus
from dialogue.sessions.operations import TRANSITIONS, SchedulingError, change_status, reschedule
from dialogue.units.models import Era
from tests.helpers import at, page_count

REASON = "Ghi sai số người dân tham dự: 120 người, không phải 150 người."
PARTY_OF_IA_GRAI = {"template": MinutesTemplate.PARTY, "parent_body": "ĐẢNG BỘ TỈNH GIA LAI",
                    "issuing_body": "ĐẢNG ỦY XÃ IA GRAI", "symbol": "BB/ĐU",
                    "place_name": "Ia Grai"}
STATE_OF_IA_GRAI = {"issuing_body": "ỦY BAN NHÂN DÂN XÃ IA GRAI", "place_name": "Ia Grai"}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def commune_session(held_session):
    """``commune_session(**overrides)``: a dialogue of Xã Ia Grai held on 05/03/2026."""

    def create(**overrides):
        overrides.setdefault("unit", "Xã Ia Grai")
        overrides.setdefault("starts_at", at("2026-03-05 08:00"))
        overrides.setdefault("venue", "Hội trường UBND xã Ia Grai")
        overrides.setdefault("title", "Đối thoại với Nhân dân xã Ia Grai về đất đai")
        return held_session(**overrides)

    return create


@pytest.fixture
def correct(minutes_details, secretary):
    """``correct(revision, **overrides)``: a correction drafted with ``overrides`` and filed
    as the next revision; the number the form shows is kept unless overridden."""

    def file(revision: MinutesRevision, *, reason: str = REASON, **overrides):
        minutes = revision.minutes
        start_correction(minutes, reason=reason, by=secretary)
        overrides.setdefault("number", minutes.number)
        save_minutes(minutes.session, minutes_details(**overrides), by=secretary)
        corrected = finalize_minutes(minutes, by=secretary)
        db.session.commit()
        return corrected

    return file


@pytest.fixture
def export(app, tmp_path):
    """``export(*options, year=2026)``: ``flask minutes export`` into ``tmp_path/<year>``;
    the CLI result, the folder, and {file name: bytes} of what is in it.

    The export reads the revisions in the test's own database session (and detaches them):
    read what a test compares with before exporting."""
    def run(*options: str, year: int = 2026):
        out = tmp_path / str(year)
        result = app.test_cli_runner().invoke(
            args=["minutes", "export", "--year", str(year), "--out", str(out), *options])
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result, out, {path.name: path.read_bytes() for path in sorted(out.iterdir())}

    return run


def index_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "index.csv starts with a byte order mark"
    text = data[3:].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    return list(csv.reader(io.StringIO(text, newline="")))


def pdfs(files: dict[str, bytes]) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.endswith(".pdf")}


def reloaded(revision: MinutesRevision) -> MinutesRevision:
    db.session.expire_all()
    return filed_revision(db.session.get(Minutes, revision.minutes_id).session, revision.number)


# Drafting ----------------------------------------------------------------------------------

def test_new_minutes_start_from_the_provincial_committee_the_place_and_the_participants(
        held_session):
    session = held_session()

    minutes = new_minutes(session)

    assert minutes.template is MinutesTemplate.STATE
    assert (minutes.parent_body, minutes.issuing_body, minutes.symbol) == (
        "", "ỦY BAN NHÂN DÂN TỈNH GIA LAI", "BB-UBND")
    assert minutes.place_name == "Gia Lai"
    assert (minutes.year, minutes.number, minutes.copies) == (2026, None, 2)
    assert [(group.label, group.count) for group in minutes.attendance] == [
        ("Lãnh đạo", 1), ("Nhân dân", 0)]
    assert minutes.attendees == "Ayun H’Bút, Phó Chủ tịch HĐND tỉnh"
    assert minutes.recipients.splitlines()[-1] == "- Lưu: VT, Hồ sơ."


def test_the_defaults_shown_in_the_form_are_not_saved_until_the_secretary_saves(held_session):
    minutes = new_minutes(held_session())
    db.session.commit()

    assert minutes not in db.session
    assert count(Minutes) == 0


def test_a_commune_takes_its_own_peoples_committee_and_place(commune_session):
    minutes = new_minutes(commune_session())

    assert minutes.issuing_body == "ỦY BAN NHÂN DÂN XÃ IA GRAI"
    assert minutes.place_name == "Ia Grai"


def test_the_party_template_of_a_commune_is_its_party_committee_under_the_province(
        commune_session):
    session = commune_session()

    assert heading_defaults(session.unit, MinutesTemplate.PARTY) == {
        "parent_body": "ĐẢNG BỘ TỈNH GIA LAI", "issuing_body": "ĐẢNG ỦY XÃ IA GRAI",
        "symbol": "BB/ĐU"}


def test_the_party_template_of_the_province_is_the_provincial_party_committee(unit):
    assert heading_defaults(unit("Tỉnh Gia Lai"), MinutesTemplate.PARTY) == {
        "parent_body": "ĐẢNG BỘ TỈNH GIA LAI", "issuing_body": "TỈNH ỦY", "symbol": "BB/TU"}


def test_switching_to_the_party_template_replaces_the_header_lines_left_at_their_defaults(
        commune_session, draft):
    session = commune_session()
    draft(session, **STATE_OF_IA_GRAI)

    # The form still shows the state header when the secretary picks the Party template.
    minutes = draft(session, template=MinutesTemplate.PARTY, **STATE_OF_IA_GRAI)

    assert minutes.template is MinutesTemplate.PARTY
    assert (minutes.parent_body, minutes.issuing_body, minutes.symbol) == (
        "ĐẢNG BỘ TỈNH GIA LAI", "ĐẢNG ỦY XÃ IA GRAI", "BB/ĐU")


def test_switching_the_template_keeps_the_header_lines_the_secretary_edited(
        commune_session, draft):
    session = commune_session()
    edited = "ỦY BAN NHÂN DÂN XÃ IA GRAI, TỈNH GIA LAI"
    draft(session, issuing_body=edited, place_name="Ia Grai")

    minutes = draft(session, template=MinutesTemplate.PARTY, issuing_body=edited,
                    place_name="Ia Grai")

    assert minutes.issuing_body == edited
    assert (minutes.parent_body, minutes.symbol) == ("ĐẢNG BỘ TỈNH GIA LAI", "BB/ĐU")


def test_saving_again_updates_the_same_draft(held_session, draft):
    session = held_session()
    first = draft(session)

    again = draft(session, conclusions="Kết luận đã sửa.", copies=4,
                  attendance=[("Lãnh đạo tỉnh", 6), ("Nhân dân", 150)])

    assert again.id == first.id
    assert count(Minutes) == 1
    assert again.status is MinutesStatus.DRAFT
    assert (again.conclusions, again.copies) == ("Kết luận đã sửa.", 4)
    assert [(g.label, g.count, g.position) for g in again.attendance] == [
        ("Lãnh đạo tỉnh", 6, 0), ("Nhân dân", 150, 1)]


def test_attendance_rows_without_a_group_name_are_dropped(held_session, draft):
    minutes = draft(held_session(), attendance=[("Lãnh đạo tỉnh", 5), ("   ", 0),
                                                ("Nhân dân", 120)])

    assert [(g.label, g.count) for g in minutes.attendance] == [
        ("Lãnh đạo tỉnh", 5), ("Nhân dân", 120)]


def test_minutes_are_not_drafted_for_a_postponed_session(create_session, minutes_details,
                                                         secretary):
    session = create_session(status=SessionStatus.POSTPONED)

    with pytest.raises(MinutesError):
        save_minutes(session, minutes_details(), by=secretary)


# Numbering ---------------------------------------------------------------------------------

def test_documents_of_one_issuing_body_are_numbered_01_02_in_the_order_they_are_filed(
        held_session, final):
    first = held_session()
    second = held_session(starts_at=at("2026-03-09 08:00"))

    assert final(first).document_number == "01/BB-UBND"
    assert final(second).document_number == "02/BB-UBND"


def test_a_number_is_given_only_when_filed_not_when_drafted(held_session, draft, final):
    early = held_session()
    late = held_session(starts_at=at("2026-03-09 08:00"))
    draft(early)

    assert final(late).document_number == "01/BB-UBND"
    assert final(early).document_number == "02/BB-UBND"


@pytest.mark.parametrize("other", [
    {"unit": "Xã Ia Grai", "details": STATE_OF_IA_GRAI, "expected": "01/BB-UBND"},
    {"details": {"template": MinutesTemplate.PARTY}, "expected": "01-BB/TU"},
    {"starts_at": "2025-10-15 08:00", "expected": "01/BB-UBND"},
], ids=["another-unit", "party-committee", "another-year"])
def test_another_unit_another_template_and_another_year_each_start_again_at_01(
        held_session, final, other):
    final(held_session())
    final(held_session(starts_at=at("2026-03-09 08:00")))
    overrides = {"starts_at": at(other.get("starts_at", "2026-03-16 08:00"))}
    if "unit" in other:
        overrides["unit"] = other["unit"]

    revision = final(held_session(**overrides), **other.get("details", {}))

    assert revision.document_number == other["expected"]


def test_a_party_committee_writes_its_number_with_a_hyphen(commune_session, final):
    revision = final(commune_session(), **PARTY_OF_IA_GRAI)

    assert revision.document_number == "01-BB/ĐU"


def test_a_hand_entered_number_is_kept_and_the_next_automatic_one_follows_it(
        held_session, final):
    assert final(held_session(), number=7).document_number == "07/BB-UBND"
    assert final(held_session(starts_at=at("2026-03-09 08:00"))).document_number == "08/BB-UBND"


def test_a_hand_entered_number_already_taken_by_the_same_body_is_refused_beside_the_number(
        held_session, draft, minutes_details, secretary):
    draft(held_session(), number=7)
    other = held_session(starts_at=at("2026-03-09 08:00"))

    with pytest.raises(MinutesError) as refused:
        save_minutes(other, minutes_details(number=7), by=secretary)

    assert refused.value.field == "number"
    db.session.rollback()
    assert count(Minutes) == 1


def test_the_same_hand_entered_number_is_free_for_another_issuing_body(
        held_session, commune_session, draft):
    draft(held_session(), number=7)

    assert draft(commune_session(), number=7, **STATE_OF_IA_GRAI).number == 7


# Finalizing --------------------------------------------------------------------------------

def test_finalizing_files_the_pdf_with_its_hashes_and_marks_the_minutes_final(
        held_session, final, secretary):
    revision = reloaded(final(held_session()))
    minutes = revision.minutes

    assert minutes.status is MinutesStatus.FINAL
    assert (minutes.revision, minutes.number) == (1, 1)
    assert (revision.number, revision.reason) == (1, "")
    assert revision.document_number == "01/BB-UBND"
    assert revision.document_date.isoformat() == "2026-03-02"
    assert revision.unit_name == "Tỉnh Gia Lai"
    assert revision.finalized_by == secretary.display_name
    assert revision.pdf.startswith(b"%PDF-")
    assert revision.pdf_sha256 == hashlib.sha256(revision.pdf).hexdigest()
    assert revision.pdf_size == len(revision.pdf)
    assert page_count(revision.pdf) == revision.pages
    # The QR code's hash is the hash of the stored text, as read back from the database.
    assert revision.content_sha256 == canonical_hash(revision.content)
    assert revision.content["number_line"] == "Số: 01/BB-UBND"


def test_the_filed_text_keeps_the_issues_and_commitments_but_never_a_citizens_contact(
        held_session, final):
    revision = final(held_session())

    assert [issue["raised_by"] for issue in revision.content["issues"]] == [
        "Bà Nguyễn Thị Tố Hải", "Ông Rơ Châm Hyưn"]
    assert [c["agency"] for c in revision.content["commitments"]] == [
        "Sở Nông nghiệp và Môi trường"]
    assert "0905 123 456" not in str(revision.content)


def test_a_filed_revision_is_logged_by_its_number_session_and_hash_alone(
        held_session, final, caplog):
    caplog.set_level(logging.INFO, logger="dialogue.minutes.operations")
    session = held_session()

    revision = final(session)

    logged = [r.getMessage() for r in caplog.records if r.name == "dialogue.minutes.operations"]
    assert logged == [f"filed revision 1 of the minutes of session {session.id}, PDF SHA-256 "
                      f"{revision.pdf_sha256}"]


def test_a_revision_rolled_back_is_not_logged_as_filed(held_session, draft, secretary, caplog):
    caplog.set_level(logging.INFO, logger="dialogue.minutes.operations")
    minutes = draft(held_session())

    finalize_minutes(minutes, by=secretary)
    db.session.rollback()
    db.session.commit()

    assert not [r for r in caplog.records if r.name == "dialogue.minutes.operations"]


def test_only_a_session_confirmed_held_can_have_its_minutes_finalized(
        create_session, create_official, draft, secretary):
    session = create_session(chair=create_official(), secretary=create_official(
        full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy"))
    minutes = draft(session)  # drafting may start once the session is announced

    with pytest.raises(MinutesError):
        finalize_minutes(minutes, by=secretary)
    db.session.rollback()
    assert count(MinutesRevision) == 0


def test_finalizing_needs_the_chairs_conclusions(held_session, draft, secretary):
    minutes = draft(held_session(), conclusions="  \n ")

    with pytest.raises(MinutesError) as refused:
        finalize_minutes(minutes, by=secretary)

    assert refused.value.field == "conclusions"
    db.session.rollback()
    assert count(MinutesRevision) == 0
    assert db.session.get(Minutes, minutes.id).number is None


@pytest.mark.parametrize("missing", ["chair", "secretary"])
def test_finalizing_needs_a_chair_and_a_secretary(held_session, draft, secretary, missing):
    minutes = draft(held_session(**{missing: None}))

    with pytest.raises(MinutesError):
        finalize_minutes(minutes, by=secretary)


def test_final_minutes_lock_the_sessions_issues(held_session, final, issue_details, secretary):
    session = held_session()
    final(session)
    issue = db.session.scalars(sa.select(Issue).where(Issue.session_id == session.id)).first()

    assert session.issues_locked_at is not None
    with pytest.raises(IssueError):
        record_issue(session, issue_details(), by=secretary)
    with pytest.raises(IssueError):
        update_issue(issue, issue_details(answer="Đã trả lời lại."), by=secretary,
                     expected_version=issue.version)


def test_a_session_with_final_minutes_cannot_be_reopened(held_session, final, secretary):
    session = held_session()
    final(session)

    with pytest.raises(SchedulingError):
        change_status(session, TRANSITIONS["reopen"], reason="Tổ chức lại hội nghị",
                      by=secretary)


def test_final_minutes_cannot_be_saved_or_finalized_again(held_session, final, minutes_details,
                                                          secretary):
    session = held_session()
    minutes = final(session).minutes

    with pytest.raises(MinutesError):
        save_minutes(session, minutes_details(conclusions="Sửa thẳng bản đã ký."),
                     by=secretary, expected_version=minutes.version)
    db.session.rollback()
    with pytest.raises(MinutesError):
        finalize_minutes(minutes, by=secretary)
    db.session.rollback()
    assert count(MinutesRevision) == 1


# Corrections -------------------------------------------------------------------------------

def test_a_correction_needs_a_reason(held_session, final, secretary):
    minutes = final(held_session()).minutes

    with pytest.raises(MinutesError) as refused:
        start_correction(minutes, reason="  ", by=secretary)

    assert refused.value.field == "reason"
    assert minutes.is_final


def test_a_draft_is_simply_edited_not_corrected(held_session, draft, secretary):
    with pytest.raises(MinutesError):
        start_correction(draft(held_session()), reason=REASON, by=secretary)


def test_a_correction_reopens_the_draft_and_unlocks_the_issues(held_session, final, record,
                                                               secretary):
    session = held_session()
    minutes = final(session).minutes

    start_correction(minutes, reason=REASON, by=secretary)
    db.session.commit()

    assert minutes.status is MinutesStatus.DRAFT
    assert minutes.correction_reason == REASON
    assert session.issues_locked_at is None
    assert record(session, raised_by="Bà Kpă H’Lan").number == 3


def test_finalizing_a_correction_files_revision_2_under_the_same_number(
        held_session, final, correct):
    first = final(held_session())

    second = correct(first, attendance=[("Lãnh đạo tỉnh", 5), ("Nhân dân", 120)])

    assert (second.number, second.reason) == (2, REASON)
    assert second.document_number == first.document_number == "01/BB-UBND"
    assert second.content["correction_reason"] == REASON
    # "thay thế bản ngày …": the day the replaced text was filed.
    assert second.content["replaces"] == format_date(first.finalized_at)
    assert second.minutes.revision == 2
    assert second.minutes.correction_reason == ""
    assert second.minutes.session.issues_locked_at is not None
    assert second.file_stem == "01-BB-UBND_DC1"


def test_a_correction_leaves_the_first_revision_exactly_as_filed(held_session, final, correct):
    first = final(held_session())
    filed = (first.pdf, first.pdf_sha256, first.content_sha256, dict(first.content))

    second = correct(first, conclusions="Kết luận đã đính chính.")

    again = reloaded(first)
    assert (again.pdf, again.pdf_sha256, again.content_sha256, again.content) == filed
    assert second.pdf_sha256 != again.pdf_sha256
    assert second.content_sha256 != again.content_sha256
    assert [r.number for r in second.minutes.revisions] == [1, 2]


def test_a_correction_keeps_the_document_number_even_when_the_number_is_left_empty(
        held_session, final, correct):
    # The form invites leaving the number empty; a correction must still carry the number
    # of the document it corrects, or "01" would become free for another document.
    first = final(held_session())
    final(held_session(starts_at=at("2026-03-09 08:00")))

    # The form invites it: "để trống: cấp số tự động khi hoàn thiện".
    second = correct(first, number=None)

    assert second.document_number == "01/BB-UBND"


def test_a_session_whose_minutes_were_filed_stays_held_while_a_correction_is_drafted(
        held_session, final, secretary):
    # A correction unlocks the issues, not the session: filed minutes keep it held.
    session = held_session()
    start_correction(final(session).minutes, reason=REASON, by=secretary)
    db.session.commit()

    with pytest.raises(SchedulingError):
        change_status(session, TRANSITIONS["reopen"], reason="Tổ chức lại hội nghị",
                      by=secretary)


# Filed revisions never change ----------------------------------------------------------------

@pytest.mark.parametrize("change", [
    lambda revision: setattr(revision, "reason", "Sửa lại cho đẹp"),
    lambda revision: setattr(revision, "pdf", b"%PDF-1.7 forged"),
    lambda revision: db.session.delete(revision),
], ids=["reason", "pdf", "delete"])
def test_a_filed_revision_cannot_be_updated_or_deleted(held_session, final, change):
    revision = reloaded(final(held_session()))
    filed = revision.pdf_sha256

    change(revision)
    with pytest.raises(FinalMinutesCannotChange):
        db.session.flush()

    db.session.rollback()
    assert reloaded(revision).pdf_sha256 == filed
    assert hashlib.sha256(reloaded(revision).pdf).hexdigest() == filed


@pytest.mark.parametrize("statement", [
    "UPDATE minutes_revisions SET pdf = :forged, pdf_sha256 = :forged_sha256 WHERE id = :id",
    "UPDATE minutes_revisions SET reason = 'Sửa lại cho đẹp'",
    "DELETE FROM minutes_revisions WHERE id = :id",
], ids=["pdf", "every-row", "delete"])
def test_the_database_itself_refuses_raw_sql_changing_a_filed_revision(
        held_session, final, statement):
    """Past the application (psql, another program, an SQL injection elsewhere) a trigger
    still keeps what was filed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigger is PostgreSQL's: a SQLite file is the installation's own, "
                    "reached only through the application, whose guard is tested above")
    revision = reloaded(final(held_session()))
    filed = revision.pdf_sha256
    forged = b"%PDF-1.7 forged"

    with pytest.raises(sa.exc.IntegrityError, match="cannot be changed or deleted"):
        db.session.execute(sa.text(statement), {
            "id": revision.id, "forged": forged,
            "forged_sha256": hashlib.sha256(forged).hexdigest()})

    db.session.rollback()
    assert count(MinutesRevision) == 1
    assert reloaded(revision).reason == ""
    assert hashlib.sha256(reloaded(revision).pdf).hexdigest() == filed


# Two secretaries at once -------------------------------------------------------------------

def test_saving_a_draft_opened_before_someone_elses_save_is_refused_as_stale(
        held_session, draft, minutes_details, secretary):
    session = held_session()
    opened = draft(session).version
    draft(session, conclusions="Kết luận của người thứ nhất.")

    with pytest.raises(StaleEdit):
        save_minutes(session, minutes_details(conclusions="Kết luận của người thứ hai."),
                     by=secretary, expected_version=opened)


def test_finalizing_or_correcting_from_a_stale_page_is_refused(held_session, draft, final,
                                                               secretary):
    session = held_session()
    opened = draft(session).version
    minutes = draft(session, conclusions="Kết luận đã sửa.")

    with pytest.raises(StaleEdit):
        finalize_minutes(minutes, by=secretary, expected_version=opened)
    db.session.rollback()
    opened = minutes.version
    final(session)
    with pytest.raises(StaleEdit):
        start_correction(minutes, reason=REASON, by=secretary, expected_version=opened)


def test_a_change_to_the_attendance_alone_makes_older_forms_stale(
        held_session, draft, minutes_details, secretary):
    # Only the attendance rows change here; a second tab opened on the same version must
    # still be refused rather than silently overwrite the new counts.
    session = held_session()
    opened = draft(session).version
    save_minutes(session, minutes_details(attendance=[("Lãnh đạo tỉnh", 6), ("Nhân dân", 150)]),
                 by=secretary, expected_version=opened)
    db.session.commit()

    with pytest.raises(StaleEdit):
        save_minutes(session, minutes_details(attendance=[("Lãnh đạo tỉnh", 5)]),
                     by=secretary, expected_version=opened)


# Verification ------------------------------------------------------------------------------

def test_a_revision_is_found_by_the_hash_of_its_text_or_of_its_pdf(held_session, final):
    revision = final(held_session())

    assert find_revision(revision.content_sha256) is revision
    assert find_revision(revision.pdf_sha256) is revision
    assert find_revision(f"  {revision.pdf_sha256.upper()}\n") is revision


@pytest.mark.parametrize("code", [
    "", "abc", "g" * 64, "' OR 1=1 --", "../../etc/passwd", "0" * 63, "0" * 65,
    secrets.token_hex(32),
], ids=["empty", "short", "not-hex", "sql", "path", "63", "65", "unknown"])
def test_anything_but_a_known_hash_finds_nothing(held_session, final, code):
    final(held_session())

    assert find_revision(code) is None


# The audit trail ---------------------------------------------------------------------------

def test_each_step_of_the_minutes_is_in_their_history(held_session, draft, secretary, correct,
                                                     final):
    session = held_session()
    draft(session)
    draft(session, conclusions="Kết luận đã sửa.")
    first = final(session)
    correct(first, conclusions="Kết luận đã đính chính.")

    entries = history("minutes", first.minutes_id)

    assert [entry.action for entry in entries] == [
        AuditAction.CREATED, AuditAction.UPDATED, AuditAction.UPDATED, AuditAction.FINALIZED,
        AuditAction.CORRECTION_STARTED, AuditAction.UPDATED, AuditAction.FINALIZED]
    assert "conclusions" in entries[1].changes
    assert entries[4].reason == entries[6].reason == REASON
    assert {entry.actor_id for entry in entries} == {secretary.id}
    assert {entry.unit_id for entry in entries} == {session.unit_id}


# Who may write the minutes -----------------------------------------------------------------

def test_a_commune_secretary_cannot_draft_finalize_or_correct_provincial_minutes(
        held_session, draft, final, minutes_details, commune_secretary):
    drafted = held_session()
    with pytest.raises(NotPermitted):
        save_minutes(drafted, minutes_details(), by=commune_secretary)
    minutes = draft(drafted)
    with pytest.raises(NotPermitted):
        finalize_minutes(minutes, by=commune_secretary)
    filed = final(held_session(starts_at=at("2026-03-09 08:00"))).minutes
    with pytest.raises(NotPermitted):
        start_correction(filed, reason=REASON, by=commune_secretary)

    db.session.rollback()
    assert count(MinutesRevision) == 1


def test_a_commune_secretary_files_the_minutes_of_her_own_commune(commune_session, final,
                                                                  commune_secretary):
    revision = final(commune_session(by=commune_secretary), by=commune_secretary,
                     **STATE_OF_IA_GRAI)

    assert revision.document_number == "01/BB-UBND"
    assert revision.unit_name == "Xã Ia Grai"


# The issuing body and year follow the session ----------------------------------------------

def test_minutes_of_a_session_moved_into_the_next_year_are_numbered_in_that_year(
        create_session, draft, final, held_session, secretary):
    # Drafted on 30/12/2025, the session was moved to 05/01/2026: its minutes are dated
    # 2026 and must take 2026's next number, not 2025's first.
    moved = create_session(starts_at=at("2025-12-30 08:00"), chair_name="Nguyễn Ngọc Lương",
                           secretary_name="Phạm Thị Tố Hải")
    minutes = draft(moved)
    reschedule(moved, at("2026-01-05 08:00"), at("2026-01-05 11:00"), venue=moved.venue,
               reason="Trùng lịch kỳ họp HĐND tỉnh", by=secretary)
    change_status(moved, TRANSITIONS["hold"], reason="", by=secretary)
    db.session.commit()
    assert final(held_session(starts_at=at("2026-01-10 08:00"))).document_number == "01/BB-UBND"

    revision = finalize_minutes(minutes, by=secretary)

    assert revision.document_date.year == 2026
    assert revision.document_number == "02/BB-UBND"


# Transfer to the archive -------------------------------------------------------------------

def test_export_writes_every_final_pdf_of_the_year_named_by_year_unit_and_number(
        held_session, commune_session, final, export):
    provincial = final(held_session())
    commune = final(commune_session(), **PARTY_OF_IA_GRAI)
    filed = {"2026_2025-province-00052_01-BB-UBND.pdf": provincial.pdf,
             "2026_2025-commune-23764_01-BB-DU.pdf": commune.pdf}

    result, out, files = export()

    assert pdfs(files) == filed
    assert f"2 biên bản (2 tệp mới hoặc thay đổi) và index.csv trong {out}." in result.output


def test_the_index_lists_number_date_unit_title_revision_hash_pages_and_file(
        held_session, commune_session, final, export):
    provincial = final(held_session())
    commune = final(commune_session(), **STATE_OF_IA_GRAI)
    filed = [(r.pdf_sha256, str(r.pages)) for r in (provincial, commune)]

    _result, _out, files = export()

    header, *rows = index_rows(files["index.csv"])
    assert tuple(header) == INDEX_COLUMNS == (
        "Số văn bản", "Ngày", "Đơn vị", "Tên hội nghị", "Lần", "SHA-256", "Số trang", "Tệp")
    assert rows == [
        ["01/BB-UBND", "02/03/2026", "Tỉnh Gia Lai",
         "Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân", "1",
         *filed[0], "2026_2025-province-00052_01-BB-UBND.pdf"],
        ["01/BB-UBND", "05/03/2026", "Xã Ia Grai", "Đối thoại với Nhân dân xã Ia Grai về đất đai",
         "1", *filed[1], "2026_2025-commune-23764_01-BB-UBND.pdf"],
    ]
    for row in rows:
        assert hashlib.sha256(files[row[-1]]).hexdigest() == row[5]


def test_a_correction_is_exported_beside_the_text_it_corrects(held_session, final, correct,
                                                             export):
    first = final(held_session())
    first_pdf = first.pdf
    second = correct(first, conclusions="Kết luận đã đính chính.")
    second_pdf = second.pdf

    _result, _out, files = export()

    assert pdfs(files) == {"2026_2025-province-00052_01-BB-UBND.pdf": first_pdf,
                           "2026_2025-province-00052_01-BB-UBND_DC1.pdf": second_pdf}
    assert [row[4] for row in index_rows(files["index.csv"])[1:]] == ["1", "2"]


def test_exporting_again_leaves_every_file_byte_for_byte_and_untouched(
        held_session, commune_session, final, export):
    final(held_session())
    final(commune_session(), **PARTY_OF_IA_GRAI)
    _result, out, first = export()
    long_ago = 1_500_000_000_000_000_000
    for path in out.iterdir():
        os.utime(path, ns=(long_ago, long_ago))

    result, _out, second = export()

    assert second == first
    assert {path.stat().st_mtime_ns for path in out.iterdir()} == {long_ago}
    assert "2 biên bản (0 tệp mới hoặc thay đổi)" in result.output


def test_an_export_is_logged_with_its_year_folder_and_counts(held_session, final, export,
                                                             caplog):
    caplog.set_level(logging.INFO, logger="dialogue.minutes.archive")
    final(held_session())

    _result, out, _files = export()

    assert [r.getMessage() for r in caplog.records if r.name == "dialogue.minutes.archive"] == [
        f"exported the minutes of 2026 to {out} (pdfs=1, written=1)"]


def test_exporting_a_commune_leaves_out_the_province_and_the_province_includes_it(
        held_session, commune_session, final, export):
    final(held_session())
    final(commune_session(), **STATE_OF_IA_GRAI)

    _result, _out, commune_only = export("--unit", "23764")
    assert list(pdfs(commune_only)) == ["2026_2025-commune-23764_01-BB-UBND.pdf"]
    assert [row[2] for row in index_rows(commune_only["index.csv"])[1:]] == ["Xã Ia Grai"]

    _result, _out, province = export("--unit", "52")
    assert [row[2] for row in index_rows(province["index.csv"])[1:]] == [
        "Tỉnh Gia Lai", "Xã Ia Grai"]


def test_a_title_written_like_a_formula_reaches_the_spreadsheet_as_text(held_session, final,
                                                                        export):
    title = '=HYPERLINK("http://127.0.0.1/x","Hội nghị đối thoại")'
    final(held_session(title=title))

    _result, _out, files = export()

    assert index_rows(files["index.csv"])[1][3] == "'" + title


def test_only_the_requested_year_is_exported(held_session, final, export):
    this_pdf = final(held_session()).pdf
    last_pdf = final(held_session(starts_at=at("2025-10-15 08:00"))).pdf

    _result, _out, files_2026 = export()
    _result, _out, files_2025 = export(year=2025)

    assert pdfs(files_2026) == {"2026_2025-province-00052_01-BB-UBND.pdf": this_pdf}
    assert pdfs(files_2025) == {"2025_2025-province-00052_01-BB-UBND.pdf": last_pdf}
    assert [row[1] for row in index_rows(files_2025["index.csv"])[1:]] == ["15/10/2025"]


def test_a_year_without_minutes_gives_an_index_with_only_its_header(export):
    result, _out, files = export()

    assert index_rows(files["index.csv"]) == [list(INDEX_COLUMNS)]
    assert "0 biên bản" in result.output


def test_two_units_sharing_a_code_across_the_reform_keep_their_own_files(
        held_session, final, unit, export):
    # Official codes were reused in 2025: Thị trấn Ia Kha before 01/07/2025 and Xã Ia Grai
    # after are both 23764, and each needs its own file.
    before = final(held_session(unit=unit("Thị trấn Ia Kha", Era.LEGACY),
                                starts_at=at("2025-05-15 08:00")),
                   issuing_body="ỦY BAN NHÂN DÂN THỊ TRẤN IA KHA", place_name="Ia Kha")
    after = final(held_session(unit=unit("Xã Ia Grai"), starts_at=at("2025-09-15 08:00")),
                  **STATE_OF_IA_GRAI)
    filed = {before.pdf, after.pdf}

    _result, _out, files = export(year=2025)

    names = [row[-1] for row in index_rows(files["index.csv"])[1:]]
    assert len(set(names)) == 2
    assert set(pdfs(files).values()) == filed
