"""The public announcement of dialogue sessions: no sign-in, no personal data."""

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from ..core.web import get_or_404, id_arg, paginate
from ..extensions import db
from ..units.models import Unit, UnitLevel
from . import operations
from .models import DialogueSession

bp = Blueprint("public", __name__, url_prefix="/public")


@bp.route("/")
def announcements():
    unit = db.session.get(Unit, unit_id) if (unit_id := id_arg("unit_id")) else None
    text = request.args.get("q", "")[:100]
    upcoming = db.session.scalars(
        operations.public_sessions(upcoming=True, unit=unit, text=text).limit(100)).all()
    past = paginate(operations.public_sessions(upcoming=False, unit=unit, text=text), 20)
    provinces = db.session.scalars(select(Unit).where(
        Unit.level == UnitLevel.PROVINCE, Unit.valid_to.is_(None)).order_by(Unit.name_folded))
    return render_template("public/announcements.html", unit=unit, text=text,
                           upcoming=upcoming, past=past, provinces=provinces)


@bp.route("/sessions/<int:session_id>")
def show_session(session_id: int):
    """One announced public session, as citizens and calendar subscribers see it."""
    session = get_or_404(DialogueSession, session_id)
    if not operations.is_published(session):
        abort(404)
    return render_template("public/session.html", session=session)
