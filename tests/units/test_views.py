"""Finding administrative units in the browser and in the picker."""

from dialogue.units.models import Era


def test_picker_finds_a_commune_without_diacritics(client):
    suggestions = client.get("/units/search?q=ia grai").get_json()
    labels = [s["label"] for s in suggestions]
    assert "Xã Ia Grai" in labels
    assert "Huyện Ia Grai" in labels
    commune = next(s for s in suggestions if s["label"] == "Xã Ia Grai")
    assert commune["detail"] == "Tỉnh Gia Lai"


def test_picker_offers_only_units_valid_on_the_session_date(client):
    after = [s["label"] for s in client.get("/units/search?q=ia grai&on=02/03/2026").get_json()]
    before = [s["label"] for s in client.get("/units/search?q=ia grai&on=2024-10-15").get_json()]
    assert "Xã Ia Grai" in after and "Huyện Ia Grai" not in after
    assert "Huyện Ia Grai" in before and "Xã Ia Grai" not in before


def test_picker_is_bounded_and_survives_junk(client):
    assert len(client.get("/units/search?q=xa").get_json()) == 20
    assert client.get("/units/search?q=%25_%5C&on=99/99/9999").status_code == 200
    assert client.get("/units/search?era=bogus").status_code == 400


def test_unit_page_shows_its_place_in_both_structures(client, unit):
    legacy_province = unit("Tỉnh Gia Lai", Era.LEGACY)
    page = client.get(f"/units/{legacy_province.id}").get_data(as_text=True)
    assert "Huyện Chư Prông" in page  # its districts
    assert "Từ 01/07/2025 thuộc" in page
    assert "đến 30/06/2025" in page

    new_province = unit("Tỉnh Gia Lai")
    page = client.get(f"/units/{new_province.id}").get_data(as_text=True)
    assert "Hình thành từ" in page and "Tỉnh Bình Định" in page
    assert "Lên lịch phiên tại đơn vị này" in page


def test_unit_list_searches_by_name_in_an_era(client):
    page = client.get("/units/?q=chu prong&era=legacy").get_data(as_text=True)
    assert "Huyện Chư Prông" in page
    assert "Xã Chư Prông" not in client.get("/units/?q=chu prong&era=legacy&level=district")\
        .get_data(as_text=True)


def test_unknown_unit_is_a_404(client):
    assert client.get("/units/999999").status_code == 404
