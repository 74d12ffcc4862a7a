"""The probes: /healthz answers while the process lives; /readyz while the database answers
at the schema the code expects. Neither needs a login, sets a cookie or may be cached."""

from alembic.script import ScriptDirectory

from dialogue import ROOT

from ..database import downgrade, migrate
from ..helpers import counting

HEAD = ScriptDirectory(str(ROOT / "migrations")).get_current_head()


def assert_probe_answer(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    return response.json


def test_liveness_asks_nothing_of_the_database(anonymous):
    with counting() as count:
        response = anonymous.get("/healthz")
    assert assert_probe_answer(response, 200) == {"status": "ok"}
    assert count[0] == 0


def test_liveness_answers_while_the_database_is_away(database_away):
    assert assert_probe_answer(database_away.test_client().get("/healthz"), 200)


def test_ready_when_the_database_is_at_the_migrations_head(anonymous):
    body = assert_probe_answer(anonymous.get("/readyz"), 200)
    assert body == {"status": "ready", "checks": {
        "database": {"ok": True},
        "migrations": {"ok": True, "database": [HEAD], "code": [HEAD]}}}


def test_not_ready_while_the_database_is_away(database_away):
    body = assert_probe_answer(database_away.test_client().get("/readyz"), 503)
    assert body == {"status": "unavailable",
                    "checks": {"database": {"ok": False, "error": "OperationalError"}}}


def test_not_ready_until_the_last_migration_is_applied(scratch_app):
    with scratch_app.app_context():
        probe = scratch_app.test_client()
        downgrade("-1")
        body = assert_probe_answer(probe.get("/readyz"), 503)
        migrations = body["checks"]["migrations"]
        assert body["checks"]["database"] == {"ok": True}
        assert migrations["ok"] is False
        assert migrations["code"] == [HEAD] and migrations["database"] not in ([], [HEAD])

        migrate()  # the upgrade an operator runs: ready again, without a restart
        assert assert_probe_answer(probe.get("/readyz"), 200)["status"] == "ready"


def test_the_probes_skip_the_sign_in_and_leave_a_signed_in_session_alone(client):
    # A page asks a signed-in browser nothing either: no redirect, no new cookie.
    for path in ("/healthz", "/readyz"):
        assert_probe_answer(client.get(path), 200)


def test_the_probes_only_answer_get_and_head(anonymous):
    refused = anonymous.post("/readyz")
    assert assert_probe_answer(refused, 405) == {"status": "method not allowed"}
    assert refused.headers["Allow"] == "GET, HEAD"
    assert anonymous.head("/healthz").status_code == 200
