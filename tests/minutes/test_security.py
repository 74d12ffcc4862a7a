"""Whatever is typed into a session, its issues and its minutes, the minutes renderer loads
nothing and embeds nothing: no local file, no network resource, no attachment.

Every payload points either at a local file or at ``listener``, an HTTP server on 127.0.0.1
started by the test, which records every connection it accepts (even one that never becomes
an HTTP request, such as a TLS handshake). Nothing here talks to any other address.
"""

import io
import itertools
import re
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from markupsafe import escape
from pypdf import PdfReader

from dialogue.core import document as core_document
from dialogue.extensions import db
from dialogue.issues.models import IssueKind, IssueOutcome
from dialogue.minutes.operations import minutes_of, start_correction
from dialogue.sessions.models import ParticipantRole, SessionFormat
from tests.helpers import pdf_text

# Listener --------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(f"{self.command} {self.path}")
        # A body a renderer would happily use, were it ever asked.
        body = b"body { background: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_HEAD = do_GET

    def log_message(self, format, *args):
        pass


class _Listener(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.connections: list = []
        self.requests: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verify_request(self, request, client_address):
        self.connections.append(client_address)
        return True


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    # A proxy from the environment would carry a request somewhere else than 127.0.0.1.
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every connection and request it gets."""
    server = _Listener()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    # It does hear requests: "it got none" below means something.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{server.base}/ready", timeout=5) as answer:
        assert answer.status == 200
    assert server.requests == ["GET /ready"]
    server.connections.clear()
    server.requests.clear()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def asked(monkeypatch) -> list[str]:
    """Every URL the minutes renderer asks its fetcher for, allowed or refused."""
    urls: list[str] = []

    class SpyingFetcher(core_document.AssetFetcher):
        def fetch(self, url, headers=None):
            urls.append(url)
            return super().fetch(url, headers)

    monkeypatch.setattr(core_document, "AssetFetcher", SpyingFetcher)
    return urls


# Payloads --------------------------------------------------------------------------------------

def payloads(base: str) -> list[str]:
    """Markup that would load a local file or a URL of ``base``, or embed one, if a renderer
    ever took it for markup."""
    return [
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
        '<img src="file:///etc/hostname">',
        f'<link rel="stylesheet" href="{base}/x.css">',
        f'<img src="{base}/i.png">',
        '<object data="file:///etc/passwd"></object>',
        f"<style>@import url({base}/y.css)</style>",
        '<svg><image href="file:///etc/hostname"/></svg>',
        f'<a rel="attachment" href="{base}/a.txt">a</a>',
        f'<iframe src="{base}/f.html"></iframe>',
        f'<embed src="{base}/e.svg">',
        f'<base href="{base}/"><img src="b.png">',
        f"<style>@font-face {{ font-family: x; src: url({base}/f.ttf) }}</style>",
        f'<p style="background: url({base}/bg.png)">p</p>',
        f'<img srcset="{base}/s.png 2x">',
        f'<svg><use href="{base}/u.svg#a"/></svg>',
        "<![CDATA[<img src=file:///etc/hostname>]]>",
    ]


def fitting(texts: list[str], limit: int, start: int = 0) -> str:
    """As many of ``texts`` as fit a column of ``limit`` characters, from ``start`` on; at
    least the shortest one."""
    chosen = ""
    for text in texts[start:] + texts[:start]:
        if len(chosen) + len(text) <= limit:
            chosen += text
    return chosen or min(texts, key=len)


@pytest.fixture
def hostile_session(held_session, record, commit_to, draft):
    """``hostile_session(base)``: a held session with payloads in every text field of the
    session, of an issue and its commitment, and of its saved draft minutes."""

    def create(base: str):
        every = payloads(base)
        everything = "\n".join(every)
        columns = itertools.count()

        def column(limit: int) -> str:
            # Rotated: each column starts with another payload.
            return fitting(every, limit, next(columns) % len(every))

        session = held_session(
            title=column(300), venue=column(300), topic=everything, agenda=everything,
            format=SessionFormat.HYBRID, chair=None, chair_name=column(200), secretary=None,
            secretary_name=column(200),
            connection_points=[(column(200), column(300)), (column(200), column(300))],
            participants=[(column(120), ParticipantRole.LEADER, column(200), ""),
                          (column(120), ParticipantRole.CITIZEN_REPRESENTATIVE, column(200), "")])
        issue = record(session, raised_by=column(200), locality=column(200),
                       contact=column(300), kind=IssueKind.COMPLAINT, content=everything,
                       answered_by=column(300), answer=everything,
                       outcome=IssueOutcome.FOLLOW_UP)
        commit_to(issue, agency_name=column(300), action=everything)
        draft(session, parent_body=column(200), issuing_body=column(200), symbol=column(40),
              place_name=column(100), attendance=[(column(200), 3), (column(200), 40)],
              attendees=everything, conclusions=everything, signing_note=everything,
              recipients=everything)
        return session

    return create


def _pdf_leaks(pdf: bytes) -> list[str]:
    """What in the file would be an embedded or attached file."""
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    leaks = []
    if reader.attachments:
        leaks.append(f"attachments {sorted(reader.attachments)}")
    if "/EmbeddedFiles" in (root.get("/Names") or {}):
        leaks.append("/EmbeddedFiles in the catalog's /Names")
    if "/AF" in root:
        leaks.append("/AF (associated files) in the catalog")
    for number, page in enumerate(reader.pages, 1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = (annotation.get("/A") or {}).get("/URI", "")
            if annotation.get("/Subtype") == "/FileAttachment" or target:
                leaks.append(f"page {number}: {annotation.get('/Subtype')} {target}")
    return leaks


def _secret_lines() -> list[str]:
    """Lines of the files the payloads point at, as far as they can be read here."""
    lines = []
    for path in ("/etc/hostname", "/etc/passwd"):
        try:
            lines += [line.strip() for line in Path(path).read_text().splitlines()[:3]]
        except OSError:
            continue
    return [line for line in lines if line]


# The minutes ---------------------------------------------------------------------------------

def test_typed_markup_makes_the_minutes_load_or_embed_nothing(
        hostile_session, listener, asked, client, secretary, final):
    session = hostile_session(listener.base)
    typed = "\n".join(payloads(listener.base))

    drafted = client.get(f"/sessions/{session.id}/minutes/draft.pdf")
    assert drafted.status_code == 200
    revision = final(session)
    start_correction(minutes_of(session), reason=typed, by=secretary)
    db.session.commit()
    correction = client.get(f"/sessions/{session.id}/minutes/draft.pdf")
    assert correction.status_code == 200

    assert listener.connections == []
    assert listener.requests == []
    # Escaped, the markup never even became a URL to refuse: only the renderer's own
    # stylesheet (and fonts) were asked for.
    assert f"{core_document.ASSET_SCHEME}:document.css" in asked
    assert set(asked) <= {f"{core_document.ASSET_SCHEME}:{name}" for name in core_document.assets()}
    for name, pdf in (("draft", drafted.data), ("final", revision.pdf),
                      ("correction", correction.data)):
        assert _pdf_leaks(pdf) == [], name


def test_typed_markup_is_printed_as_the_text_it_is(hostile_session, listener, final):
    session = hostile_session(listener.base)
    revision = final(session)
    text = pdf_text(revision.pdf)

    # Each payload is its own paragraph of the conclusions, so each is printed whole.
    assert [payload for payload in payloads(listener.base)
            if " ".join(payload.split()) not in text] == []
    assert "file:///etc/passwd" in text


def test_the_files_the_markup_points_at_do_not_appear_in_the_minutes(
        hostile_session, listener, final):
    session = hostile_session(listener.base)
    text = pdf_text(final(session).pdf)
    typed = " ".join(payloads(listener.base))

    secrets = _secret_lines()
    if not secrets:
        pytest.skip("neither /etc/hostname nor /etc/passwd can be read here")
    # A line that was typed anyway (a host named like a word of the payloads) proves nothing.
    printed = [line for line in secrets
               if re.search(rf"(?<!\w){re.escape(line)}(?!\w)", text)
               and line not in typed]
    assert printed == []


def test_the_preview_page_shows_typed_markup_escaped(hostile_session, listener, client):
    session = hostile_session(listener.base)

    response = client.get(f"/sessions/{session.id}/minutes/preview")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert '<a rel="attachment"' not in page
    for payload in payloads(listener.base):
        assert payload not in page
        assert str(escape(payload)) in page
    assert listener.connections == []


def test_the_preview_page_forbids_remote_and_inline_resources(hostile_session, listener, client):
    # Should escaping ever fail, the browser still loads nothing from elsewhere.
    session = hostile_session(listener.base)

    policy = client.get(f"/sessions/{session.id}/minutes/preview").headers[
        "Content-Security-Policy"]

    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy


def test_even_unescaped_markup_cannot_make_the_renderer_load_or_embed_anything(
        listener, asked):
    # The fetcher is the second line of defence: were a template ever to print user text
    # raw, the renderer itself would still load nothing.
    markup = "".join(payloads(listener.base))
    html = (f'<!doctype html><html><head><link rel="stylesheet" href="{listener.base}/h.css">'
            f"</head><body><p>Biên bản</p>{markup}</body></html>")

    pdf = core_document.lay_out(html).write_pdf(pdf_variant="pdf/a-3b")

    assert listener.connections == []
    assert listener.requests == []
    assert _pdf_leaks(pdf) == []
    # The renderer did try: the fetcher is what said no.
    assert {"file:///etc/passwd", f"{listener.base}/x.css",
            f"{listener.base}/h.css"} <= set(asked)


# The fetcher ---------------------------------------------------------------------------------

@pytest.mark.parametrize("template", [
    pytest.param("file:///etc/passwd", id="file"),
    pytest.param("file://localhost/etc/hostname", id="file-localhost"),
    pytest.param("{base}/x.css", id="http-local"),
    pytest.param("{base}/../../etc/passwd", id="http-traversal"),
    pytest.param("https://127.0.0.1:{port}/x.css", id="https-local"),
    pytest.param("ftp://127.0.0.1:{port}/x.css", id="ftp-local"),
    pytest.param("data:text/css,body%7Bbackground:red%7D", id="data"),
    pytest.param("dialogue-asset:../../etc/passwd", id="asset-traversal"),
    pytest.param("dialogue-asset:fonts/../../../../../etc/passwd", id="asset-font-traversal"),
    pytest.param("dialogue-asset:/etc/passwd", id="asset-absolute"),
    pytest.param("dialogue-asset://127.0.0.1:{port}/document.css", id="asset-authority"),
    pytest.param("dialogue-asset:fonts/../document.css", id="asset-roundabout"),
    pytest.param("dialogue-asset:unknown.css", id="asset-unknown"),
    pytest.param("dialogue-asset:fonts/texgyretermes-regular.ttf", id="asset-unknown-font"),
    pytest.param("dialogue-asset:document.css?x=1", id="asset-query"),
])
def test_the_asset_fetcher_refuses_anything_but_its_own_assets(template, listener):
    url = template.format(base=listener.base, port=listener.server_address[1])
    fetcher = core_document.AssetFetcher()

    with pytest.raises(ValueError, match="only its own assets"):
        fetcher.fetch(url)

    assert fetcher.refused == [url]
    assert listener.connections == []


def test_the_asset_fetcher_serves_the_stylesheet_and_the_bundled_fonts():
    fetcher = core_document.AssetFetcher()

    stylesheet = fetcher.fetch("dialogue-asset:document.css")
    assert stylesheet.read() == (core_document.ASSET_FOLDER / "document.css").read_bytes()
    assert stylesheet.headers.get_content_type() == "text/css"
    for face in ("regular", "bold", "italic", "bolditalic"):
        font = fetcher.fetch(f"dialogue-asset:fonts/texgyretermes-{face}.otf")
        assert font.read(4) == b"OTTO", face  # an OpenType font with CFF outlines
        assert font.headers.get_content_type() == "font/otf"
    assert fetcher.refused == []
