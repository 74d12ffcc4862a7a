"""Signing in and out, passwords, account administration, the public announcement and the
protections every response carries, through HTTP."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from dialogue import config
from dialogue.accounts.models import Role, User
from dialogue.audit.models import AuditAction, AuditEntry
from dialogue.core.time import local_today
from dialogue.extensions import db
from dialogue.sessions.models import ParticipantRole, SessionStatus
from dialogue.sessions.operations import TRANSITIONS, change_status
from tests.conftest import PASSWORD
from tests.helpers import at, csrf_token_in, form_token, log_in

THROTTLED = "Đăng nhập sai quá nhiều lần"


def post_login(client, username: str, password: str, **extra):
    return client.post("/login", data={"csrf_token": form_token(client, "/login"),
                                       "username": username, "password": password, **extra})


def text(response) -> str:
    return response.get_data(as_text=True)


# Signing in and out --------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_the_login_page(anonymous):
    response = anonymous.get("/sessions/?status=scheduled")
    assert response.status_code == 302
    assert response.location == "/login?next=/sessions/?status%3Dscheduled"


def test_anonymous_json_requests_get_401(anonymous):
    for url in ("/units/search?q=Ia", "/officials/search?q=Nguy"):
        response = anonymous.get(url)
        assert response.status_code == 401 and response.is_json, url


def test_signing_in_goes_where_the_user_was_going(anonymous, commune_secretary):
    response = post_login(anonymous, "thuky.xa", PASSWORD, next="/sessions/calendar")
    assert response.status_code == 302 and response.location == "/sessions/calendar"
    assert anonymous.get("/sessions/").status_code == 200


def test_signing_in_never_leaves_the_site(anonymous, commune_secretary):
    response = post_login(anonymous, "thuky.xa", PASSWORD, next="https://lua-dao.example/")
    assert response.location == "/"


def test_a_wrong_password_is_refused_with_a_message(anonymous, commune_secretary):
    response = post_login(anonymous, "thuky.xa", "mat-khau-sai")
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in text(response)
    assert anonymous.get("/sessions/").status_code == 302


def test_five_failures_lock_the_account(anonymous, commune_secretary):
    for _ in range(5):
        post_login(anonymous, "thuky.xa", "mat-khau-sai")
    response = post_login(anonymous, "thuky.xa", PASSWORD)
    assert response.status_code == 200 and THROTTLED in text(response)


def test_twenty_failures_from_one_address_lock_the_address(app, viewer):
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.113.131.5"
    token = form_token(attacker, "/login")
    for number in range(20):
        attacker.post("/login", data={"csrf_token": token, "username": f"ai.do.{number}",
                                      "password": "123456"})
    response = attacker.post("/login", data={"csrf_token": token, "username": "xem",
                                             "password": PASSWORD})
    assert THROTTLED in text(response)
    # The owner of the account, signing in from her own office, is not locked out.
    office = app.test_client()
    office.environ_base["REMOTE_ADDR"] = "14.161.22.8"
    assert post_login(office, "xem", PASSWORD).status_code == 302


def test_signing_out_needs_a_post_and_ends_the_session(client):
    assert client.get("/logout").status_code == 405
    token = csrf_token_in(text(client.get("/sessions/")))
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get("/sessions/").status_code == 302


def test_a_deactivated_account_is_signed_out_at_its_next_request(client_for, admin, viewer):
    client = client_for(viewer)
    viewer.is_active = False
    db.session.commit()
    assert client.get("/sessions/").status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(anonymous, commune_secretary):
    response = post_login(anonymous, "thuky.xa", PASSWORD)
    cookies = [value for key, value in response.headers.items() if key == "Set-Cookie"]
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_the_session_cookie_is_secure_when_served_over_https(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x")
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    settings = config.load(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]


# Passwords -----------------------------------------------------------------------------------

def test_changing_the_password_needs_the_current_one(app, client_for, commune_secretary):
    client = client_for(commune_secretary)
    hash_before = commune_secretary.password_hash
    response = client.post("/account/password", data={
        "csrf_token": form_token(client, "/account/password"),
        "current_password": "doan-bua-thoi", "new_password": "Pleiku-mua-thu-2026",
        "confirm": "Pleiku-mua-thu-2026"})
    assert response.status_code == 200
    assert "Mật khẩu hiện tại không đúng." in text(response)
    assert commune_secretary.password_hash == hash_before

    response = client.post("/account/password", data={
        "csrf_token": form_token(client, "/account/password"),
        "current_password": PASSWORD, "new_password": "Pleiku-mua-thu-2026",
        "confirm": "Pleiku-mua-thu-2026"})
    assert response.status_code == 302
    assert post_login(app.test_client(), "thuky.xa", "Pleiku-mua-thu-2026").status_code == 302


def test_a_reset_password_must_be_changed_before_anything_else(
        app, client_for, admin, commune_secretary):
    administrator = client_for(admin)
    url = f"/admin/users/{commune_secretary.id}"
    response = administrator.post(f"{url}/password", data={
        "csrf_token": form_token(administrator, url), "new_password": "tam-thoi-2026"})
    assert response.status_code == 302

    client = app.test_client()
    log_in(client, "thuky.xa", "tam-thoi-2026")
    for page in ("/", "/sessions/", "/sessions/calendar", "/officials/", "/units/",
                 "/sessions/new"):
        response = client.get(page)
        assert (response.status_code, response.location) == (302, "/account/password"), page
    assert client.get("/account/password").status_code == 200

    response = client.post("/account/password", data={
        "csrf_token": form_token(client, "/account/password"),
        "current_password": "tam-thoi-2026", "new_password": "cua-rieng-toi-2026",
        "confirm": "cua-rieng-toi-2026"})
    assert response.status_code == 302
    assert client.get("/sessions/").status_code == 200


# Administration ------------------------------------------------------------------------------

def test_an_administrator_creates_an_account_with_a_role(client_for, admin, unit):
    client = client_for(admin)
    commune = unit("Xã Ia Grai")
    response = client.post("/admin/users/new", data={
        "csrf_token": form_token(client, "/admin/users/new"), "username": "Thuky.Xa",
        "full_name": "Nguyễn Thị Hồng Nhung", "email": "nhung@iagrai.gialai.gov.vn",
        "language": "vi", "is_active": "y", "password": "mat-khau-ban-dau-2026",
        "role": "secretary", "unit_id": str(commune.id), "unit_label": commune.name})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "thuky.xa"))
    assert [(a.role, a.unit_id) for a in user.roles] == [(Role.SECRETARY, commune.id)]
    assert user.password_hash.startswith("$argon2id$")
    assert "mat-khau-ban-dau-2026" not in user.password_hash


def test_an_administrator_grants_and_revokes_roles(client_for, admin, viewer, unit):
    client = client_for(admin)
    url = f"/admin/users/{viewer.id}"
    pleiku = unit("Phường Pleiku")
    response = client.post(f"{url}/roles", data={
        "csrf_token": form_token(client, url), "role": "secretary",
        "unit_id": str(pleiku.id), "unit_label": pleiku.name})
    assert response.status_code == 302
    assert {(a.role, a.unit.name) for a in viewer.roles} == {
        (Role.VIEWER, "Xã Ia Grai"), (Role.SECRETARY, "Phường Pleiku")}

    first = viewer.roles[0]
    response = client.post(f"{url}/roles/{first.id}/revoke",
                           data={"csrf_token": form_token(client, url)})
    assert response.status_code == 302
    assert [(a.role, a.unit.name) for a in viewer.roles] == [(Role.SECRETARY, "Phường Pleiku")]


# Public announcement -------------------------------------------------------------------------

@pytest.fixture
def announced(create_session):
    soon = local_today() + timedelta(days=10)
    return create_session(
        unit="Xã Ia Grai", title="Hội nghị đối thoại về cấp giấy chứng nhận quyền sử dụng đất",
        starts_at=at(f"{soon.isoformat()} 08:00"), venue="Hội trường UBND xã Ia Grai",
        topic="Cấp giấy chứng nhận quyền sử dụng đất cho đồng bào dân tộc thiểu số",
        participants=[("Ksor Thị Phượng Hoàng", ParticipantRole.CITIZEN_REPRESENTATIVE,
                       "Làng Pleiku Roh", "phuonghoang.ksor@thu-dien-tu.vn")])


def test_the_public_page_announces_time_place_and_topic_without_login(anonymous, announced):
    response = anonymous.get("/public/")
    assert response.status_code == 200
    page = text(response)
    assert announced.title in page
    assert announced.topic in page
    assert "Hội trường UBND xã Ia Grai" in page
    assert "08:00–11:00" in page
    assert (local_today() + timedelta(days=10)).strftime("%d/%m/%Y") in page


def test_the_public_page_shows_no_personal_data(anonymous, announced):
    page = text(anonymous.get("/public/"))
    for personal in ("Ksor Thị Phượng Hoàng", "phuonghoang.ksor", "Pleiku Roh", "@"):
        assert personal not in page, personal
    # Not through the search either.
    assert announced.title not in text(anonymous.get("/public/?q=Phuong+Hoang"))


def test_the_public_page_hides_drafts_and_internal_sessions(anonymous, create_session):
    soon = at(f"{(local_today() + timedelta(days=12)).isoformat()} 08:00")
    create_session(unit="Xã Ia Grai", title="Dự thảo đối thoại về giải phóng mặt bằng",
                   status=SessionStatus.DRAFT, starts_at=soon)
    create_session(unit="Xã Ia Grai", title="Họp nội bộ chuẩn bị đối thoại",
                   is_public=False, starts_at=soon)
    page = text(anonymous.get("/public/"))
    assert "Dự thảo đối thoại" not in page
    assert "Họp nội bộ" not in page


def test_a_draft_cancelled_before_it_was_announced_never_reaches_the_public_page(
        anonymous, create_session, secretary):
    soon = at(f"{(local_today() + timedelta(days=12)).isoformat()} 08:00")
    draft = create_session(unit="Xã Ia Grai", title="Dự thảo rồi hủy trước khi công bố",
                           status=SessionStatus.DRAFT, starts_at=soon)
    change_status(draft, TRANSITIONS["cancel"], reason="Không tổ chức", by=secretary)
    db.session.commit()

    assert draft.status is SessionStatus.CANCELLED
    assert "Dự thảo rồi hủy" not in text(anonymous.get("/public/"))


def test_an_administrator_is_country_wide_and_every_other_role_has_a_unit(
        client_for, admin, unit):
    client = client_for(admin)
    for role, unit_id in [("admin", str(unit("Xã Ia Grai").id)), ("viewer", "")]:
        response = client.post("/admin/users/new", data={
            "csrf_token": form_token(client, "/admin/users/new"), "username": f"moi.{role}",
            "full_name": "Rơ Châm Hiền", "language": "vi", "is_active": "y",
            "password": "mat-khau-ban-dau-2026", "role": role, "unit_id": unit_id})
        assert response.status_code == 200, role
        assert db.session.scalar(sa.select(User).where(User.username == f"moi.{role}")) is None
    page = response.get_data(as_text=True)
    assert "Hãy chọn đơn vị cho vai trò này." in page


def test_a_new_password_signs_out_every_other_browser(client_for, commune_secretary):
    office, phone = client_for(commune_secretary), client_for(commune_secretary)
    office.post("/account/password", data={
        "csrf_token": form_token(office, "/account/password"), "current_password": PASSWORD,
        "new_password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"})
    assert office.get("/sessions/").status_code == 200
    assert phone.get("/sessions/").headers["Location"].startswith("/login")


def test_the_public_page_is_open_to_a_user_who_must_change_the_password(
        client_for, admin, commune_secretary, announced):
    commune_secretary.must_change_password = True
    db.session.commit()
    client = client_for(commune_secretary)
    assert client.get("/public/").status_code == 200


# Protections on every response ---------------------------------------------------------------

@pytest.mark.parametrize("url", ["/login", "/public/", "/sessions/", "/sessions/999999",
                                 "/units/search?q=Ia"])
def test_every_response_carries_the_security_headers(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert re.search(r"script-src 'self'(;|$)", policy)
    assert "unsafe-inline" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] in {"same-origin", "strict-origin-when-cross-origin",
                                          "no-referrer"}


def test_no_page_has_inline_script(client, anonymous, announced):
    for browser, url in [(anonymous, "/login"), (anonymous, "/public/"),
                         (client, "/sessions/"), (client, f"/sessions/{announced.id}"),
                         (client, "/sessions/new")]:
        page = text(browser.get(url))
        for script in re.findall(r"<script\b[^>]*>", page):
            assert "src=" in script, f"{url}: {script}"
        assert not re.search(r"\son[a-z]+=\"", page), f"{url}: inline event handler"


def test_a_failed_sign_in_is_recorded_with_the_address(app, commune_secretary):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.113.131.5"
    post_login(client, "thuky.xa", "mat-khau-sai")
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == AuditAction.LOGIN_FAILED)).one()
    assert (entry.actor_name, entry.actor_address) == ("thuky.xa", "203.113.131.5")
