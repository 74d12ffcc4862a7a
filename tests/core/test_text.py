"""Search ignores diacritics: what a secretary types without accents still finds the record."""

import pytest
import sqlalchemy as sa

from dialogue.core.text import fold, like_pattern
from dialogue.extensions import db


@pytest.mark.parametrize(("typed", "stored"), [
    ("dat dai", "Đất đai"),
    ("DAT DAI", "đất đai"),
    ("ia grai", "Xã Ia Grai"),
    ("nguyen ngoc luong", "Nguyễn Ngọc Lương"),
    ("ayun h’but", "Ayun H’Bút"),
    ("to chuc dang", "Tổ chức Đảng"),
])
def test_folded_query_matches_folded_text(typed, stored):
    assert fold(typed) in fold(stored)


def test_d_with_stroke_folds_to_d_in_both_cases():
    assert fold("Đ") == fold("đ") == "d"
    assert fold("ĐẮK ĐOA") == "dak doa"


def test_folding_removes_every_vietnamese_tone_and_vowel_mark():
    assert fold("Hội nghị đối thoại với Nhân dân") == "hoi nghi doi thoai voi nhan dan"
    assert fold("Ủy ban Mặt trận Tổ quốc") == "uy ban mat tran to quoc"


def test_folding_reads_decomposed_input_like_precomposed():
    """Text pasted from some sources arrives decomposed (NFD); it must still match."""
    decomposed = "Gia Lai, Phu\u031bo\u031b\u0300ng Pleiku"
    assert fold(decomposed) == fold("Gia Lai, Phường Pleiku") == "gia lai, phuong pleiku"


@pytest.mark.parametrize("typed", ["Ayun H'Bút", "ayun h’but", "Ayun H‘Bút", "Ayun Hʼbút"],
                         ids=["keyboard", "lower-case", "left-quote", "modifier-letter"])
def test_the_apostrophe_typed_on_a_keyboard_matches_the_typographic_one(typed):
    """Official names write H’Bút, M’Drắk, Ea H’Leo; keyboards type H'Bút."""
    assert fold(typed) == fold("Ayun H’Bút")


def test_folding_collapses_spaces_and_handles_nothing():
    assert fold("  Phường   Pleiku \n") == "phuong pleiku"
    assert fold("") == fold(None) == ""


def _matches(pattern: str, text: str) -> bool:
    return db.session.scalar(sa.select(sa.literal(text).like(pattern, escape="\\")))


def test_like_pattern_finds_the_query_anywhere_in_folded_text():
    assert _matches(like_pattern("Đất đai"), fold("Tranh chấp đất đai ở làng Dơ Nâu"))
    assert not _matches(like_pattern("đất đai"), fold("Xóa nhà tạm, nhà dột nát"))


@pytest.mark.parametrize(("typed", "unrelated"), [
    ("100%", "hỗ trợ 100 triệu đồng"),
    ("a_b", "axb"),
    ("\\", "đường dây nóng"),
])
def test_wildcards_typed_by_the_user_are_matched_literally(typed, unrelated):
    assert _matches(like_pattern(typed), fold(f"nội dung {typed} trong văn bản"))
    assert not _matches(like_pattern(typed), fold(unrelated))
