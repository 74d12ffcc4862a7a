"""The official lists of administrative units, before and after the reform of 01/07/2025."""

from datetime import date

import pytest
import sqlalchemy as sa

from dialogue.extensions import db
from dialogue.units.models import Era, Unit, UnitLevel, UnitSuccession
from dialogue.units.operations import import_units, search_units, within

P, D, C = UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE
L, N = Era.LEGACY, Era.Y2025

#: Gia Lai after the reform (135 communes) and the two provinces it was made of:
#: Bình Định (11 districts, 155 communes) and the old Gia Lai (17 districts, 218 communes).
GIA_LAI_COUNTS = {(L, P): 2, (L, D): 11 + 17, (L, C): 155 + 218, (N, P): 1, (N, C): 135}


def _counts() -> dict:
    rows = db.session.execute(
        sa.select(Unit.era, Unit.level, sa.func.count()).group_by(Unit.era, Unit.level))
    return {(era, level): count for era, level, count in rows}


def _count_within(unit: Unit) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(within(unit)))


def test_gia_lai_is_loaded_with_its_units_in_both_eras():
    assert _counts() == GIA_LAI_COUNTS
    legacy_provinces = db.session.scalars(
        sa.select(Unit.name).where(Unit.era == L, Unit.level == P).order_by(Unit.code))
    assert list(legacy_provinces) == ["Tỉnh Bình Định", "Tỉnh Gia Lai"]


def test_importing_again_creates_and_updates_nothing():
    result = import_units([L, N], province_code=52)
    db.session.commit()

    assert (result.created, result.updated, result.successions_created) == (0, 0, 0)
    assert dict(result.loaded) == GIA_LAI_COUNTS
    assert _counts() == GIA_LAI_COUNTS


def test_importing_again_repairs_a_unit_changed_by_hand(unit):
    ia_grai = unit("Xã Ia Grai")
    ia_grai.name = "Xã Ia Grai (sửa tay)"
    db.session.flush()

    result = import_units([L, N], province_code=52)

    assert (result.created, result.updated) == (0, 1)
    assert ia_grai.name == "Xã Ia Grai"
    assert ia_grai.name_folded == "xa ia grai"
    db.session.rollback()


def test_codes_are_kept_apart_by_era(unit):
    """Code 52 was Bình Định before the reform and is Gia Lai after it."""
    old, new = unit("Tỉnh Bình Định", L), unit("Tỉnh Gia Lai", N)
    assert old.code == new.code == 52
    assert unit("Tỉnh Gia Lai", L).code == 64


def test_units_know_their_parent_and_province(unit):
    chu_prong = unit("Huyện Chư Prông", L)
    ia_kly = unit("Xã Ia Kly", L, parent="Huyện Chư Prông")
    ia_grai = unit("Xã Ia Grai")

    assert chu_prong.parent == chu_prong.province == unit("Tỉnh Gia Lai", L)
    assert ia_kly.parent == chu_prong
    assert ia_kly.province == unit("Tỉnh Gia Lai", L)
    assert ia_kly.full_name == "Xã Ia Kly, Huyện Chư Prông, Tỉnh Gia Lai"
    assert ia_grai.parent == ia_grai.province == unit("Tỉnh Gia Lai", N)
    assert ia_grai.full_name == "Xã Ia Grai, Tỉnh Gia Lai"


def test_both_legacy_provinces_became_the_new_gia_lai(unit):
    new_gia_lai = unit("Tỉnh Gia Lai", N)

    assert unit("Tỉnh Gia Lai", L).successors == [new_gia_lai]
    assert unit("Tỉnh Bình Định", L).successors == [new_gia_lai]
    assert {u.name for u in new_gia_lai.predecessors} == {"Tỉnh Bình Định", "Tỉnh Gia Lai"}


def test_legacy_communes_lead_to_the_2025_commune_that_took_them_over(unit):
    ia_grai = unit("Xã Ia Grai")

    assert unit("Thị trấn Ia Kha", L).successors == [ia_grai]
    assert [u.full_name for u in ia_grai.predecessors] == [
        "Thị trấn Ia Kha, Huyện Ia Grai, Tỉnh Gia Lai",
        "Xã Ia Bă, Huyện Ia Grai, Tỉnh Gia Lai",
        "Xã Ia Grăng, Huyện Ia Grai, Tỉnh Gia Lai",
    ]


def test_a_split_commune_leads_to_each_part_marked_partial(unit):
    an_nghia = unit("Xã An Nghĩa", L, parent="Huyện An Lão")

    assert {u.name for u in an_nghia.successors} == {"Xã An Toàn", "Xã An Hòa"}
    partial = db.session.scalars(sa.select(UnitSuccession.is_partial).where(
        UnitSuccession.predecessor_id == an_nghia.id))
    assert list(partial) == [True, True]
    whole = db.session.scalar(sa.select(UnitSuccession.is_partial).where(
        UnitSuccession.predecessor_id == unit("Thị trấn Ia Kha", L).id))
    assert whole is False


