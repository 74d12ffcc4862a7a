"""What every page shares: language, error pages, date filters, pagination."""

from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, NotFound

from ..extensions import db
from .errors import StaleEdit, UserError
from .forms import to_id
from .time import format_date, format_datetime, format_time

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Beyond this a page number is a typo or a probe, not a page anyone reads.
MAX_PAGE = 10_000


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return languages[0]
    return session.get("language") if session.get("language") in languages else languages[0]


def get_or_404(model, object_id):
    object_id = to_id(object_id)
    obj = db.session.get(model, object_id) if object_id else None
    if obj is None:
        raise NotFound()
    return obj


def id_arg(name: str) -> int | None:
    """An id from the query string, or None when absent or not an id."""
    return to_id(request.args.get(name))


def paginate(statement, per_page: int):
    """One page of ``statement``, the page number read from the query string."""
    page = min(to_id(request.args.get("page")) or 1, MAX_PAGE)
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def public_url(endpoint: str, **values) -> str:
    """The absolute address of a page as printed or published (minutes, calendar feeds):
    built on the configured PUBLIC_URL, never on the request, whose Host a client chooses."""
    base = urlsplit(current_app.config["PUBLIC_URL"].rstrip("/"))
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def flash_warnings(warnings) -> None:
    for warning in warnings:
        flash(warning.message, "warning")


def _is_unique_violation(error: IntegrityError) -> bool:
    """PostgreSQL's SQLSTATE 23505, or SQLite's UNIQUE constraint."""
    original = error.orig
    return (getattr(original, "sqlstate", None) == "23505"
            or getattr(original, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE",
                                                             "SQLITE_CONSTRAINT_PRIMARYKEY"))


def run_operation(form, operation) -> tuple[bool, object]:
    """Run an operation and commit it: (True, its result), or (False, None) after showing
    the user's error beside its field (or, for an action without a form, ``form=None``, as
    a flash message). Every view that changes something saves through here.

    Nothing is saved when the operation fails, and the form keeps what was typed.
    """
    try:
        result = operation()
        db.session.commit()
    except (StaleDataError, IntegrityError) as caught:
        db.session.rollback()
        # A version that moved, or a unique row someone else just saved (the same number,
        # name or address, a double click): both are a concurrent save. Any other broken
        # constraint is a bug, and stays loud.
        if isinstance(caught, IntegrityError) and not _is_unique_violation(caught):
            raise
        error = StaleEdit()
    except UserError as caught:
        db.session.rollback()
        error = caught
    else:
        return True, result
    if form is None:
        flash(error.message, "error")
        return False, None
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return False, None


def set_language():
    """Switch the interface language for this browser, then go back where the user was."""
    language = request.form.get("language", "")
    if language in current_app.config["LANGUAGES"]:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language  # kept for the next sign-in
            db.session.commit()
    return redirect(local_path(request.form.get("next", "")))


def local_path(target: str) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirect)."""
    if not target.isprintable() or " " in target or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _refuse_nul_bytes():
    # PostgreSQL refuses NUL in text; no user types one, so the request is refused whole.
    sent = [item for values in (request.args, request.form)
            for pair in values.items(multi=True) for item in pair]
    # The address too: a token or code in the path reaches queries like a query string.
    sent += [value for value in (request.view_args or {}).values() if isinstance(value, str)]
    if any("\x00" in item for item in sent):
        abort(400, _("Dữ liệu gửi lên có ký tự không hợp lệ."))


def _error_page(error: HTTPException):
    if error.code >= 500:
        # The request failed mid-transaction: the page itself must not touch that session.
        db.session.rollback()
    return render_template("error.html", error=error), error.code


def _csrf_error(error: CSRFError):
    return render_template("error.html", error=error, message=_(
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy quay lại, tải lại trang và gửi lại.")), 400


def init_web(app: Flask) -> None:
    app.add_url_rule("/language", "set_language", set_language, methods=["POST"])
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.before_request(_refuse_nul_bytes)
    app.register_error_handler(HTTPException, _error_page)
    app.register_error_handler(CSRFError, _csrf_error)
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_time, "time")
    app.add_template_filter(format_datetime, "datetime")

    @app.after_request
    def _security_headers(response):
        # Every script and style is a file served by the app: nothing inline, nothing remote.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
