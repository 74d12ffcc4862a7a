"""Printed documents (minutes, reports) laid out by WeasyPrint in the official style.

Everything the renderer may load is listed in ``assets``; any other URL (file://, http://,
data:, another scheme) is refused, so text typed by users can never pull in a file, a
stylesheet or an attachment even if it were not escaped.
"""

import atexit
import importlib.util
import shutil
import subprocess
from datetime import date
from functools import cache
from pathlib import Path
from threading import Lock

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "dialogue-asset"
ASSET_FOLDER = Path(__file__).resolve().parent / "assets"
#: The family every PDF falls back to: metric-compatible with Times New Roman and
#: complete for Vietnamese, shipped as a Python dependency.
FALLBACK_FONT = "TeX Gyre Termes"
_FONT_PACKAGE = "rinoh_typeface_texgyretermes"
_FONT_FACES = (("normal", "normal", "regular"), ("bold", "normal", "bold"),
               ("normal", "italic", "italic"), ("bold", "italic", "bolditalic"))
#: The font configuration is shared (made once per process) and Pango's font maps are not
#: safe to use from several threads at once: one layout at a time per process.
render_lock = Lock()


def _font_folder() -> Path:
    # find_spec locates the package without importing it (its __init__ needs rinohtype).
    spec = importlib.util.find_spec(_FONT_PACKAGE)
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def assets() -> dict[str, tuple[Path, str]]:
    """What the renderer may load: name → (file, media type)."""
    fonts = _font_folder()
    listed = {"document.css": (ASSET_FOLDER / "document.css", "text/css")}
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
            raise ValueError(f"the document renderer loads only its own assets, not {url!r}")
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


# The font configuration holds a Pango font map, freed by a cffi finalizer that calls into
# Pango. Left to the interpreter's teardown it may be freed only after WeasyPrint's module
# has dropped (dlclosed) the libraries (whenever a module still alive then, such as a
# session event listener's, reaches this module's globals): a segfault at exit. Free it
# while they are loaded.
atexit.register(fonts.cache_clear)


def date_line(place: str, day: date) -> str:
    """"Ia Grai, ngày 05 tháng 3 năm 2026": days below 10 and months 1 and 2 take a
    leading zero (Nghị định 30/2020, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def lay_out(html: str):
    """Lay out ``html`` in pages with the package's fonts (a WeasyPrint document); call it
    holding :data:`render_lock`."""
    config, stylesheet = fonts()
    return HTML(string=html, url_fetcher=AssetFetcher()).render(
        stylesheets=[stylesheet], font_config=config)
