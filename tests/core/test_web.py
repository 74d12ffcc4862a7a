"""What every page shares: language, security headers, error pages."""

import pytest

from tests.helpers import form_token


def test_the_interface_is_vietnamese_and_switches_to_english(client):
    assert "Lên lịch phiên mới" in client.get("/sessions/").get_data(as_text=True)

    token = form_token(client, "/sessions/")
    response = client.post("/language", data={"csrf_token": token, "language": "en",
                                              "next": "/sessions/?q=an+khe"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/sessions/?q=an+khe"
    page = client.get("/sessions/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Dialogue sessions" in page


def test_a_visitor_not_signed_in_switches_the_language_of_the_public_pages(anonymous):
    token = form_token(anonymous, "/login")
    response = anonymous.post("/language", data={"csrf_token": token, "language": "en",
                                                 "next": "/public/"})
    assert (response.status_code, response.headers["Location"]) == (302, "/public/")
    assert '<html lang="en">' in anonymous.get("/public/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    token = form_token(client, "/sessions/")
    for target in ["https://example.org/", "//example.org/", "/\\example.org"]:
        response = client.post("/language", data={"csrf_token": token, "language": "vi",
                                                  "next": target})
        assert response.headers["Location"] == "/", target


def test_pages_forbid_inline_and_remote_code_and_framing(client):
    headers = client.get("/sessions/").headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_assets_are_served_by_the_app_itself(client):
    page = client.get("/sessions/new").get_data(as_text=True)
    assert "http://" not in page.replace('xmlns="http://www.w3.org', "")
    assert "https://" not in page
    for asset in ["/static/css/app.css", "/static/js/app.js", "/static/favicon.svg"]:
        assert client.get(asset).status_code == 200, asset


def test_a_method_not_allowed_is_explained_not_crashed(client):
    response = client.post("/sessions/", data={})
    assert response.status_code in (400, 405)
    assert "<h1>" in response.get_data(as_text=True)


def test_language_switch_refuses_disguised_off_site_targets(client):
    token = form_token(client, "/sessions/")
    for target in ["/\t/example.org", "/ /example.org", "https:/example.org", "/\x7f/x"]:
        response = client.post("/language", data={"csrf_token": token, "language": "vi",
                                                  "next": target})
        assert response.headers["Location"] == "/", repr(target)


BIG = "9" * 25


def test_ids_too_large_for_the_database_are_simply_not_found(client):
    for url in [f"/sessions/{BIG}", f"/sessions/{2**31}/edit", f"/units/{BIG}",
                f"/officials/{BIG}/edit", f"/public/sessions/{BIG}", f"/sessions/{BIG}.ics"]:
        assert client.get(url).status_code == 404, url
    for url in [f"/sessions/?unit_id={BIG}", f"/sessions/?page={BIG}", f"/units/?page={BIG}",
                f"/officials/?unit_id={BIG}&page={BIG}", f"/officials/search?unit_id={BIG}",
                f"/sessions/new?unit_id={BIG}", "/sessions/?unit_id=²"]:
        assert client.get(url).status_code == 200, url


def test_a_nul_byte_is_refused_in_vietnamese_not_crashed(client):
    response = client.get("/sessions/?q=a%00b")
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.get_data(as_text=True)


def test_a_unique_row_saved_meanwhile_is_a_concurrent_edit_not_a_crash(app):
    """Two secretaries taking the same number, name or address in the same instant: the
    database refuses the second; the form says so and keeps what was typed."""
    from flask_wtf import FlaskForm

    from dialogue.core.web import run_operation
    from dialogue.core.workdays import Holiday
    from dialogue.extensions import db

    def clashing():
        # A day already on the holiday list (the migrations seed them): a real unique key.
        taken = db.session.scalars(db.select(Holiday.day)).first()
        db.session.add(Holiday(day=taken, name="Nghỉ bù"))
        db.session.flush()

    with app.test_request_context(method="POST"):
        form = FlaskForm(meta={"csrf": False})
        assert run_operation(form, clashing) == (False, None)
        assert "người khác cập nhật" in str(form.form_errors[0])


def test_a_broken_rule_other_than_a_unique_key_stays_a_loud_bug(app):
    """Only a unique row saved meanwhile reads as someone else's edit; a CHECK the code
    failed to respect is a bug, not something to tell the user to retry."""
    from flask_wtf import FlaskForm
    from sqlalchemy.exc import IntegrityError

    from dialogue.core.web import run_operation
    from dialogue.extensions import db
    from dialogue.minutes.models import AttendanceGroup

    def breaking():
        db.session.add(AttendanceGroup(minutes_id=1, label="Nhân dân", count=-1))
        db.session.flush()

    with app.test_request_context(method="POST"):
        form = FlaskForm(meta={"csrf": False})
        with pytest.raises(IntegrityError):
            run_operation(form, breaking)
