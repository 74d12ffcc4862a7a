"""Which sessions each feed carries, how each becomes an event, and when texts change."""

from datetime import date, timedelta

import pytest
from icalendar import Calendar

from dialogue.accounts.models import Role
from dialogue.accounts.operations import update_user
from dialogue.audit.models import AuditEntry
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.feeds import cache, operations, tokens
from dialogue.feeds.models import FeedState
from dialogue.feeds.operations import FeedError, window_between
from dialogue.officials.operations import update_official
from dialogue.sessions.models import ParticipantRole, SessionFormat, SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status, reschedule, update_session
from dialogue.units.models import Era, UnitLevel
from tests.helpers import details_of

from .conftest import days_from_today, uids


def events(text: str) -> dict:
    """The events of a calendar by UID, as icalendar reads them."""
    return {str(event["UID"]): event for event in Calendar.from_ical(text).walk("VEVENT")}


# What each feed carries ----------------------------------------------------------------------


def test_public_feeds_carry_announced_public_sessions_only(upcoming, feed_of, secretary):
    announced = upcoming(title="Đối thoại công khai về đất đai")
    internal = upcoming(title="Đối thoại nội bộ với cán bộ", is_public=False)
    draft = upcoming(title="Dự thảo đối thoại", status=SessionStatus.DRAFT)
    public = uids(feed_of(operations.all_feed()))
    assert public == [announced.uid]
    personal = uids(feed_of(operations.personal_feed(secretary)))
    assert set(personal) == {announced.uid, internal.uid, draft.uid}


def test_a_unit_feed_and_its_subunits(upcoming, unit, feed_of):
    province = upcoming(title="Đối thoại cấp tỉnh")
    commune = upcoming(title="Đối thoại xã Ia Grai", unit="Xã Ia Grai")
    neighbour = upcoming(title="Đối thoại phường Pleiku", unit="Phường Pleiku")
    gia_lai, ia_grai = unit("Tỉnh Gia Lai"), unit("Xã Ia Grai")
    assert uids(feed_of(operations.unit_feed(gia_lai, subunits=False))) == [province.uid]
    assert set(uids(feed_of(operations.unit_feed(gia_lai, subunits=True)))) == {
        province.uid, commune.uid, neighbour.uid}
    assert uids(feed_of(operations.unit_feed(ia_grai, subunits=False))) == [commune.uid]


def test_a_unit_feed_keeps_the_history_of_the_units_it_succeeded(create_session, unit,
                                                                 feed_of):
    """Sessions held before the 2025 reform under a former commune belong to the history of
    the commune that succeeded it."""
    ia_grai = unit("Xã Ia Grai")
    former = ia_grai.predecessors[0]
    before_reform = create_session(title="Đối thoại trước sáp nhập", unit=former,
                                   starts_at=days_from_today(0).replace(year=2025, month=3))
    since_2025 = window_between(date(2025, 1, 1), None)
    assert uids(feed_of(operations.unit_feed(ia_grai, subunits=False), since_2025)) == [
        before_reform.uid]


def test_a_level_feed(upcoming, feed_of):
    commune = upcoming(unit="Xã Ia Grai")
    province = upcoming()
    assert uids(feed_of(operations.level_feed(UnitLevel.COMMUNE))) == [commune.uid]
    assert uids(feed_of(operations.level_feed(UnitLevel.PROVINCE))) == [province.uid]
    assert uids(feed_of(operations.level_feed(UnitLevel.DISTRICT))) == []


def test_an_official_feed_has_the_sessions_they_chair(upcoming, create_official, feed_of):
    luong = create_official()
    chaired = upcoming(chair=luong)
    upcoming(chair_name="Khách mời")
    assert uids(feed_of(operations.official_feed(luong))) == [chaired.uid]


