"""What the minutes print: the content of a draft or a filed revision, and the draft from it."""

import hashlib
import json
from datetime import date

from flask_babel import force_locale

from ..core.document import date_line
from ..core.text import fold
from ..core.time import format_date, to_local
from ..issues.operations import session_issues
from . import document
from .models import Minutes, MinutesTemplate, document_number

ARCHIVE_LINE = "- Lưu: VT, Hồ sơ."


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _clock(moment) -> str:
    local = to_local(moment)
    return f"{local.hour:02d} giờ {local.minute:02d} phút"


def recipient_lines(text: str) -> list[str]:
    lines = [line if line.startswith("-") else f"- {line}" for line in _lines(text)]
    if not lines or not fold(lines[-1]).startswith("- luu"):
        lines.append(ARCHIVE_LINE)
    return lines


def document_content(minutes: Minutes, *, revision: int | None = None, replaces: date | None = None,
                     correction_reason: str = "", number: int | None = None) -> dict:
    """Everything the document prints, as plain JSON-ready values in Vietnamese.

    ``number`` is the number it is to be filed under, when the minutes have none yet
    (finalizing gives it only once the text is rendered). Never a citizen's contact: the
    minutes are filed and handed out.
    """
    session = minutes.session
    starts, ends = to_local(session.starts_at), to_local(session.ends_at)
    number = minutes.number if number is None else number
    if number is not None:
        number_line = document_number(minutes.template, number, minutes.symbol)
    else:  # the clerk writes the number in by hand on a printed draft
        separator = "-" if minutes.template is MinutesTemplate.PARTY else "/"
        number_line = f"{chr(0xA0) * 8}{separator}{minutes.symbol}"
    number_line = ("Số " if minutes.template is MinutesTemplate.PARTY else "Số: ") + number_line
    with force_locale("vi"):
        issues = session_issues(session)
        content = {
            "template": minutes.template.value,
            "parent_body": minutes.parent_body, "issuing_body": minutes.issuing_body,
            "number_line": number_line,
            "place_date": date_line(minutes.place_name, starts.date()),
            "title": session.title, "unit": session.unit_name,
            "starts": f"{_clock(session.starts_at)}, ngày {format_date(starts)}",
            "ends": (f"{_clock(session.ends_at)} cùng ngày" if ends.date() == starts.date()
                     else f"{_clock(session.ends_at)}, ngày {format_date(ends)}"),
            "venue": session.venue, "format": session.format.label,
            "connection_points": [", ".join(part for part in (p.name, p.place) if part)
                                  for p in session.connection_points],
            "chair": session.chair_label, "secretary": session.secretary_label,
            "chair_name": session.chair.full_name if session.chair else session.chair_name,
            "secretary_name": (session.secretary.full_name if session.secretary
                               else session.secretary_name),
            "attendance": [{"label": g.label, "count": g.count} for g in minutes.attendance],
            "attendance_total": sum(g.count for g in minutes.attendance),
            "attendees": _lines(minutes.attendees),
            "issues": [{
                "number": issue.number, "raised_by": issue.raised_by,
                "locality": issue.locality, "kind": issue.kind.label,
                "field": issue.field.name if issue.field else "",
                "content": _lines(issue.content), "answered_by": issue.answered_by,
                "answer": _lines(issue.answer), "outcome": issue.outcome.label,
            } for issue in issues],
            "commitments": [{
                "issue_number": issue.number, "agency": commitment.agency.name,
                "action": commitment.action, "due_on": format_date(commitment.due_on),
                "working_days": commitment.working_days,
            } for issue in issues for commitment in issue.commitments],
            "conclusions": _lines(minutes.conclusions),
            "signing_note": _lines(minutes.signing_note),
            "copies": minutes.copies,
            "recipients": recipient_lines(minutes.recipients),
            "revision": revision or minutes.revision + 1,
            "replaces": format_date(replaces) if replaces else "",
            "correction_reason": correction_reason,
        }
    return content


def last_finalized_on(minutes: Minutes) -> date | None:
    """The day the latest filed text was finalized: the one a correction replaces."""
    if not minutes.revisions:
        return None
    return to_local(minutes.revisions[-1].finalized_at).date()


def canonical_hash(content: dict) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# The draft ---------------------------------------------------------------------------------

def draft_content(minutes: Minutes) -> dict:
    return document_content(minutes, correction_reason=minutes.correction_reason,
                            replaces=last_finalized_on(minutes))


def draft_key(minutes: Minutes) -> tuple:
    """The draft's key in the page-count guesses (a final starts from its draft's count)."""
    # By the session (one minutes each): unsaved minutes have no id, nor a session_id
    # before their first flush, and the guess carries over their first save.
    return ("draft", minutes.session.id)


def draft_pdf(minutes: Minutes) -> document.RenderedPdf:
    return document.render_pdf(draft_content(minutes), draft=True,
                               guess_key=draft_key(minutes))


def draft_html(minutes: Minutes) -> str:
    return document.render_html(draft_content(minutes), pages=1, draft=True, for_pdf=False)
