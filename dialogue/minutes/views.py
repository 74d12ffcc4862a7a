from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from ..accounts.permissions import has_edit_rights, require
from ..audit.operations import history
from ..core.document import ASSET_FOLDER
from ..core.forms import resolve_pick, submitted_version, to_id
from ..core.time import local_today
from ..core.web import run_operation
from ..extensions import db
from ..sessions.access import can_edit_session, session_or_404
from ..units.models import Unit
from . import archive, content, operations
from . import tasks as _tasks  # noqa: F401  (registers the minutes' jobs in every process)
from .forms import ArchiveExportForm, CorrectionForm, MinutesForm, VerifyForm
from .models import MinutesTemplate
from .operations import MinutesDetails

bp = Blueprint("minutes", __name__, static_folder=str(ASSET_FOLDER),
               static_url_path="/minutes/assets")
#: The public page a printed QR code opens.
verify_bp = Blueprint("verify", __name__)


def _form(minutes, formdata=None) -> MinutesForm:
    form = MinutesForm(formdata=formdata, obj=minutes if formdata is None else None)
    if formdata is None:
        form.template.data = minutes.template.value
        form.version.data = str(minutes.version or "")
    if minutes.is_correction:
        form.number.render_kw = {"readonly": True}
    return form


def _details(form: MinutesForm) -> MinutesDetails:
    return MinutesDetails(
        template=MinutesTemplate(form.template.data), parent_body=form.parent_body.data or "",
        issuing_body=form.issuing_body.data or "", number=form.number.data,
        symbol=form.symbol.data or "", place_name=form.place_name.data or "",
        attendance=[(row.form.label.data or "", row.form.count.data or 0)
                    for row in form.attendance],
        attendees=form.attendees.data or "", conclusions=form.conclusions.data or "",
        signing_note=form.signing_note.data or "", copies=form.copies.data or 1,
        recipients=form.recipients.data or "")


def _page(session, minutes, form, *, status=200, correction=None):
    can_edit = can_edit_session(current_user, session)
    return render_template(
        "minutes/edit.html", session=session, minutes=minutes, form=form, can_edit=can_edit,
        drafting_open=operations.drafting_open(session),
        job=operations.last_finalizing(minutes),
        correction=correction or CorrectionForm(version=minutes.version),
        history=history("minutes", minutes.id) if minutes.id else []), status


@bp.route("/sessions/<int:session_id>/minutes", methods=["GET", "POST"])
def edit_minutes(session_id: int):
    """The minutes of a session: the draft to edit, or the filed revisions."""
    session = session_or_404(session_id, edit=request.method == "POST")
    minutes = operations.minutes_or_new(session)
    if request.method == "GET":
        return _page(session, minutes, _form(minutes))
    form = _form(minutes, request.form)
    finalize = request.form.get("action") == "finalize"
    if not form.validate_on_submit():
        return _page(session, minutes, form, status=400)
    version = submitted_version(form) if minutes.id else None

    # Finalizing saves the draft too, then leaves the layout to a job.
    operation = operations.request_finalizing if finalize else operations.save_minutes
    saved, _result = run_operation(form, lambda: operation(
        session, _details(form), by=current_user, expected_version=version))
    if not saved:
        db.session.expire_all()
        minutes = operations.minutes_or_new(session)
        return _page(session, minutes, form, status=400)
    if finalize:
        flash(_("Đã lưu dự thảo và bắt đầu hoàn thiện biên bản: bản PDF/A hiện ở trang này "
                "khi xong."), "success")
    else:
        flash(_("Đã lưu dự thảo biên bản."), "success")
    return redirect(url_for(".edit_minutes", session_id=session.id))


@bp.route("/sessions/<int:session_id>/minutes/correction", methods=["POST"])
def start_correction(session_id: int):
    session = session_or_404(session_id, edit=True)
    minutes = operations.minutes_of(session)
    if minutes is None:
        abort(404)
    form = CorrectionForm()
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.start_correction(
            minutes, reason=form.reason.data, by=current_user,
            expected_version=submitted_version(form)))
        if saved:
            flash(_("Đã mở bản đính chính: sửa dự thảo rồi hoàn thiện lại. Các bản đã lưu "
                    "vẫn giữ nguyên."), "success")
            return redirect(url_for(".edit_minutes", session_id=session.id))
        db.session.expire_all()
        minutes = operations.minutes_of(session)
    return _page(session, minutes, _form(minutes), status=400, correction=form)