def test_legacy_units_end_on_30_06_2025_and_new_ones_start_on_01_07_2025(unit):
    district, commune = unit("Huyện Đức Cơ", L), unit("Phường Pleiku")

    assert (district.valid_from, district.valid_to) == (None, date(2025, 6, 30))
    assert (commune.valid_from, commune.valid_to) == (date(2025, 7, 1), None)
    assert district.is_valid_on(date(2025, 6, 30)) and not district.is_valid_on(date(2025, 7, 1))
    assert commune.is_valid_on(date(2025, 7, 1)) and not commune.is_valid_on(date(2025, 6, 30))
    eras = db.session.execute(sa.select(Unit.era, Unit.valid_from, Unit.valid_to).distinct())
    assert set(eras) == {(L, None, date(2025, 6, 30)), (N, date(2025, 7, 1), None)}


@pytest.mark.parametrize("typed", ["ia grai", "IA GRAI", "Ia Grai", "xã ia grai", "a gra"])
def test_search_ignores_accents_and_case(typed):
    found = search_units(typed, era=N)
    assert "Xã Ia Grai" in [u.name for u in found]


def test_search_offers_the_unit_valid_on_the_session_date():
    assert {(u.name, u.era) for u in search_units("ia grai")} == {
        ("Huyện Ia Grai", L), ("Xã Ia Grai", N)}
    assert [u.name for u in search_units("ia grai", valid_on=date(2026, 3, 2))] == ["Xã Ia Grai"]
    assert [u.name for u in search_units("ia grai", valid_on=date(2024, 12, 4))] == [
        "Huyện Ia Grai"]


def test_search_narrows_by_level_and_lists_provinces_first():
    assert [u.level for u in search_units("gia lai", era=L)] == [P]
    found = search_units("nh", era=L, limit=100)
    levels = [u.level for u in found]
    assert levels == sorted(levels, key=[P, D, C].index)
    assert {P, D, C} <= set(levels)
    districts = search_units("nh", era=L, level=D)
    assert districts
    assert all(u.level is D for u in districts)


def test_search_keeps_to_the_limit():
    assert len(search_units("xa", era=N, limit=5)) == 5


def test_within_a_province_covers_all_its_districts_and_communes(unit):
    assert _count_within(unit("Tỉnh Gia Lai", L)) == 1 + 17 + 218
    assert _count_within(unit("Tỉnh Bình Định", L)) == 1 + 11 + 155
    # The 2025 province also covers the two legacy provinces it succeeded, with theirs.
    assert _count_within(unit("Tỉnh Gia Lai", N)) == (1 + 135) + (1 + 17 + 218) + (1 + 11 + 155)


def test_within_a_district_covers_its_communes_only(unit):
    chu_prong = unit("Huyện Chư Prông", L)
    names = set(db.session.scalars(sa.select(Unit.name).where(within(chu_prong))))

    assert len(names) == 1 + len(chu_prong.children) == 21
    assert {"Huyện Chư Prông", "Thị trấn Chư Prông", "Xã Ia Kly"} <= names
    assert "Xã Ia Dom" not in names  # Huyện Đức Cơ


def test_within_a_commune_is_the_commune_and_the_communes_it_succeeded(unit):
    ia_grai = unit("Xã Ia Grai")
    found = list(db.session.scalars(sa.select(Unit).where(within(ia_grai))))
    assert ia_grai in found
    assert {u.era for u in found if u != ia_grai} == {Era.LEGACY}
    assert {u.id for u in found} == {ia_grai.id} | {u.id for u in ia_grai.predecessors}


def test_full_country_import_prints_the_official_totals(scratch_app):
    """63 provinces, 696 districts, 10.051 communes before the reform; 34 and 3.321 after."""
    with scratch_app.app_context():
        runner = scratch_app.test_cli_runner()
        result = runner.invoke(args=["units", "import", "--era", "all"])

        assert result.exit_code == 0, result.output
        assert "Trước 01/07/2025 (3 cấp): cấp tỉnh 63, cấp huyện 696, cấp xã 10.051" \
            in result.output
        assert "Từ 01/07/2025 (2 cấp): cấp tỉnh 34, cấp xã 3.321" in result.output
        counts = _counts()
        assert counts == {(L, P): 63, (L, D): 696, (L, C): 10_051, (N, P): 34, (N, C): 3_321}
        legacy_hanoi = db.session.scalar(sa.select(Unit).where(
            Unit.era == L, Unit.level == P, Unit.code == 1))
        assert [u.name for u in legacy_hanoi.successors] == ["Thành phố Hà Nội"]

        again = runner.invoke(args=["units", "import", "--era", "all"])
        assert again.exit_code == 0, again.output
        assert "Tạo mới 0, cập nhật 0, liên kết kế thừa mới 0." in again.output
        assert _counts() == counts


def test_one_era_of_one_province_can_be_imported_alone(scratch_app):
    with scratch_app.app_context():
        result = scratch_app.test_cli_runner().invoke(
            args=["units", "import", "--era", "legacy", "--province", "64"])

        assert result.exit_code == 0, result.output
        assert "Trước 01/07/2025 (3 cấp): cấp tỉnh 1, cấp huyện 17, cấp xã 218" in result.output
        assert _counts() == {(L, P): 1, (L, D): 17, (L, C): 218}
        assert db.session.scalar(sa.select(sa.func.count()).select_from(UnitSuccession)) == 0
