"""The English catalog covers every interface string, and Flask-Babel serves it.

The gettext msgids are the Vietnamese interface text itself, so Vietnamese needs no catalog;
English lives in dialogue/translations/en/LC_MESSAGES/messages.po. These tests extract the
strings afresh with dialogue/translations/babel.cfg, so an interface string added without an
English translation fails here with the list of what is missing.

Self-contained on purpose: no fixture from conftest.py is used.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import flask_babel
import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string

from dialogue import create_app

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "dialogue" / "translations"
MAPPING = TRANSLATIONS / "babel.cfg"
CATALOG = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"

EXTRACT_ARGS = ["extract", "-F", str(MAPPING), "-k", "_l", "-k", "lazy_gettext",
                "--no-location", "--sort-output"]
REFRESH = (
    ".venv/bin/pybabel extract -F dialogue/translations/babel.cfg -k _l -k lazy_gettext "
    "-o dialogue/translations/messages.pot --no-location --sort-output . && "
    ".venv/bin/pybabel update -i dialogue/translations/messages.pot -d dialogue/translations "
    "--no-fuzzy-matching --ignore-obsolete"
)

# A printf conversion such as %(name)s, %(max)d or %%.
CONVERSION = re.compile(r"%(?:\((\w+)\))?[-#0 +]*(?:\d+)?(?:\.\d+)?([a-zA-Z%])")


def _forms(value) -> tuple[str, ...]:
    """The singular and plural forms of a msgid or msgstr, as a tuple."""
    return tuple(value) if isinstance(value, tuple | list) else (value,)


def _placeholders(text: str) -> set[str]:
    """The named placeholders with their conversion, e.g. {"%(max)d"}; %% is not one."""
    return {f"%({name}){kind}" for name, kind in CONVERSION.findall(text) if kind != "%"}


def _stray_percent(text: str) -> bool:
    """A % that is neither a placeholder nor %%: it would break %-formatting."""
    return CONVERSION.sub("", text).count("%") > 0 or any(
        not name and kind != "%" for name, kind in CONVERSION.findall(text))


def _read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


def _extract(tmp_path: Path) -> Catalog:
    """The interface strings as `make`-style extraction finds them today."""
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *EXTRACT_ARGS, "-o", str(pot), "."],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, f"pybabel extract failed:\n{result.stderr}"
    return _read(pot)


def _problem(source: Message, translated: Message | None) -> str | None:
    if translated is None:
        return "not in the catalog (run the refresh commands, then translate)"
    strings = _forms(translated.string)
    if not all(s.strip() for s in strings):
        return "no English translation"
    if translated.fuzzy:
        return "marked fuzzy (check the translation, then remove the flag)"
    expected = set().union(*map(_placeholders, _forms(source.id)))
    found = set().union(*map(_placeholders, strings))
    if found != expected:
        return (f"placeholders differ: msgid has {sorted(expected)}, "
                f"msgstr has {sorted(found)}")
    if expected and any(_stray_percent(s) for s in strings):
        return "a lone % in the translation would break formatting (write %%)"
    return None


def test_every_interface_string_has_an_english_translation(tmp_path):
    source = _extract(tmp_path)
    catalog = _read(CATALOG)
    assert len(source) > 100, "extraction found suspiciously few strings; check babel.cfg"

    problems = []
    for message in source:
        if not message.id:
            continue
        problem = _problem(message, catalog.get(message.id))
        if problem:
            problems.append(f"  {_forms(message.id)[0]!r}: {problem}")

    assert not problems, (
        f"{len(problems)} interface string(s) lack a usable English translation in "
        f"{os.path.relpath(CATALOG, ROOT)}:\n" + "\n".join(problems)
        + f"\n\nRefresh the catalog from {ROOT}:\n  {REFRESH}\n"
        "then fill in each msgstr and remove any '#, fuzzy' flag."
    )


def test_catalog_header_and_entries_are_clean():
    catalog = _read(CATALOG)
    assert str(catalog.locale) == "en"
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n!=1)"
    assert not catalog.fuzzy, "the header is marked fuzzy"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    # pybabel compile's own checks, e.g. python-format consistency.
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert not errors


@pytest.fixture
def english_app(tmp_path, monkeypatch):
    """The app reading a catalog compiled just now into a temporary folder."""
    catalog = _read(CATALOG)
    mo = tmp_path / "en" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True)
    with mo.open("wb") as f:
        write_mo(f, catalog)
    # config.load() would otherwise write a secret key into the instance folder.
    monkeypatch.setenv("SECRET_KEY", "x")
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "x",
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path),
    })
    with app.test_request_context():
        # Flask-Babel caches loaded catalogs per locale on the shared Babel instance, across
        # apps: start from this app's folder, and leave nothing of it behind.
        cache = flask_babel.get_domain().cache
        cache.clear()
        try:
            yield app, catalog
        finally:
            cache.clear()


def test_flask_babel_serves_english(english_app):
    from dialogue.sessions.models import SessionStatus

    _app, catalog = english_app
    with flask_babel.force_locale("en"):
        assert flask_babel.gettext("Phiên đối thoại") == "Dialogue sessions"
        assert flask_babel.gettext("Trạng thái mới: %(status)s.", status="Held") == (
            "New status: Held.")
        assert str(SessionStatus.HELD.label) == "Held"
        assert render_template_string('{{ _("Lưu") }} · {{ _("Tối đa %(max)d ký tự.", max=5) }}'
                                      ) == "Save · At most 5 characters."
        wrong = {m.id: (flask_babel.gettext(m.id), m.string) for m in catalog
                 if m.id and isinstance(m.id, str) and flask_babel.gettext(m.id) != m.string}
        assert not wrong


def test_vietnamese_is_the_msgid_itself(english_app):
    with flask_babel.force_locale("vi"):
        assert flask_babel.gettext("Phiên đối thoại") == "Phiên đối thoại"
        assert render_template_string('{{ _("Lưu") }}') == "Lưu"
