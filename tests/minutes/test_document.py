"""The printed minutes as an archivist receives them: the PDF/A files themselves.

Everything here reads the generated PDF (text with pypdf, positions with pdfplumber, pixels
with pdfium), never the HTML it was made from: what counts is what is printed and filed.
Text is compared exactly, diacritics and apostrophes included, after collapsing whitespace:
the extracted text breaks lines wherever the layout did, inside sentences and table cells.

The two long documents (36 issues, ten pages or more) take seconds to render: they are made
once per run by the ``long_pdfs`` fixture and only read by the tests that use them.
"""

import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from functools import lru_cache

import pdfplumber
import pypdfium2
import pytest
import segno
from pypdf import PdfReader
from pypdf.generic import IndirectObject
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration

from dialogue.core import document as core_document
from dialogue.extensions import db
from dialogue.issues.operations import session_issues, update_issue
from dialogue.minutes import document
from dialogue.minutes.content import draft_pdf
from dialogue.minutes.models import MinutesTemplate
from dialogue.minutes.operations import (
    minutes_of,
    minutes_or_new,
    save_minutes,
    start_correction,
)
from dialogue.sessions.models import SessionStatus
from tests.helpers import normalised, page_count, page_texts, pdf_text

from .conftest import CONCLUSIONS

MM = 72 / 25.4
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
#: Nghị định 30/2020, Phụ lục I: top 20 mm, right 15 mm, bottom 20 mm, left 30 mm.
TOP, RIGHT, BOTTOM, LEFT = 20, 15, 20, 30
TOLERANCE = 0.5  # mm
CONTACT = "0905 123 456"  # the default contact of every issue the fixtures record
ACTION = ("Rà soát hồ sơ, cấp giấy chứng nhận quyền sử dụng đất cho các hộ đủ điều kiện ở "
          "làng Dơ Lâm.")


def missing(expected: list[str], text: str) -> list[str]:
    return [line for line in expected if normalised(line) not in text]


@lru_cache(maxsize=8)
def layout(pdf: bytes) -> tuple[dict, ...]:
    """Per page, the characters and the shapes (lines, rectangles, curves) pdfplumber finds,
    in points from the top left corner. Cached like ``page_texts``."""
    with pdfplumber.open(io.BytesIO(pdf)) as opened:
        return tuple({"chars": page.chars, "shapes": page.lines + page.rects + page.curves,
                      "words": page.extract_words()} for page in opened.pages)


def fonts_used(pdf: bytes) -> set[str]:
    """The font of every printed character, without the subset prefix (ABCDEF+)."""
    return {char["fontname"].split("+", 1)[-1] for page in layout(pdf) for char in page["chars"]}


_long_pdfs: dict[str, bytes] = {}


@pytest.fixture
def long_pdfs(long_session, draft, final) -> dict[str, bytes]:
    """{"draft": bytes, "final": bytes} of a 36-issue session; rendered once per run because
    each costs seconds, and read only: no test may depend on the rows they came from."""
    if not _long_pdfs:
        session = long_session()
        _long_pdfs["draft"] = draft_pdf(draft(session)).data
        _long_pdfs["final"] = bytes(final(session).pdf)
    return _long_pdfs


#: Minutes of a session at which nobody spoke, kept short: the draft fits on one page.
BRIEF = {"attendance": [("Nhân dân", 60)], "attendees": "", "recipients": "",
         "conclusions": "Giao các sở, ngành trả lời bằng văn bản."}


@pytest.fixture
def quiet_session(create_session, create_official):
    """A held session at which nobody spoke."""

    def create():
        return create_session(status=SessionStatus.HELD, chair=create_official(),
                              secretary=create_official(full_name="Phạm Thị Tố Hải",
                                                        position="Trưởng ban Dân vận Tỉnh ủy"))

    return create


# What is printed -----------------------------------------------------------------------------

