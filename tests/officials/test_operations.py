"""The list of officials who chair and record sessions."""

import pytest

from dialogue.accounts.models import Role
from dialogue.audit.operations import history
from dialogue.core.errors import StaleEdit, UserError
from dialogue.extensions import db
from dialogue.officials.models import Official
from dialogue.officials.operations import (
    add_official,
    link_account,
    search_officials,
    set_archived,
    update_official,
)


@pytest.fixture
def found(secretary):
    """``found(query, **options)``: the names the provincial secretary of Gia Lai finds."""

    def search(query: str, **options) -> list[str]:
        return [o.full_name for o in db.session.scalars(
            search_officials(query, user=secretary, **options))]

    return search


@pytest.fixture
def gia_lai_officials(create_official):
    create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")
    create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")
    create_official(full_name="Ayun H’Bút", position="Phó Chủ tịch HĐND tỉnh")
    create_official(full_name="Rơ Mah Tuấn", position="Bí thư Đảng ủy xã Ia Grai",
                    unit="Xã Ia Grai")


def test_adding_an_official_trims_what_was_typed(unit, secretary):
    official = add_official("  Phạm Thị Tố Hải ", " Trưởng ban Dân vận Tỉnh ủy  ",
                            unit("Tỉnh Gia Lai"), by=secretary)
    db.session.commit()

    assert (official.full_name, official.position) == ("Phạm Thị Tố Hải",
                                                       "Trưởng ban Dân vận Tỉnh ủy")
    assert official.label == "Phạm Thị Tố Hải — Trưởng ban Dân vận Tỉnh ủy"
    assert official.unit.name == "Tỉnh Gia Lai"


@pytest.mark.usefixtures("gia_lai_officials")
@pytest.mark.parametrize(("typed", "expected"), [
    ("nguyen ngoc luong", ["Nguyễn Ngọc Lương"]),
    ("NGỌC LƯƠNG", ["Nguyễn Ngọc Lương"]),
    ("to hai", ["Phạm Thị Tố Hải"]),
    ("dan van", ["Phạm Thị Tố Hải"]),
    ("h’but", ["Ayun H’Bút"]),
    ("ayun h'but", ["Ayun H’Bút"]),  # the apostrophe of a keyboard
    ("hdnd", ["Ayun H’Bút"]),
    ("dang uy xa", ["Rơ Mah Tuấn"]),
    ("le duan", []),
])
def test_officials_are_found_by_name_or_position_without_accents(typed, expected, found):
    assert found(typed) == expected


@pytest.mark.usefixtures("gia_lai_officials")
def test_search_within_a_unit_includes_the_units_under_it(unit, found):
    province = found("", unit=unit("Tỉnh Gia Lai"))
    assert sorted(province) == sorted(["Nguyễn Ngọc Lương", "Phạm Thị Tố Hải", "Ayun H’Bút",
                                       "Rơ Mah Tuấn"])
    assert found("", unit=unit("Xã Ia Grai")) == ["Rơ Mah Tuấn"]
    assert found("", unit=unit("Phường Pleiku")) == []


@pytest.mark.usefixtures("gia_lai_officials")
def test_search_keeps_to_the_limit(found):
    assert len(found("", limit=2)) == 2


def test_an_archived_official_leaves_the_pickers_until_restored(create_official, secretary,
                                                               found):
    official = create_official(full_name="Ayun H’Bút", position="Phó Chủ tịch HĐND tỉnh")

    set_archived(official, True, by=secretary)
    db.session.commit()
    assert official.archived_at is not None
    assert found("ayun") == []
    assert found("ayun", include_archived=True) == ["Ayun H’Bút"]

    set_archived(official, False, by=secretary)
    db.session.commit()
    assert found("ayun") == ["Ayun H’Bút"]


def test_an_archived_chair_still_shows_on_the_sessions_they_chaired(create_official,
                                                                    create_session, secretary):
    chair = create_official()
    session = create_session(chair=chair)

    set_archived(chair, True, by=secretary)
    db.session.commit()

    assert session.chair_label == "Nguyễn Ngọc Lương — Phó Bí thư Tỉnh ủy"


def test_an_edit_renames_and_is_found_under_the_new_name(create_official, unit, secretary,
                                                        found):
    official = create_official(full_name="Nguyen Thai Binh", position="Phó Trưởng ban")

    update_official(official, full_name=" Nguyễn Thái Bình ",
                    position="Phó Trưởng ban Thường trực Ban Dân vận Tỉnh ủy",
                    unit=unit("Tỉnh Gia Lai"), by=secretary, expected_version=official.version)
    db.session.commit()

    assert official.full_name == "Nguyễn Thái Bình"
    assert found("thuong truc") == ["Nguyễn Thái Bình"]


def test_an_edit_from_a_form_opened_before_another_save_is_refused(create_official, unit,
                                                                  secretary):
    official = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận")
    opened_at_version = official.version
    update_official(official, full_name="Phạm Thị Tố Hải",
                    position="Trưởng ban Dân vận Tỉnh ủy", unit=unit("Tỉnh Gia Lai"),
                    by=secretary, expected_version=opened_at_version)
    db.session.commit()

    with pytest.raises(StaleEdit):
        update_official(official, full_name="Phạm Thị Hải", position="Trưởng ban",
                        unit=unit("Xã Ia Grai"), by=secretary,
                        expected_version=opened_at_version)
    db.session.rollback()

    saved = db.session.get(Official, official.id)
    assert (saved.full_name, saved.position, saved.unit.name) == (
        "Phạm Thị Tố Hải", "Trưởng ban Dân vận Tỉnh ủy", "Tỉnh Gia Lai")


# Which account is an official's own --------------------------------------------------------

def test_an_administrator_links_an_officials_account_and_the_trail_says_so(
        create_official, create_user, admin):
    official = create_official(full_name="Phạm Thị Tố Hải",
                               position="Trưởng ban Dân vận Tỉnh ủy")
    account = create_user("lanhdao", Role.LEADER, "Tỉnh Gia Lai", full_name="Phạm Thị Tố Hải")

    link_account(official, " LanhDao ", by=admin)
    db.session.commit()

    assert official.account == account
    entry = history("official", official.id)[-1]
    assert entry.changes == {"account": ["", "lanhdao"]}
    link_account(official, "", by=admin)
    db.session.commit()
    assert official.account is None


def test_an_unknown_or_taken_account_is_refused_beside_the_field(
        create_official, create_user, admin):
    first = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")
    second = create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")
    create_user("lanhdao", Role.LEADER, "Tỉnh Gia Lai")
    link_account(first, "lanhdao", by=admin)
    db.session.commit()

    with pytest.raises(UserError, match="Không có tài khoản") as unknown:
        link_account(second, "khong.co", by=admin)
    with pytest.raises(UserError, match="đã gắn với một cán bộ khác") as taken:
        link_account(second, "lanhdao", by=admin)
    db.session.rollback()
    assert (unknown.value.field, taken.value.field) == ("account", "account")
    assert second.account is None


def test_only_an_administrator_links_accounts(create_official, create_user, secretary):
    official = create_official()
    create_user("lanhdao", Role.LEADER, "Tỉnh Gia Lai")
    with pytest.raises(UserError):
        link_account(official, "lanhdao", by=secretary)
    db.session.rollback()
    assert official.account is None
