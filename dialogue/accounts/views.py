from flask import (
    Blueprint,
    Flask,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.forms import resolve_pick, submitted_version, to_id
from ..core.web import get_or_404, local_path, paginate, run_operation
from ..extensions import db, login_manager
from ..units.models import Unit
from . import operations, permissions
from .forms import (
    ChangePasswordForm,
    EditUserForm,
    LoginForm,
    NewUserForm,
    ResetPasswordForm,
    RoleForm,
)
from .models import Role, RoleAssignment, User

bp = Blueprint("accounts", __name__)

#: Pages anyone may open: signing in, the public announcements, the verification of
#: filed minutes, assets, language.
PUBLIC_ENDPOINTS = frozenset({"static", "minutes.static", "accounts.login", "set_language"})
PUBLIC_BLUEPRINTS = frozenset({"public", "verify", "feeds", "unsubscribe"})
#: What the pickers fetch: answered with 401, not a redirect to a page.
JSON_ENDPOINTS = frozenset({"units.search", "officials.search"})


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    user_id = to_id(session_id.partition(":")[0])
    user = db.session.scalar(select(User).where(User.id == user_id).options(
        selectinload(User.roles).selectinload(RoleAssignment.unit))) if user_id else None
    if user is None or not user.is_active or user.get_id() != session_id:
        return None
    return user


def _guard():
    """Every page needs a signed-in user unless it is public; a temporary password must
    be changed before anything else."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS \
            or request.blueprint in PUBLIC_BLUEPRINTS:
        return None
    if not current_user.is_authenticated:
        if request.endpoint in JSON_ENDPOINTS:
            return jsonify({"error": _("Hãy đăng nhập.")}), 401
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and request.endpoint not in (
            "accounts.change_password", "accounts.logout"):
        flash(_("Hãy đổi mật khẩu tạm thời trước khi tiếp tục."), "warning")
        return redirect(url_for("accounts.change_password"))
    return None


def init_accounts(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.session_protection = "strong"
    app.before_request(_guard)
    app.jinja_env.globals.update(
        is_admin=lambda: permissions.is_admin(current_user),
        has_edit_rights=lambda: permissions.has_edit_rights(current_user),
        can_edit_unit=lambda unit: permissions.can_edit_unit(current_user, unit),
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("sessions.list_sessions"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        # Saved either way: a failed attempt is recorded too, and throttling counts them.
        saved, outcome = run_operation(form, lambda: operations.authenticate(
            form.username.data, form.password.data, request.remote_addr or ""))
        user, refusal = outcome if saved else (None, "")
        if refusal:
            form.form_errors.append(refusal)
        elif saved:
            session.clear()
            login_user(user)
            session["language"] = user.language
            return redirect(local_path(form.next.data or "") if form.next.data
                            else url_for("sessions.list_sessions"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("Đã đăng xuất."), "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.change_password(
            current_user, form.current_password.data, form.new_password.data))
        if saved:
            login_user(current_user._get_current_object())  # this browser stays signed in
            flash(_("Đã đổi mật khẩu."), "success")
            return redirect(url_for("sessions.list_sessions"))
    return render_template("accounts/password.html", form=form)


@bp.route("/admin/users/")
def list_users():
    permissions.require(permissions.is_admin(current_user))
    statement = select(User).options(
        selectinload(User.roles).selectinload(RoleAssignment.unit)).order_by(User.username)
    return render_template("accounts/users.html", page=paginate(statement, 50))


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user():
    permissions.require(permissions.is_admin(current_user))
    form = NewUserForm()
    if form.validate_on_submit():
        unit = resolve_pick(form.unit_id, Unit, _("Hãy chọn đơn vị hành chính."))
        if not form.unit_id.errors:
            saved, user = run_operation(form, lambda: operations.create_user(
                form.username.data, form.full_name.data, form.password.data,
                email=form.email.data or "", roles=[(Role(form.role.data), unit)],
                by=current_user))
            if saved:
                flash(_("Đã tạo tài khoản %(username)s.", username=user.username), "success")
                return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    permissions.require(permissions.is_admin(current_user))
    user = get_or_404(User, user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.update_user(
            user, full_name=form.full_name.data, email=form.email.data or "",
            is_active=form.is_active.data, language=form.language.data, by=current_user,
            expected_version=submitted_version(form)))
        if saved:
            flash(_("Đã lưu tài khoản %(username)s.", username=user.username), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, user=user,
                           role_form=RoleForm(formdata=None), reset_form=ResetPasswordForm(
                               formdata=None))


@bp.route("/admin/users/<int:user_id>/roles", methods=["POST"])
def grant_role(user_id: int):
    permissions.require(permissions.is_admin(current_user))
    user = get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        unit = resolve_pick(form.unit_id, Unit, _("Hãy chọn đơn vị hành chính."))
        saved, _result = run_operation(form, lambda: operations.grant_role(
            user, Role(form.role.data), unit, by=current_user))
        if saved:
            flash(_("Đã thêm vai trò."), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=EditUserForm(obj=user), user=user,
                           role_form=form, reset_form=ResetPasswordForm(formdata=None)), 400


@bp.route("/admin/users/<int:user_id>/roles/<int:assignment_id>/revoke", methods=["POST"])
def revoke_role(user_id: int, assignment_id: int):
    permissions.require(permissions.is_admin(current_user))
    assignment = get_or_404(RoleAssignment, assignment_id)
    if assignment.user_id != user_id:
        return redirect(url_for(".edit_user", user_id=user_id))
    form = RoleForm(formdata=None)
    saved, _result = run_operation(form, lambda: operations.revoke_role(
        assignment, by=current_user))
    for error in form.form_errors:
        flash(error, "error")
    if saved:
        flash(_("Đã bỏ vai trò."), "success")
    return redirect(url_for(".edit_user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
def reset_password(user_id: int):
    permissions.require(permissions.is_admin(current_user))
    user = get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        saved, _result = run_operation(form, lambda: operations.reset_password(
            user, form.new_password.data, by=current_user))
        if saved:
            flash(_("Đã đặt mật khẩu tạm thời; %(username)s sẽ phải đổi khi đăng nhập.",
                    username=user.username), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=EditUserForm(obj=user), user=user,
                           role_form=RoleForm(formdata=None), reset_form=form), 400