def test_the_minutes_print_every_name_and_word_exactly_as_typed(held_session, final):
    revision = final(held_session())

    assert missing([
        "ỦY BAN NHÂN DÂN TỈNH GIA LAI",
        "Số: 01/BB-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Gia Lai, ngày 02 tháng 3 năm 2026",
        "BIÊN BẢN",
        "Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân",
        "1. Thời gian: bắt đầu lúc 08 giờ 00 phút, ngày 02/03/2026.",
        "2. Địa điểm: Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku",
        "3. Chủ trì: Nguyễn Ngọc Lương — Phó Bí thư Tỉnh ủy.",
        "4. Thư ký: Phạm Thị Tố Hải — Trưởng ban Dân vận Tỉnh ủy.",
        "5. Thành phần tham dự: 125 người, gồm:",
        "- Lãnh đạo tỉnh: 5 người;",
        "- Nhân dân: 120 người;",
        "- Ayun H’Bút, Phó Chủ tịch HĐND tỉnh;",
        "1. Bà Nguyễn Thị Tố Hải (Làng Dơ Lâm) – Kiến nghị, lĩnh vực Đất đai",
        "Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho 37 hộ dân làng Dơ Lâm đã sử "
        "dụng đất ổn định, không tranh chấp từ năm 1995.",
        "Trả lời của Bà Nguyễn Thị Thanh Lịch, Phó Chủ tịch UBND tỉnh:",
        "Giao Sở Nông nghiệp và Môi trường rà soát hồ sơ, cấp giấy cho các hộ đủ điều kiện "
        "trong quý II.",
        "2. Ông Rơ Châm Hyưn (Thôn Ia Mơr) – Kiến nghị",
        "Phản ánh đường liên thôn Ia Mơr xuống cấp, mùa mưa xe không đi được.",
        "UBND xã đã đưa tuyến đường vào kế hoạch sửa chữa năm 2026.",
        "IV. KẾT LUẬN CỦA CHỦ TRÌ HỘI NGHỊ",
        CONCLUSIONS,
        "Hội nghị kết thúc vào lúc 11 giờ 00 phút cùng ngày.",
        "THƯ KÝ (Ký, ghi rõ họ tên) Phạm Thị Tố Hải",
        "CHỦ TỌA (Ký, ghi rõ họ tên) Nguyễn Ngọc Lương",
        "Nơi nhận: - Thường trực Tỉnh ủy; - Các đại biểu dự hội nghị; - Lưu: VT, Hồ sơ.",
    ], pdf_text(revision.pdf)) == []


def test_each_commitment_reads_as_one_row_of_number_agency_action_and_deadline(
        held_session, final):
    # pypdf reads a table cell by cell, so a whole row comes out in one piece; a row cut by
    # a page break comes out in two, far apart.
    revision = final(held_session())

    row = f"1 1 Sở Nông nghiệp và Môi trường {ACTION} 30/04/2026"
    tables = [f"page {number}: {text[text.find('STT Ý kiến số'):][:150]}"
              for number, text in enumerate(page_texts(revision.pdf), 1)
              if "STT Ý kiến số" in text]
    assert row in pdf_text(revision.pdf), (
        "the commitment does not read as one row: the page break cuts its row, leaving the "
        "agency and deadline on one page and the action on the next under empty cells "
        f"({tables}); document.css should keep table rows whole: "
        "table.commitments tr { break-inside: avoid; }")


def test_a_citizens_contact_never_reaches_the_minutes(held_session, draft, final):
    session = held_session()
    drafted = draft_pdf(draft(session)).data
    revision = final(session)

    for text in (pdf_text(drafted), pdf_text(revision.pdf),
                 json.dumps(revision.content, ensure_ascii=False)):
        assert "".join(CONTACT.split()) not in "".join(text.split())


def test_party_minutes_carry_the_party_heading_and_number(held_session, final):
    session = held_session(unit="Xã Ia Grai")
    revision = final(session, template=MinutesTemplate.PARTY, parent_body="ĐẢNG BỘ TỈNH GIA LAI",
                     issuing_body="ĐẢNG ỦY XÃ IA GRAI", symbol="BB/ĐU", place_name="Ia Grai")
    text = pdf_text(revision.pdf)

    assert missing(["ĐẢNG BỘ TỈNH GIA LAI", "ĐẢNG ỦY XÃ IA GRAI", "Số 01-BB/ĐU",
                    "ĐẢNG CỘNG SẢN VIỆT NAM", "Ia Grai, ngày 02 tháng 3 năm 2026"], text) == []
    # A Party committee's document has neither the Quốc hiệu nor the Tiêu ngữ.
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" not in text
    assert "Độc lập - Tự do - Hạnh phúc" not in text
    assert "Số:" not in text