def test_a_personal_feed_is_the_users_scope_and_the_sessions_they_are_invited_to(
        upcoming, create_user, feed_of, secretary):
    mine = upcoming(unit="Xã Ia Grai", is_public=False, title="Đối thoại nội bộ Ia Grai")
    elsewhere = upcoming(unit="Phường Pleiku", is_public=False, title="Nội bộ Pleiku")
    invited = upcoming(unit="Phường Pleiku", is_public=False, title="Đối thoại liên xã",
                       participants=[("Nguyễn Thị Hồng Nhung", ParticipantRole.AGENCY,
                                      "UBND xã Ia Grai", "Nhung.IaGrai@example.org")])
    for status in (SessionStatus.DRAFT, SessionStatus.CANCELLED):
        draft = upcoming(unit="Phường Pleiku", status=SessionStatus.DRAFT,
                         title="Dự thảo liên xã", participants=[(
                             "Nguyễn Thị Hồng Nhung", ParticipantRole.AGENCY, "",
                             "nhung.iagrai@example.org")])
        if status is SessionStatus.CANCELLED:  # cancelled before it was ever announced
            change_status(draft, TRANSITIONS["cancel"], reason="Không cần nữa",
                          by=secretary)
            db.session.commit()
    user = create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai")
    assert uids(feed_of(operations.personal_feed(user))) == [mine.uid]
    user.email = "nhung.iagrai@example.org"
    db.session.commit()
    feed = uids(feed_of(operations.personal_feed(user)))
    assert set(feed) == {mine.uid, invited.uid}, "invited once announced, never to a draft"
    assert elsewhere.uid not in feed


# The window ----------------------------------------------------------------------------------


def test_the_default_window_is_a_year_back_and_everything_ahead(upcoming, feed_of):
    old = upcoming(days=-400)
    last_year = upcoming(days=-300)
    far_ahead = upcoming(days=700)
    assert uids(feed_of(operations.all_feed())) == [last_year.uid, far_ahead.uid]
    assert old.uid not in feed_of(operations.all_feed())


def test_a_cancelled_session_stays_at_least_90_days_after_its_cancellation(
        upcoming, feed_of, secretary):
    forgotten = upcoming(days=-400, title="Phiên bị quên hủy")
    change_status(forgotten, TRANSITIONS["cancel"], reason="Không tổ chức được", by=secretary)
    db.session.commit()
    assert uids(feed_of(operations.all_feed())) == [forgotten.uid]
    later = operations.default_window(local_today() + timedelta(days=91))
    assert forgotten.uid not in feed_of(operations.all_feed(), later)


def test_from_and_to_narrow_the_window(upcoming, feed_of):
    first, second, third = upcoming(days=5), upcoming(days=15), upcoming(days=25)
    today = local_today()
    window = window_between(today + timedelta(days=10), today + timedelta(days=20))
    assert uids(feed_of(operations.all_feed(), window)) == [second.uid]
    window = window_between(None, today + timedelta(days=15))
    assert uids(feed_of(operations.all_feed(), window)) == [first.uid, second.uid]
    window = window_between(today + timedelta(days=15), None)
    assert uids(feed_of(operations.all_feed(), window)) == [second.uid, third.uid]


@pytest.mark.parametrize(("args", "field"), [
    ({"from": "2026-13-01"}, "from"),
    ({"to": "22/11/2026"}, "to"),
    ({"from": "2026-12-01", "to": "2026-11-01"}, "to"),
])
def test_a_bad_window_is_refused_with_a_message(args, field):
    with pytest.raises(FeedError) as refused:
        operations.parse_window(args)
    assert refused.value.field == field
    assert "YYYY-MM-DD" in str(refused.value.message) or "sau" in str(refused.value.message)


def test_the_largest_feed_keeps_what_is_coming_then_what_just_happened(
        upcoming, feed_of, app, monkeypatch):
    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 3)
    past = [upcoming(days=-30), upcoming(days=-20), upcoming(days=-10)]
    ahead = [upcoming(days=10)]
    assembled = operations.assemble(operations.all_feed(), operations.default_window())
    assert uids(assembled.body.decode()) == [past[1].uid, past[2].uid, ahead[0].uid]
    assert assembled.truncated
    ahead += [upcoming(days=20), upcoming(days=30), upcoming(days=40)]
    assembled = operations.assemble(operations.all_feed(), operations.default_window())
    assert uids(assembled.body.decode()) == [session.uid for session in ahead[:3]]
    monkeypatch.setitem(app.config, "FEED_MAX_EVENTS", 7)
    assembled = operations.assemble(operations.all_feed(), operations.default_window())
    assert assembled.events == 7 and not assembled.truncated


