"""Invitations and the session's changes, sent through a real SMTP server on 127.0.0.1 and
read back with the standard library's e-mail parser and icalendar."""

from datetime import timedelta

import icalendar
import pytest
from sqlalchemy import func, select

from dialogue.audit.models import AuditAction, AuditEntry
from dialogue.core.time import utcnow
from dialogue.extensions import db
from dialogue.jobs.models import Job
from dialogue.notices.models import Delivery, DeliveryState, Notice, NoticeKind
from dialogue.notices.operations import NoticeError, send_invitations
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule
from tests.helpers import pdf_text

ADDRESSES = {"ksorhbia@example.vn", "hung.pkt@iagrai.gialai.gov.vn", "siuthuan@example.vn",
             "romahtuan@iagrai.gialai.gov.vn"}


def calendar_of(message) -> icalendar.Calendar:
    """The attached lich-hop.ics, as a calendar client that imports files reads it."""
    (part,) = [p for p in message.iter_attachments() if p.get_filename() == "lich-hop.ics"]
    return icalendar.Calendar.from_ical(part.get_content())


def inline_calendar(message):
    """The text/calendar alternative Outlook and Gmail act on."""
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part


def event_of(message):
    (event,) = calendar_of(message).walk("VEVENT")
    return event


def test_invitation_reaches_each_participant_with_calendar_and_letter(
        invited_session, secretary, smtp_server, send_outbox):
    session = invited_session()
    result = send_invitations(session, by=secretary)
    assert (result.queued, result.without_address) == (4, 1)
    send_outbox()

    received = {r.envelope_to[0]: r for r in smtp_server.messages}
    assert set(received) == ADDRESSES
    assert all(len(r.envelope_to) == 1 for r in smtp_server.messages)
    message = received["ksorhbia@example.vn"].message
    assert message["Subject"].startswith("Giấy mời: Hội nghị đối thoại với Nhân dân xã Ia Grai")
    assert message["To"].addresses[0].display_name == "Ksor H'Bia"
    assert message["From"].addresses[0].display_name == "Văn phòng UBND tỉnh Gia Lai"
    # Encoded words, not raw UTF-8: the server did not offer SMTPUTF8.
    raw = received["ksorhbia@example.vn"].message.as_bytes()
    assert raw.isascii()
    assert "Kính gửi Ksor H'Bia," in message.get_body(("plain",)).get_content()
    assert "Hội trường UBND xã Ia Grai" in message.get_body(("html",)).get_content()

    calendar = calendar_of(message)
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Ho_Chi_Minh"]
    event = event_of(message)
    assert str(event["UID"]) == session.uid
    assert event["SEQUENCE"] == session.revision
    assert str(event["ORGANIZER"]) == "mailto:vanphong@gialai.gov.vn"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:ksorhbia@example.vn"
    assert attendee.params["RSVP"] == "TRUE" and attendee.params["CN"] == "Ksor H'Bia"
    assert inline_calendar(message).get_param("method") == "REQUEST"

    (letter,) = [p for p in message.iter_attachments() if p.get_filename() == "giay-moi.pdf"]
    text = pdf_text(letter.get_content())
    assert "GIẤY MỜI" in text and "Hội nghị đối thoại với Nhân dân xã Ia Grai" in text
    assert "Ủy ban nhân dân xã Ia Grai trân trọng kính mời" in text