# Drafts and final copies ---------------------------------------------------------------------

def test_every_page_of_a_draft_is_marked_du_thao(long_pdfs):
    texts = page_texts(long_pdfs["draft"])

    assert len(texts) >= 10
    assert [number for number, text in enumerate(texts, 1) if "DỰ THẢO" not in text] == []


def test_no_page_of_the_final_minutes_is_marked_du_thao(long_pdfs):
    texts = page_texts(long_pdfs["final"])

    assert len(texts) >= 10
    assert [number for number, text in enumerate(texts, 1) if "DỰ THẢO" in text] == []


def _qr_modules(pdf: bytes, page_index: int, below: str, size: int) -> list[list[bool]]:
    """The dark modules of the ``size``×``size`` QR code drawn just above the line that
    starts with the word ``below``, read from the rendered page (so whatever way it was
    drawn, it is what a phone sees)."""
    page = layout(pdf)[page_index]
    word = next(w for w in page["words"] if w["text"] == below)
    marks = [shape for shape in page["shapes"]
             if shape["bottom"] <= word["top"] and word["top"] - shape["top"] < 25 * MM]
    assert marks, f"nothing is drawn above {below!r}"
    half_stroke = max(shape.get("linewidth") or 0 for shape in marks) / 2
    left = min(shape["x0"] for shape in marks)
    top = min(shape["top"] for shape in marks) - half_stroke
    module = (max(shape["x1"] for shape in marks) - left) / size
    scale = 8
    rendered = pypdfium2.PdfDocument(pdf)
    try:
        image = rendered[page_index].render(scale=scale).to_pil().convert("L")
    finally:
        rendered.close()
    return [[image.getpixel((round((left + (column + 0.5) * module) * scale),
                             round((top + (row + 0.5) * module) * scale))) < 128
             for column in range(size)] for row in range(size)]


def test_the_final_minutes_carry_their_verification_address_as_text_and_qr_code(
        held_session, final):
    revision = final(held_session())
    last = page_texts(revision.pdf)[-1]

    # Text extraction may put a space or a line break inside a long string of hex digits.
    found = re.search(r"(https?://\S+/verify/)((?:[0-9a-f]\s*){64})", last)
    assert found, f"the last page prints no verification address: …{last[-300:]!r}"
    address = found.group(1) + "".join(found.group(2).split())
    assert address.endswith(f"/verify/{revision.content_sha256}")
    expected = segno.make(address, error="m")
    printed = _qr_modules(revision.pdf, revision.pages - 1, "Xác", len(expected.matrix))
    assert printed == [[bool(module) for module in row] for row in expected.matrix]


def test_a_draft_carries_no_verification_address(held_session, draft):
    assert "/verify/" not in pdf_text(draft_pdf(draft(held_session())).data)


# The page ------------------------------------------------------------------------------------

def test_every_page_is_a4(long_pdfs):
    for kind, pdf in long_pdfs.items():
        for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx((A4_WIDTH, A4_HEIGHT), abs=0.5), f"{kind}, {number}"


def _outside_margins(page) -> list[str]:
    """What is printed outside the text area, the page number in the header apart."""
    low, high = (LEFT - TOLERANCE) * MM, (210 - RIGHT + TOLERANCE) * MM
    ceiling, floor = (TOP - TOLERANCE) * MM, (297 - BOTTOM + TOLERANCE) * MM
    stray = []
    for char in page["chars"]:
        in_header = char["bottom"] <= TOP * MM and char["text"].isdigit()
        if (char["x0"] < low or char["x1"] > high or char["bottom"] > floor
                or (char["top"] < ceiling and not in_header)):
            stray.append(f"{char['text']!r} at x {char['x0'] / MM:.1f}–{char['x1'] / MM:.1f} "
                         f"mm, y {char['top'] / MM:.1f}–{char['bottom'] / MM:.1f} mm")
    for shape in page["shapes"]:
        if (shape["x0"] < low or shape["x1"] > high or shape["top"] < ceiling
                or shape["bottom"] > floor):
            stray.append(f"a {shape['object_type']} at x {shape['x0'] / MM:.1f} mm, "
                         f"y {shape['top'] / MM:.1f} mm")
    return stray


