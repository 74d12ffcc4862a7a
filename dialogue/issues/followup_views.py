"""Chasing commitments: the follow-up board, agencies, and search across everything."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..core.text import fold
from ..core.time import local_today
from ..core.web import get_or_404, paginate, run_operation
from ..extensions import db
from ..units.models import Unit
from . import admin
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
from .forms import AgencyEmailForm, BoardFilterForm
from .models import Agency, CommitmentStatus, IssueField

bp = Blueprint("followup", __name__)


@bp.route("/followup")
def board():
    form = BoardFilterForm(request.args)
    form.agency_id.offer([("", "—")] + [(str(a.id), a.name) for a in agencies()])
    form.field_id.offer([("", "—")] + [(str(f.id), f.name) for f in admin.all_fields()])
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
    return _agency_page(get_or_404(Agency, agency_id))


def _agency_page(agency: Agency, email_form: AgencyEmailForm | None = None, status=200):
    """The agency's commitments; an administrator also gets the form of its address
    (``email_form`` one that was refused, its message beside the field)."""
    if email_form is None and permissions.is_admin(current_user):
        email_form = AgencyEmailForm(formdata=None, obj=agency)
    page = paginate(agency_commitments(agency, current_user),
                    current_app.config["ISSUES_PER_PAGE"])
    return render_template("issues/agency.html", agency=agency, page=page, today=local_today(),
                           email_form=email_form), status


@bp.route("/agencies/<int:agency_id>/email", methods=["POST"])
def set_agency_email(agency_id: int):
    permissions.require(permissions.is_admin(current_user))
    agency = get_or_404(Agency, agency_id)
    form = AgencyEmailForm()
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: admin.set_agency_email(
            agency, form.email.data or "", by=current_user))
        if saved:
            flash(_("Đã lưu thư điện tử của %(agency)s.", agency=agency.name) if agency.email
                  else _("%(agency)s không còn nhận thư tổng hợp.", agency=agency.name),
                  "success")
            return redirect(url_for(".show_agency", agency_id=agency.id))
    return _agency_page(agency, form, 400)


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
