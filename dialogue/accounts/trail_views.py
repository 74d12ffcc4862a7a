"""The audit trail page: accounts own it, since only an administrator reads it."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..audit.forms import AuditFilterForm
from ..audit.models import AuditAction
from ..audit.operations import AuditFilter, search_trail
from ..core.web import paginate
from . import permissions

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.route("/")
def trail():
    permissions.require(permissions.is_admin(current_user))
    form = AuditFilterForm(request.args)
    form.validate()
    criteria = AuditFilter(
        actor=(form.actor.data or "").strip() if not form.actor.errors else "",
        action=AuditAction(form.action.data) if form.action.data and not form.action.errors
        else None,
        object_type=form.object_type.data if not form.object_type.errors else "",
        date_from=form.date_from.data, date_to=form.date_to.data,
    )
    return render_template("audit/trail.html", form=form, page=paginate(search_trail(criteria), 50))
