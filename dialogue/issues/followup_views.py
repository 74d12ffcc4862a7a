"""Chasing commitments: the follow-up board, agencies, and search across everything."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from ..core.text import fold
from ..core.time import local_today
from ..core.web import get_or_404, paginate
from ..extensions import db
from ..units.models import Unit
from .admin import all_fields
from .board import (
    BoardFilter,
    agencies,
    agency_commitments,
    board_counters,
    board_query,
    search_commitments,
    search_issues,
    search_sessions,
)
from .forms import BoardFilterForm
from .models import Agency, CommitmentStatus, IssueField

bp = Blueprint("followup", __name__)


@bp.route("/followup")
def board():
    form = BoardFilterForm(request.args)
    form.agency_id.offer([("", "—")] + [(str(a.id), a.name) for a in agencies()])
    form.field_id.offer([("", "—")] + [(str(f.id), f.name) for f in all_fields()])
    form.validate()
    today = local_today()

    def chosen(field, model):
        return db.session.get(model, int(field.data)) if field.data and not field.errors \
            else None

    criteria = BoardFilter(
        unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        agency=chosen(form.agency_id, Agency), field=chosen(form.field_id, IssueField),
        status=CommitmentStatus(form.status.data) if form.status.data and not form.status.errors
        else None,
        due_before=form.due_before.data)
    page = paginate(board_query(current_user, criteria),
                    current_app.config["ISSUES_PER_PAGE"])
    return render_template("issues/board.html", form=form, page=page, today=today,
                           counters=board_counters(current_user, today))


@bp.route("/agencies/<int:agency_id>")
def show_agency(agency_id: int):
    agency = get_or_404(Agency, agency_id)
    page = paginate(agency_commitments(agency, current_user),
                    current_app.config["ISSUES_PER_PAGE"])
    return render_template("issues/agency.html", agency=agency, page=page, today=local_today())


SEARCHES = {
    "issues": search_issues,
    "commitments": search_commitments,
    "sessions": search_sessions,
}


@bp.route("/search")
def search():
    query = request.args.get("q", "")[:200]
    kind = request.args.get("in", "issues")
    if kind not in SEARCHES:
        kind = "issues"
    page = None
    if fold(query):
        page = paginate(SEARCHES[kind](current_user, query),
                        current_app.config["ISSUES_PER_PAGE"])
    return render_template("issues/search.html", query=query, kind=kind, page=page,
                           today=local_today())