def test_no_server_keeps_the_messages_in_the_outbox(invited_session, secretary, app):
    assert not app.config["MAIL_SERVER"]
    session = invited_session()
    send_invitations(session, by=secretary)
    db.session.commit()
    states = db.session.scalars(select(Delivery.state).join(Notice).where(
        Notice.kind == NoticeKind.INVITATION)).all()
    assert states == [DeliveryState.QUEUED] * 4
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_inviting_again_only_invites_those_added_since(invited_session, secretary, smtp_server,
                                                       send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    with pytest.raises(NoticeError):
        send_invitations(session, by=secretary)
    db.session.rollback()
    from dialogue.sessions.models import Participant, ParticipantRole

    session.participants.append(Participant(
        position=9, full_name="Đinh Văn Lâm", role=ParticipantRole.PRESS,
        organisation="Báo Gia Lai", email="dinhlam@baogialai.vn"))
    db.session.commit()
    assert send_invitations(session, by=secretary).queued == 1
    send_outbox()
    assert len(smtp_server.messages) == 5
    assert len(smtp_server.to("dinhlam@baogialai.vn")) == 1
    # Nothing is sent twice, however often the sender runs.
    send_outbox()
    assert len(smtp_server.messages) == 5


def test_a_reschedule_sends_the_update_with_a_raised_sequence(
        invited_session, secretary, smtp_server, send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    first = event_of(smtp_server.to("ksorhbia@example.vn")[0])["SEQUENCE"]
    reschedule(session, session.starts_at + timedelta(days=2), session.ends_at + timedelta(days=2),
               venue="Nhà văn hóa làng Dơ Ngol", reason="Trùng lịch tiếp công dân", by=secretary)
    send_outbox()
    update = smtp_server.to("ksorhbia@example.vn")[-1]
    assert update["Subject"].startswith("Thay đổi thời gian, địa điểm:")
    event = event_of(update)
    assert calendar_of(update)["METHOD"] == "REQUEST"
    assert event["SEQUENCE"] > first
    assert str(event["UID"]) == session.uid
    assert str(event["LOCATION"]) == "Nhà văn hóa làng Dơ Ngol"
    assert "Trùng lịch tiếp công dân" in update.get_body(("plain",)).get_content()
    assert len(smtp_server.messages) == 8


def test_a_cancellation_sends_cancel_and_withdraws_the_reminders(
        invited_session, secretary, smtp_server, send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    planned = db.session.scalars(select(Delivery).join(Notice).where(
        Notice.kind == NoticeKind.REMINDER)).all()
    assert len(planned) == 8  # a day and two hours ahead, four people
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13 đổ bộ", by=secretary)
    send_outbox()
    cancel = smtp_server.to("hung.pkt@iagrai.gialai.gov.vn")[-1]
    assert calendar_of(cancel)["METHOD"] == "CANCEL"
    assert inline_calendar(cancel).get_param("method") == "CANCEL"
    assert event_of(cancel)["STATUS"] == "CANCELLED"
    assert "Bão số 13 đổ bộ" in cancel.get_body(("plain",)).get_content()
    states = db.session.scalars(select(Delivery.state).join(Notice).where(
        Notice.kind == NoticeKind.REMINDER)).all()
    assert set(states) == {DeliveryState.WITHDRAWN}


def test_a_postponement_says_so_and_keeps_the_event(invited_session, secretary, smtp_server,
                                                    send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    change_status(session, TRANSITIONS["postpone"], reason="Lãnh đạo đi công tác", by=secretary)
    send_outbox()
    notice = smtp_server.to("siuthuan@example.vn")[-1]
    assert notice["Subject"].startswith("Tạm hoãn:")
    assert calendar_of(notice)["METHOD"] == "REQUEST"
    assert event_of(notice)["STATUS"] == "TENTATIVE"
    assert "TẠM HOÃN" in notice.get_body(("plain",)).get_content()


def test_reminders_go_at_their_hour_and_never_for_a_moved_session(
        invited_session, secretary, smtp_server, send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    before = len(smtp_server.messages)
    old = db.session.scalars(select(Delivery).join(Notice).where(
        Notice.kind == NoticeKind.REMINDER)).all()
    reschedule(session, session.starts_at + timedelta(days=1), session.ends_at + timedelta(days=1),
               venue=session.venue, reason="Đổi ngày", by=secretary)
    db.session.commit()
    assert {d.state for d in old} == {DeliveryState.WITHDRAWN}
    fresh = db.session.scalars(select(Delivery).join(Notice).where(
        Notice.kind == NoticeKind.REMINDER, Delivery.state == DeliveryState.QUEUED)).all()
    assert len(fresh) == 8
    assert min(d.send_after for d in fresh) == session.starts_at - timedelta(days=1)
    # The day-ahead reminders fall due.
    for delivery in fresh:
        if delivery.send_after == session.starts_at - timedelta(days=1):
            delivery.send_after = utcnow() - timedelta(minutes=1)
    db.session.commit()
    from dialogue.notices.tasks import tick

    tick()
    send_outbox()
    reminders = [m for m in smtp_server.messages[before:] if m.message["Subject"]
                 .startswith("Nhắc lịch:")]
    assert len(reminders) == 4
    body = reminders[0].message.get_body(("plain",)).get_content()
    assert "còn 1 ngày nữa" in body
    assert "/unsubscribe/" in body
    assert reminders[0].message["List-Unsubscribe"].startswith("<http")


def test_a_refused_address_is_failed_and_recorded_in_the_trail(
        invited_session, secretary, smtp_server, send_outbox):
    smtp_server.refuse.add("siuthuan@example.vn")
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    failed = db.session.scalars(select(Delivery).where(
        Delivery.state == DeliveryState.FAILED)).all()
    assert [d.email for d in failed] == ["siuthuan@example.vn"]
    assert failed[0].error.startswith("550")
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == AuditAction.DELIVERY_FAILED)).one()
    assert entry.object_type == "session" and entry.object_id == session.id
    assert "siuthuan@example.vn" in entry.changes["notice"]
    assert len(smtp_server.messages) == 3


def test_a_server_that_is_away_loses_nothing(invited_session, secretary, smtp_server, app,
                                             send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    smtp_server.busy = True
    send_outbox()
    waiting = db.session.scalars(select(Delivery).where(
        Delivery.state == DeliveryState.QUEUED, Delivery.send_after <= session.starts_at
        - timedelta(days=2))).all()
    assert len(waiting) == 4
    tried = [d for d in waiting if d.attempts]
    assert len(tried) == 1 and tried[0].error.startswith("451")
    smtp_server.busy = False
    for delivery in waiting:
        delivery.send_after -= timedelta(hours=1)
    db.session.commit()
    from dialogue.notices.tasks import tick

    tick()
    send_outbox()
    assert {r.envelope_to[0] for r in smtp_server.messages} == ADDRESSES
    assert len(smtp_server.messages) == 4


def test_line_breaks_in_names_and_titles_cannot_add_headers(
        invited_session, secretary, smtp_server, send_outbox):
    from dialogue.sessions.models import ParticipantRole

    session = invited_session(
        title="Đối thoại <b>\r\nBcc: attacker@example.com", participants=[
            ('Ksor "H\'Bia"\r\nBcc: attacker@example.com', ParticipantRole.PRESS, "",
             "ksorhbia@example.vn")])
    send_invitations(session, by=secretary)
    send_outbox()
    received = [r for r in smtp_server.messages if r.envelope_to == ["ksorhbia@example.vn"]]
    (only,) = received
    assert only.message["Bcc"] is None
    assert "\n" not in only.message["Subject"]
    assert all("attacker@example.com" not in r.envelope_to for r in smtp_server.messages)
    html = only.message.get_body(("html",)).get_content()
    assert "Đối thoại &lt;b&gt;" in html and "<b>" not in html
    # The name stays one parameter of one ATTENDEE line.
    attendee = event_of(only.message)["ATTENDEE"]
    assert str(attendee) == "mailto:ksorhbia@example.vn"
    assert attendee.params["CN"] == "Ksor 'H'Bia' Bcc: attacker@example.com"


def test_invitations_need_an_announced_future_session(create_session, secretary, at):
    past = create_session(starts_at=at("2026-03-02 08:00"))
    with pytest.raises(NoticeError):
        send_invitations(past, by=secretary)



def test_an_invitation_still_waiting_is_withdrawn_not_cancelled(invited_session, secretary,
                                                                smtp_server, send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    db.session.commit()
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13 đổ bộ", by=secretary)
    send_outbox()
    assert smtp_server.messages == []
    states = db.session.scalars(select(Delivery.state)).all()
    assert set(states) == {DeliveryState.WITHDRAWN}
