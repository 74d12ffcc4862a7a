import calendar as calendars
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts import permissions
from ..audit.operations import history
from ..core.forms import resolve_pick, submitted_version
from ..core.time import local_to_utc, local_today, to_local
from ..core.web import (
    flash_warnings,
    id_arg,
    paginate,
    run_operation,
)
from ..extensions import db
from ..officials.models import Official
from ..units.models import Unit, UnitLevel
from . import listing, operations
from .access import can_edit_session, session_or_404
from .forms import EditSessionForm, RescheduleForm, SessionFilterForm, SessionForm, StatusForm
from .listing import SessionFilter
from .models import ParticipantRole, SessionFormat, SessionKind, SessionStatus
from .operations import SessionDetails

bp = Blueprint("sessions", __name__)


@bp.route("/")
def home():
    return redirect(url_for(".list_sessions"))


def _filter_from(form: SessionFilterForm) -> SessionFilter:
    """Read the filters; a filter that does not parse is shown as an error and ignored."""
    form.validate()

    def valid(field, convert):
        return convert(field.data) if field.data and not field.errors else None

    return SessionFilter(
        level=valid(form.level, UnitLevel),
        unit=db.session.get(Unit, form.unit_id.data) if form.unit_id.data else None,
        status=valid(form.status, SessionStatus),
        kind=valid(form.kind, SessionKind),
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        text=valid(form.q, str) or "",
    )


@bp.route("/sessions/")
def list_sessions():
    form = SessionFilterForm(request.args)
    page = paginate(listing.filter_sessions(_filter_from(form), user=current_user),
                    current_app.config["SESSIONS_PER_PAGE"])
    return render_template("sessions/list.html", form=form, page=page)


@bp.route("/sessions/calendar")
def calendar():
    form = SessionFilterForm(request.args)
    today = local_today()
    year = request.args.get("year", type=int) or today.year
    month = request.args.get("month", type=int) or today.month
    if not (1900 < year < 2100 and 1 <= month <= 12):
        abort(404)
    by_day = listing.sessions_in_month(_filter_from(form), year, month, user=current_user)
    weeks = calendars.Calendar(firstweekday=calendars.MONDAY).monthdatescalendar(year, month)
    return render_template("sessions/calendar.html", form=form, year=year, month=month,
                           by_day=by_day, today=today, weeks=weeks,
                           statuses=list(SessionStatus))


@bp.route("/sessions/<int:session_id>")
def show_session(session_id: int):
    session = session_or_404(session_id, edit=False)
    can_edit = can_edit_session(current_user, session)
    return render_template(
        "sessions/show.html", session=session, can_edit=can_edit,
        warnings=operations.scheduling_warnings(session, viewer=current_user) if can_edit else [],
        transitions=operations.available_transitions(session) if can_edit else [],
        history=history("session", session.id),
        show_addresses=permissions.is_admin(current_user),
    )


def _times(form) -> tuple[datetime, datetime]:
    starts_on = form.starts_on.data
    ends_on = form.ends_on.data or starts_on
    return (local_to_utc(starts_on, form.starts_time.data),
            local_to_utc(ends_on, form.ends_time.data))


def _details(form: SessionForm, starts_at: datetime, ends_at: datetime,
             venue: str) -> SessionDetails | None:
    """The form's content as operation input, or None when a picked id does not exist."""
    unit = resolve_pick(form.unit_id, Unit, _("Hãy chọn đơn vị hành chính."))
    chair = resolve_pick(form.chair_id, Official, _("Hãy chọn từ danh sách gợi ý."))
    secretary = resolve_pick(form.secretary_id, Official, _("Hãy chọn từ danh sách gợi ý."))
    if unit is None or (form.chair_id.data and chair is None) or (
            form.secretary_id.data and secretary is None):
        return None
    return SessionDetails(
        title=form.title.data, unit=unit, kind=SessionKind(form.kind.data),
        format=SessionFormat(form.format.data), starts_at=starts_at, ends_at=ends_at,
        venue=venue, topic=form.topic.data or "", agenda=form.agenda.data or "",
        chair=chair, chair_name=form.chair_name.data or "",
        secretary=secretary, secretary_name=form.secretary_name.data or "",
        is_public=form.is_public.data,
        connection_points=[(e.form.name.data, e.form.place.data or "")
                           for e in form.connection_points if (e.form.name.data or "").strip()],
        participants=[(e.form.full_name.data, ParticipantRole(e.form.role.data),
                       e.form.organisation.data or "", e.form.email.data or "")
                      for e in form.participants if (e.form.full_name.data or "").strip()],
    )


def _render_form(form, session):
    return render_template("sessions/form.html", form=form, session=session,
                           notice_days=operations.NOTICE_DAYS)


