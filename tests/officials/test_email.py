"""An official's e-mail address, where the invitations to the sessions they chair or record
go: kept on their form, seen only by whoever keeps their unit's officials."""

import pytest
from sqlalchemy import select

from dialogue.accounts.models import Role
from dialogue.audit.operations import history
from dialogue.extensions import db
from dialogue.officials.models import Official
from dialogue.officials.operations import add_official, update_official
from tests.helpers import field_errors, form_token

INVALID = "Địa chỉ thư điện tử không hợp lệ."


def test_the_address_is_kept_without_the_spaces_around_it_and_traced(secretary, unit):
    official = add_official("Rơ Mah Tuấn", "Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            email=" romahtuan@iagrai.gialai.gov.vn ", by=secretary)
    db.session.commit()
    assert official.email == "romahtuan@iagrai.gialai.gov.vn"

    update_official(official, full_name=official.full_name, position=official.position,
                    unit=official.unit, email="Tuan.RM@gialai.gov.vn", by=secretary,
                    expected_version=official.version)
    db.session.commit()
    assert official.email == "Tuan.RM@gialai.gov.vn"  # as typed
    assert history("official", official.id)[-1].changes["email"] == [
        "romahtuan@iagrai.gialai.gov.vn", "Tuan.RM@gialai.gov.vn"]

    # A caller without the field (a rename elsewhere) leaves the address alone.
    update_official(official, full_name="Rơ Mah Tuấn", position="Bí thư Đảng ủy xã",
                    unit=official.unit, by=secretary, expected_version=official.version)
    db.session.commit()
    assert official.email == "Tuan.RM@gialai.gov.vn"


def test_the_address_typed_in_the_form_is_saved_and_shown_in_the_list(client, unit):
    commune = unit("Xã Ia Grai")
    client.post("/officials/new", data={
        "csrf_token": form_token(client, "/officials/new"),
        "full_name": "Rơ Mah Tuấn", "position": "Chủ tịch UBND xã Ia Grai",
        "unit_id": str(commune.id), "unit_label": commune.name,
        "email": "romahtuan@iagrai.gialai.gov.vn"})
    official = db.session.scalars(select(Official)).one()
    assert official.email == "romahtuan@iagrai.gialai.gov.vn"
    assert "romahtuan@iagrai.gialai.gov.vn" in client.get("/officials/").get_data(as_text=True)
    edit = client.get(f"/officials/{official.id}/edit").get_data(as_text=True)
    assert 'value="romahtuan@iagrai.gialai.gov.vn"' in edit


@pytest.mark.parametrize("typed", ["romahtuan@iagrai.gialai.gov.vn\r\nBcc: x@y.vn",
                                   "romahtuan@iagrai", "romahtuan"])
def test_an_address_that_is_not_one_is_refused_beside_the_field_the_rest_kept(
        client, unit, typed):
    commune = unit("Xã Ia Grai")
    response = client.post("/officials/new", data={
        "csrf_token": form_token(client, "/officials/new"),
        "full_name": "Rơ Mah Tuấn", "position": "Chủ tịch UBND xã Ia Grai",
        "unit_id": str(commune.id), "unit_label": commune.name, "email": typed})
    assert response.status_code == 200
    assert field_errors(response) == {"email": [INVALID]}
    page = response.get_data(as_text=True)
    for kept in ('value="Rơ Mah Tuấn"', 'value="Chủ tịch UBND xã Ia Grai"',
                 f'value="{commune.id}"', f'value="{commune.name}"'):
        assert kept in page
    assert db.session.scalars(select(Official)).all() == []


def test_an_edit_with_a_refused_address_changes_nothing(client, create_official):
    official = create_official(full_name="Rơ Mah Tuấn", position="Chủ tịch UBND xã",
                               unit="Xã Ia Grai")
    url = f"/officials/{official.id}/edit"
    response = client.post(url, data={
        "csrf_token": form_token(client, url), "version": str(official.version),
        "full_name": "Rơ Mah Tuấn", "position": "Bí thư Đảng ủy xã",
        "unit_id": str(official.unit_id), "email": "a@b.vn\nBcc: x@y.vn"})
    assert field_errors(response) == {"email": [INVALID]}
    assert 'value="Bí thư Đảng ủy xã"' in response.get_data(as_text=True)
    db.session.refresh(official)
    assert (official.position, official.email) == ("Chủ tịch UBND xã", "")


def test_only_who_keeps_the_officials_unit_sees_the_address(
        client, client_for, create_user, commune_secretary, secretary, unit):
    provincial = add_official("Nguyễn Ngọc Lương", "Phó Bí thư Tỉnh ủy", unit("Tỉnh Gia Lai"),
                              email="luongnn@gialai.gov.vn", by=secretary)
    add_official("Rơ Mah Tuấn", "Chủ tịch UBND xã", unit("Xã Ia Grai"),
                 email="romahtuan@iagrai.gialai.gov.vn", by=secretary)
    db.session.commit()

    everyone = client.get("/officials/").get_data(as_text=True)
    assert "luongnn@gialai.gov.vn" in everyone and "romahtuan@iagrai.gialai.gov.vn" in everyone

    # The commune secretary sees the provincial leader who chairs her dialogue, not his
    # address: she does not keep the province's officials.
    commune = client_for(commune_secretary).get("/officials/").get_data(as_text=True)
    assert "Nguyễn Ngọc Lương" in commune and "luongnn@gialai.gov.vn" not in commune
    assert "romahtuan@iagrai.gialai.gov.vn" in commune

    viewer = client_for(create_user("xem.tinh", Role.VIEWER, "Tỉnh Gia Lai"))
    read = viewer.get("/officials/").get_data(as_text=True)
    assert "Nguyễn Ngọc Lương" in read and "Thư điện tử" not in read
    assert "luongnn@gialai.gov.vn" not in read and "romahtuan@iagrai.gialai.gov.vn" not in read
    assert viewer.get(f"/officials/{provincial.id}/edit").status_code == 403
