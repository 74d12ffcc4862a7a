"""Who sees and changes what: scopes over sub-units and legacy predecessors, and the same
rule on every page that lists sessions or officials."""

import pytest

from dialogue.accounts import operations as account_operations
from dialogue.accounts import permissions
from dialogue.accounts.models import Role
from dialogue.accounts.permissions import NotPermitted, edit_scope, read_scope
from dialogue.extensions import db
from dialogue.officials.operations import add_official, update_official
from dialogue.sessions.models import DialogueSession, SessionFormat, SessionKind
from dialogue.sessions.operations import SessionDetails, schedule_session, update_session
from dialogue.units.models import Era
from tests.helpers import at, form_token

IA_GRAI_TITLE = "Đối thoại về chuyển đổi cây trồng trên đất lúa kém hiệu quả"
PLEIKU_TITLE = "Đối thoại về chỉnh trang đô thị và vỉa hè phường Pleiku"
JOINT_TITLE = "Đối thoại liên xã về tranh chấp đất rẫy giáp ranh"


@pytest.fixture
def sessions(create_session, leader_official):
    """One session in Xã Ia Grai, one in the neighbouring Phường Pleiku, and a joint one
    hosted by Phường Pleiku but chaired by Xã Ia Grai's party secretary; all in March 2026."""
    return {
        "ia_grai": create_session(unit="Xã Ia Grai", title=IA_GRAI_TITLE,
                                  venue="Hội trường UBND xã Ia Grai"),
        "pleiku": create_session(unit="Phường Pleiku", title=PLEIKU_TITLE,
                                 starts_at=at("2026-03-05 08:00"),
                                 venue="Hội trường UBND phường Pleiku"),
        "joint": create_session(unit="Phường Pleiku", title=JOINT_TITLE, chair=leader_official,
                                starts_at=at("2026-03-10 14:00"), venue="Nhà văn hóa tổ 5"),
    }


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return response.get_data(as_text=True)


def details(unit, **overrides) -> SessionDetails:
    return SessionDetails(**{
        "title": "Đối thoại về xóa nhà tạm, nhà dột nát", "unit": unit,
        "kind": SessionKind.PERIODIC, "format": SessionFormat.IN_PERSON,
        "starts_at": at("2026-12-10 08:00"), "ends_at": at("2026-12-10 11:00"), **overrides})


# Scopes --------------------------------------------------------------------------------------

def test_a_province_role_covers_its_communes_and_the_legacy_provinces_below(secretary, unit):
    scope = edit_scope(secretary)
    for name, era in [("Tỉnh Gia Lai", Era.Y2025), ("Xã Ia Grai", Era.Y2025),
                      ("Phường Pleiku", Era.Y2025), ("Tỉnh Bình Định", Era.LEGACY),
                      ("Huyện Chư Prông", Era.LEGACY), ("Thị trấn Chư Prông", Era.LEGACY)]:
        assert scope.covers(unit(name, era)), name


def test_a_commune_role_covers_its_commune_and_the_legacy_communes_it_succeeded(
        commune_secretary, unit):
    scope = edit_scope(commune_secretary)
    assert scope.covers(unit("Xã Ia Grai"))
    assert scope.covers(unit("Thị trấn Ia Kha", Era.LEGACY))  # merged into Xã Ia Grai
    for name, era in [("Phường Pleiku", Era.Y2025), ("Tỉnh Gia Lai", Era.Y2025),
                      ("Huyện Ia Grai", Era.LEGACY), ("Phường Hội Thương", Era.LEGACY)]:
        assert not scope.covers(unit(name, era)), name


def test_only_administrators_and_secretaries_edit(leader, viewer, admin, unit):
    commune = unit("Xã Ia Grai")
    assert read_scope(viewer).covers(commune) and read_scope(leader).covers(commune)
    assert not edit_scope(viewer).covers(commune) and not edit_scope(leader).covers(commune)
    assert not permissions.has_edit_rights(viewer)
    assert edit_scope(admin).everything and permissions.is_admin(admin)
    assert not permissions.is_admin(leader)


def test_roles_on_several_units_add_up(create_user, admin, unit):
    user = create_user("thuky.pleiku", Role.VIEWER, "Xã Ia Grai", full_name="Lê Thị Thu Hà")
    account_operations.grant_role(user, Role.SECRETARY, unit("Phường Pleiku"), by=admin)
    db.session.commit()
    assert read_scope(user).covers(unit("Xã Ia Grai"))
    assert edit_scope(user).covers(unit("Phường Pleiku"))
    assert not edit_scope(user).covers(unit("Xã Ia Grai"))


