"""The follow-up digests: each agency's work every working day from 07:00, and each
secretary's week on its first working day, sent through a real SMTP server on 127.0.0.1.
Time is placed with ``now=`` (Vietnam is UTC+7: ``at()`` gives the UTC instant)."""

from datetime import date

import pytest
from flask import g
from sqlalchemy import func, select

from dialogue.extensions import db
from dialogue.issues.models import CommitmentStatus
from dialogue.issues.operations import change_commitment_status
from dialogue.notices.digests import queue_due_digests
from dialogue.notices.models import Notice, NoticeKind, Topic
from dialogue.notices.operations import unsubscribe
from dialogue.sessions.models import SessionStatus
from tests.helpers import at, counting

AGENCY = "Sở Tài nguyên và Môi trường"
AGENCY_EMAIL = "vanphong@stnmt.gialai.gov.vn"
#: A Friday: "due within three working days" runs over the weekend to Wednesday 18/03.
FRIDAY = at("2026-03-13 07:30")
MONDAY = at("2026-03-16 07:00")


def assert_subject(message, expected: str) -> None:
    """The decoded Subject is, space for space, the one frozen in the notice (long ones are
    folded over several encoded words)."""
    assert message["Subject"] == expected
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.subject == expected)) == 1


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def notices(kind: NoticeKind) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(Notice.kind == kind))


@pytest.fixture
def promise(record, commit_to):
    """``promise(session, action, due, assigned="2026-03-02 11:00", agency=AGENCY)``: a
    commitment on a new issue of the session, assigned at that local time."""

    def create(session, action: str, due: date, *, assigned: str = "2026-03-02 11:00",
               agency: str = AGENCY, **issue):
        commitment = commit_to(record(session, **issue), agency_name=agency, action=action,
                               due_on=due)
        commitment.created_at = at(assigned)
        db.session.commit()
        return commitment

    return create


@pytest.fixture
def agency_work(create_session, promise):
    """Sở Tài nguyên và Môi trường, with an address: two overdue commitments, one due on
    Tuesday (two working days after Friday), one assigned on Thursday, one due later, one
    overdue but resolved already."""
    session = create_session(status=SessionStatus.HELD)
    work = {
        "late": promise(session, "Đo đạc lại ranh giới thửa đất của hộ ông Rơ Châm Hyưn.",
                        date(2026, 3, 10)),
        "later": promise(session, "Trả lời bằng văn bản về việc thu hồi đất làng Dơ Lâm.",
                         date(2026, 3, 12), raised_by="Bà Ksor H'Bia"),
        "soon": promise(session, "Kiểm tra nguồn nước giếng khoan thôn Ia Châu.",
                        date(2026, 3, 17)),
        "new": promise(session, "Cấp giấy chứng nhận cho 37 hộ dân làng Dơ Lâm.",
                       date(2026, 4, 30), assigned="2026-03-12 15:00"),
        "quiet": promise(session, "Lập phương án tái định cư khu vực hồ Ia Ly.",
                         date(2026, 3, 19)),
        "done": promise(session, "Khơi thông mương thoát nước làng Dơ Lâm.",
                        date(2026, 3, 9)),
    }
    work["late"].agency.email = AGENCY_EMAIL
    db.session.commit()
    return work


def test_an_agency_gets_its_overdue_due_and_new_work_once_a_day(
        agency_work, secretary, smtp_server, send_outbox):
    change_commitment_status(agency_work["done"], CommitmentStatus.RESOLVED, note="",
                             by=secretary)
    db.session.commit()
    assert queue_due_digests(now=FRIDAY) == 1
    send_outbox()

    (message,) = smtp_server.to(AGENCY_EMAIL)
    assert_subject(message, f"Việc cần làm của {AGENCY}: 2 quá hạn, 1 sắp đến hạn, 1 mới giao")
    text = text_of(message)
    overdue, rest = text.split("QUÁ HẠN: 2 việc")[1].split("SẮP ĐẾN HẠN")
    soon, new = rest.split("MỚI GIAO: 1 việc")
    assert "Đo đạc lại ranh giới" in overdue and "thu hồi đất làng Dơ Lâm" in overdue
    assert "Hạn: 10/03/2026" in overdue and "của Bà Ksor H'Bia" in overdue
    assert "Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân ngày 02/03/2026" in overdue
    assert "Kiểm tra nguồn nước giếng khoan" in soon and "17/03/2026" in soon
    assert "Cấp giấy chứng nhận cho 37 hộ" in new
    assert "tái định cư" not in text and "Khơi thông mương" not in text
    late = agency_work["late"]
    assert f"/issues/{late.issue_id}#commitment-{late.id}" in text
    html = message.get_body(("html",)).get_content()
    assert "Bà Ksor H&#39;Bia" in html
    assert "/unsubscribe/" in text

    # Later the same day, and by another worker: nothing more.
    assert queue_due_digests(now=at("2026-03-13 13:00")) == 0
    assert queue_due_digests(now=FRIDAY) == 0
    send_outbox()
    assert len(smtp_server.to(AGENCY_EMAIL)) == 1
    assert notices(NoticeKind.AGENCY_DIGEST) == 1

    # Monday's: Thursday's assignment is no longer new; Thursday 19/03 is now due soon.
    assert queue_due_digests(now=MONDAY) == 1
    send_outbox()
    monday = smtp_server.to(AGENCY_EMAIL)[-1]
    assert_subject(monday, f"Việc cần làm của {AGENCY}: 2 quá hạn, 2 sắp đến hạn")
    assert "tái định cư" in text_of(monday)
    assert "Cấp giấy chứng nhận cho 37 hộ" not in text_of(monday)


