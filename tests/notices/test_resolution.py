"""The citizen who left an address is told in writing when the commitment on their issue
is resolved, through a real SMTP server on 127.0.0.1; the day the message leaves counts as
their written answer (the 10-working-day rule)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from dialogue.audit.models import AuditAction
from dialogue.audit.operations import history
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.issues.models import CommitmentStatus
from dialogue.issues.operations import change_commitment_status, record_citizen_informed
from dialogue.notices.models import Delivery, Notice, NoticeKind
from dialogue.sessions.models import SessionStatus

CITIZEN = "romahhyun.langdolam@gmail.com"
ACTION = "Cấp giấy chứng nhận quyền sử dụng đất cho 37 hộ dân làng Dơ Lâm."
AGENCY = "Sở Nông nghiệp và Môi trường"


@pytest.fixture
def commitment(create_session, record, commit_to):
    """A commitment of the Sở Nông nghiệp và Môi trường on an issue raised by Ông Rơ Châm
    Hyưn at a held session, with his address."""
    session = create_session(status=SessionStatus.HELD)
    return commit_to(record(session, citizen_email=CITIZEN), action=ACTION)


def resolve(commitment, by) -> None:
    change_commitment_status(commitment, CommitmentStatus.RESOLVED, note="", by=by)


def notified(commitment) -> list[str]:
    return [entry.changes["notice"] for entry in history("commitment", commitment.id)
            if entry.action is AuditAction.NOTIFIED]


def test_the_citizen_is_told_of_the_resolution_and_that_is_the_written_answer(
        commitment, secretary, smtp_server, send_outbox):
    resolve(commitment, secretary)
    send_outbox()

    (received,) = smtp_server.messages
    assert received.envelope_to == [CITIZEN]
    message = received.message
    expected = ("Kết quả giải quyết ý kiến của Ông Rơ Châm Hyưn tại Hội nghị đối thoại giữa "
                "người đứng đầu cấp ủy với Nhân dân")
    # Long enough to be folded: every space between its encoded words is kept.
    assert message["Subject"] == expected
    assert db.session.scalars(select(Notice.subject)).all() == [expected]
    assert message["To"].addresses[0].display_name == "Ông Rơ Châm Hyưn"
    text = message.get_body(("plain",)).get_content()
    assert "Kính gửi Ông Rơ Châm Hyưn," in text
    assert f"Cơ quan thực hiện: {AGENCY}" in text
    assert f"Việc đã làm: {ACTION}" in text
    assert "ngày 02/03/2026 đã được giải quyết" in text
    html = message.get_body(("html",)).get_content()
    assert AGENCY in html and ACTION in html
    # A legal notice: no link to stop it.
    assert "/unsubscribe/" not in text and message["List-Unsubscribe"] is None

    db.session.refresh(commitment)
    assert commitment.citizen_informed_on == local_today()
    assert any(note.startswith(f"Đã gửi thư báo kết quả tới {CITIZEN}")
               for note in notified(commitment))


def test_no_address_no_notice(create_session, record, commit_to, secretary, smtp_server,
                              send_outbox):
    issue = record(create_session(status=SessionStatus.HELD))
    assert issue.citizen_email == ""
    commitment = commit_to(issue)
    resolve(commitment, secretary)
    send_outbox()
    assert smtp_server.messages == []
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.kind == NoticeKind.RESOLUTION)) == 0
    assert notified(commitment) == []
    assert commitment.citizen_informed_on is None


def test_resolving_again_does_not_tell_the_citizen_twice(commitment, secretary, smtp_server,
                                                         send_outbox):
    resolve(commitment, secretary)
    send_outbox()
    change_commitment_status(commitment, CommitmentStatus.IN_PROGRESS,
                             note="Còn 3 hộ chưa đủ hồ sơ", by=secretary)
    db.session.commit()
    resolve(commitment, secretary)
    send_outbox()
    assert len(smtp_server.to(CITIZEN)) == 1
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 1


def test_an_answer_recorded_before_keeps_its_day(commitment, secretary, smtp_server,
                                                 send_outbox):
    record_citizen_informed(commitment, date(2026, 3, 5), by=secretary)
    db.session.commit()
    resolve(commitment, secretary)
    send_outbox()
    assert len(smtp_server.to(CITIZEN)) == 1
    db.session.refresh(commitment)
    assert commitment.citizen_informed_on == date(2026, 3, 5)
