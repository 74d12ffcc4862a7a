"""The session's invitation panel, the outbox and the unsubscribe link, through the web."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from dialogue.accounts.models import Role
from dialogue.extensions import db
from dialogue.notices.models import Delivery, DeliveryState, Notice, NoticeKind, OptOut, Topic
from dialogue.notices.operations import send_invitations, unsubscribe_token
from dialogue.sessions.models import Participant, ParticipantRole
from tests.helpers import csrf_token_in, flashes, page_count
from tests.notices.test_invitations import event_of


def post_invitations(client, session):
    page = client.get(f"/sessions/{session.id}")
    return client.post(f"/sessions/{session.id}/invitations",
                       data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})


def test_the_secretary_sends_the_invitations_from_the_session_page(
        invited_session, client, smtp_server, send_outbox):
    session = invited_session()
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Giấy mời và thông báo" in page
    assert "Gửi giấy mời cho 4 người" in page
    assert "1 người trong thành phần mời chưa có địa chỉ" in page
    response = post_invitations(client, session)
    assert response.status_code == 302
    followed = client.get(response.headers["Location"])
    assert "Đã đưa giấy mời của 4 người vào hộp thư đi." in flashes(followed)
    send_outbox()
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Đã gửi: 4" in page
    assert "Gửi giấy mời cho" not in page
    assert "Gửi thông báo" in page  # the trail
    assert len(smtp_server.messages) == 4


def test_no_server_configured_says_the_messages_wait(invited_session, client):
    session = invited_session()
    response = post_invitations(client, session)
    followed = client.get(response.headers["Location"])
    assert any("Chưa cấu hình máy chủ thư" in text for text in flashes(followed))
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert outbox.count("Chờ gửi từ") == 12  # the invitations, and the reminders at their hour
    assert "ksorhbia@example.vn" in outbox


def test_a_draft_cannot_be_sent_and_says_why(create_session, client, secretary):
    from dialogue.core.time import utcnow
    from dialogue.sessions.models import SessionStatus

    draft = create_session(status=SessionStatus.DRAFT, starts_at=utcnow() + timedelta(days=9),
                           participants=[("Ksor H'Bia", ParticipantRole.PRESS, "",
                                          "ksorhbia@example.vn")])
    page = client.get(f"/sessions/{draft.id}").get_data(as_text=True)
    assert "Công bố lịch trước khi gửi giấy mời." in page
    response = post_invitations(client, draft)
    followed = client.get(response.headers["Location"])
    assert any("đã công bố lịch" in text for text in flashes(followed))
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_a_viewer_sees_no_panel_and_cannot_send(invited_session, create_user, client_for):
    session = invited_session()
    viewer = create_user("xem.iagrai", Role.VIEWER, "Xã Ia Grai")
    client = client_for(viewer)
    page = client.get(f"/sessions/{session.id}")
    assert "Giấy mời và thông báo" not in page.get_data(as_text=True)
    response = client.post(f"/sessions/{session.id}/invitations",
                           data={"csrf_token": csrf_token_in(page.get_data(as_text=True))})
    assert response.status_code in (403, 404)
    assert db.session.scalar(select(func.count()).select_from(Delivery)) == 0
    assert client.get("/admin/outbox").status_code == 403


def test_the_outbox_shows_each_secretary_only_their_units(invited_session, secretary,
                                                          create_user, client_for):
    ia_grai = invited_session()
    send_invitations(ia_grai, by=secretary)
    pleiku = invited_session(unit="Phường Pleiku", title="Đối thoại phường Pleiku",
                             participants=[("Lê Văn Tám", ParticipantRole.PRESS, "",
                                            "levantam@example.vn")])
    send_invitations(pleiku, by=secretary)
    db.session.commit()
    commune = create_user("thuky.iagrai", Role.SECRETARY, "Xã Ia Grai")
    page = client_for(commune).get("/admin/outbox").get_data(as_text=True)
    assert "ksorhbia@example.vn" in page and "levantam@example.vn" not in page
    notice = db.session.scalars(select(Notice).where(Notice.session_id == pleiku.id)).first()
    assert client_for(commune).get(f"/admin/outbox/notices/{notice.id}").status_code == 404
    assert client_for(commune).get(f"/admin/outbox?notice={notice.id}").status_code == 404


def test_the_outbox_filters_and_refuses_a_forged_choice(invited_session, secretary, client):
    session = invited_session()
    send_invitations(session, by=secretary)
    db.session.commit()
    page = client.get("/admin/outbox?kind=reminder").get_data(as_text=True)
    assert page.count("Nhắc lịch") >= 8
    forged = client.get("/admin/outbox?state=nonsense")
    assert forged.status_code == 200
    assert "Lựa chọn không hợp lệ." in forged.get_data(as_text=True)
    assert "ksorhbia@example.vn" in client.get(
        "/admin/outbox?email=KSORHBIA").get_data(as_text=True)


def test_a_notice_shows_what_was_sent_with_its_letter_and_calendar(invited_session, secretary,
                                                                  client):
    session = invited_session()
    send_invitations(session, by=secretary)
    db.session.commit()
    notice = db.session.scalars(select(Notice).where(
        Notice.kind == NoticeKind.INVITATION)).one()
    page = client.get(f"/admin/outbox/notices/{notice.id}").get_data(as_text=True)
    assert "Trân trọng kính mời tham dự" in page
    letter = client.get(f"/admin/outbox/notices/{notice.id}/letter.pdf")
    assert letter.mimetype == "application/pdf" and page_count(letter.data) == 1
    calendar = client.get(f"/admin/outbox/notices/{notice.id}/calendar.ics")
    assert calendar.mimetype == "text/calendar"
    assert f"UID:{session.uid}" in calendar.get_data(as_text=True)


def test_a_failed_delivery_is_sent_again_on_request(invited_session, secretary, client,
                                                    smtp_server, send_outbox):
    smtp_server.refuse.add("siuthuan@example.vn")
    session = invited_session()
    send_invitations(session, by=secretary)
    send_outbox()
    failed = db.session.scalars(select(Delivery).where(
        Delivery.state == DeliveryState.FAILED)).one()
    page = client.get(f"/admin/outbox?notice={failed.notice_id}").get_data(as_text=True)
    assert "550 5.1.1 No such user here" in page
    smtp_server.refuse.clear()
    response = client.post(f"/admin/outbox/{failed.id}/retry",
                           data={"csrf_token": csrf_token_in(page)})
    assert response.status_code == 302
    send_outbox()
    assert len(smtp_server.to("siuthuan@example.vn")) == 1
    assert db.session.get(Delivery, failed.id).state is DeliveryState.SENT


def test_one_link_stops_reminders_never_the_legal_notices(
        invited_session, secretary, anonymous, smtp_server, send_outbox):
    session = invited_session()
    send_invitations(session, by=secretary)
    db.session.commit()
    token = unsubscribe_token("KsorHBia@example.vn", Topic.REMINDERS)
    page = anonymous.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Ngừng nhận" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 0
    done = anonymous.post(f"/unsubscribe/{token}")
    assert done.status_code == 302
    assert "sẽ không nhận" in anonymous.get(done.headers["Location"]).get_data(as_text=True)
    reminders = db.session.scalars(select(Delivery).join(Notice).where(
        Notice.kind == NoticeKind.REMINDER, Delivery.email == "ksorhbia@example.vn")).all()
    assert {d.state for d in reminders} == {DeliveryState.WITHDRAWN}
    # The invitation still goes.
    send_outbox()
    assert len(smtp_server.to("ksorhbia@example.vn")) == 1
    # Mail clients' one-click POST (RFC 8058): no cookie, no CSRF token.
    assert anonymous.post(f"/unsubscribe/{token}",
                          data={"List-Unsubscribe": "One-Click"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(OptOut)) == 1


def test_a_forged_unsubscribe_token_is_not_found(anonymous):
    token = unsubscribe_token("ksorhbia@example.vn", Topic.REMINDERS)
    assert anonymous.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    assert anonymous.post("/unsubscribe/abc").status_code == 404


def test_the_session_page_reads_the_same_statements_for_many_recipients(
        invited_session, secretary, client):
    from tests.helpers import statements

    small = invited_session()
    send_invitations(small, by=secretary)
    big = invited_session(title="Đối thoại đông người", participants=[
        (f"Người dân {n}", ParticipantRole.CITIZEN_REPRESENTATIVE, "", f"nguoidan{n}@example.vn")
        for n in range(300)])
    send_invitations(big, by=secretary)
    db.session.commit()
    assert statements(client, f"/sessions/{big.id}") == statements(
        client, f"/sessions/{small.id}")


def test_a_five_thousand_recipient_session_goes_out_in_batches(
        invited_session, client, smtp_server, send_outbox, app):
    from dialogue.jobs.models import Job, JobState
    from dialogue.jobs.operations import run_queued

    session = invited_session(participants=[])
    session.participants = [
        Participant(position=n, full_name=f"Người dân {n}",
                    role=ParticipantRole.CITIZEN_REPRESENTATIVE, email=f"nd{n}@example.vn")
        for n in range(5000)]
    db.session.commit()
    response = post_invitations(client, session)
    assert response.status_code == 302
    # The request queued them and sent nothing itself.
    assert smtp_server.messages == []
    invitations = select(func.count()).select_from(Delivery).join(Notice).where(
        Notice.kind == NoticeKind.INVITATION)
    assert db.session.scalar(invitations) == 5001
    app.config["MAIL_BATCH_SIZE"] = 250
    try:
        assert run_queued(limit=1) == 1
        assert len(smtp_server.messages) == 250
        waiting = db.session.scalars(select(Job).where(Job.state == JobState.QUEUED)).all()
        assert len(waiting) == 1  # the next batch asked for
        assert run_queued(limit=1) == 1
        assert len(smtp_server.messages) == 500
    finally:
        app.config["MAIL_BATCH_SIZE"] = 200
    assert len({r.envelope_to[0] for r in smtp_server.messages}) == 500
    sequence = {event_of(r.message)["SEQUENCE"] for r in smtp_server.messages[:3]}
    assert sequence == {session.revision}
    assert re.search(r"Đã gửi: 500", client.get(f"/sessions/{session.id}").get_data(
        as_text=True))
