"""The dashboard, the rows behind its figures, and the report files."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.errors import UserError
from ..core.forms import resolve_pick
from ..core.time import local_today
from ..core.web import paginate, run_operation
from ..units.models import Unit
from . import exports, tasks
from .charts import report_charts
from .drill import Drill, drill_duties, drill_labels, drill_statement
from .forms import ReportForm
from .operations import build_report
from .periods import PeriodKind, period_from
from .scope import ReportScope, check_report_scope, default_report_unit
from .tables import report_tables

bp = Blueprint("reports", __name__)


def _read_scope() -> tuple[ReportForm, ReportScope | None]:
    """The report the query string asks for; None, with messages beside the fields, when
    it cannot be made."""
    form = ReportForm(request.args)
    form.validate()
    today = local_today()
    if form.year.data is None and not form.year.errors:
        form.year.data = today.year
    if form.errors:
        return form, None
    try:
        period = period_from(
            PeriodKind(form.period.data), form.year.data, month=int(form.month.data),
            quarter=int(form.quarter.data), first=form.date_from.data, last=form.date_to.data)
        if form.unit_id.data:
            unit = resolve_pick(form.unit_id, Unit, _l("Không tìm thấy đơn vị này."))
            if unit is None:
                return form, None
        else:
            unit = default_report_unit(current_user)
        check_report_scope(current_user, unit)
    except UserError as error:
        form[error.field].errors = [*form[error.field].errors, error.message]
        return form, None
    if unit is not None:
        form.unit_id.data, form.unit_label.data = unit.id, unit.display_name
    return form, ReportScope(period, unit, roll_up=form.roll_up.data, today=today)


def _scope_or_abort() -> ReportScope:
    """For the lists and files, whose links the dashboard made: a unit out of the user's
    scope is forbidden, anything else that does not parse a bad request."""
    form, scope = _read_scope()
    if scope is None:
        abort(403 if form.unit_id.errors and form.unit_id.data else 400)
    return scope


@bp.route("/dashboard")
def dashboard():
    form, scope = _read_scope()
    report = build_report(scope) if scope else None
    return render_template(
        "reports/dashboard.html", form=form, scope=scope, report=report,
        tables=report_tables(report) if report else [],
        charts=report_charts(report) if report else [],
        in_background=scope is not None and tasks.in_background(scope))


@bp.route("/dashboard/rows")
def rows():
    scope = _scope_or_abort()
    try:
        drill = Drill.from_args(request.args)
    except ValueError:
        abort(404)
    page = duties = None
    if drill.show.is_duty:
        duties = drill_duties(scope, drill)
    else:
        page = paginate(drill_statement(scope, drill), current_app.config["ISSUES_PER_PAGE"])
    return render_template("reports/rows.html", scope=scope, drill=drill, page=page,
                           duties=duties, labels=drill_labels(drill))


@bp.route("/dashboard/report.<fmt>", methods=["GET", "POST"])
def export(fmt: str):
    """The report's file: at once for a commune or a district; for a province or the
    country, a job (POST, from the dashboard's buttons) whose page follows it and offers
    the file. A link to a big report (GET) shows the button that starts it."""
    if fmt not in exports.FORMATS:
        abort(404)
    scope = _scope_or_abort()
    if not tasks.in_background(scope):
        report = build_report(scope)
        return Response(exports.report_file(report, fmt),
                        mimetype=exports.FORMATS[fmt].mimetype,
                        headers={"Content-Disposition":
                                 f'attachment; filename="{exports.file_name(report, fmt)}"',
                                 "Cache-Control": "private, no-store"})
    if request.method == "GET":
        return render_template("reports/export.html", scope=scope, fmt=fmt,
                               format_name=exports.FORMATS[fmt].name,
                               job=tasks.pending_export(current_user, scope, fmt))
    saved, job = run_operation(None, lambda: tasks.request_export(scope, fmt, by=current_user))
    if not saved:
        return redirect(url_for(".dashboard", **scope.query_args()))
    return redirect(url_for("jobs.show_job", job_id=job.id))


@bp.context_processor
def _drill_builder():
    """``drill("commitments", bucket="overdue")`` in the dashboard's template."""
    return {"drill": lambda show, **values: Drill.from_args({"show": show, **values})}
