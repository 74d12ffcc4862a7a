"""The public announcement of dialogue sessions: no sign-in, no personal data."""

from flask import Blueprint, abort, render_template, request

from ..core.web import get_or_404, id_arg, paginate
from ..extensions import db
from ..units.models import Unit
from ..units.operations import current_provinces
from . import access, listing
from .models import DialogueSession

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.route("/")
def announcements():
    unit = db.session.get(Unit, unit_id) if (unit_id := id_arg("unit_id")) else None
    text = request.args.get("q", "")[:100]
    upcoming = db.session.scalars(
        listing.public_sessions(upcoming=True, unit=unit, text=text).limit(100)).all()
    past = paginate(listing.public_sessions(upcoming=False, unit=unit, text=text), 20)
    return render_template("public/announcements.html", unit=unit, text=text,
                           upcoming=upcoming, past=past, provinces=current_provinces())


@bp.route("/sessions/<int:session_id>")
def show_session(session_id: int):
    """One announced public session, as citizens and calendar subscribers see it."""
    session = get_or_404(DialogueSession, session_id)
    if not access.is_published(session):
        abort(404)
    return render_template("public/session.html", session=session)
