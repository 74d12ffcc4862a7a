"""What a session's signed record does to it: filed minutes lock its issues for good."""

from datetime import datetime

from .models import DialogueSession


def file_minutes(session: DialogueSession, at: datetime) -> None:
    """Minutes were filed: the issues become part of a signed record, and the session is
    on record as held from the first filing on (a later correction does not move it)."""
    session.issues_locked_at = at
    if session.minutes_filed_at is None:
        session.minutes_filed_at = at


def unlock_issues(session: DialogueSession) -> None:
    """A correction of the minutes is drafted: its issues may change again until it is
    filed; the session stays on record as held."""
    session.issues_locked_at = None
