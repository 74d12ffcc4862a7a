"""The report of a whole province or of the country, laid out by a job worker: counting
across hundreds of communes, and a PDF's layout, take longer than a request should wait.

A commune's or a district's report is still made while the user waits (see
:func:`in_background`).
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..extensions import db
from ..jobs.models import PENDING, Job
from ..jobs.operations import JobFailed, Progress, enqueue, save_job_file, task
from ..units.models import Unit, UnitLevel
from . import exports
from .operations import build_report
from .periods import parse_period
from .scope import ReportScope, check_report_scope

KIND = "reports.export"


def in_background(scope: ReportScope) -> bool:
    """The country's report and a province's (of 2025 or a former one) are jobs."""
    return scope.unit is None or scope.unit.level is UnitLevel.PROVINCE


def export_params(scope: ReportScope, fmt: str) -> dict:
    """What the worker needs to make the same report: the day it is judged on included,
    so it counts what the user saw on the dashboard, whenever the job runs."""
    return {"format": fmt, "period": scope.period.code,
            "unit_id": scope.unit.id if scope.unit else None, "roll_up": scope.roll_up,
            "today": scope.today.isoformat()}


def pending_export(user: User, scope: ReportScope, fmt: str) -> Job | None:
    """The user's job for this very report still queued or running, if any (a second click
    follows it rather than counting everything twice)."""
    params = export_params(scope, fmt)
    jobs = db.session.scalars(select(Job).where(
        Job.kind == KIND, Job.created_by_id == user.id, Job.state.in_(PENDING))
        .order_by(Job.id.desc()))
    return next((job for job in jobs if job.params == params), None)


def request_export(scope: ReportScope, fmt: str, *, by: User) -> Job:
    """Queue the report's file (or return the same request's pending job)."""
    check_report_scope(by, scope.unit)
    if pending := pending_export(by, scope, fmt):
        return pending
    return enqueue(KIND, export_params(scope, fmt),
                   label=_("Báo cáo %(format)s: %(unit)s, %(period)s",
                           format=exports.FORMATS[fmt].name, unit=scope.unit_name,
                           period=scope.period.label),
                   by=by, unit=scope.unit)


@task(KIND)
def export_report(job: Job, progress: Progress) -> dict:
    params = job.params
    user = db.session.get(User, job.created_by_id) if job.created_by_id else None
    unit = db.session.get(Unit, params["unit_id"]) if params["unit_id"] else None
    if user is None or (params["unit_id"] and unit is None):
        raise JobFailed(_l("Tài khoản hoặc đơn vị của báo cáo này không còn nữa."))
    # Asked for with the rights the user had then: checked again with today's (refused, it
    # fails with the reason, as a JobFailed would).
    check_report_scope(user, unit)
    scope = ReportScope(parse_period(params["period"]), unit, roll_up=params["roll_up"],
                        today=date.fromisoformat(params["today"]))
    fmt = params["format"]
    progress(0, 2, _("Đang tổng hợp số liệu…"))
    report = build_report(scope)
    progress(1, 2, _("Đang lập tệp %(format)s…", format=exports.FORMATS[fmt].name))
    data = exports.report_file(report, fmt)
    return save_job_file(job, exports.file_name(report, fmt), data, exports.FORMATS[fmt].mimetype)
