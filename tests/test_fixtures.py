"""The shared fixtures behave the way the view and browser tests rely on."""

import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.officials.models import Official
from dialogue.units.models import Era, UnitLevel

from .helpers import form_token


def _new_official(unit_id: int, **extra) -> dict:
    return {"full_name": "Nguyễn Thái Bình",
            "position": "Phó Trưởng ban Thường trực Ban Dân vận Tỉnh ủy",
            "unit_id": str(unit_id), **extra}


def test_the_client_is_signed_in_as_the_secretary_and_anonymous_is_not(client, anonymous):
    assert client.get("/officials/").status_code == 200
    response = anonymous.get("/officials/")
    assert (response.status_code, response.location.split("?")[0]) == (302, "/login")


def test_a_request_sees_what_the_test_created(client, create_official):
    create_official(full_name="Ayun H’Bút", position="Phó Chủ tịch HĐND tỉnh")

    response = client.get("/officials/search?q=ayun")

    assert [o["label"] for o in response.get_json()] == ["Ayun H’Bút"]


def test_forms_need_the_token_of_the_page_they_came_from(client, unit):
    data = _new_official(unit("Tỉnh Gia Lai").id)

    assert client.post("/officials/new", data=data).status_code == 400
    response = client.post("/officials/new",
                           data={**data, "csrf_token": form_token(client, "/officials/new")})

    assert response.status_code == 302
    assert db.session.scalars(sa.select(Official.full_name)).all() == ["Nguyễn Thái Bình"]


def test_each_client_has_its_own_form_tokens(client, client_for, unit, create_user):
    other = client_for(create_user("thuky.tinh2"))
    mine, theirs = form_token(client, "/officials/new"), form_token(other, "/officials/new")
    unit_id = unit("Tỉnh Gia Lai").id

    assert other.post("/officials/new",
                      data=_new_official(unit_id, csrf_token=theirs)).status_code == 302
    assert client.post("/officials/new",
                       data=_new_official(unit_id, csrf_token=mine)).status_code == 302


def test_the_test_reads_what_a_request_changed(client, create_official):
    official = create_official()
    token = form_token(client, "/officials/")

    client.post(f"/officials/{official.id}/archive", data={"csrf_token": token, "archived": "1"})

    assert official.archived_at is not None


def test_factories_build_from_the_gia_lai_units(unit, create_official, create_session, at):
    session = create_session(unit="Xã Ia Grai", chair=create_official(unit="Xã Ia Grai"))

    assert (session.unit_name, session.chair.unit.name) == ("Xã Ia Grai", "Xã Ia Grai")
    assert session.starts_at == at("2026-03-02 08:00")
    assert unit("Tỉnh Gia Lai", Era.LEGACY).code == 64
    assert unit("Huyện Đức Cơ", Era.LEGACY, level=UnitLevel.DISTRICT).parent.name == \
        "Tỉnh Gia Lai"