def test_everything_is_printed_inside_the_margins_of_nghi_dinh_30(long_pdfs):
    for kind, pdf in long_pdfs.items():
        stray = {number: found for number, page in enumerate(layout(pdf), 1)
                 if (found := _outside_margins(page))}
        assert stray == {}, kind


def test_pages_are_numbered_at_the_top_centre_from_the_second_page(long_pdfs):
    centre = (LEFT + (210 - RIGHT)) / 2 * MM
    headers = [[char for char in page["chars"] if char["bottom"] <= TOP * MM]
               for page in layout(long_pdfs["final"])]

    assert headers[0] == [], "the first page carries no number"
    for number, chars in enumerate(headers[1:], 2):
        assert "".join(char["text"] for char in chars) == str(number)
        middle = (min(char["x0"] for char in chars) + max(char["x1"] for char in chars)) / 2
        assert middle == pytest.approx(centre, abs=2 * MM), f"page {number} is not centred"


@pytest.mark.parametrize(("copy", "expected"), [
    ("draft", 1),
    ("final", 1),  # the verification block sits beside "Nơi nhận"
])
def test_the_closing_line_states_the_real_page_count_of_short_minutes(
        copy, expected, quiet_session, draft, final):
    session = quiet_session()
    if copy == "draft":
        pdf = draft_pdf(draft(session, **BRIEF)).data
    else:
        revision = final(session, **BRIEF)
        pdf = revision.pdf
        assert revision.pages == page_count(pdf)

    assert page_count(pdf) == expected
    assert f"Biên bản gồm 0{expected} trang, được lập thành 02 bản." in pdf_text(pdf)



def test_a_draft_printed_before_its_first_save_keeps_its_own_page_count(
        held_session, quiet_session, minutes_details, secretary, monkeypatch):
    """Each layout costs a second: a draft printed again starts from its own last count,
    not from the count of another session's unsaved draft."""
    session, quiet = held_session(), quiet_session()
    longer = draft_pdf(minutes_or_new(session))
    assert longer.pages > 1
    assert draft_pdf(minutes_or_new(quiet)).pages == 1
    save_minutes(session, minutes_details(), by=secretary)
    db.session.commit()
    layouts = []
    original_lay_out = document.lay_out
    monkeypatch.setattr(document, "lay_out",
                        lambda html: layouts.append(html) or original_lay_out(html))

    again = draft_pdf(minutes_of(session))

    assert again.pages == longer.pages
    assert len(layouts) == 1

def test_the_closing_line_states_the_real_page_count_of_long_minutes(long_pdfs):
    for kind, pdf in long_pdfs.items():
        pages = page_count(pdf)
        assert pages >= 10, kind
        assert f"Biên bản gồm {pages} trang" in pdf_text(pdf), kind


# The file ------------------------------------------------------------------------------------

def _fonts_in(resources, seen: set):
    """Every font dictionary reachable from a page's resources, through form XObjects,
    patterns and Type 3 fonts' own resources."""
    if resources is None:
        return
    if isinstance(resources, IndirectObject):
        # Resources shared by several pages are read once.
        if (resources.idnum, resources.generation) in seen:
            return
        seen.add((resources.idnum, resources.generation))
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        yield font
        yield from _fonts_in(font.get("/Resources"), seen)
    for key in ("/XObject", "/Pattern"):
        for item in (resources.get(key) or {}).values():
            item = item.get_object()
            yield from _fonts_in(item.get("/Resources"), seen)


def _not_embedded(pdf: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    seen, fonts, bare = set(), 0, []
    for page in reader.pages:
        for font in _fonts_in(page.get("/Resources"), seen):
            fonts += 1
            if font["/Subtype"] == "/Type3":
                continue  # its glyphs are drawn by the font's own content streams
            described = font
            if font["/Subtype"] == "/Type0":
                described = font["/DescendantFonts"][0].get_object()
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor):
                bare.append(str(font.get("/BaseFont")))
    return fonts, bare


def test_every_font_is_embedded(held_session, draft, final):
    session = held_session()
    for pdf in (draft_pdf(draft(session)).data, final(session).pdf):
        fonts, bare = _not_embedded(pdf)
        assert fonts > 0
        assert bare == []


