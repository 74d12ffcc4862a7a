"""Feeds over HTTP: types, conditional requests, caching, tokens; the subscribe pages."""

import re

import pytest
from sqlalchemy import update

from dialogue.accounts.models import Role
from dialogue.accounts.operations import update_user
from dialogue.extensions import db
from dialogue.feeds import cache
from dialogue.feeds.models import FeedState
from dialogue.officials.operations import link_account
from dialogue.sessions.models import SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status
from dialogue.units.models import Era
from tests.helpers import counting, form_token

from .conftest import settle_feed_state, uids

PUBLIC_FEEDS = ("/feeds/all.ics", "/feeds/levels/commune.ics", "/feeds/units/52.ics",
                "/feeds/units/52.ics?subunits=1")


@pytest.mark.parametrize("path", PUBLIC_FEEDS)
def test_a_public_feed_is_a_cacheable_utf8_calendar(path, anonymous, upcoming):
    session = upcoming(unit="Xã Ia Grai") if "commune" in path or "subunits" in path \
        else upcoming()
    settle_feed_state()
    response = anonymous.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert "Set-Cookie" not in response.headers
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert uids(text) == [session.uid]


def test_an_unchanged_feed_is_answered_304(anonymous, upcoming, secretary):
    session = upcoming()
    settle_feed_state()
    first = anonymous.get("/feeds/all.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = anonymous.get("/feeds/all.ics")
    assert again.get_data() == first.get_data(), "identical bytes while nothing changed"
    assert again.headers["ETag"] == etag
    by_etag = anonymous.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.get_data() == b""
    by_date = anonymous.get("/feeds/all.ics", headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    change_status(session, TRANSITIONS["cancel"], reason="Bão số 13", by=secretary)
    db.session.commit()
    changed = anonymous.get("/feeds/all.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "STATUS:CANCELLED" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag
    assert "Last-Modified" not in changed.headers, "changed this second: a weak date"
    stale_date = anonymous.get("/feeds/all.ics", headers={"If-Modified-Since": modified})
    assert stale_date.status_code == 200


def test_a_personal_feed_has_no_date_to_compare(client, anonymous, upcoming):
    """Its content also follows its owner's roles, which no date tracks: ETag only."""
    upcoming()
    client.post("/account/calendar/address",
                data={"csrf_token": form_token(client, "/account/calendar/")})
    settle_feed_state()
    response = anonymous.get(personal_address(client))
    assert response.status_code == 200 and "Last-Modified" not in response.headers


def test_an_officials_feed_needs_a_published_session_they_chair(anonymous, upcoming,
                                                                create_official):
    """Otherwise it would publish the name of anyone on the officials list."""
    luong = create_official()
    upcoming(chair=luong, is_public=False)
    assert anonymous.get(f"/feeds/officials/{luong.id}.ics").status_code == 404
    assert anonymous.get(f"/feeds/officials/{luong.id}").status_code == 404
    upcoming(chair=luong)
    assert anonymous.get(f"/feeds/officials/{luong.id}").status_code == 200


def test_a_former_districts_page_links_to_no_reused_code(anonymous, unit):
    district = unit("Huyện Chư Prông", Era.LEGACY)
    html = anonymous.get(f"/feeds/units/{district.code_text}").get_data(as_text=True)
    assert f"/feeds/units/{district.code_text}.ics" in html
    assert "Các đơn vị trực thuộc" not in html


def test_another_process_change_is_seen_after_the_state_delay(anonymous, upcoming, app,
                                                              monkeypatch):
    """This process sees its own commits at once (above); another worker's commit, which
    raises no event here, within FEED_STATE_SECONDS."""
    monkeypatch.setitem(app.config, "FEED_STATE_SECONDS", 3600)
    upcoming()
    etag = anonymous.get("/feeds/all.ics").headers["ETag"]
    state = FeedState.__table__
    with db.engine.begin() as connection:
        connection.execute(update(state).values(generation=state.c.generation + 1))
    assert anonymous.get("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 304
    monkeypatch.setitem(app.config, "FEED_STATE_SECONDS", 0)
    assert anonymous.get("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", [
    "/feeds/levels/village.ics", "/feeds/units/99.ics", "/feeds/units/abc.ics",
    "/feeds/units/0052.ics", "/feeds/officials/999999.ics", "/feeds/private/nope.ics",
    "/feeds/units/99", "/feeds/levels/village", "/feeds/officials/999999",
])
def test_unknown_feeds_are_404(path, anonymous):
    assert anonymous.get(path).status_code == 404


@pytest.mark.parametrize("query", [
    "from=2026-02-30", "to=ngay-mai", "from=2026-12-01&to=2026-11-01", "to=9999-12-31",
    "from=0001-01-01", "from=20261205", "from=2026-W49-1", "to=2199-12-31"])
def test_a_bad_window_is_a_400_with_a_message(query, anonymous):
    response = anonymous.get(f"/feeds/all.ics?{query}")
    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.get_data(as_text=True) or \
        "phải sau" in response.get_data(as_text=True)


def test_an_official_feed(anonymous, upcoming, create_official):
    luong = create_official()
    session = upcoming(chair=luong)
    response = anonymous.get(f"/feeds/officials/{luong.id}.ics")
    assert uids(response.get_data(as_text=True)) == [session.uid]
    assert "Lịch đối thoại do Nguyễn Ngọc Lương chủ trì" in response.get_data(as_text=True)


# The personal feed -----------------------------------------------------------------------


def personal_address(client) -> str:
    page = client.get("/account/calendar/").get_data(as_text=True)
    match = re.search(r'value="http://127\.0\.0\.1:5000(/feeds/private/[^"]+\.ics)"', page)
    assert match, "the page shows the address"
    return match.group(1)


def test_a_personal_feed_from_creation_to_revocation(client, anonymous, upcoming):
    internal = upcoming(is_public=False, title="Đối thoại nội bộ")
    page = client.get("/account/calendar/").get_data(as_text=True)
    assert "Bạn chưa có địa chỉ lịch riêng" in page
    token = form_token(client, "/account/calendar/")
    assert client.post("/account/calendar/address",
                       data={"csrf_token": token}).status_code == 302
    address = personal_address(client)
    page = client.get("/account/calendar/").get_data(as_text=True)
    assert "webcal://127.0.0.1:5000/feeds/private/" in page
    assert 'src="data:image/svg+xml' in page, "a QR code for phones"
    feed = anonymous.get(address)
    assert feed.status_code == 200
    assert "private" in feed.headers["Cache-Control"]
    assert "public" not in feed.headers["Cache-Control"]
    assert uids(feed.get_data(as_text=True)) == [internal.uid]
    etag = feed.headers["ETag"]
    assert anonymous.get(address, headers={"If-None-Match": etag}).status_code == 304

    client.post("/account/calendar/address", data={"csrf_token": token})
    renewed = personal_address(client)
    assert renewed != address
    assert anonymous.get(address, headers={"If-None-Match": etag}).status_code == 404, \
        "the old address stops at once, even for a client holding its ETag"
    assert anonymous.get(renewed).status_code == 200

    client.post("/account/calendar/address/revoke", data={"csrf_token": token})
    assert anonymous.get(renewed).status_code == 404
    assert "Bạn chưa có địa chỉ lịch riêng" in client.get("/account/calendar/").get_data(
        as_text=True)


def test_the_personal_page_needs_sign_in(anonymous):
    response = anonymous.get("/account/calendar/")
    assert response.status_code == 302 and "/login" in response.location


def new_personal_address(client) -> str:
    client.post("/account/calendar/address",
                data={"csrf_token": form_token(client, "/account/calendar/")})
    return personal_address(client)


def test_a_poll_of_an_unchanged_feed_costs_only_finding_what_its_address_names(
        anonymous, client_for, create_user, create_official, upcoming, app, monkeypatch):
    """What calendar clients get most hours: no statement but the look-up of the unit or
    the token, whatever the owner of a personal feed holds (the feed state, read at most
    once per FEED_STATE_SECONDS, is left out here)."""
    monkeypatch.setitem(app.config, "FEED_STATE_SECONDS", 3600)
    leader = create_user("lanhdao", Role.LEADER, "Xã Ia Grai",
                         official=create_official(unit="Xã Ia Grai"))
    upcoming(unit="Xã Ia Grai", is_public=False)
    for address, look_ups in [("/feeds/all.ics", 0), ("/feeds/units/52.ics", 1),
                              (new_personal_address(client_for(leader)), 1)]:
        etag = anonymous.get(address).headers["ETag"]
        with counting() as count:
            assert anonymous.get(address, headers={"If-None-Match": etag}).status_code == 304
        assert count[0] == look_ups, address


def test_a_renamed_owner_gets_a_new_personal_feed(client, anonymous, upcoming, secretary,
                                                  admin):
    """The name is in the calendar's title, and an account's details raise no feed state."""
    upcoming()
    address = new_personal_address(client)
    etag = anonymous.get(address).headers["ETag"]
    update_user(secretary, full_name="Trần Minh Thư", email=secretary.email, is_active=True,
                language="vi", by=admin, expected_version=secretary.version)
    db.session.commit()
    renamed = anonymous.get(address, headers={"If-None-Match": etag})
    assert renamed.status_code == 200
    assert "X-WR-CALNAME:Lịch đối thoại của Trần Minh Thư" in renamed.get_data(as_text=True)


def test_linking_an_official_brings_the_sessions_they_are_secretary_of(
        client_for, anonymous, commune_secretary, create_official, upcoming, admin):
    """The link is on the official's row, whose change raises the feed state: a client
    holding the personal feed's ETag gets the sessions the official was invited to."""
    official = create_official(full_name="Nguyễn Thị Hồng Nhung", position="Công chức",
                               unit="Xã Ia Grai")
    elsewhere = upcoming(unit="Phường Pleiku", is_public=False, secretary=official)
    address = new_personal_address(client_for(commune_secretary))
    before = anonymous.get(address)
    assert uids(before.get_data(as_text=True)) == []
    link_account(official, commune_secretary.username, by=admin)
    db.session.commit()
    linked = anonymous.get(address, headers={"If-None-Match": before.headers["ETag"]})
    assert linked.status_code == 200
    assert uids(linked.get_data(as_text=True)) == [elsewhere.uid]


# One session -----------------------------------------------------------------------------


def test_add_a_public_session_to_a_calendar(anonymous, upcoming):
    session = upcoming()
    response = anonymous.get(f"/sessions/{session.id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert uids(response.get_data(as_text=True)) == [session.uid]


def test_an_internal_session_is_only_for_who_may_read_it(anonymous, client, upcoming,
                                                        create_user):
    from tests.conftest import PASSWORD
    from tests.helpers import log_in

    session = upcoming(unit="Phường Pleiku", is_public=False)
    draft = upcoming(unit="Phường Pleiku", status=SessionStatus.DRAFT)
    for hidden in (session, draft):
        assert anonymous.get(f"/sessions/{hidden.id}.ics").status_code == 404
        assert client.get(f"/sessions/{hidden.id}.ics").status_code == 200
        assert "private" in client.get(f"/sessions/{hidden.id}.ics").headers["Cache-Control"]
    create_user("thuky.xa", unit="Xã Ia Grai")
    other = type(client)(client.application, client.response_wrapper)
    log_in(other, "thuky.xa", PASSWORD)
    assert other.get(f"/sessions/{session.id}.ics").status_code == 404


def test_session_pages_offer_the_calendar(client, anonymous, upcoming):
    session = upcoming(unit="Xã Ia Grai")
    page = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/sessions/{session.id}.ics"' in page
    assert "Thêm vào lịch" in page
    assert 'href="/feeds/units/' in page and "Theo dõi lịch của Xã Ia Grai" in page
    public = anonymous.get(f"/public/sessions/{session.id}").get_data(as_text=True)
    assert f'href="/sessions/{session.id}.ics"' in public
    assert session.title in public


def test_the_public_page_of_a_session_hides_internal_ones_and_drafts(anonymous, upcoming):
    internal = upcoming(is_public=False)
    draft = upcoming(status=SessionStatus.DRAFT)
    for hidden in (internal, draft):
        assert anonymous.get(f"/public/sessions/{hidden.id}").status_code == 404


# Subscribe pages -------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "feed"), [
    ("/feeds/all", "/feeds/all.ics"),
    ("/feeds/levels/commune", "/feeds/levels/commune.ics"),
    ("/feeds/units/52", "/feeds/units/52.ics"),
])
def test_a_subscribe_page_gives_every_way_to_subscribe(page, feed, anonymous):
    html = anonymous.get(page).get_data(as_text=True)
    assert f'value="http://127.0.0.1:5000{feed}"' in html
    assert f'href="webcal://127.0.0.1:5000{feed}"' in html
    assert 'src="data:image/svg+xml' in html
    for application in ("Google Calendar", "Outlook", "Apple Calendar", "Thunderbird"):
        assert application in html


def test_a_province_page_offers_its_subunits_and_links_to_each(anonymous, unit):
    html = anonymous.get("/feeds/units/52").get_data(as_text=True)
    assert "webcal://127.0.0.1:5000/feeds/units/52.ics?subunits=1" in html
    ia_grai = unit("Xã Ia Grai")
    assert f'href="/feeds/units/{ia_grai.code_text}"' in html
    assert anonymous.get(f"/feeds/units/{ia_grai.code_text}").status_code == 200


def test_an_english_visitor_reads_the_page_in_english_and_gets_the_feed_in_vietnamese(
        anonymous, upcoming):
    """Calendars are in Vietnamese whoever subscribes; the page around them is not."""
    upcoming(unit="Xã Ia Grai")
    anonymous.post("/language", data={"csrf_token": form_token(anonymous, "/feeds/"),
                                      "language": "en", "next": "/feeds/"})
    page = anonymous.get("/feeds/levels/commune").get_data(as_text=True)
    assert "<h1>Dialogues with citizens — Commune level</h1>" in page
    feed = anonymous.get("/feeds/levels/commune.ics").get_data(as_text=True)
    assert "X-WR-CALNAME:Lịch đối thoại với Nhân dân — Cấp xã" in feed
    assert "CATEGORIES:Cấp xã,Xã Ia Grai" in feed


def test_the_feeds_index_lists_the_provinces(anonymous):
    html = anonymous.get("/feeds/").get_data(as_text=True)
    assert 'href="/feeds/units/52"' in html and "Tỉnh Gia Lai" in html
    assert 'href="/feeds/all"' in html


def test_addresses_use_the_configured_public_url(anonymous, app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://doithoai.gialai.gov.vn/lich")
    html = anonymous.get("/feeds/all").get_data(as_text=True)
    assert 'value="https://doithoai.gialai.gov.vn/lich/feeds/all.ics"' in html
    assert 'href="webcal://doithoai.gialai.gov.vn/lich/feeds/all.ics"' in html
    cache.event_cache().clear()


def test_a_nul_byte_in_a_feed_address_is_refused_not_a_crash(anonymous):
    response = anonymous.get("/feeds/private/a%00.ics")

    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.get_data(as_text=True)


def test_a_former_province_announcements_subscribe_to_its_successors_feed(anonymous, unit):
    former = unit("Tỉnh Gia Lai", Era.LEGACY)

    page = anonymous.get(f"/public/?unit_id={former.id}").get_data(as_text=True)

    assert "/feeds/units/52" in page and "/feeds/units/64" not in page
