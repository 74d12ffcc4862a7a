"""What a secretary sees and does on the session pages, through HTTP."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.sessions.models import DialogueSession, SessionStatus
from tests.helpers import errors, flashes, form_token, statements


def new_session_form(client, unit, **overrides) -> dict:
    day = local_today() + timedelta(days=30)
    return {
        "csrf_token": form_token(client, "/sessions/new"),
        "title": "Đối thoại với Nhân dân về xóa nhà tạm, nhà dột nát",
        "unit_id": str(unit.id),
        "unit_label": unit.name,
        "kind": "periodic",
        "format": "in_person",
        "starts_on": day.strftime("%d/%m/%Y"),
        "starts_time": "08:00",
        "ends_time": "10:30",
        "venue": "Hội trường UBND xã Ia Grai",
        "topic": "Chỉ thị số 05/CT-UBND “Chung tay xóa nhà tạm, nhà dột nát”",
        "is_public": "y",
        **overrides,
    }



def test_scheduling_through_the_form_saves_in_utc_and_shows_the_session(client, unit):
    commune = unit("Xã Ia Grai")
    data = new_session_form(client, commune, **{
        "connection_points-0-name": "Điểm cầu làng Dơ Nâu",
        "connection_points-0-place": "Nhà văn hóa làng Dơ Nâu",
        "participants-0-full_name": "Ksor H’Nga",
        "participants-0-role": "fatherland_front",
        "participants-0-organisation": "Ủy ban MTTQ xã Ia Grai",
    })
    response = client.post("/sessions/new", data=data)

    assert response.status_code == 302
    session = db.session.scalars(select(DialogueSession)).one()
    assert response.headers["Location"].endswith(f"/sessions/{session.id}")
    assert session.status is SessionStatus.SCHEDULED
    assert session.unit_name == "Xã Ia Grai"
    # 08:00 in Vietnam is 01:00 UTC.
    assert (session.starts_at.hour, session.starts_at.minute) == (1, 0)
    assert [p.name for p in session.connection_points] == ["Điểm cầu làng Dơ Nâu"]
    assert [p.full_name for p in session.participants] == ["Ksor H’Nga"]

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã lên lịch “Đối thoại với Nhân dân về xóa nhà tạm, nhà dột nát”." in page
    assert "08:00–10:30, " + data["starts_on"] in page
    assert "Ksor H’Nga" in page


def test_saving_as_draft_keeps_the_session_unannounced(client, unit):
    data = new_session_form(client, unit("Xã Ia Grai"), save_draft="")
    client.post("/sessions/new", data=data)
    assert db.session.scalars(select(DialogueSession)).one().status is SessionStatus.DRAFT


def test_bad_input_is_explained_beside_each_field_and_nothing_typed_is_lost(client, unit):
    data = new_session_form(client, unit("Xã Ia Grai"), title="", starts_on="31/02/2026",
                            ends_time="25:99", **{"participants-0-email": "khong-phai-email"})
    response = client.post("/sessions/new", data=data)

    assert response.status_code == 200
    assert errors(response) == [
        "Hãy nhập tên hội nghị đối thoại.",
        "Ngày phải có dạng dd/mm/yyyy, ví dụ 02/03/2026.",
        "Giờ phải có dạng HH:MM, ví dụ 08:00.",
        # A row with an e-mail but no name would be dropped: the user is asked for the name.
        "Hãy nhập tên, hoặc xóa cả dòng.",
        "Địa chỉ thư điện tử không hợp lệ.",
    ]
    page = response.get_data(as_text=True)
    assert 'value="31/02/2026"' in page
    assert 'value="Hội trường UBND xã Ia Grai"' in page
    assert 'value="Xã Ia Grai"' in page  # the picker still shows the chosen unit
    assert db.session.scalars(select(DialogueSession)).all() == []


def test_end_before_start_is_refused_beside_the_end_time(client, unit):
    response = client.post("/sessions/new", data=new_session_form(
        client, unit("Xã Ia Grai"), starts_time="10:00", ends_time="08:00"))
    assert errors(response) == ["Giờ kết thúc phải sau giờ bắt đầu."]
    assert db.session.scalars(select(DialogueSession)).all() == []


def test_a_district_cannot_hold_a_session_after_the_reform(client, unit):
    from dialogue.units.models import Era

    district = unit("Huyện Chư Prông", Era.LEGACY)
    response = client.post("/sessions/new", data=new_session_form(client, district))
    [message] = errors(response)
    assert message.startswith("Huyện Chư Prông không còn (hoặc chưa) là đơn vị hành chính")


def test_short_notice_is_a_warning_not_a_refusal(client, unit):
    soon = local_today() + timedelta(days=3)
    response = client.post("/sessions/new", data=new_session_form(
        client, unit("Xã Ia Grai"), starts_on=soon.strftime("%d/%m/%Y")), follow_redirects=True)
    assert any("ít nhất 7 ngày trước" in message for message in flashes(response))
    assert db.session.scalars(select(DialogueSession)).one().status is SessionStatus.SCHEDULED


def test_a_post_without_csrf_token_is_refused(client, unit):
    data = new_session_form(client, unit("Xã Ia Grai"))
    del data["csrf_token"]
    response = client.post("/sessions/new", data=data)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn hoặc không hợp lệ" in response.get_data(as_text=True)
    assert db.session.scalars(select(DialogueSession)).all() == []


def test_a_stale_edit_is_refused_and_overwrites_nothing(client, create_session):
    session = create_session(title="Đối thoại về bồi thường tuyến tránh An Khê")
    url = f"/sessions/{session.id}/edit"
    token = form_token(client, url)
    opened_version = session.version
    # Someone else saves in between.
    session.venue = "Hội trường UBND phường An Khê"
    db.session.commit()

    response = client.post(url, data={
        "csrf_token": token, "version": str(opened_version),
        "title": "Tên do người thứ hai sửa", "unit_id": str(session.unit_id),
        "kind": "periodic", "format": "in_person", "venue": "Nơi khác",
    })

    assert response.status_code == 200
    assert "Bản ghi vừa được người khác cập nhật" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.title == "Đối thoại về bồi thường tuyến tránh An Khê"
    assert session.venue == "Hội trường UBND phường An Khê"


def edit(client, session, **overrides):
    url = f"/sessions/{session.id}/edit"
    return client.post(url, data={
        "csrf_token": form_token(client, url), "version": str(session.version),
        "title": session.title, "unit_id": str(session.unit_id), "kind": "periodic",
        "format": session.format.value, **overrides,
    })


def test_editing_the_connection_points_raises_the_calendar_revision(client, create_session):
    session = create_session()
    response = edit(client, session, format="hybrid", **{
        "connection_points-0-name": "Điểm cầu phường An Khê",
        "connection_points-0-place": "UBND phường An Khê"})
    assert response.status_code == 302
    db.session.refresh(session)
    assert [p.name for p in session.connection_points] == ["Điểm cầu phường An Khê"]
    assert session.revision == 1


def test_editing_only_the_topic_keeps_the_calendar_revision(client, create_session):
    session = create_session()
    edit(client, session, topic="Cấp giấy chứng nhận quyền sử dụng đất")
    db.session.refresh(session)
    assert session.topic == "Cấp giấy chứng nhận quyền sử dụng đất"
    assert session.revision == 0


def test_the_venue_changes_only_through_a_reschedule_with_a_reason(client, create_session):
    session = create_session()
    edit(client, session, venue="Nơi khác")
    db.session.refresh(session)
    assert session.venue == "Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku"

    reschedule(client, session, starts_on="02/03/2026", starts_time="08:00", ends_time="11:00",
               venue="Hội trường UBND phường Pleiku", reason="Hội trường Tỉnh ủy đang sửa chữa")
    db.session.refresh(session)
    assert session.venue == "Hội trường UBND phường Pleiku"
    assert session.reschedules[-1].old_venue.startswith("Hội trường Tỉnh ủy")
    assert session.revision == 1


def test_an_edit_posted_after_someone_cancelled_keeps_the_text_and_explains(client,
                                                                          create_session,
                                                                          admin):
    session = create_session()
    url = f"/sessions/{session.id}/edit"
    token = form_token(client, url)
    version = session.version
    from dialogue.sessions.operations import TRANSITIONS, change_status

    change_status(session, TRANSITIONS["cancel"], reason="Mưa bão", by=admin)
    db.session.commit()
    response = client.post(url, data={
        "csrf_token": token, "version": str(version), "title": "Tên mới gõ dở",
        "unit_id": str(session.unit_id), "kind": "periodic", "format": "in_person"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Tên mới gõ dở"' in page
    assert "Bản ghi vừa được người khác cập nhật" in page


def reschedule(client, session, *, follow_redirects=False, **overrides):
    """Post the reschedule form to 14:00–16:00 on 03/03/2026, as the user would."""
    url = f"/sessions/{session.id}/reschedule"
    return client.post(url, data={
        "csrf_token": form_token(client, url), "version": str(session.version),
        "starts_on": "03/03/2026", "starts_time": "14:00", "ends_time": "16:00",
        "venue": session.venue, "reason": "Trùng lịch họp HĐND tỉnh", **overrides,
    }, follow_redirects=follow_redirects)


def test_rescheduling_through_the_form_keeps_the_history(client, create_session):
    session = create_session()
    response = reschedule(client, session, follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Đã dời lịch." in page
    assert "Dời từ 08:00 02/03/2026 sang 14:00 03/03/2026" in page
    assert "Lý do: Trùng lịch họp HĐND tỉnh" in page
    db.session.refresh(session)
    assert session.revision == 1


def test_reschedule_without_reason_is_refused_beside_the_reason(client, create_session):
    response = reschedule(client, create_session(), reason="")
    assert errors(response) == ["Hãy ghi lý do dời lịch."]


def test_a_cancelled_session_must_be_reopened_before_it_is_moved(client, create_session):
    session = create_session(status=SessionStatus.CANCELLED, reason="Mưa bão")
    response = client.get(f"/sessions/{session.id}/reschedule", follow_redirects=True)
    assert "không thể dời lịch; hãy mở lại trước" in response.get_data(as_text=True)
    assert "Dời lịch, đổi địa điểm" not in response.get_data(as_text=True)

    reopen = f"/sessions/{session.id}/reopen"
    client.post(reopen, data={"csrf_token": form_token(client, reopen),
                              "version": str(session.version), "reason": "Bố trí lại"})
    db.session.refresh(session)
    assert session.status is SessionStatus.SCHEDULED
    assert reschedule(client, session, reason="Bố trí lại").status_code == 302


def test_cancelling_needs_a_reason_and_shows_it(client, create_session):
    session = create_session()
    url = f"/sessions/{session.id}/cancel"
    response = client.post(url, data={"csrf_token": form_token(client, url),
                                      "version": str(session.version), "reason": " "})
    assert errors(response) == ["Hãy ghi lý do."]

    response = client.post(url, data={"csrf_token": form_token(client, url),
                                      "version": str(session.version),
                                      "reason": "Trùng lịch kiểm tra của Đoàn công tác Tỉnh ủy"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Trạng thái mới: Đã hủy." in page
    assert "Lý do: Trùng lịch kiểm tra của Đoàn công tác Tỉnh ủy" in page


def test_list_filters_by_unit_including_its_sub_units(client, create_session, unit):
    create_session(title="Đối thoại cấp xã Ia Grai", unit="Xã Ia Grai")
    create_session(title="Đối thoại phường Quy Nhơn", unit="Phường Quy Nhơn")
    province = unit("Tỉnh Gia Lai")
    commune = unit("Xã Ia Grai")

    everything = client.get(f"/sessions/?unit_id={province.id}").get_data(as_text=True)
    only_commune = client.get(f"/sessions/?unit_id={commune.id}").get_data(as_text=True)

    assert "Đối thoại cấp xã Ia Grai" in everything
    assert "Đối thoại phường Quy Nhơn" in everything
    assert "Đối thoại cấp xã Ia Grai" in only_commune
    assert "Đối thoại phường Quy Nhơn" not in only_commune


def test_list_text_search_ignores_diacritics(client, create_session):
    create_session(title="Đối thoại về bồi thường giải phóng mặt bằng", topic="")
    create_session(title="Đối thoại về an sinh xã hội", topic="Chính sách người có công")
    page = client.get("/sessions/?q=BOI+THUONG").get_data(as_text=True)
    assert "bồi thường giải phóng mặt bằng" in page
    assert "an sinh xã hội" not in page


def test_list_paginates_twenty_a_page(client, create_session, at):
    for day in range(1, 26):
        create_session(title=f"Phiên số {day:02d}", starts_at=at(f"2026-03-{day:02d} 08:00"))
    first = client.get("/sessions/").get_data(as_text=True)
    second = client.get("/sessions/?page=2").get_data(as_text=True)
    assert "Phiên số 20" in first and "Phiên số 21" not in first
    assert "Phiên số 21" in second and "Phiên số 25" in second
    assert "Trang 1 / 2 · 25 kết quả" in first


def test_bad_filters_never_break_the_list(client, create_session):
    create_session()
    for query in ["date_from=31/02/2026", "unit_id=abc", "unit_id=999999", "status=nope",
                  "page=-3", "page=abc", "level=x&kind=y", "q=%25%25_"]:
        assert client.get(f"/sessions/?{query}").status_code == 200, query


def test_calendar_places_a_session_on_its_vietnam_day(client, create_session, at):
    # 06:00 on 02/03 in Vietnam is 23:00 on 01/03 in UTC.
    create_session(title="Đối thoại sáng sớm", starts_at=at("2026-03-02 06:00"))
    page = client.get("/sessions/calendar?year=2026&month=3").get_data(as_text=True)
    cell = re.search(r'data-date="02/03/2026">(.*?)</td>', page, re.S).group(1)
    assert "Đối thoại sáng sớm" in cell
    previous = re.search(r'data-date="01/03/2026">(.*?)</td>', page, re.S).group(1)
    assert "Đối thoại sáng sớm" not in previous


@pytest.mark.parametrize("url", [
    "/sessions/999999", "/sessions/999999/edit", "/sessions/999999/reschedule",
    "/sessions/999999/cancel", "/sessions/1/unknown-action", "/sessions/calendar?month=13",
])
def test_unknown_ids_give_a_vietnamese_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_pages_run_a_fixed_number_of_queries_whatever_the_data(client, create_session, at,
                                                              create_official):
    chair = create_official()

    create_session(chair=chair)
    small = {url: statements(client, url)
             for url in ["/sessions/", "/sessions/calendar?year=2026&month=3"]}
    last = None
    for day in range(1, 29):
        last = create_session(chair=chair, starts_at=at(f"2026-03-{day:02d} 14:00"),
                              connection_points=[("Điểm cầu", "UBND")] * 3)
    large = {url: statements(client, url) for url in small}
    assert large == small
    assert statements(client, f"/sessions/{last.id}") == statements(
        client, f"/sessions/{last.id - 5}")


def test_dates_outside_any_sensible_year_are_refused_in_vietnamese(client, unit):
    for typed in ["01/01/0001", "31/12/9999"]:
        response = client.post("/sessions/new", data=new_session_form(
            client, unit("Xã Ia Grai"), starts_on=typed, starts_time="00:00"))
        assert errors(response) == ["Năm phải từ 1900 đến 2100."], typed
    assert client.get("/sessions/?date_from=01/01/0001&date_to=31/12/9999").status_code == 200


def test_forged_rows_and_ids_never_crash_the_form(client, unit):
    data = new_session_form(client, unit("Xã Ia Grai"), **{
        "participants-²-full_name": "Ksor H’Nga", "chair_id": "9" * 25,
        "connection_points-99999999999-name": "Điểm cầu"})
    response = client.post("/sessions/new", data=data)
    assert response.status_code == 200
    assert "Hãy chọn từ danh sách gợi ý." in errors(response)


def test_a_form_without_its_version_is_treated_as_stale(client, create_session):
    session = create_session(topic="Chủ đề ban đầu")
    response = edit(client, session, version="", topic="Chủ đề mới")
    assert "Bản ghi vừa được người khác cập nhật" in response.get_data(as_text=True)
    db.session.refresh(session)
    assert session.topic == "Chủ đề ban đầu"


def test_a_guest_chair_and_a_picked_chair_together_are_refused(client, unit, create_official):
    chair = create_official()
    response = client.post("/sessions/new", data=new_session_form(
        client, unit("Xã Ia Grai"), chair_id=str(chair.id), chair_name="Khách mời"))
    assert errors(response) == [
        "Đã chọn cán bộ ở ô trên: để trống ô này, hoặc xóa lựa chọn ở ô trên."]


def test_hold_is_not_offered_before_the_session_begins(client, create_session, at):
    session = create_session(starts_at=at("2099-03-02 08:00"))
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Xác nhận đã tổ chức" not in page
    response = client.get(f"/sessions/{session.id}/hold")
    assert response.status_code == 302
