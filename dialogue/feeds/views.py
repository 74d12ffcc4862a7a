"""Calendar feeds and the pages to subscribe to them.

The feeds and their public pages need no account (``feeds``); a personal feed is managed by
its owner, signed in (``my_feed``).
"""

import segno
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
from werkzeug.http import http_date, is_resource_modified

from ..accounts import permissions
from ..core.web import get_or_404, public_url, run_operation
from ..officials.models import Official
from ..sessions.access import can_read_session, is_published
from ..sessions.models import DialogueSession
from ..units.models import Unit, UnitLevel
from ..units.operations import current_provinces, unit_for_code
from . import operations, tokens
from .cache import body_cache, feed_stamp
from .forms import FeedTokenForm
from .ical import REFRESH
from .operations import Feed, FeedError, Window

bp = Blueprint("feeds", __name__)
MAX_AGE = int(REFRESH.total_seconds())
my_bp = Blueprint("my_feed", __name__, url_prefix="/account/calendar")


def _window() -> Window:
    try:
        return operations.parse_window(request.args)
    except FeedError as error:
        abort(400, str(error.message))


def _serve(feed: Feed, *, public: bool, window: Window | None = None,
           download_name: str | None = None) -> Response:
    """Answer a feed request: 304 from the feed state alone when the client is up to date,
    else the calendar, assembled.

    A 304 is what most polls get, so its path does the least: headers written as text, the
    window read and the feed's condition built only when the feed is sent (a bad window
    never had an ETag to match).
    """
    stamp = feed_stamp(request.full_path, feed.stamp_extra, feed.scope)
    # A personal feed also changes with its owner's roles, which the date does not follow.
    last_modified = stamp.last_modified if not feed.stamp_extra else None
    response = Response(mimetype="text/calendar", headers={
        "ETag": f'"{stamp.etag}"',
        "Cache-Control": f"{'public' if public else 'private'}, max-age={MAX_AGE}",
    })
    if last_modified is not None:
        response.headers["Last-Modified"] = http_date(last_modified)
    if not is_resource_modified(request.environ, etag=stamp.etag, last_modified=last_modified):
        response.status_code = 304
        return response
    window = window or _window()
    response.set_data(body_cache().get_or_build(
        (request.full_path, stamp.etag), lambda: operations.assemble(feed, window).body))
    if download_name:
        response.headers["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _level(name: str) -> UnitLevel:
    try:
        return UnitLevel(name)
    except ValueError:
        abort(404)


def _unit(code: str) -> Unit:
    unit = unit_for_code(code)
    if unit is None:
        abort(404)
    return unit


def _official(official_id: int) -> Official:
    official = get_or_404(Official, official_id)
    if not operations.has_public_feed(official):
        abort(404)
    return official


def _subunits() -> bool:
    return request.args.get("subunits") == "1"


# What an address names is found before the ETag is compared: a 404 stays a 404.


@bp.route("/feeds/all.ics")
def all_sessions():
    return _serve(operations.all_feed(), public=True)


@bp.route("/feeds/levels/<level>.ics")
def level(level: str):
    return _serve(operations.level_feed(_level(level)), public=True)


@bp.route("/feeds/units/<code>.ics")
def unit(code: str):
    return _serve(operations.unit_feed(_unit(code), subunits=_subunits()), public=True)


@bp.route("/feeds/officials/<int:official_id>.ics")
def official(official_id: int):
    return _serve(operations.official_feed(_official(official_id)), public=True)


@bp.route("/feeds/private/<token>.ics")
def private(token: str):
    # Looked up before anything else, so a revoked address is refused at once, even to a
    # client holding a current ETag.
    user = tokens.user_of_token(token)
    if user is None:
        abort(404)
    return _serve(operations.personal_feed(user), public=False)


@bp.route("/sessions/<int:session_id>.ics")
def session(session_id: int):
    """One session for "Thêm vào lịch": anyone's if announced in public, else only for
    who may read it."""
    found = get_or_404(DialogueSession, session_id)
    published = is_published(found)
    if not published:
        permissions.visible_or_404(can_read_session(current_user, found))
    return _serve(operations.session_feed(found), public=published,
                  window=Window(None, None), download_name=operations.filename(found))


# Subscribe pages ---------------------------------------------------------------------------


# The subscribe buttons of session and announcement pages name the feeds of a unit.
bp.add_app_template_global(operations.feed_units)


def subscription(label: str, endpoint: str, **values) -> dict:
    """The ways to subscribe to one feed address: https, webcal:// and a QR code."""
    address = public_url(endpoint, **values)
    webcal = "webcal://" + address.split("://", 1)[1]
    return {"label": label, "address": address, "webcal": webcal,
            "qr": segno.make(address, error="m").svg_data_uri(scale=4, border=2)}


@bp.route("/feeds/")
def index():
    return render_template("feeds/index.html", provinces=current_provinces(),
                           levels=list(UnitLevel))


@bp.route("/feeds/all")
def subscribe_all():
    feed = operations.all_feed()
    return render_template("feeds/subscribe.html", title=feed.name, subscriptions=[
        subscription(feed.name, "feeds.all_sessions")])


@bp.route("/feeds/levels/<level>")
def subscribe_level(level: str):
    feed = operations.level_feed(_level(level))
    return render_template("feeds/subscribe.html", title=feed.name, subscriptions=[
        subscription(feed.name, "feeds.level", level=level)])


@bp.route("/feeds/units/<code>")
def subscribe_unit(code: str):
    unit = _unit(code)
    page = operations.unit_page(unit)
    subscriptions = [subscription(page.feed.name, "feeds.unit", code=unit.code_text)]
    if page.subunits_feed is not None:
        subscriptions.append(subscription(page.subunits_feed.name, "feeds.unit",
                                          code=unit.code_text, subunits=1))
    return render_template("feeds/subscribe.html", title=page.feed.name,
                           subscriptions=subscriptions, parent=page.parent,
                           children=page.children)


@bp.route("/feeds/officials/<int:official_id>")
def subscribe_official(official_id: int):
    feed = operations.official_feed(_official(official_id))
    return render_template("feeds/subscribe.html", title=feed.name, subscriptions=[
        subscription(feed.name, "feeds.official", official_id=official_id)])


# The personal feed -------------------------------------------------------------------------


@my_bp.route("/")
def personal():
    token = tokens.feed_token_of(current_user)
    subscriptions = [subscription(_("Lịch riêng của bạn"), "feeds.private", token=token.token)
                     ] if token else []
    return render_template("feeds/personal.html", token=token, subscriptions=subscriptions,
                           form=FeedTokenForm())


@my_bp.route("/address", methods=["POST"])
def issue_address():
    form = FeedTokenForm()
    if form.validate_on_submit():
        saved, _token = run_operation(form, lambda: tokens.issue_feed_token(current_user))
        if saved:
            flash(_("Đã tạo địa chỉ lịch riêng mới. Địa chỉ cũ (nếu có) không còn dùng được."),
                  "success")
    return redirect(url_for(".personal"))


@my_bp.route("/address/revoke", methods=["POST"])
def revoke_address():
    form = FeedTokenForm()
    if form.validate_on_submit():
        saved, revoked = run_operation(form, lambda: tokens.revoke_feed_token(current_user))
        if saved and revoked:
            flash(_("Đã thu hồi địa chỉ lịch riêng: các ứng dụng lịch không còn nhận được."),
                  "success")
    return redirect(url_for(".personal"))
