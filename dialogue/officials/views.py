from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..core.forms import resolve_pick, submitted_version
from ..core.web import get_or_404, id_arg, paginate, run_operation
from ..extensions import db
from ..units.models import Unit
from . import operations
from .forms import OfficialForm
from .models import Official

bp = Blueprint("officials", __name__, url_prefix="/officials")


def _official_in_scope(official_id: int) -> Official:
    official = get_or_404(Official, official_id)
    permissions.visible_or_404(permissions.can_see_official(current_user, official))
    return official


@bp.route("/")
def list_officials():
    unit = db.session.get(Unit, unit_id) if (unit_id := id_arg("unit_id")) else None
    show_archived = request.args.get("archived") == "1"
    page = paginate(operations.search_officials(
        request.args.get("q", "")[:100], user=current_user, unit=unit, limit=None,
        include_archived=show_archived), 30)
    return render_template("officials/list.html", page=page, unit=unit,
                           show_archived=show_archived)


@bp.route("/new", methods=["GET", "POST"])
def new_official():
    permissions.require(permissions.has_edit_rights(current_user))
    form = OfficialForm()
    links_accounts = permissions.is_admin(current_user)
    if form.validate_on_submit() and (
            unit := resolve_pick(form.unit_id, Unit, _("Hãy chọn đơn vị hành chính."))):

        def save():
            official = operations.add_official(form.full_name.data, form.position.data, unit,
                                               by=current_user, email=form.email.data or "")
            _link_account(official, form, links_accounts)
            return official

        saved, official = run_operation(form, save)
        if saved:
            flash(_("Đã thêm %(name)s.", name=official.full_name), "success")
            return redirect(url_for(".list_officials"))
    return render_template("officials/form.html", form=form, official=None,
                           links_accounts=links_accounts)


def _link_account(official: Official, form: OfficialForm, links_accounts: bool) -> None:
    # Only an administrator is shown the field; anyone else's form leaves the link alone.
    if links_accounts:
        operations.link_account(official, form.account.data or "", by=current_user)


@bp.route("/<int:official_id>/edit", methods=["GET", "POST"])
def edit_official(official_id: int):
    official = _official_in_scope(official_id)
    permissions.require(permissions.can_edit_unit(current_user, official.unit))
    form = OfficialForm(obj=official)
    links_accounts = permissions.is_admin(current_user)
    if request.method == "GET":
        form.unit_label.data = official.unit.name
        form.account.data = official.account.username if official.account else ""
    if form.validate_on_submit() and (
            unit := resolve_pick(form.unit_id, Unit, _("Hãy chọn đơn vị hành chính."))):

        def save():
            operations.update_official(
                official, full_name=form.full_name.data, position=form.position.data,
                unit=unit, email=form.email.data or "", by=current_user,
                expected_version=submitted_version(form))
            _link_account(official, form, links_accounts)

        saved, _result = run_operation(form, save)
        if saved:
            flash(_("Đã lưu thông tin %(name)s.", name=official.full_name), "success")
            return redirect(url_for(".list_officials"))
    return render_template("officials/form.html", form=form, official=official,
                           links_accounts=links_accounts)


@bp.route("/<int:official_id>/archive", methods=["POST"])
def archive_official(official_id: int):
    """Set whether the official has left; the form says which, so a repeated or stale click
    cannot flip it back."""
    official = _official_in_scope(official_id)
    permissions.require(permissions.can_edit_unit(current_user, official.unit))
    archived = request.form.get("archived") == "1"
    saved, _result = run_operation(None, lambda: operations.set_archived(
        official, archived, by=current_user))
    if saved:
        flash(_("%(name)s không còn được gợi ý khi chọn chủ trì, thư ký.", name=official.full_name)
              if archived else _("Đã khôi phục %(name)s.", name=official.full_name),
              "success")
    return redirect(url_for(".list_officials"))


@bp.route("/search")
def search():
    """Suggestions for the chair and secretary pickers, as JSON."""
    unit = db.session.get(Unit, unit_id) if (unit_id := id_arg("unit_id")) else None
    # Officials anywhere in the session's province may chair or record it: provincial
    # leaders chair commune dialogues, and neighbouring communes lend secretaries.
    province = (unit.province or unit) if unit is not None else None
    officials = db.session.scalars(operations.search_officials(
        request.args.get("q", "")[:100], user=current_user, unit=province))
    return jsonify([{"id": o.id, "label": o.full_name, "detail": o.position,
                     "note": o.unit.name} for o in officials])
