"""A session's invitations, the outbox (what was sent to whom, and how it went), and the
link each reminder and digest carries to stop them."""

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
from flask_babel import ngettext
from flask_login import current_user

from ..accounts.permissions import has_edit_rights, require, visible_or_404
from ..core.web import get_or_404, id_arg, paginate, run_operation
from ..extensions import csrf, db
from ..sessions.access import can_edit_session, session_or_404
from ..sessions.models import DialogueSession
from . import (
    compose,
    operations,
    tasks,  # noqa: F401  (registers the sending task and the periodic work)
)
from .forms import OutboxFilterForm
from .mailer import mail_configured
from .models import Delivery, DeliveryState, Notice, NoticeKind

bp = Blueprint("notices", __name__)
unsubscribe_bp = Blueprint("unsubscribe", __name__)
PER_PAGE = 50


@bp.app_template_global()
def session_notice_panel(session: DialogueSession) -> dict | None:
    """What the session's page shows about its invitations, for those who may send them."""
    if not can_edit_session(current_user, session):
        return None
    return {"status": operations.invitation_status(session),
            "notices": operations.session_notices(session),
            "mail_configured": mail_configured()}


@bp.route("/sessions/<int:session_id>/invitations", methods=["POST"])
def send_invitations(session_id: int):
    session = session_or_404(session_id, edit=True)
    done, result = run_operation(None, lambda: operations.send_invitations(
        session, by=current_user))
    if done:
        flash(ngettext("Đã đưa giấy mời của %(num)d người vào hộp thư đi.",
                       "Đã đưa giấy mời của %(num)d người vào hộp thư đi.", result.queued),
              "success")
        if result.without_address:
            flash(ngettext("%(num)d người trong thành phần mời chưa có địa chỉ thư điện tử.",
                           "%(num)d người trong thành phần mời chưa có địa chỉ thư điện tử.",
                           result.without_address), "warning")
        if not mail_configured():
            flash(_("Chưa cấu hình máy chủ thư: thư được giữ trong hộp thư đi, sẽ gửi khi "
                    "quản trị viên cấu hình MAIL_SERVER."), "warning")
    return redirect(url_for("sessions.show_session", session_id=session.id) + "#thong-bao")


def _filter(form: OutboxFilterForm) -> operations.OutboxFilter:
    return operations.OutboxFilter(
        # A forged choice is shown as refused beside its field and filters nothing.
        state=DeliveryState(form.state.data) if form.state.data and not form.state.errors
        else None,
        kind=NoticeKind(form.kind.data) if form.kind.data and not form.kind.errors else None,
        notice_id=id_arg("notice"), session_id=id_arg("session"),
        email=form.email.data or "")


@bp.route("/admin/outbox")
def outbox():
    """Every message the user may see, newest first: to whom, what, and how it went."""
    require(has_edit_rights(current_user))
    form = OutboxFilterForm(request.args, meta={"csrf": False})
    form.validate()
    criteria = _filter(form)
    page = paginate(operations.outbox(current_user, criteria), PER_PAGE)
    notice = _notice_or_404(criteria.notice_id)
    return render_template("notices/outbox.html", page=page, form=form, notice=notice,
                           mail_configured=mail_configured())


def _notice_or_404(notice_id: int | None) -> Notice | None:
    if notice_id is None:
        return None
    notice = get_or_404(Notice, notice_id)
    visible_or_404(operations.can_see_notice(current_user, notice))
    return notice


@bp.route("/admin/outbox/notices/<int:notice_id>")
def show_notice(notice_id: int):
    """A notice as it was sent: subject, text, calendar, letter."""
    notice = _notice_or_404(notice_id)
    return render_template("notices/notice.html", notice=notice)


@bp.route("/admin/outbox/notices/<int:notice_id>/letter.pdf")
def notice_letter(notice_id: int):
    notice = _notice_or_404(notice_id)
    if not notice.letter:
        abort(404)
    return Response(compose.letter_pdf(notice.letter), mimetype="application/pdf",
                    headers={"Content-Disposition": "inline; filename=giay-moi.pdf"})


@bp.route("/admin/outbox/notices/<int:notice_id>/calendar.ics")
def notice_calendar(notice_id: int):
    notice = _notice_or_404(notice_id)
    if not notice.calendar:
        abort(404)
    return Response(notice.calendar, mimetype="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=lich-hop.ics"})


@bp.route("/admin/outbox/<int:delivery_id>/retry", methods=["POST"])
def retry_delivery(delivery_id: int):
    delivery = get_or_404(Delivery, delivery_id)
    visible_or_404(operations.can_see_notice(current_user, delivery.notice))
    if run_operation(None, lambda: operations.retry_delivery(delivery, by=current_user))[0]:
        flash(_("Đã đưa thư vào hàng gửi lại."), "success")
    return redirect(url_for("notices.outbox", notice=delivery.notice_id))


def _token_or_404(token: str):
    found = operations.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    return found


@unsubscribe_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
# The signed token is the authority, not a session: mail clients' one-click POST
# (RFC 8058, List-Unsubscribe-Post) carries no CSRF token and no cookie.
@csrf.exempt
def unsubscribe(token: str):
    email, topic = _token_or_404(token)
    if request.method == "POST":
        operations.unsubscribe(email, topic)
        db.session.commit()
        return redirect(url_for("unsubscribe.unsubscribe", token=token))
    return render_template("notices/unsubscribe.html", email=email, topic=topic,
                           done=operations.has_opted_out(email, topic))
