"""Vietnamese text helpers."""

import unicodedata

#: Official names write H’Bút and M’Drắk (the legacy lists: M'Drắk); keyboards type '.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def fold(text: str | None) -> str:
    """Lower-case text without diacritics, so "Đất đai" and "dat dai" compare equal.

    Search compares folded columns with a folded query, which behaves the same on SQLite
    and PostgreSQL without database extensions.
    """
    if not text:
        return ""
    text = text.replace("Đ", "d").replace("đ", "d").translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def escape_like(text: str) -> str:
    """``text`` with LIKE wildcards escaped (use with ``escape="\\"``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(query: str) -> str:
    """A LIKE pattern matching the folded query anywhere, with wildcards escaped."""
    return f"%{escape_like(fold(query))}%"


#: What makes a spreadsheet read a cell as a formula (CSV and XLSX formula injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` as a spreadsheet shows it as text: a cell typed by a user that starts like a
    formula gets a leading apostrophe, which spreadsheet programs hide."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