@bp.route("/sessions/new", methods=["GET", "POST"])
def new_session():
    permissions.require(permissions.has_edit_rights(current_user))
    form = SessionForm()
    unit = db.session.get(Unit, unit_id) if (unit_id := id_arg("unit_id")) else None
    if request.method == "GET" and unit is not None:
        form.unit_id.data, form.unit_label.data = unit.id, unit.name
    if form.validate_on_submit():
        starts_at, ends_at = _times(form)
        details = _details(form, starts_at, ends_at, form.venue.data or "")
        status = (SessionStatus.DRAFT if "save_draft" in request.form
                  else SessionStatus.SCHEDULED)
        saved, result = (False, None) if details is None else run_operation(
            form, lambda: operations.schedule_session(details, by=current_user, status=status))
        if saved:
            session, warnings = result
            flash(_("Đã lên lịch “%(title)s”.", title=session.title)
                  if status is SessionStatus.SCHEDULED
                  else _("Đã lưu dự thảo “%(title)s”.", title=session.title), "success")
            flash_warnings(warnings)
            return redirect(url_for(".show_session", session_id=session.id))
    return _render_form(form, None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(session_id: int):
    session = session_or_404(session_id, edit=True)
    if request.method == "GET" and session.is_closed:
        flash(_("Phiên đã kết thúc hoặc đã hủy: hãy mở lại trước khi sửa."), "error")
        return redirect(url_for(".show_session", session_id=session.id))
    form = EditSessionForm(obj=session)
    if request.method == "GET":
        form.unit_label.data = session.unit.name
        form.chair_label.data = session.chair.full_name if session.chair else ""
        form.secretary_label.data = session.secretary.full_name if session.secretary else ""
        # One blank row each, so a point or a guest can be added without JavaScript.
        form.connection_points.append_entry()
        form.participants.append_entry()
    if form.validate_on_submit():
        details = _details(form, session.starts_at, session.ends_at, session.venue)
        saved, warnings = (False, None) if details is None else run_operation(
            form, lambda: operations.update_session(
                session, details, by=current_user, expected_version=submitted_version(form)))
        if saved:
            flash(_("Đã lưu thay đổi."), "success")
            flash_warnings(warnings)
            return redirect(url_for(".show_session", session_id=session.id))
    return _render_form(form, session)


@bp.route("/sessions/<int:session_id>/reschedule", methods=["GET", "POST"])
def reschedule_session(session_id: int):
    session = session_or_404(session_id, edit=True)
    if request.method == "GET" and session.status not in operations.MOVABLE:
        flash(_("Phiên ở trạng thái “%(status)s” không thể dời lịch; hãy mở lại trước.",
                status=session.status.label), "error")
        return redirect(url_for(".show_session", session_id=session.id))
    form = RescheduleForm()
    if request.method == "GET":
        starts, ends = to_local(session.starts_at), to_local(session.ends_at)
        form.starts_on.data, form.starts_time.data = starts.date(), starts.time()
        if ends.date() != starts.date():
            form.ends_on.data = ends.date()
        form.ends_time.data = ends.time()
        form.venue.data = session.venue
        form.version.data = str(session.version)
    if form.validate_on_submit():
        starts_at, ends_at = _times(form)
        saved, warnings = run_operation(form, lambda: operations.reschedule(
            session, starts_at, ends_at, venue=form.venue.data or "", reason=form.reason.data,
            by=current_user, expected_version=submitted_version(form)))
        if saved:
            flash(_("Đã dời lịch."), "success")
            flash_warnings(warnings)
            return redirect(url_for(".show_session", session_id=session.id))
    return render_template("sessions/reschedule.html", form=form, session=session)


@bp.route("/sessions/<int:session_id>/<any(announce, hold, postpone, cancel, reopen):action>",
          methods=["GET", "POST"])
def change_status(session_id: int, action: str):
    session = session_or_404(session_id, edit=True)
    transition = operations.TRANSITIONS[action]
    if request.method == "GET" and (
            refusal := operations.transition_refusal(session, transition)):
        flash(refusal, "error")
        return redirect(url_for(".show_session", session_id=session.id))
    form = StatusForm()
    if request.method == "GET":
        form.version.data = str(session.version)
    if form.validate_on_submit():
        done, warnings = run_operation(form, lambda: operations.change_status(
            session, transition, reason=form.reason.data or "", by=current_user,
            expected_version=submitted_version(form)))
        if done:
            flash(_("Trạng thái mới: %(status)s.", status=session.status.label), "success")
            flash_warnings(warnings)
            return redirect(url_for(".show_session", session_id=session.id))
    return render_template("sessions/status.html", form=form, session=session,
                           transition=transition)