def test_the_scope_clause_agrees_with_covers(commune_secretary, secretary, create_session, unit):
    create_session(unit=unit("Thị trấn Ia Kha", Era.LEGACY), starts_at=at("2024-10-15 08:00"))
    create_session(unit=unit("Phường Hội Thương", Era.LEGACY), starts_at=at("2024-10-16 08:00"))
    create_session(unit="Xã Ia Grai")
    create_session(unit="Phường Pleiku")
    for user in (commune_secretary, secretary):
        scope = read_scope(user)
        listed = set(db.session.scalars(db.select(DialogueSession.id).where(
            scope.clause(DialogueSession.unit_id))))
        covered = {s.id for s in db.session.scalars(db.select(DialogueSession))
                   if scope.covers(s.unit)}
        assert listed == covered
    assert len(listed) == 4


# Operations refuse what the pages would not offer --------------------------------------------

def test_a_viewer_cannot_schedule(viewer, unit):
    with pytest.raises(NotPermitted):
        schedule_session(details(unit("Xã Ia Grai")), by=viewer)


def test_a_commune_secretary_schedules_only_in_her_commune(commune_secretary, unit):
    session, _warnings = schedule_session(details(unit("Xã Ia Grai")), by=commune_secretary)
    assert session.id
    with pytest.raises(NotPermitted):
        schedule_session(details(unit("Phường Pleiku")), by=commune_secretary)


def test_a_commune_secretary_cannot_move_a_session_to_her_neighbour(
        commune_secretary, sessions, unit):
    session = sessions["ia_grai"]
    with pytest.raises(NotPermitted):
        update_session(session, details(unit("Phường Pleiku"), starts_at=session.starts_at,
                                        ends_at=session.ends_at),
                       by=commune_secretary, expected_version=session.version)


def test_a_commune_secretary_cannot_name_a_neighbours_official_as_chair(
        commune_secretary, create_official, unit):
    neighbour = create_official(full_name="Trần Văn Đức", position="Chủ tịch UBND phường Pleiku",
                                unit="Phường Pleiku")
    provincial = create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")

    with pytest.raises(NotPermitted) as refused:
        schedule_session(details(unit("Xã Ia Grai"), chair=neighbour), by=commune_secretary)
    assert refused.value.field == "chair_id"
    with pytest.raises(NotPermitted):
        schedule_session(details(unit("Xã Ia Grai"), secretary=neighbour), by=commune_secretary)
    # The provincial leader, above her commune, chairs commune dialogues.
    session, _warnings = schedule_session(details(unit("Xã Ia Grai"), chair=provincial),
                                          by=commune_secretary)
    assert session.chair == provincial


def test_a_commune_secretary_cannot_move_an_official_to_her_neighbour(commune_secretary, unit):
    official = add_official("Nguyễn Văn Hùng", "Chủ tịch UBND xã", unit("Xã Ia Grai"),
                            by=commune_secretary)
    with pytest.raises(NotPermitted):
        update_official(official, full_name=official.full_name, position=official.position,
                        unit=unit("Phường Pleiku"), by=commune_secretary,
                        expected_version=official.version)


# Through the pages ---------------------------------------------------------------------------

def test_a_province_secretary_edits_a_legacy_district_session(client, create_session, unit):
    """Tỉnh Gia Lai (2025) succeeded the former Gia Lai: its secretariat keeps that history."""
    session = create_session(unit=unit("Huyện Chư Prông", Era.LEGACY),
                             starts_at=at("2024-10-15 08:00"),
                             venue="Hội trường Huyện ủy Chư Prông")
    url = f"/sessions/{session.id}/edit"
    token = form_token(client, url)
    response = client.post(url, data={
        "csrf_token": token, "title": session.title, "unit_id": str(session.unit_id),
        "unit_label": session.unit.name, "kind": "periodic", "format": "in_person",
        "topic": "Giải quyết kiến nghị về đất đai của đồng bào dân tộc thiểu số",
        "is_public": "y", "version": str(session.version)})
    assert response.status_code == 302
    assert session.topic == "Giải quyết kiến nghị về đất đai của đồng bào dân tộc thiểu số"


