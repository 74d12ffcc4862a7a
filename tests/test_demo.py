"""The demo installation around Gia Lai that `make run` loads into an empty database."""

import sqlalchemy as sa

from dialogue.accounts.models import Role
from dialogue.accounts.operations import authenticate, find_user
from dialogue.demo import seed_demo
from dialogue.extensions import db
from dialogue.minutes.models import Minutes, MinutesStatus
from dialogue.officials.models import Official
from dialogue.sessions.models import DialogueSession, SessionStatus
from dialogue.units.models import Era, UnitLevel
from dialogue.units.operations import import_units
from tests.helpers import log_in


def _sessions() -> list[DialogueSession]:
    return list(db.session.scalars(sa.select(DialogueSession).order_by(DialogueSession.id)))


def test_the_demo_has_sessions_at_every_level_and_in_every_state(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    sessions = _sessions()
    assert f"{len(sessions)} phiên đối thoại" in result.output
    levels = {(s.unit.era, s.level) for s in sessions}
    assert {(Era.LEGACY, UnitLevel.PROVINCE), (Era.Y2025, UnitLevel.PROVINCE),
            (Era.LEGACY, UnitLevel.DISTRICT), (Era.Y2025, UnitLevel.COMMUNE)} <= levels
    assert {s.status for s in sessions} == set(SessionStatus)
    provincial = next(s for s in sessions if s.unit_name == "Tỉnh Gia Lai"
                      and s.unit.era is Era.LEGACY)
    assert provincial.chair.full_name == "Nguyễn Ngọc Lương"
    assert len(provincial.connection_points) == 1 + 17
    names = set(db.session.scalars(sa.select(Official.full_name)))
    assert {"Nguyễn Ngọc Lương", "Phạm Thị Tố Hải", "Ayun H’Bút"} <= names


#: username -> (role, unit): one demo account per role, as README lists them.
DEMO_ACCOUNTS = {
    "admin": (Role.ADMIN, None),
    "thuky.tinh": (Role.SECRETARY, "Tỉnh Gia Lai"),
    "thuky.xa": (Role.SECRETARY, "Xã Ia Grai"),
    "lanhdao": (Role.LEADER, "Tỉnh Gia Lai"),
    "xem": (Role.VIEWER, "Tỉnh Gia Lai"),
}


def test_the_demo_has_one_account_per_role_and_prints_them(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    assert "demo-2026" in result.output
    listed = result.output.split("demo-2026", 1)[1]
    for username, (role, unit_name) in DEMO_ACCOUNTS.items():
        assert f"  {username} " in listed, username
        with app.test_request_context():
            user, why = authenticate(username, "demo-2026", "192.0.2.7")
        assert (user, why) == (find_user(username), ""), username
        assert [(a.role, a.unit.name if a.unit else None) for a in user.roles] == [
            (role, unit_name)]
    leader = find_user("lanhdao")
    assert db.session.scalar(sa.select(Official.full_name).where(
        Official.account_id == leader.id)) == "Phạm Thị Tố Hải"


def test_the_demo_accounts_sign_in_through_the_login_page(app):
    seed_demo(echo=lambda message: None)
    db.session.commit()
    client = app.test_client()

    log_in(client, "thuky.xa", "demo-2026")

    assert client.get("/sessions/").status_code == 200


def test_the_demo_is_not_added_twice(app):
    seed_demo(echo=lambda message: None)
    count = len(_sessions())
    officials = db.session.scalar(sa.select(sa.func.count()).select_from(Official))

    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "bỏ qua" in result.output
    assert len(_sessions()) == count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Official)) == officials


def test_forcing_the_demo_adds_its_sessions_again_but_not_its_officials():
    seed_demo(echo=lambda message: None)
    count = len(_sessions())
    officials = db.session.scalar(sa.select(sa.func.count()).select_from(Official))

    seed_demo(force=True, echo=lambda message: None)

    assert len(_sessions()) == 2 * count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Official)) == officials


def test_the_demo_stays_in_gia_lai_when_other_provinces_are_loaded(scratch_app):
    """Đà Nẵng has a Phường An Khê too: the demo's An Khê is the one in Gia Lai.

    `make run` loads the whole country, Đà Nẵng (code 48) before Gia Lai (52), as here.
    """
    with scratch_app.app_context():
        import_units([Era.LEGACY, Era.Y2025], province_code=48)
        import_units([Era.LEGACY, Era.Y2025], province_code=52)
        db.session.commit()

        seed_demo(echo=lambda message: None)

        places = {(s.unit_name, (s.unit.province or s.unit).name) for s in _sessions()}
        assert {province for _unit, province in places} == {"Tỉnh Gia Lai"}, places
        an_khe = db.session.scalars(sa.select(Official).where(
            Official.position.like("%An Khê%"))).one()
        assert an_khe.unit.province.name == "Tỉnh Gia Lai"
        assert find_user("thuky.xa").roles[0].unit.province.name == "Tỉnh Gia Lai"


def test_the_demo_has_filed_minutes_and_a_draft(app):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output

    minutes = {m.session.title: m for m in db.session.scalars(sa.select(Minutes))}
    filed = next(m for title, m in minutes.items() if title.startswith("Hội nghị đối thoại"))
    draft = next(m for title, m in minutes.items() if "xóa nhà tạm" in title)
    assert filed.session.status is draft.session.status is SessionStatus.HELD
    assert filed.status is MinutesStatus.FINAL and filed.document_number == "01-BB/TU"
    assert filed.revisions[0].pdf.startswith(b"%PDF")
    assert filed.session.issues_locked_at is not None
    assert draft.status is MinutesStatus.DRAFT and not draft.revisions
    assert "Biên bản:" in result.output