@pytest.mark.parametrize("moment", [
    "2026-03-13 06:59",  # before the hour
    "2026-03-14 09:00",  # a Saturday
    "2026-04-27 09:00",  # Giỗ Tổ Hùng Vương, a Monday off
])
def test_nothing_before_the_hour_on_a_weekend_or_a_holiday(agency_work, smtp_server,
                                                             send_outbox, moment):
    assert queue_due_digests(now=at(moment)) == 0
    send_outbox()
    assert smtp_server.messages == []
    assert notices(NoticeKind.AGENCY_DIGEST) == 0


def test_no_address_or_nothing_to_say_sends_nothing(create_session, promise, smtp_server,
                                                     send_outbox):
    session = create_session(status=SessionStatus.HELD)
    promise(session, "Sửa cầu treo làng Dơ Ngol.", date(2026, 3, 5),
            agency="UBND xã Ia Grai")  # overdue, but the agency has no address
    quiet = promise(session, "Rà soát hộ nghèo năm 2026.", date(2026, 6, 30),
                    agency="Sở Y tế")
    quiet.agency.email = "vanphong@syt.gialai.gov.vn"
    db.session.commit()
    assert queue_due_digests(now=FRIDAY) == 0
    send_outbox()
    assert smtp_server.messages == []
    assert notices(NoticeKind.AGENCY_DIGEST) == 0


def test_an_agency_that_stopped_digests_gets_none(agency_work, smtp_server, send_outbox):
    unsubscribe(AGENCY_EMAIL.upper(), Topic.DIGESTS)
    assert queue_due_digests(now=FRIDAY) == 0
    send_outbox()
    assert smtp_server.messages == []
    assert notices(NoticeKind.AGENCY_DIGEST) == 0


@pytest.fixture
def two_communes(create_session, promise):
    """Sessions held on 23/02/2026 in Xã Ia Grai and Xã Ia Hrung (the citizens had to be
    told by 09/03), their commitments, and a session of Ia Grai on Wednesday 18/03."""
    ia_grai = create_session(unit="Xã Ia Grai", status=SessionStatus.HELD,
                             title="Đối thoại với Nhân dân xã Ia Grai",
                             starts_at=at("2026-02-23 08:00"))
    ia_hrung = create_session(unit="Xã Ia Hrung", status=SessionStatus.HELD,
                              title="Đối thoại với Nhân dân xã Ia Hrung",
                              starts_at=at("2026-02-23 08:00"))
    create_session(unit="Xã Ia Grai", title="Đối thoại chuyên đề đất đai xã Ia Grai",
                   starts_at=at("2026-03-18 08:00"))
    return {
        "grai_late": promise(ia_grai, "Sửa đường vào làng Dơ Lâm.", date(2026, 3, 10),
                             agency="UBND xã Ia Grai"),
        "grai_soon": promise(ia_grai, "Cấp nước sạch cho thôn Ia Châu.", date(2026, 3, 18),
                             agency="UBND xã Ia Grai"),
        "hrung_late": promise(ia_hrung, "Nạo vét kênh mương thôn Ia Hrung.", date(2026, 3, 11),
                              agency="UBND xã Ia Hrung"),
    }