# Each event ----------------------------------------------------------------------------------


def test_an_event_carries_what_a_calendar_shows(ia_grai_dialogue, feed_of):
    session = ia_grai_dialogue
    event = events(feed_of(operations.all_feed()))[session.uid]
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert event.decoded("DTSTART").strftime("%H:%M") == "08:00"
    assert event.decoded("DTEND").strftime("%H:%M") == "11:00"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Hội nghị đối thoại với Nhân dân xã Ia Grai năm 2026"
    assert str(event["LOCATION"]) == "Hội trường UBND xã Ia Grai"
    link = f"http://127.0.0.1:5000/public/sessions/{session.id}"
    assert str(event["URL"]) == link
    assert "Giải phóng mặt bằng, đền bù đất đai; nước sinh hoạt làng Dơr." in str(
        event["DESCRIPTION"])
    assert link in str(event["DESCRIPTION"]), "clients ignore URL: the link is in the text"
    assert event["CATEGORIES"].cats == ["Cấp xã", "Xã Ia Grai"]
    assert event["ORGANIZER"].params["CN"] == "Rơ Mah Tuấn — Chủ tịch UBND xã Ia Grai"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED")


@pytest.mark.parametrize(("status", "ical", "prefix"), [
    (SessionStatus.DRAFT, "TENTATIVE", ""),
    (SessionStatus.SCHEDULED, "CONFIRMED", ""),
    (SessionStatus.POSTPONED, "TENTATIVE", "[Tạm hoãn] "),
    (SessionStatus.CANCELLED, "CANCELLED", "[Đã hủy] "),
])
def test_statuses(status, ical, prefix, upcoming, secretary, feed_of):
    session = upcoming(status=status, title="Đối thoại")
    event = events(feed_of(operations.personal_feed(secretary)))[session.uid]
    assert str(event["STATUS"]) == ical
    assert str(event["SUMMARY"]) == f"{prefix}Đối thoại"


def test_an_online_session_is_located_at_its_connection_points(upcoming, secretary, feed_of):
    session = upcoming(format=SessionFormat.ONLINE, venue="", is_public=False,
                       connection_points=[("Điểm cầu xã Ia Grai", "Hội trường UBND xã"),
                                          ("Điểm cầu phường Pleiku", "")])
    event = events(feed_of(operations.personal_feed(secretary)))[session.uid]
    assert str(event["LOCATION"]) == ("Điểm cầu xã Ia Grai: Hội trường UBND xã; "
                                      "Điểm cầu phường Pleiku")
    assert str(event["CLASS"]) == "PRIVATE"
    assert str(event["URL"]).endswith(f"/sessions/{session.id}"), "internal: the app's page"
    assert "/public/" not in str(event["URL"])


def test_public_feeds_carry_no_personal_data(upcoming, feed_of):
    upcoming(participants=[
        ("Lê Văn Hộ", ParticipantRole.CITIZEN_REPRESENTATIVE, "Thôn Plei Ngol",
         "leho.plei@example.org"),
        ("Ksor H'Lan", ParticipantRole.PRESS, "Báo Gia Lai", "hlan@baogialai.vn")])
    text = feed_of(operations.all_feed())
    for private in ("Lê Văn Hộ", "leho.plei", "Thôn Plei Ngol", "Ksor H'Lan", "baogialai"):
        assert private not in text


# Changes ---------------------------------------------------------------------------------


def test_unchanged_data_gives_identical_bytes_from_cache_or_built_afresh(upcoming, feed_of):
    for days in (3, 9, 27):
        upcoming(days=days)
    first = feed_of(operations.all_feed())
    assert feed_of(operations.all_feed()) == first
    cache.event_cache().clear()
    assert feed_of(operations.all_feed()) == first


