from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..audit.operations import histories, history
from ..core.forms import resolve_pick, submitted_version, to_id
from ..core.time import format_date, local_today
from ..core.web import get_or_404, run_operation
from ..extensions import db
from ..officials.models import Official
from ..sessions.access import can_edit_session, session_or_404
from . import operations
from .admin import active_fields
from .attachments import Upload, open_attachment
from .board import agency_names
from .forms import CommitmentForm, InformedForm, IssueForm, ProgressForm, StatusForm
from .models import (
    Commitment,
    CommitmentStatus,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
    ProgressUpdate,
)

bp = Blueprint("issues", __name__)


# The checks below reach the session through the record (``issue.session.id``, not
# ``issue.session_id``): the record then holds it, where a session only looked up by id would
# be dropped from the identity map at once and read again by the page.

def _issue(issue_id: int, *, edit: bool) -> Issue:
    issue = get_or_404(Issue, issue_id)
    session_or_404(issue.session.id, edit=edit)
    return issue


def _commitment(commitment_id: int) -> Commitment:
    commitment = get_or_404(Commitment, commitment_id)
    session_or_404(commitment.issue.session.id, edit=True)
    return commitment


def _issue_form(formdata=None, obj=None, fields=None) -> IssueForm:
    """The form of a new issue, or of an existing one (its fields prefixed with its id, as
    the live-entry page shows many at once; pass ``fields`` to read them once per page)."""
    prefix = f"issue-{obj.id}" if obj is not None else ""
    form = IssueForm(formdata=formdata, obj=obj, prefix=prefix)
    fields = list(fields if fields is not None else active_fields())
    if obj is not None and obj.field is not None and obj.field not in fields:
        fields.append(obj.field)  # a retired field stays on the issues that have it
    form.field_id.offer([("", _("— Chọn lĩnh vực —"))] + [(str(f.id), f.name) for f in fields])
    if obj is not None and formdata is None:
        form.field_id.data = str(obj.field_id or "")
    return form


def _issue_details(form: IssueForm) -> operations.IssueDetails:
    field = db.session.get(IssueField, int(form.field_id.data)) if form.field_id.data else None
    return operations.IssueDetails(
        raised_by=form.raised_by.data or "", kind=IssueKind(form.kind.data),
        content=form.content.data or "", outcome=IssueOutcome(form.outcome.data),
        locality=form.locality.data or "", contact=form.contact.data or "",
        citizen_email=form.citizen_email.data or "", field=field,
        answered_by=form.answered_by.data or "", answer=form.answer.data or "")


def _wants_json() -> bool:
    """The live-entry page posts with fetch so the page never reloads mid-session."""
    return request.headers.get("X-Requested-With") == "fetch"


def _live_entry(session, new_form, status=200):
    issues = operations.session_issues(session)
    fields = active_fields()
    context = {
        "session": session, "issues": issues, "form": new_form,
        "edit_forms": {issue.id: _issue_form(obj=issue, fields=fields) for issue in issues},
        "editable": operations.issues_editable(session),
        # Editing shows the citizens' private contacts: only for those who may edit.
        "can_edit": can_edit_session(current_user, session),
    }
    if _wants_json():
        return jsonify({
            "ok": status == 200 and not new_form.errors and not new_form.form_errors,
            "list": render_template("issues/_list.html", **context),
            "form": render_template("issues/_new_form.html", **context),
        }), status
    return render_template("issues/live.html", **context), status


@bp.route("/sessions/<int:session_id>/issues", methods=["GET", "POST"])
def live_entry(session_id: int):
    """Record issue after issue during the session, without leaving the page."""
    can_edit = request.method == "POST"
    session = session_or_404(session_id, edit=can_edit)
    form = _issue_form(formdata=request.form) if request.method == "POST" else _issue_form()
    if request.method == "POST":
        if form.validate_on_submit():
            saved, _result = run_operation(form, lambda: operations.record_issue(
                session, _issue_details(form), by=current_user))
            if saved:
                if _wants_json():
                    return _live_entry(session, _issue_form())
                flash(_("Đã ghi ý kiến."), "success")
                return redirect(url_for(".live_entry", session_id=session.id) + "#new-issue")
        return _live_entry(session, form, 400)
    return _live_entry(session, form)


