"""Keeping the list of chairs and secretaries."""

import re

from sqlalchemy import select

from dialogue.accounts.models import Role
from dialogue.extensions import db
from dialogue.officials.models import Official
from dialogue.officials.operations import link_account
from tests.helpers import errors, form_token


def test_adding_an_official_through_the_form(client, unit):
    commune = unit("Phường Pleiku")
    response = client.post("/officials/new", data={
        "csrf_token": form_token(client, "/officials/new"),
        "full_name": "Trần Văn Đức", "position": "Chủ tịch UBND phường Pleiku",
        "unit_id": str(commune.id), "unit_label": commune.name,
    }, follow_redirects=True)
    assert "Đã thêm Trần Văn Đức." in response.get_data(as_text=True)
    official = db.session.scalars(select(Official)).one()
    assert official.unit == commune


def test_missing_fields_are_explained_in_vietnamese(client):
    response = client.post("/officials/new", data={
        "csrf_token": form_token(client, "/officials/new"), "full_name": "Ayun H’Bút",
        "position": "", "unit_id": ""})
    page = response.get_data(as_text=True)
    assert re.findall(r'<p class="error"[^>]*>([^<]+)</p>', page) == [
        "Hãy nhập chức vụ, ví dụ “Chủ tịch UBND xã”.", "Hãy chọn đơn vị hành chính."]
    assert 'value="Ayun H’Bút"' in page


def test_stale_edit_of_an_official_is_refused(client, create_official):
    official = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")
    url = f"/officials/{official.id}/edit"
    token = form_token(client, url)
    old_version = official.version
    official.position = "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Dân vận Tỉnh ủy"
    db.session.commit()
    response = client.post(url, data={"csrf_token": token, "version": str(old_version),
                                      "full_name": "Phạm Thị Tố Hải", "position": "Khác",
                                      "unit_id": str(official.unit_id)})
    assert "Bản ghi vừa được người khác cập nhật" in response.get_data(as_text=True)
    db.session.refresh(official)
    assert official.position == "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Dân vận Tỉnh ủy"


def test_an_official_who_left_disappears_from_the_chair_picker(client, create_official, unit):
    official = create_official(full_name="Nguyễn Thái Bình")
    commune = unit("Xã Ia Grai")

    def suggested():
        return [o["label"] for o in client.get(
            f"/officials/search?q=nguyen thai&unit_id={commune.id}").get_json()]

    assert suggested() == ["Nguyễn Thái Bình"]  # province officials can chair commune sessions
    token = form_token(client, "/officials/")
    client.post(f"/officials/{official.id}/archive", data={"csrf_token": token, "archived": "1"})
    assert suggested() == []
    # A second click from a page opened before the first one does not bring them back.
    client.post(f"/officials/{official.id}/archive", data={"csrf_token": token, "archived": "1"})
    assert suggested() == []
    assert "Nguyễn Thái Bình" in client.get("/officials/?archived=1").get_data(as_text=True)


def test_an_administrator_names_the_officials_account_on_the_officials_page(
        client_for, admin, create_official, create_user):
    official = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")
    account = create_user("lanhdao", Role.LEADER, "Tỉnh Gia Lai")
    browser = client_for(admin)
    url = f"/officials/{official.id}/edit"
    form = {"full_name": official.full_name, "position": official.position,
            "unit_id": str(official.unit_id), "version": str(official.version)}

    refused = browser.post(url, data={**form, "csrf_token": form_token(browser, url),
                                      "account": "khong.co"})
    assert errors(refused) == ["Không có tài khoản với tên đăng nhập này."]
    assert 'value="khong.co"' in refused.get_data(as_text=True)

    saved = browser.post(url, data={**form, "csrf_token": form_token(browser, url),
                                    "account": "lanhdao"}, follow_redirects=True)
    assert "Đã lưu thông tin Phạm Thị Tố Hải." in saved.get_data(as_text=True)
    db.session.refresh(official)
    assert official.account_id == account.id
    assert 'value="lanhdao"' in browser.get(url).get_data(as_text=True)


def test_a_secretary_neither_sees_nor_changes_the_account_link(
        client, create_official, create_user, admin):
    official = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")
    create_user("lanhdao", Role.LEADER, "Tỉnh Gia Lai")
    link_account(official, "lanhdao", by=admin)
    db.session.commit()
    url = f"/officials/{official.id}/edit"
    assert 'name="account"' not in client.get(url).get_data(as_text=True)

    client.post(url, data={"csrf_token": form_token(client, url), "account": "",
                           "full_name": official.full_name, "position": "Ủy viên Ban Thường vụ",
                           "unit_id": str(official.unit_id), "version": str(official.version)})
    db.session.refresh(official)
    assert (official.position, official.account.username) == ("Ủy viên Ban Thường vụ",
                                                              "lanhdao")
