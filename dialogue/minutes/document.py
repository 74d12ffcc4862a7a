"""The minutes as a document: HTML from a frozen content dict, and PDF/A from that HTML
(laid out by :mod:`dialogue.core.document`, which loads nothing but the package's assets)."""

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import segno
from flask import render_template

from ..core.document import lay_out, render_lock
from ..core.web import public_url


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


def render_pdf(content: dict, *, draft: bool, verification: str | None = None,
               guess_key=None, first_guess=None) -> RenderedPdf:
    """The PDF/A-3b of the minutes, with the page count printed in its closing line.

    ``first_guess`` names another document whose page count to start from when this one
    has none yet (a final starts from its draft)."""
    with render_lock:
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
