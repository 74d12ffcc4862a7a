"""The lists an administrator keeps: fields of issues and public holidays."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..core.forms import FIRST_YEAR, LAST_YEAR
from ..core.time import format_date
from ..core.web import get_or_404, run_operation
from ..core.workdays import Holiday
from . import admin
from .forms import FieldForm, HolidayForm
from .models import IssueField

bp = Blueprint("issue_admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    permissions.require(permissions.is_admin(current_user))


@bp.route("/fields", methods=["GET", "POST"])
def fields():
    form = FieldForm()
    if form.validate_on_submit():
        saved, field = run_operation(form, lambda: admin.add_field(
            form.name.data, by=current_user))
        if saved:
            flash(_("Đã thêm lĩnh vực “%(name)s”.", name=field.name), "success")
            return redirect(url_for(".fields"))
    return render_template("issues/fields.html", form=form, fields=admin.all_fields())


@bp.route("/fields/<int:field_id>/archive", methods=["POST"])
def archive_field(field_id: int):
    field = get_or_404(IssueField, field_id)
    archived = request.form.get("archived") == "1"
    run_operation(None, lambda: admin.set_field_archived(field, archived, by=current_user))
    return redirect(url_for(".fields"))


@bp.route("/holidays", methods=["GET", "POST"])
def holidays():
    form = HolidayForm()
    if form.validate_on_submit():
        saved, holiday = run_operation(form, lambda: admin.add_holiday(
            form.day.data, form.name.data, by=current_user))
        if saved:
            flash(_("Đã thêm ngày nghỉ %(day)s.", day=format_date(holiday.day)), "success")
            return redirect(url_for(".holidays", year=holiday.day.year))
    year = request.args.get("year", type=int)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        year = None
    return render_template("issues/holidays.html", form=form, holidays=admin.holidays_of(year),
                           years=admin.holiday_years(), year=year)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
def delete_holiday(holiday_id: int):
    holiday = get_or_404(Holiday, holiday_id)
    saved, _result = run_operation(None, lambda: admin.remove_holiday(holiday,
                                                                       by=current_user))
    if saved:
        flash(_("Đã bỏ ngày nghỉ."), "success")
    return redirect(url_for(".holidays"))
