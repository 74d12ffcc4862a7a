"""The minutes as a document: HTML from a frozen content dict, and PDF/A from that HTML.

Everything the renderer may load is listed in ``ASSETS``; any other URL (file://, http://,
data:, another scheme) is refused, so text typed by users can never pull in a file, a
stylesheet or an attachment even if it were not escaped.
"""

import importlib.util
import shutil
import subprocess
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Lock

import segno
from flask import render_template
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..core.web import public_url

ASSET_SCHEME = "dialogue-asset"
_HERE = Path(__file__).resolve().parent
#: The family every PDF falls back to: metric-compatible with Times New Roman and
#: complete for Vietnamese, shipped as a Python dependency.
FALLBACK_FONT = "TeX Gyre Termes"
_FONT_PACKAGE = "rinoh_typeface_texgyretermes"
_FONT_FACES = (("normal", "normal", "regular"), ("bold", "normal", "bold"),
               ("normal", "italic", "italic"), ("bold", "italic", "bolditalic"))


def _font_folder() -> Path:
    # find_spec locates the package without importing it (its __init__ needs rinohtype).
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def assets() -> dict[str, tuple[Path, str]]:
    """What the renderer may load: name → (file, media type)."""
    fonts = _font_folder()
    listed = {"document.css": (_HERE / "assets" / "document.css", "text/css")}
    for *_style, name in _FONT_FACES:
        listed[f"fonts/texgyretermes-{name}.otf"] = (
            fonts / f"texgyretermes-{name}.otf", "font/otf")
    return listed


class AssetFetcher(URLFetcher):
    """Serves the package's own stylesheet and fonts, and refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols=(ASSET_SCHEME,), allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme, _sep, name = url.partition(":")
        listed = assets().get(name) if scheme == ASSET_SCHEME else None
        if listed is None:
            self.refused.append(url)
            raise ValueError(f"the minutes renderer loads only its own assets, not {url!r}")
        path, media_type = listed
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


@cache
def times_new_roman_installed() -> bool:
    """Whether the real Times New Roman is installed (fc-list, unlike fc-match, does not
    answer with a metric alias such as Liberation Serif 1.x, which lacks Vietnamese)."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":family=Times New Roman", "family"],
                            capture_output=True, text=True, check=False).stdout
    return bool(listed.strip())


@cache
def fonts() -> tuple[FontConfiguration, CSS]:
    """The font configuration and the stylesheet that loads the family into it.

    WeasyPrint only honours @font-face rules of a stylesheet made with a FontConfiguration,
    the same one the render is given; both are made once per process.
    """
    config = FontConfiguration()
    if times_new_roman_installed():
        family = '"Times New Roman"'
        faces = ""
    else:
        family = f'"{FALLBACK_FONT}"'
        faces = "".join(
            f'@font-face {{ font-family: {family}; font-weight: {weight}; font-style: {style};'
            f' src: url("{ASSET_SCHEME}:fonts/texgyretermes-{name}.otf"); }}\n'
            for weight, style, name in _FONT_FACES)
    stylesheet = CSS(string=f"{faces}html {{ font-family: {family}; }}\n"
                            f"@page {{ @top-center {{ font-family: {family}; }} }}\n",
                     url_fetcher=AssetFetcher(), font_config=config)
    return config, stylesheet


def font_stylesheet() -> CSS:
    return fonts()[1]


def verify_url(code: str) -> str:
    """The public address printed (as text and QR code) on a final PDF: from the
    configuration, never from the request, whose Host header a client chooses."""
    return public_url("verify.verify", code=code)


def render_html(content: dict, *, pages: int, draft: bool, verification: str | None = None,
                for_pdf: bool = True) -> str:
    qr = None
    if verification:
        qr = segno.make(verification, error="m").svg_inline(scale=2, border=0)
    return render_template("minutes/document.html", doc=content, pages=pages, draft=draft,
                           verification=verification, qr=qr, for_pdf=for_pdf)


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


class _PageGuesses:
    """The last page count of each document, so the "gồm N trang" line is right on the
    first layout almost every time (a wrong guess costs one more layout)."""

    def __init__(self, size: int = 2000):
        self._counts: OrderedDict = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, key, default: int = 1) -> int:
        with self._lock:
            return self._counts.get(key, default)

    def put(self, key, pages: int) -> None:
        with self._lock:
            self._counts[key] = pages
            self._counts.move_to_end(key)
            while len(self._counts) > self._size:
                self._counts.popitem(last=False)


_page_guesses = _PageGuesses()
#: The font configuration is shared (made once per process) and Pango's font maps are not
#: safe to use from several threads at once: one render at a time per process.
_render_lock = Lock()


def lay_out(html: str):
    """Lay out ``html`` in pages with the package's fonts (a WeasyPrint document)."""
    config, stylesheet = fonts()
    return HTML(string=html, url_fetcher=AssetFetcher()).render(
        stylesheets=[stylesheet], font_config=config)


def render_pdf(content: dict, *, draft: bool, verification: str | None = None,
               guess_key=None, first_guess=None) -> RenderedPdf:
    """The PDF/A-3b of the minutes, with the page count printed in its closing line.

    ``first_guess`` names another document whose page count to start from when this one
    has none yet (a final starts from its draft)."""
    with _render_lock:
        return _render_pdf(content, draft=draft, verification=verification,
                           guess_key=guess_key, first_guess=first_guess)


def _render_pdf(content, *, draft, verification, guess_key, first_guess) -> RenderedPdf:
    pages = _page_guesses.get(guess_key, _page_guesses.get(first_guess))
    # A longer count can push a line over a page end; a few tries settle it.
    for _attempt in range(4):
        html = render_html(content, pages=pages, draft=draft, verification=verification)
        document = lay_out(html)
        if len(document.pages) == pages:
            break
        pages = len(document.pages)
    else:
        raise RuntimeError(f"the page count of the minutes does not settle ({pages} last)")
    _page_guesses.put(guess_key, pages)
    return RenderedPdf(document.write_pdf(pdf_variant="pdf/a-3b"), pages)