def test_without_times_new_roman_the_minutes_are_set_in_the_bundled_tex_gyre_termes(
        held_session, draft):
    # The renderer promises Times New Roman or, where it is missing, the TeX Gyre Termes it
    # ships: never whatever the server's fontconfig substitutes (Liberation Serif 1.x, for
    # one, has no Vietnamese).
    if core_document.times_new_roman_installed():
        pytest.skip("Times New Roman is installed here, and fontconfig finds it regardless")

    used = fonts_used(draft_pdf(draft(held_session())).data)
    assert used and all(name.startswith("TeX-Gyre-Termes") for name in used), (
        f"the minutes are set in {sorted(used)}, not the bundled TeX Gyre Termes: "
        "fonts() builds its CSS without a FontConfiguration, so WeasyPrint drops "
        "its @font-face rules, and its `html { font-family }` is a user stylesheet, which "
        "document.css's own font-family (\"Times New Roman\" first, aliased by fontconfig) "
        "overrides")


_PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def test_the_file_declares_itself_pdf_a_3b(held_session, final):
    reader = PdfReader(io.BytesIO(final(held_session()).pdf))
    root = reader.trailer["/Root"]
    xmp = ET.fromstring(root["/Metadata"].get_object().get_data())

    declared = {}
    for element in xmp.iter():
        declared.update({key[len(_PDFAID):]: value for key, value in element.attrib.items()
                         if key.startswith(_PDFAID)})
        if element.tag.startswith(_PDFAID):
            declared[element.tag[len(_PDFAID):]] = (element.text or "").strip()
    assert declared.get("part") == "3"
    assert declared.get("conformance") == "B"
    # PDF/A also needs the colour space the pages are meant for.
    assert [intent.get_object()["/S"] for intent in root["/OutputIntents"]] == ["/GTS_PDFA1"]


def test_a_filed_pdf_is_served_byte_for_byte_whatever_changes_afterwards(
        held_session, final, client, secretary, issue_details, monkeypatch, tmp_path):
    session = held_session()
    revision = final(session)
    filed, filed_sha256, session_id = bytes(revision.pdf), revision.pdf_sha256, session.id

    # What the filed copy was made from changes: a correction reopens the issues, the
    # session is renamed and moved…
    minutes = minutes_of(session)
    start_correction(minutes, reason="Ghi sai tên người phát biểu.", by=secretary)
    first = session_issues(session)[0]
    update_issue(first, issue_details(content="Nội dung đã đính chính."), by=secretary,
                 expected_version=None)
    session.title = "Hội nghị đối thoại (tên mới)"
    session.venue = "Nhà văn hóa xã Ia Grai"
    session.ends_at += timedelta(hours=1)
    db.session.commit()
    # …and so do the template, the stylesheet and the fonts, as in an upgrade.
    original_render_html = document.render_html
    monkeypatch.setattr(document, "render_html", lambda *args, **kwargs: original_render_html(
        *args, **kwargs).replace("</body>", "<p>Mẫu mới của biên bản.</p></body>"))
    stylesheet = tmp_path / "document.css"
    stylesheet.write_text(core_document.assets()["document.css"][0].read_text(encoding="utf-8")
                          + 'h1::after { content: " (kiểu mới)"; }\n', encoding="utf-8")
    listed = {**core_document.assets(), "document.css": (stylesheet, "text/css")}
    monkeypatch.setattr(core_document, "assets", lambda: listed)
    other_fonts = FontConfiguration()
    monkeypatch.setattr(core_document, "fonts", lambda: (other_fonts, CSS(
        string='html { font-family: "DejaVu Sans" !important; }', font_config=other_fonts)))
    # The changes are real: a draft made now shows every one of them.
    fresh = draft_pdf(minutes_of(session)).data
    assert missing(["Hội nghị đối thoại (tên mới)", "Nhà văn hóa xã Ia Grai",
                    "Nội dung đã đính chính.", "Mẫu mới của biên bản.", "BIÊN BẢN (kiểu mới)"],
                   pdf_text(fresh)) == []
    assert any(name.startswith("DejaVu") for name in fonts_used(fresh))

    response = client.get(f"/sessions/{session_id}/minutes.pdf")

    assert response.status_code == 200
    assert response.data == filed
    assert hashlib.sha256(response.data).hexdigest() == filed_sha256
    assert response.headers["ETag"] == f'"{filed_sha256}"'