def test_the_secretariat_digest_covers_the_secretarys_scope_once_a_week(
        two_communes, commune_secretary, secretary, smtp_server, send_outbox):
    commune_secretary.email = "thuky@iagrai.gialai.gov.vn"
    secretary.email = "vanphong@gialai.gov.vn"
    db.session.commit()
    assert queue_due_digests(now=MONDAY) == 2
    send_outbox()

    (commune,) = smtp_server.to("thuky@iagrai.gialai.gov.vn")
    assert_subject(commune, "Tổng hợp tuần 12/2026: 1 phiên trong 7 ngày tới, 1 việc quá hạn, "
                   "1 việc sắp đến hạn, 2 ý kiến chưa trả lời công dân quá hạn")
    text = text_of(commune)
    assert "Kính gửi Nguyễn Thị Hồng Nhung," in text
    assert "Đối thoại chuyên đề đất đai xã Ia Grai" in text and "08:00 18/03/2026" in text
    assert "Sửa đường vào làng Dơ Lâm" in text and "Cấp nước sạch cho thôn Ia Châu" in text
    assert "Hạn trả lời công dân: 09/03/2026" in text
    assert "Ia Hrung" not in text
    notice = db.session.scalars(select(Notice).where(
        Notice.kind == NoticeKind.SECRETARIAT_DIGEST, Notice.unit_id.is_not(None))).all()
    assert {n.unit.name for n in notice} == {"Xã Ia Grai", "Tỉnh Gia Lai"}

    (province,) = smtp_server.to("vanphong@gialai.gov.vn")
    assert "2việcquáhạn" in province["Subject"].replace(" ", "")
    assert "Nạo vét kênh mương thôn Ia Hrung" in text_of(province)

    # Once a week, whatever the day.
    assert queue_due_digests(now=at("2026-03-16 15:00")) == 0
    assert queue_due_digests(now=at("2026-03-18 07:00")) == 0
    send_outbox()
    assert len(smtp_server.messages) == 2


def test_a_week_starting_with_a_holiday_has_its_digest_on_the_tuesday(
        create_session, commune_secretary, smtp_server, send_outbox):
    commune_secretary.email = "thuky@iagrai.gialai.gov.vn"
    create_session(unit="Xã Ia Grai", title="Đối thoại với thanh niên xã Ia Grai",
                   starts_at=at("2026-04-29 08:00"))
    assert queue_due_digests(now=at("2026-04-27 08:00")) == 0
    assert queue_due_digests(now=at("2026-04-28 08:00")) == 1
    send_outbox()
    (message,) = smtp_server.to("thuky@iagrai.gialai.gov.vn")
    assert_subject(message, "Tổng hợp tuần 18/2026: 1 phiên trong 7 ngày tới")


def test_a_secretary_with_nothing_this_week_gets_nothing(commune_secretary, smtp_server,
                                                        send_outbox):
    commune_secretary.email = "thuky@iagrai.gialai.gov.vn"
    assert queue_due_digests(now=MONDAY) == 0
    send_outbox()
    assert smtp_server.messages == []
    assert notices(NoticeKind.SECRETARIAT_DIGEST) == 0


def test_a_tick_with_nothing_due_is_cheap(agency_work, smtp_server):
    """The tick runs every minute in every worker."""
    for moment in ("2026-03-13 06:30", "2026-03-14 09:00"):
        with counting() as count:
            assert queue_due_digests(now=at(moment)) == 0
        assert count[0] == 0
    queue_due_digests(now=FRIDAY)
    db.session.commit()
    with counting() as count:
        assert queue_due_digests(now=at("2026-03-13 07:31")) == 0
    assert count[0] == 2


def test_the_secretariat_round_reads_as_much_for_many_commitments_as_for_one(
        create_session, promise, commune_secretary, smtp_server, send_outbox):
    commune_secretary.email = "thuky@iagrai.gialai.gov.vn"
    session = create_session(unit="Xã Ia Grai", status=SessionStatus.HELD)
    promise(session, "Sửa đường vào làng Dơ Lâm.", date(2026, 3, 10), agency="UBND xã Ia Grai")
    promise(session, "Cấp nước sạch cho thôn Ia Châu.", date(2026, 3, 25),
            agency="UBND xã Ia Grai")
    with counting() as few:
        assert queue_due_digests(now=at("2026-03-23 07:00")) == 1
    send_outbox()
    # Each round runs in a worker's context of its own: nothing cached from the first.
    g.pop("permission_scopes", None)
    for day in (*range(11, 17), 31):
        promise(session, f"Việc hạn ngày {day}/03 của làng Dơ Lâm.", date(2026, 3, day),
                agency=f"Phòng số {day} UBND xã Ia Grai")
    with counting() as many:
        assert queue_due_digests(now=at("2026-03-30 07:00")) == 1
    assert many[0] == few[0]
