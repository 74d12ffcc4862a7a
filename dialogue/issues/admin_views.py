"""The lists an administrator keeps: fields of issues and public holidays."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts import permissions
from ..core.forms import FIRST_YEAR, LAST_YEAR
from ..core.time import format_date
from ..core.web import get_or_404, run_operation
from ..extensions import db
from . import operations
from .forms import FieldForm, HolidayForm
from .models import Holiday, IssueField

bp = Blueprint("issue_admin", __name__, url_prefix="/admin")


@bp.before_request
def _administrators_only():
    permissions.require(permissions.is_admin(current_user))


@bp.route("/fields", methods=["GET", "POST"])
def fields():
    form = FieldForm()
    if form.validate_on_submit():
        saved, field = run_operation(form, lambda: operations.add_field(
            form.name.data, by=current_user))
        if saved:
            flash(_("Đã thêm lĩnh vực “%(name)s”.", name=field.name), "success")
            return redirect(url_for(".fields"))
    rows = db.session.scalars(select(IssueField).order_by(IssueField.position))
    return render_template("issues/fields.html", form=form, fields=rows)


@bp.route("/fields/<int:field_id>/archive", methods=["POST"])
def archive_field(field_id: int):
    field = get_or_404(IssueField, field_id)
    operations.set_field_archived(field, request.form.get("archived") == "1", by=current_user)
    db.session.commit()
    return redirect(url_for(".fields"))


@bp.route("/holidays", methods=["GET", "POST"])
def holidays():
    form = HolidayForm()
    if form.validate_on_submit():
        saved, holiday = run_operation(form, lambda: operations.add_holiday(
            form.day.data, form.name.data, by=current_user))
        if saved:
            flash(_("Đã thêm ngày nghỉ %(day)s.", day=format_date(holiday.day)), "success")
            return redirect(url_for(".holidays", year=holiday.day.year))
    year = request.args.get("year", type=int)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        year = None
    statement = select(Holiday).order_by(Holiday.day)
    if year:
        statement = statement.where(Holiday.day.between(date(year, 1, 1), date(year, 12, 31)))
    years = sorted({d.year for d in db.session.scalars(select(Holiday.day))})
    return render_template("issues/holidays.html", form=form,
                           holidays=db.session.scalars(statement), years=years, year=year)


@bp.route("/holidays/<int:holiday_id>/delete", methods=["POST"])
def delete_holiday(holiday_id: int):
    holiday = get_or_404(Holiday, holiday_id)
    operations.remove_holiday(holiday, by=current_user)
    db.session.commit()
    flash(_("Đã bỏ ngày nghỉ."), "success")
    return redirect(url_for(".holidays"))