def _draft(session_id: int):
    """The minutes being drafted; final ones have no draft: their filed PDF is shown."""
    session = session_or_404(session_id, edit=False)
    minutes = operations.minutes_or_new(session)
    if minutes.is_final:
        abort(redirect(url_for(".final_pdf", session_id=session.id)))
    return minutes


@bp.route("/sessions/<int:session_id>/minutes/preview")
def preview(session_id: int):
    """The draft as a web page, to read before printing."""
    response = Response(content.draft_html(_draft(session_id)), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/sessions/<int:session_id>/minutes/draft.pdf")
def draft_pdf(session_id: int):
    """The draft as PDF, marked "DỰ THẢO" on every page."""
    rendered = content.draft_pdf(_draft(session_id))
    return _pdf_response(rendered.data, f"du-thao-bien-ban-{session_id}.pdf",
                         cache="no-store")


def _pdf_response(data: bytes, filename: str, *, cache: str, etag: str | None = None):
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = cache
    if etag:
        response.set_etag(etag)
        response.make_conditional(request)
    return response


def _filed(session_id: int, number: int | None):
    session = session_or_404(session_id, edit=False)
    if number is not None and to_id(number) is None:
        abort(404)  # not a revision number the database could even hold
    revision = archive.filed_revision(session, number)
    if revision is None:
        abort(404, _("Biên bản của phiên này chưa được hoàn thiện."))
    # Filed bytes never change: the hash is the ETag, and caches may keep them.
    return _pdf_response(revision.pdf, f"{revision.file_stem}.pdf", cache="private, max-age=0",
                         etag=revision.pdf_sha256)


@bp.route("/sessions/<int:session_id>/minutes.pdf")
def final_pdf(session_id: int):
    """The latest filed revision, byte for byte as it was finalized."""
    return _filed(session_id, None)


@bp.route("/sessions/<int:session_id>/minutes/revisions/<int:number>.pdf")
def revision_pdf(session_id: int, number: int):
    return _filed(session_id, number)


@bp.route("/minutes/archive", methods=["GET", "POST"])
def archive_export():
    """A year's filed minutes of a unit in one .zip (the PDFs and index.csv) to hand to the
    archives, packed by a job; the page lists the user's last ones to download."""
    require(has_edit_rights(current_user))
    form = ArchiveExportForm()
    if request.method == "GET":
        # Records go to the archives in the year after the work ended.
        form.year.data = local_today().year - 1
        if unit := archive.default_export_unit(current_user):
            form.unit_id.data, form.unit_label.data = unit.id, unit.display_name
    elif form.validate_on_submit():
        unit = resolve_pick(form.unit_id, Unit, _("Không tìm thấy đơn vị này."))
        if not form.unit_id.errors:
            saved, _job = run_operation(form, lambda: archive.request_archive_export(
                form.year.data, unit, by=current_user))
            if saved:
                flash(_("Đang đóng gói biên bản năm %(year)d: tải tệp ở đây khi xong.",
                        year=form.year.data), "success")
                return redirect(url_for(".archive_export"))
    return render_template("minutes/archive.html", form=form,
                           jobs=archive.recent_exports(current_user)), (
        400 if request.method == "POST" else 200)


@verify_bp.route("/verify/")
def verify_lookup():
    form = VerifyForm(request.args)
    code = (form.code.data or "").strip().lower()
    if code:
        return redirect(url_for(".verify", code=code[:64]))
    return render_template("minutes/verify.html", form=form, revision=None, code="")


@verify_bp.route("/verify/<code>")
def verify(code: str):
    """What the archive holds for a printed or forwarded copy (no personal data)."""
    revision = archive.find_revision(code)
    latest = revision.minutes.revision if revision else 0
    return render_template("minutes/verify.html", form=VerifyForm(code=code),
                           revision=revision, latest=latest,
                           code=code[:64]), 200 if revision else 404