@bp.route("/issues/<int:issue_id>/edit", methods=["POST"])
def edit_issue(issue_id: int):
    issue = _issue(issue_id, edit=True)
    form = _issue_form(formdata=request.form, obj=issue)
    saved = False
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.update_issue(
            issue, _issue_details(form), by=current_user,
            expected_version=submitted_version(form)))
    if _wants_json():
        if saved:
            return _live_entry(issue.session, _issue_form())
        errors = [str(e) for e in form.form_errors] + [
            f"{field.label.text}: {error}" for field in form for error in field.errors]
        return jsonify({"ok": False, "errors": errors}), 400
    _flash_form_errors(form)
    if request.form.get("back") == "issue":
        return redirect(url_for(".show_issue", issue_id=issue.id))
    return redirect(url_for(".live_entry", session_id=issue.session_id) + f"#issue-{issue.id}")


@bp.route("/issues/<int:issue_id>/move", methods=["POST"])
def move_issue(issue_id: int):
    issue = _issue(issue_id, edit=True)
    offset = -1 if request.form.get("direction") == "up" else 1
    run_operation(None, lambda: operations.move_issue(issue, offset, by=current_user))
    if _wants_json():
        return _live_entry(issue.session, _issue_form())
    return redirect(url_for(".live_entry", session_id=issue.session_id) + f"#issue-{issue.id}")


@bp.route("/issues/<int:issue_id>/delete", methods=["POST"])
def delete_issue(issue_id: int):
    issue = _issue(issue_id, edit=True)
    session = issue.session
    saved, _result = run_operation(None, lambda: operations.delete_issue(issue, by=current_user))
    if saved:
        flash(_("Đã xóa ý kiến."), "success")
    if _wants_json():
        return _live_entry(session, _issue_form())
    return redirect(url_for(".live_entry", session_id=session.id))


@bp.route("/issues/<int:issue_id>")
def show_issue(issue_id: int):
    issue = operations.load_issue(to_id(issue_id) or 0)
    if issue is None:
        abort(404)
    session_or_404(issue.session.id, edit=False)
    return _issue_page(issue)


def _issue_page(issue: Issue, *, refused_progress: tuple[int, ProgressForm] | None = None):
    """The issue's page; ``refused_progress`` (a commitment's id, the form) shows a progress
    update that was not saved: its messages beside the fields, what was typed kept."""
    can_edit = can_edit_session(current_user, issue.session)
    today = local_today()
    deadline = operations.inform_deadline(issue)
    progress_forms = {c.id: ProgressForm(formdata=None) for c in issue.commitments}
    if refused_progress is not None:
        progress_forms[refused_progress[0]] = refused_progress[1]
    return render_template(
        "issues/show.html", issue=issue, can_edit=can_edit, today=today,
        editable=operations.issues_editable(issue.session),
        commitment_form=CommitmentForm(formdata=None),
        status_forms={c.id: _status_form(c) for c in issue.commitments},
        informed_form=InformedForm(formdata=None), progress_forms=progress_forms,
        inform_rules={c.id: operations.inform_rule(c, today, deadline=deadline)
                      for c in issue.commitments},
        earlier=operations.earlier_issues(issue, user=current_user),
        history=history("issue", issue.id),
        commitment_history=histories("commitment", [c.id for c in issue.commitments]),
        agencies=agency_names(),
    )


def _status_form(commitment: Commitment, formdata=None) -> StatusForm:
    form = StatusForm(formdata=formdata)
    form.status.offer([(s.value, s.label) for s in operations.allowed_statuses(commitment)])
    if formdata is None:
        form.version.data = str(commitment.version)
    return form