def test_a_commune_secretary_cannot_see_her_neighbours_session_anywhere(
        client_for, commune_secretary, sessions, create_official):
    create_official(full_name="Trần Văn Đức", position="Chủ tịch UBND phường Pleiku",
                    unit="Phường Pleiku")
    create_official(full_name="Nguyễn Văn Hùng", position="Chủ tịch UBND xã Ia Grai",
                    unit="Xã Ia Grai")
    client = client_for(commune_secretary)
    pleiku = sessions["pleiku"]

    listing = page(client, "/sessions/")
    assert IA_GRAI_TITLE in listing and PLEIKU_TITLE not in listing
    assert PLEIKU_TITLE not in page(client, f"/sessions/?unit_id={pleiku.unit_id}")
    assert PLEIKU_TITLE not in page(client, "/sessions/?q=chinh+trang")
    month = page(client, "/sessions/calendar?year=2026&month=3")
    assert IA_GRAI_TITLE in month and PLEIKU_TITLE not in month
    for url in (f"/sessions/{pleiku.id}", f"/sessions/{pleiku.id}/edit",
                f"/sessions/{pleiku.id}/reschedule", f"/sessions/{pleiku.id}/cancel"):
        assert client.get(url).status_code == 404, url
    officials = page(client, "/officials/")
    assert "Nguyễn Văn Hùng" in officials and "Trần Văn Đức" not in officials
    # The chair picker: officials of her province she may see, never her neighbour's.
    found = client.get(f"/officials/search?q=&unit_id={pleiku.unit_id}").get_json()
    assert "Trần Văn Đức" not in {o["label"] for o in found}
    assert "Nguyễn Văn Hùng" in {o["label"] for o in found}
    assert "Trần Văn Đức" not in page(client, f"/officials/?unit_id={pleiku.unit_id}")


def test_the_province_secretary_sees_every_commune(client, sessions):
    listing = page(client, "/sessions/")
    assert IA_GRAI_TITLE in listing and PLEIKU_TITLE in listing and JOINT_TITLE in listing


def test_a_leader_sees_the_sessions_they_chair_elsewhere(client_for, leader, sessions):
    client = client_for(leader)
    listing = page(client, "/sessions/")
    assert IA_GRAI_TITLE in listing and JOINT_TITLE in listing and PLEIKU_TITLE not in listing
    assert JOINT_TITLE in page(client, "/sessions/calendar?year=2026&month=3")
    assert JOINT_TITLE in page(client, f"/sessions/{sessions['joint'].id}")
    # Seeing is not editing, and chairing one Pleiku session opens no other.
    assert client.get(f"/sessions/{sessions['joint'].id}/edit").status_code == 403
    assert client.get(f"/sessions/{sessions['pleiku'].id}").status_code == 404


def test_a_viewer_reads_but_cannot_create(client_for, viewer, sessions):
    client = client_for(viewer)
    listing = page(client, "/sessions/")
    assert IA_GRAI_TITLE in listing and JOINT_TITLE not in listing
    assert "/sessions/new" not in listing  # no button to a page that would refuse
    assert client.get("/sessions/new").status_code == 403
    assert client.get("/officials/new").status_code == 403
    assert client.get(f"/sessions/{sessions['ia_grai'].id}/edit").status_code == 403


@pytest.mark.parametrize("url", ["/admin/users/", "/admin/users/new", "/admin/audit/"])
def test_administration_pages_are_forbidden_to_everyone_else(
        client_for, url, secretary, commune_secretary, leader, viewer):
    for user in (secretary, commune_secretary, leader, viewer):
        response = client_for(user).get(url)
        assert response.status_code == 403, user.username
        assert "Bạn không có quyền truy cập" in response.get_data(as_text=True)


def test_only_administrators_see_the_administration_links(client_for, admin, secretary):
    assert "/admin/audit/" not in page(client_for(secretary), "/sessions/")
    assert "/admin/audit/" in page(client_for(admin), "/sessions/")


def test_an_out_of_scope_record_reads_as_missing_in_vietnamese(
        client_for, commune_secretary, sessions):
    response = client_for(commune_secretary).get(f"/sessions/{sessions['pleiku'].id}")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.get_data(as_text=True)


def test_scheduling_warnings_do_not_reveal_a_neighbours_session(
        client_for, commune_secretary, create_session, create_official):
    """A clash with a session she may not see is worth a warning, but not its title: the
    Phường Pleiku session must not appear on her pages, warnings included."""
    chair = create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")
    create_session(unit="Phường Pleiku", title=PLEIKU_TITLE, chair=chair,
                   starts_at=at("2026-12-10 08:00"), venue="Nhà văn hóa tổ 5")
    own = create_session(unit="Xã Ia Grai", title=IA_GRAI_TITLE, chair=chair,
                         starts_at=at("2026-12-10 08:00"), venue="Nhà văn hóa tổ 5",
                         by=commune_secretary)
    shown = page(client_for(commune_secretary), f"/sessions/{own.id}")
    assert "Lưu ý" in shown  # the clash is reported...
    assert PLEIKU_TITLE not in shown  # ...without the title of a session she cannot open
