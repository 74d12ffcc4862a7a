"""Every POST route refuses a form without a valid CSRF token, and saves nothing.

The routes come from ``app.url_map``; each is built with real records by the permission
matrix's URL builders, so a new POST route without a builder fails here too.
"""

import pytest

from tests import test_permission_matrix as permission_matrix
from tests.helpers import csrf_token_in
from tests.test_permission_matrix import BUILDERS, database_state

EXPIRED = "Biểu mẫu đã hết hạn hoặc không hợp lệ"
#: The permission matrix's fixture: its records, users and their clients.
world = permission_matrix.world


#: POST routes a signed token in the address authorises instead of a session: the
#: unsubscribe link, whose one-click POST a mail client sends with no cookie and no form
#: (RFC 8058); a forged token is refused there (tests/notices/test_views.py).
TOKEN_AUTHORISED = frozenset({"unsubscribe.unsubscribe"})


def post_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules()
                   if "POST" in rule.methods and rule.endpoint not in TOKEN_AUTHORISED})


def test_the_walk_finds_the_post_routes(app):
    """A sanity check on the walk itself: forms we know of are in it."""
    assert {"accounts.login", "accounts.logout", "sessions.new_session",
            "sessions.change_status", "officials.archive_official", "accounts.revoke_role",
            "set_language"} <= set(post_endpoints(app))


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_every_post_route_refuses_a_form_without_a_valid_token(app, world, token):
    admin = world.client("admin")
    valid = csrf_token_in(admin.get("/public/").get_data(as_text=True))
    sent = {} if token == "missing" else {"csrf_token": valid[:-4] + "AAAA"}
    failures = []
    for endpoint in post_endpoints(app):
        if endpoint not in BUILDERS:
            failures.append(f"{endpoint}: no URL builder; add one to test_permission_matrix")
            continue
        path, data = BUILDERS[endpoint](world, "ia_grai")
        before = database_state()
        response = world.clone(admin).post(path, data={**data, **sent})
        page = response.get_data(as_text=True)
        if response.status_code != 400 or EXPIRED not in page:
            failures.append(f"POST {path} ({endpoint}): {response.status_code}, not refused")
        if database_state() != before:
            failures.append(f"POST {path} ({endpoint}): refused but changed data")
        # The same form with its token goes through: the token was the only thing missing.
        path, data = BUILDERS[endpoint](world, "ia_grai")
        response = world.clone(admin).post(path, data={**data, "csrf_token": valid})
        if response.status_code != 302:
            failures.append(f"POST {path} ({endpoint}) with a token: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_visitor_cannot_sign_in_without_the_login_form_token(world):
    visitor = world.app.test_client()
    before = database_state()
    response = visitor.post("/login", data={"username": "thuky.xa", "password": "x" * 12})
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert database_state() == before  # not even a failed login is counted