def _back_to(issue: Issue, anchor: str = ""):
    return redirect(url_for(".show_issue", issue_id=issue.id) + anchor)


def _flash_form_errors(form) -> None:
    for error in form.form_errors:
        flash(error, "error")
    for field in form:
        for error in field.errors:
            flash(f"{field.label.text}: {error}", "error")


@bp.route("/issues/<int:issue_id>/commitments", methods=["POST"])
def add_commitment(issue_id: int):
    issue = _issue(issue_id, edit=True)
    form = CommitmentForm()
    if form.validate_on_submit():
        official = resolve_pick(form.official_id, Official, _("Hãy chọn từ danh sách gợi ý."))
        if not form.official_id.errors:
            saved, commitment = run_operation(form, lambda: operations.assign_commitment(
                issue, operations.CommitmentDetails(
                    agency_name=form.agency_name.data, action=form.action.data,
                    due_on=form.due_on.data, working_days=form.working_days.data,
                    official=official), by=current_user))
            if saved:
                flash(_("Đã giao việc cho %(agency)s, hạn %(due)s.",
                        agency=commitment.agency.name, due=format_date(commitment.due_on)),
                      "success")
                return _back_to(issue, f"#commitment-{commitment.id}")
    _flash_form_errors(form)
    return _back_to(issue, "#new-commitment")


@bp.route("/commitments/<int:commitment_id>/status", methods=["POST"])
def change_commitment_status(commitment_id: int):
    commitment = _commitment(commitment_id)
    form = _status_form(commitment, request.form)
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.change_commitment_status(
            commitment, CommitmentStatus(form.status.data), note=form.note.data or "",
            by=current_user, expected_version=submitted_version(form)))
        if saved:
            flash(_("Tình trạng mới: %(status)s.", status=commitment.status.label), "success")
            return _back_to(commitment.issue, f"#commitment-{commitment.id}")
    _flash_form_errors(form)
    return _back_to(commitment.issue, f"#commitment-{commitment.id}")


@bp.route("/commitments/<int:commitment_id>/informed", methods=["POST"])
def record_citizen_informed(commitment_id: int):
    commitment = _commitment(commitment_id)
    form = InformedForm()
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.record_citizen_informed(
            commitment, form.citizen_informed_on.data, by=current_user,
            expected_version=submitted_version(form)))
        if saved:
            flash(_("Đã ghi ngày trả lời công dân."), "success")
    _flash_form_errors(form)
    return _back_to(commitment.issue, f"#commitment-{commitment.id}")


@bp.route("/commitments/<int:commitment_id>/updates", methods=["POST"])
def add_progress_update(commitment_id: int):
    commitment = _commitment(commitment_id)
    form = ProgressForm()
    if form.validate_on_submit():
        upload = None
        if form.attachment.data and form.attachment.data.filename:
            upload = Upload(form.attachment.data.filename, form.attachment.data.read())
        saved, _result = run_operation(form, lambda: operations.add_progress_update(
            commitment, on=form.on.data, text=form.text.data, upload=upload, by=current_user))
        if saved:
            flash(_("Đã cập nhật tiến độ."), "success")
            return _back_to(commitment.issue, f"#commitment-{commitment.id}")
    # Shown again rather than redirected: the text typed (maybe long) stays in the form, the
    # messages beside their fields (a file field cannot be refilled: the user picks it again).
    for error in form.form_errors:
        flash(error, "error")
    return _issue_page(operations.load_issue(commitment.issue_id),
                       refused_progress=(commitment.id, form)), 400


@bp.route("/updates/<int:update_id>/attachment")
def download_attachment(update_id: int):
    update = get_or_404(ProgressUpdate, update_id)
    session_or_404(update.commitment.issue.session_id, edit=False)
    try:
        document = open_attachment(update)
    except FileNotFoundError:
        abort(404)
    return send_file(document, mimetype=update.attachment_type, as_attachment=True,
                     download_name=update.attachment_name or update.attachment_path)