def test_each_change_reaches_the_cached_event(upcoming, create_official, secretary, feed_of):
    chair = create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")
    session = upcoming(chair=chair)
    before = events(feed_of(operations.all_feed()))[session.uid]
    update_session(session, details_of(session, title="Đối thoại về tái định cư"),
                   by=secretary, expected_version=session.version)
    db.session.commit()
    renamed = events(feed_of(operations.all_feed()))[session.uid]
    assert str(renamed["SUMMARY"]) == "Đối thoại về tái định cư"
    assert int(renamed["SEQUENCE"]) == int(before["SEQUENCE"]), "a new title is no new time"
    assert renamed.decoded("LAST-MODIFIED") >= before.decoded("LAST-MODIFIED")
    update_official(chair, full_name="Nguyễn Ngọc Lương", position="Bí thư Tỉnh ủy",
                    unit=chair.unit, by=secretary, expected_version=chair.version)
    db.session.commit()
    promoted = events(feed_of(operations.all_feed()))[session.uid]
    assert promoted["ORGANIZER"].params["CN"] == "Nguyễn Ngọc Lương — Bí thư Tỉnh ủy"
    reschedule(session, days_from_today(11), days_from_today(11).replace(hour=4),
               venue=session.venue, reason="Trùng lịch tiếp xúc cử tri", by=secretary)
    db.session.commit()
    moved = events(feed_of(operations.all_feed()))[session.uid]
    assert int(moved["SEQUENCE"]) == int(before["SEQUENCE"]) + 1


def generation() -> int:
    return db.session.get(FeedState, 1).generation


def test_the_feed_state_rises_with_changes_a_feed_shows_only(upcoming, secretary, admin):
    session = upcoming()
    start = generation()
    stamp = cache.feed_stamp("/feeds/all.ics?")
    assert cache.feed_stamp("/feeds/all.ics?") == stamp
    update_user(secretary, full_name=secretary.full_name, email="thu.tran@example.org",
                is_active=True, language="vi", by=admin,
                expected_version=secretary.version)
    db.session.commit()
    assert generation() == start, "an account's details are in no public feed"
    change_status(session, TRANSITIONS["postpone"], reason="Mưa lũ", by=secretary)
    db.session.commit()
    assert generation() == start + 1
    assert cache.feed_stamp("/feeds/all.ics?").etag != stamp.etag
    db.session.rollback()


def test_a_change_rolled_back_leaves_the_feed_state(upcoming, secretary):
    session = upcoming()
    start = generation()
    change_status(session, TRANSITIONS["postpone"], reason="Mưa lũ", by=secretary)
    db.session.rollback()
    assert generation() == start


# Personal feed addresses -------------------------------------------------------------------


def test_a_personal_address_can_be_replaced_and_revoked(secretary, create_user):
    first = tokens.issue_feed_token(secretary).token
    db.session.commit()
    assert tokens.user_of_token(first) == secretary
    second = tokens.issue_feed_token(secretary).token
    db.session.commit()
    assert second != first
    assert tokens.user_of_token(first) is None
    assert tokens.user_of_token(second) == secretary
    assert tokens.revoke_feed_token(secretary)
    db.session.commit()
    assert tokens.user_of_token(second) is None
    assert not tokens.revoke_feed_token(secretary)
    trail = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.object_type == "feed_token")).all()
    assert len(trail) == 3


def test_a_locked_account_has_no_personal_feed(secretary, admin):
    token = tokens.issue_feed_token(secretary).token
    db.session.commit()
    update_user(secretary, full_name=secretary.full_name, email="", is_active=False,
                language="vi", by=admin, expected_version=secretary.version)
    db.session.commit()
    assert tokens.user_of_token(token) is None


def test_a_personal_feeds_stamp_follows_the_owners_roles(secretary, admin, unit):
    from dialogue.accounts.operations import grant_role

    before = operations.personal_feed(secretary).stamp_extra
    grant_role(secretary, Role.VIEWER, unit("Phường Pleiku"), by=admin)
    db.session.commit()
    assert operations.personal_feed(secretary).stamp_extra != before


def test_a_session_of_a_former_unit_points_to_the_feeds_of_its_successors(unit):
    from dialogue.feeds.operations import feed_units

    ia_grai = unit("Xã Ia Grai")
    former = ia_grai.predecessors[0]
    assert former.era is Era.LEGACY
    assert ia_grai in feed_units(former)
    assert feed_units(ia_grai) == [ia_grai]
