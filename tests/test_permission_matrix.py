"""Every route of the app × every kind of user × a record in and out of their scope.

The table below is the permission policy, written down once. Each row names an endpoint and
a method, the record it is tried on (see ``TARGETS``) and what each actor gets:

- ``LOGIN``: redirected (302) to the login page;
- ``302``: done (or, for a page, redirected somewhere other than the login page);
- ``200``: the page is shown (for a POST: the form comes back with an error, nothing saved);
- ``401`` / ``403`` / ``404``: refused as JSON, forbidden, or "does not exist for you".

A POST that is not expected to succeed (anything but 302) must also leave every table as it
was. A route of ``app.url_map`` without a row fails :func:`test_every_route_has_an_expectation`.

The actors. Only Gia Lai's units are loaded, so nothing is out of the province's scope: the
administrator and the provincial secretary (``thuky.tinh``) see every record in the table,
and their "out of scope" cells read as in scope. The out-of-scope cases are carried by the
commune roles, all on Xã Ia Grai: its secretary (``thuky.xa``), its leader (``lanhdao``, Rơ
Mah Tuấn, who also chairs a joint dialogue hosted by the neighbouring Phường Pleiku) and its
viewer (``xem``).
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar
from urllib.parse import urlencode

import pytest

from dialogue.accounts.models import Role
from dialogue.core.time import local_today, to_local, utcnow
from dialogue.core.workdays import Holiday
from dialogue.extensions import db
from dialogue.feeds.tokens import issue_feed_token
from dialogue.issues.attachments import Upload
from dialogue.issues.models import IssueField, IssueKind, IssueOutcome
from dialogue.issues.operations import (
    CommitmentDetails,
    IssueDetails,
    add_progress_update,
    assign_commitment,
    record_issue,
)
from dialogue.jobs.models import Job, JobState
from dialogue.jobs.operations import save_job_file
from dialogue.minutes.models import Minutes, MinutesTemplate
from dialogue.minutes.operations import MinutesDetails, finalize_minutes, save_minutes
from dialogue.notices.models import DeliveryState, Notice, NoticeKind, Topic
from dialogue.notices.operations import send_invitations, unsubscribe_token
from dialogue.sessions.models import Participant, ParticipantRole, SessionStatus
from tests.conftest import PASSWORD, UNIT_TABLES
from tests.helpers import at, csrf_token_in

LOGIN = "→ /login"
ACTORS = ("anonymous", "admin", "thuky.tinh", "thuky.xa", "lanhdao", "xem")

#: What a row is tried on.
#: ia_grai  a record of Xã Ia Grai: in everyone's scope.
#: pleiku   a record of Phường Pleiku, the neighbouring commune: out of the commune roles' scope.
#: chaired  a session of Phường Pleiku chaired by lanhdao's official: his own, elsewhere.
#: tinh     an official of Tỉnh Gia Lai: seen by the commune roles (they pick provincial
#:          chairs), edited only by the province.
#: None     a route without a record (or the record is an account: admin pages).
TARGETS = ("ia_grai", "pleiku", "chaired", "tinh", None)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    target: str | None
    expected: tuple  # one outcome per actor, in the order of ACTORS


def row(endpoint, method, target, *expected) -> Row:
    assert len(expected) == len(ACTORS), f"{endpoint} {method} {target}: one outcome per actor"
    return Row(endpoint, method, target, expected)


G, P = "GET", "POST"
#:   endpoint                          method target      anonymous admin tinh  xa  lanhdao xem
MATRIX = [
    # Signing in and out, one's own password, the language: anyone signed in.
    row("accounts.login",              G, None,      200,   302, 302, 302, 302, 302),
    row("accounts.login",              P, None,      302,   302, 302, 302, 302, 302),
    row("accounts.logout",             P, None,      LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    row("accounts.change_password",    G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("accounts.change_password",    P, None,      LOGIN, 302, 302, 302, 302, 302),
    row("set_language",                P, None,      302,   302, 302, 302, 302, 302),
    # Administration: administrators only.
    row("accounts.list_users",         G, None,      LOGIN, 200, 403, 403, 403, 403),
    row("accounts.new_user",           G, None,      LOGIN, 200, 403, 403, 403, 403),
    row("accounts.new_user",           P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("accounts.edit_user",          G, None,      LOGIN, 200, 403, 403, 403, 403),
    row("accounts.edit_user",          P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("accounts.grant_role",         P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("accounts.revoke_role",        P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("accounts.reset_password",     P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("audit.trail",                 G, None,      LOGIN, 200, 403, 403, 403, 403),
    # The public announcement: everyone, signed in or not.
    row("public.announcements",        G, None,      200,   200, 200, 200, 200, 200),
    # Units are the public list of administrative units: every signed-in user reads them.
    row("units.list_units",            G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("units.show_unit",             G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("units.show_unit",             G, "pleiku",  LOGIN, 200, 200, 200, 200, 200),
    row("units.search",                G, None,      401,   200, 200, 200, 200, 200),
    # Lists filter by scope (tested row by row in tests/accounts): every signed-in user.
    row("sessions.home",               G, None,      LOGIN, 302, 302, 302, 302, 302),
    row("sessions.list_sessions",      G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("sessions.calendar",           G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("officials.list_officials",    G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("officials.search",            G, None,      401,   200, 200, 200, 200, 200),
    # Sessions: read in scope (and one's own), edit where one is secretary.
    row("sessions.show_session",       G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("sessions.show_session",       G, "pleiku",  LOGIN, 200, 200, 404, 404, 404),
    row("sessions.show_session",       G, "chaired", LOGIN, 200, 200, 404, 200, 404),
    row("sessions.new_session",        G, None,      LOGIN, 200, 200, 200, 403, 403),
    row("sessions.new_session",        P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("sessions.new_session",        P, "pleiku",  LOGIN, 302, 302, 200, 403, 403),
    *(row(f"sessions.{endpoint}", method, target, *expected)
      for endpoint in ("edit_session", "reschedule_session", "change_status")
      for method in (G, P)
      for target, expected in [
          ("ia_grai", (LOGIN, 200 if method == G else 302, 200 if method == G else 302,
                       200 if method == G else 302, 403, 403)),
          ("pleiku", (LOGIN, 200 if method == G else 302, 200 if method == G else 302,
                      404, 404, 404)),
          ("chaired", (LOGIN, 200 if method == G else 302, 200 if method == G else 302,
                       404, 403, 404)),
      ]),
    # Officials: seen in scope and above it, edited in scope.
    row("officials.new_official",      G, None,      LOGIN, 200, 200, 200, 403, 403),
    row("officials.new_official",      P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("officials.new_official",      P, "pleiku",  LOGIN, 302, 302, 200, 403, 403),
    row("officials.edit_official",     G, "ia_grai", LOGIN, 200, 200, 200, 403, 403),
    row("officials.edit_official",     G, "pleiku",  LOGIN, 200, 200, 404, 404, 404),
    row("officials.edit_official",     G, "tinh",    LOGIN, 200, 200, 403, 403, 403),
    row("officials.edit_official",     P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("officials.edit_official",     P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("officials.edit_official",     P, "tinh",    LOGIN, 302, 302, 403, 403, 403),
    row("officials.archive_official",  P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("officials.archive_official",  P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("officials.archive_official",  P, "tinh",    LOGIN, 302, 302, 403, 403, 403),
    # Issues and commitments: read with the session, changed by who may edit the session.
    row("issues.live_entry",           G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("issues.live_entry",           G, "pleiku",  LOGIN, 200, 200, 404, 404, 404),
    row("issues.live_entry",           P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.live_entry",           P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.show_issue",           G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("issues.show_issue",           G, "pleiku",  LOGIN, 200, 200, 404, 404, 404),
    row("issues.edit_issue",           P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.edit_issue",           P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.move_issue",           P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.move_issue",           P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.delete_issue",         P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.delete_issue",         P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.add_commitment",       P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.add_commitment",       P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.change_commitment_status", P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.change_commitment_status", P, "pleiku", LOGIN, 302, 302, 404, 404, 404),
    row("issues.record_citizen_informed", P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.record_citizen_informed", P, "pleiku", LOGIN, 302, 302, 404, 404, 404),
    row("issues.add_progress_update",  P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("issues.add_progress_update",  P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    row("issues.download_attachment",  G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("issues.download_attachment",  G, "pleiku",  LOGIN, 200, 200, 404, 404, 404),
    row("followup.board",              G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("followup.show_agency",        G, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("followup.search",             G, None,      LOGIN, 200, 200, 200, 200, 200),
    # Reports: every role sees the figures of its own units, and only of them.
    row("reports.dashboard",           G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("reports.dashboard",           G, "pleiku",  LOGIN, 200, 200, 200, 200, 200),
    *(row(f"reports.{endpoint}", G, target, *expected)
      for endpoint in ("rows", "export")
      for target, expected in [
          ("ia_grai", (LOGIN, 200, 200, 200, 200, 200)),
          ("pleiku", (LOGIN, 200, 200, 403, 403, 403)),
      ]),
    # A report's file: a commune's is sent at once (GET or POST); the user's own unit's
    # (None) is, for the administrator and the province's secretary, the country's and the
    # province's: a job, started by a POST (302 to its page), offered by a GET (200).
    row("reports.export",              G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("reports.export",              P, "ia_grai", LOGIN, 200, 200, 200, 200, 200),
    row("reports.export",              P, "pleiku",  LOGIN, 200, 200, 403, 403, 403),
    row("reports.export",              P, None,      LOGIN, 302, 302, 200, 200, 200),
    # The lists the administrator keeps.
    row("issue_admin.fields",          G, None,      LOGIN, 200, 403, 403, 403, 403),
    row("issue_admin.fields",          P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("issue_admin.archive_field",   P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("issue_admin.holidays",        G, None,      LOGIN, 200, 403, 403, 403, 403),
    row("issue_admin.holidays",        P, None,      LOGIN, 302, 403, 403, 403, 403),
    row("issue_admin.delete_holiday",  P, None,      LOGIN, 302, 403, 403, 403, 403),
    # Minutes: read with the session, drafted, finalized and corrected by who may edit it.
    *(row(f"minutes.{endpoint}", G, target, *expected)
      for endpoint in ("edit_minutes", "preview", "draft_pdf", "final_pdf", "revision_pdf")
      for target, expected in [
          ("ia_grai", (LOGIN, 200, 200, 200, 200, 200)),
          ("pleiku", (LOGIN, 200, 200, 404, 404, 404)),
          ("chaired", (LOGIN, 200, 200, 404, 200, 404)),
      ]),
    *(row(f"minutes.{endpoint}", P, target, *expected)
      for endpoint in ("edit_minutes", "start_correction")
      for target, expected in [
          ("ia_grai", (LOGIN, 302, 302, 302, 403, 403)),
          ("pleiku", (LOGIN, 302, 302, 404, 404, 404)),
          ("chaired", (LOGIN, 302, 302, 404, 403, 404)),
      ]),
    # The archive export: who may edit a unit exports its filed minutes (a job).
    row("minutes.archive_export",      G, None,      LOGIN, 200, 200, 200, 403, 403),
    row("minutes.archive_export",      P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("minutes.archive_export",      P, "pleiku",  LOGIN, 302, 302, 400, 403, 403),
    # An agency's address for its digests: administrators only.
    row("followup.set_agency_email",   P, "ia_grai", LOGIN, 302, 403, 403, 403, 403),
    # Calendar feeds and their subscribe pages: public; a personal feed answers whoever holds
    # its secret address; one internal session's calendar goes with the session.
    *(row(f"feeds.{endpoint}", G, target, 200, 200, 200, 200, 200, 200)
      for endpoint, target in [
          ("all_sessions", None), ("level", None), ("unit", "ia_grai"), ("official", "tinh"),
          ("private", None), ("index", None), ("subscribe_all", None),
          ("subscribe_level", None), ("subscribe_unit", "ia_grai"),
          ("subscribe_official", "tinh")]),
    row("feeds.session",               G, "ia_grai", 404,   200, 200, 200, 200, 200),
    row("feeds.session",               G, "pleiku",  404,   200, 200, 404, 404, 404),
    row("feeds.session",               G, "chaired", 404,   200, 200, 404, 200, 404),
    row("public.show_session",         G, "ia_grai", 200,   200, 200, 200, 200, 200),
    # One's own personal feed address: anyone signed in (created before it is revoked).
    row("my_feed.personal",            G, None,      LOGIN, 200, 200, 200, 200, 200),
    row("my_feed.issue_address",       P, None,      LOGIN, 302, 302, 302, 302, 302),
    row("my_feed.revoke_address",      P, None,      LOGIN, 302, 302, 302, 302, 302),
    # Background jobs: followed by who asked and who may read their unit, retried by who may
    # change its data.
    row("jobs.list_jobs",              G, None,      LOGIN, 200, 200, 200, 200, 200),
    *(row(f"jobs.{endpoint}", G, target, *expected)
      for endpoint in ("show_job", "job_json", "download")
      for target, expected in [
          ("ia_grai", (LOGIN, 200, 200, 200, 200, 200)),
          ("pleiku", (LOGIN, 200, 200, 404, 404, 404)),
      ]),
    row("jobs.retry",                  P, "ia_grai", LOGIN, 302, 302, 302, 403, 403),
    row("jobs.retry",                  P, "pleiku",  LOGIN, 302, 302, 404, 404, 404),
    # Invitations and the outbox: who may edit the session's unit sends and follows them.
    *(row(f"notices.{endpoint}", method, target, *expected)
      for endpoint, method in [("send_invitations", P), ("show_notice", G),
                               ("notice_letter", G), ("notice_calendar", G),
                               ("retry_delivery", P)]
      for target, expected in [
          ("ia_grai", (LOGIN, 302 if method == P else 200, 302 if method == P else 200,
                       302 if method == P else 200, 403 if endpoint == "send_invitations"
                       else 404, 403 if endpoint == "send_invitations" else 404)),
          ("pleiku", (LOGIN, 302 if method == P else 200, 302 if method == P else 200,
                      404, 404, 404)),
      ]),
    row("notices.outbox",              G, None,      LOGIN, 200, 200, 200, 403, 403),
    # The link in a reminder or digest: whoever holds it (the token is signed).
    row("unsubscribe.unsubscribe",     G, None,      200,   200, 200, 200, 200, 200),
    row("unsubscribe.unsubscribe",     P, None,      302,   302, 302, 302, 302, 302),
    # The document's stylesheet, and the check of a filed copy: anyone holding one.
    row("minutes.static",              G, None,      200,   200, 200, 200, 200, 200),
    row("verify.verify_lookup",        G, None,      200,   200, 200, 200, 200, 200),
    row("verify.verify",               G, "ia_grai", 200,   200, 200, 200, 200, 200),
]


class World:
    """The actors, and fresh records for each case, so no case sees another's changes."""

    def __init__(self, app, unit, create_user, create_official, create_session, client_for,
                 admin, secretary):
        self.app, self.unit = app, unit
        self._client_for = client_for
        self._create_user, self._create_official = create_user, create_official
        self._create_session = create_session
        self._numbers = itertools.count(1)
        chair = create_official(full_name="Rơ Mah Tuấn", position="Bí thư Đảng ủy xã Ia Grai",
                                unit="Xã Ia Grai")
        self.users = {
            "admin": admin,
            "thuky.tinh": secretary,
            "thuky.xa": create_user("thuky.xa", Role.SECRETARY, "Xã Ia Grai",
                                    full_name="Nguyễn Thị Hồng Nhung"),
            "lanhdao": create_user("lanhdao", Role.LEADER, "Xã Ia Grai",
                                   full_name="Rơ Mah Tuấn", official=chair),
            "xem": create_user("xem", Role.VIEWER, "Xã Ia Grai", full_name="Siu H’Lan"),
        }
        self.chair = chair
        self.day = local_today() + timedelta(days=30)

    # Records ---------------------------------------------------------------------------------

    UNITS: ClassVar = {"ia_grai": "Xã Ia Grai", "pleiku": "Phường Pleiku",
                       "chaired": "Phường Pleiku", "tinh": "Tỉnh Gia Lai"}

    def session(self, target: str):
        overrides = {"chair": self.chair} if target == "chaired" else {}
        name = self.UNITS[target]
        return self._create_session(
            unit=name, starts_at=at(f"{self.day.isoformat()} 08:00"),
            title=f"Đối thoại với Nhân dân {name} lần {next(self._numbers)}",
            venue=f"Hội trường UBND {name.lower()}", **overrides)

    def filed(self, target: str):
        """A session held a month ago whose minutes are final."""
        overrides = {"chair": self.chair} if target == "chaired" else {"chair_name": "Khách mời"}
        name = self.UNITS[target]
        day = local_today() - timedelta(days=30)
        session = self._create_session(
            unit=name, starts_at=at(f"{day.isoformat()} 08:00"), status=SessionStatus.HELD,
            title=f"Đối thoại với Nhân dân {name} lần {next(self._numbers)}",
            secretary_name="Siu H’Lan", **overrides)
        minutes = save_minutes(session, MinutesDetails(
            template=MinutesTemplate.STATE, issuing_body=f"Ủy ban nhân dân {name}",
            symbol="BB-UBND", place_name=name, conclusions="Giao các phòng chuyên môn xử lý."),
            by=self.users["admin"])
        finalize_minutes(minutes, by=self.users["admin"])
        db.session.commit()
        return session

    def official(self, target: str):
        people = {"ia_grai": ("Nguyễn Văn Hùng", "Chủ tịch UBND xã Ia Grai"),
                  "pleiku": ("Trần Văn Đức", "Chủ tịch UBND phường Pleiku"),
                  "tinh": ("Nguyễn Ngọc Lương", "Phó Bí thư Tỉnh ủy")}
        full_name, position = people[target]
        return self._create_official(full_name=full_name, position=position,
                                     unit=self.UNITS[target])

    def issue(self, target: str):
        session = self.session(target)
        return record_issue(session, IssueDetails(
            raised_by="Ông Rơ Châm Tuấn", locality="Làng Dơ Nâu",
            kind=IssueKind.RECOMMENDATION, outcome=IssueOutcome.FOLLOW_UP,
            content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho các hộ làng Dơ Nâu"),
            by=self.users["admin"])

    def commitment(self, target: str):
        commitment = assign_commitment(self.issue(target), CommitmentDetails(
            agency_name="Văn phòng Đăng ký đất đai", action="Đo đạc, cấp giấy chứng nhận",
            working_days=15), by=self.users["admin"])
        db.session.commit()
        return commitment

    def update_with_document(self, target: str):
        commitment = self.commitment(target)
        update = add_progress_update(
            commitment, on=self.day, text="Đã đo đạc xong 12 thửa",
            upload=Upload("bien-ban-do-dac.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\n"),
            by=self.users["admin"])
        db.session.commit()
        return update

    def account(self):
        return self._create_user(f"nguoidung{next(self._numbers)}", Role.VIEWER, "Xã Ia Grai",
                                 full_name="Ksor H’Nga")

    # Clients ---------------------------------------------------------------------------------

    def client(self, actor: str):
        """A client of one of ``ACTORS``."""
        if actor != "anonymous":
            return self._client_for(self.users[actor])
        client = self.app.test_client()
        client.get("/public/")  # a session cookie holding a CSRF token, as a visitor has
        return client

    def clone(self, client):
        """Another browser tab on the same cookie session (a logout or login in it must not
        change the client the next cases use)."""
        copy = self.app.test_client()
        cookie = client.get_cookie("session")
        if cookie is not None:
            copy.set_cookie("session", cookie.value)
        return copy


@pytest.fixture
def world(app, unit, create_user, create_official, create_session, client_for, admin,
          secretary) -> World:
    return World(app, unit, create_user, create_official, create_session, client_for, admin,
                 secretary)


# URL builders: (world, target) -> (path, form data for a POST) -------------------------------

def _session_form(w: World, session) -> dict:
    return {"title": session.title, "unit_id": str(session.unit_id),
            "unit_label": session.unit.name, "kind": session.kind.value,
            "format": session.format.value, "topic": session.topic, "agenda": "",
            "chair_id": str(session.chair_id or ""), "chair_label": session.chair_label or "",
            "is_public": "y", "version": str(session.version)}


def _new_session(w: World, target):
    unit = w.unit(w.UNITS[target or "ia_grai"])
    return "/sessions/new", {
        "title": "Đối thoại với Nhân dân về xóa nhà tạm, nhà dột nát", "unit_id": str(unit.id),
        "unit_label": unit.name, "kind": "periodic", "format": "in_person",
        "starts_on": w.day.strftime("%d/%m/%Y"), "starts_time": "14:00", "ends_time": "16:30",
        "venue": f"Hội trường UBND {unit.name.lower()}",
        "topic": "Chỉ thị số 05/CT-UBND “Chung tay xóa nhà tạm, nhà dột nát”",
        "is_public": "y"}


def _edit_session(w: World, target):
    session = w.session(target)
    return f"/sessions/{session.id}/edit", _session_form(w, session)


def _reschedule(w: World, target):
    session = w.session(target)
    moved = to_local(session.starts_at).date() + timedelta(days=1)
    return f"/sessions/{session.id}/reschedule", {
        "starts_on": moved.strftime("%d/%m/%Y"), "starts_time": "08:00", "ends_time": "11:00",
        "venue": session.venue, "reason": "Trùng lịch kỳ họp HĐND tỉnh",
        "version": str(session.version)}


def _postpone(w: World, target):
    session = w.session(target)
    return f"/sessions/{session.id}/postpone", {
        "reason": "Mưa lũ, chia cắt giao thông", "version": str(session.version)}


def _new_official(w: World, target):
    unit = w.unit(w.UNITS[target or "ia_grai"])
    return "/officials/new", {"full_name": "Lê Thị Thu Hà", "position": "Chánh Văn phòng",
                              "unit_id": str(unit.id), "unit_label": unit.name}


def _edit_official(w: World, target):
    official = w.official(target)
    return f"/officials/{official.id}/edit", {
        "full_name": official.full_name, "position": f"{official.position} (kiêm nhiệm)",
        "unit_id": str(official.unit_id), "unit_label": official.unit.name,
        "version": str(official.version)}


def _archive_official(w: World, target):
    return f"/officials/{w.official(target).id}/archive", {"archived": "1"}


def _new_user(w: World, target):
    unit = w.unit("Xã Ia Grai")
    return "/admin/users/new", {
        "username": f"moi{next(w._numbers)}", "full_name": "Rơ Châm Hiền", "email": "",
        "language": "vi", "is_active": "y", "password": "mat-khau-ban-dau-2026",
        "role": "viewer", "unit_id": str(unit.id), "unit_label": unit.name}


def _edit_user(w: World, target):
    user = w.account()
    return f"/admin/users/{user.id}", {
        "full_name": "Ksor H’Nga", "email": "ksor.hnga@iagrai.gialai.gov.vn", "language": "vi",
        "is_active": "y", "version": str(user.version)}


def _grant_role(w: World, target):
    unit = w.unit("Phường Pleiku")
    return f"/admin/users/{w.account().id}/roles", {
        "role": "viewer", "unit_id": str(unit.id), "unit_label": unit.name}


def _revoke_role(w: World, target):
    user = w.account()
    return f"/admin/users/{user.id}/roles/{user.roles[0].id}/revoke", {}


def _reset_password(w: World, target):
    return f"/admin/users/{w.account().id}/password", {"new_password": "tam-thoi-2026"}


def _login(w: World, target):
    return "/login", {"username": w.account().username, "password": PASSWORD}


def _issue_form(w: World, target) -> dict:
    return {"raised_by": "Bà Ksor H’Nga", "locality": "Thôn 3", "kind": "report", "field_id": "",
            "outcome": "answered", "content": "Phản ánh đường liên thôn xuống cấp",
            "answered_by": "Chủ tịch UBND xã", "answer": "Xã sẽ sửa trong quý I"}


def _live_entry(w: World, target):
    if target is None:
        target = "ia_grai"
    return f"/sessions/{w.session(target).id}/issues", _issue_form(w, target)


def _edit_issue(w: World, target):
    issue = w.issue(target)
    db.session.commit()
    prefix = f"issue-{issue.id}-"
    data = {prefix + key: value for key, value in _issue_form(w, target).items()}
    return f"/issues/{issue.id}/edit", {**data, prefix + "version": str(issue.version)}


def _issue_page(w: World, target):
    issue = w.issue(target)
    db.session.commit()
    return f"/issues/{issue.id}", {}


def _move_issue(w: World, target):
    issue = w.issue(target)
    record_issue(issue.session, IssueDetails(
        raised_by="Ông Nguyễn Văn Bình", kind=IssueKind.OPINION, outcome=IssueOutcome.ANSWERED,
        content="Ý kiến thứ hai"), by=w.users["admin"])
    db.session.commit()
    return f"/issues/{issue.id}/move", {"direction": "down"}


def _delete_issue(w: World, target):
    issue = w.issue(target)
    db.session.commit()
    return f"/issues/{issue.id}/delete", {}


def _add_commitment(w: World, target):
    issue = w.issue(target)
    db.session.commit()
    return f"/issues/{issue.id}/commitments", {
        "agency_name": "Phòng Kinh tế", "action": "Sửa đường liên thôn", "working_days": "20"}


def _commitment_status(w: World, target):
    commitment = w.commitment(target)
    return f"/commitments/{commitment.id}/status", {
        "status": "in_progress", "note": "", "version": str(commitment.version)}


def _citizen_informed(w: World, target):
    commitment = w.commitment(target)
    return f"/commitments/{commitment.id}/informed", {
        "citizen_informed_on": w.day.strftime("%d/%m/%Y"), "version": str(commitment.version)}


def _progress_update(w: World, target):
    commitment = w.commitment(target)
    return f"/commitments/{commitment.id}/updates", {
        "on": w.day.strftime("%d/%m/%Y"), "text": "Đã khảo sát hiện trường"}


def _attachment(w: World, target):
    return f"/updates/{w.update_with_document(target).id}/attachment", {}


def _agency(w: World, target):
    return f"/agencies/{w.commitment(target).agency_id}", {}


def _archive_field(w: World, target):
    field = db.session.scalars(db.select(IssueField).order_by(IssueField.id)).first()
    return f"/admin/fields/{field.id}/archive", {"archived": "1"}


def _delete_holiday(w: World, target):
    holiday = db.session.scalars(db.select(Holiday).order_by(Holiday.id)).first()
    return f"/admin/holidays/{holiday.id}/delete", {}


def _minutes_form(session) -> dict:
    return {"template": "state", "issuing_body": f"Ủy ban nhân dân {session.unit_name}",
            "symbol": "BB-UBND", "place_name": session.unit.short_name, "copies": "2",
            "attendance-0-label": "Nhân dân", "attendance-0-count": "80",
            "conclusions": "Giao UBND xã trả lời bằng văn bản trong 15 ngày làm việc.",
            "recipients": "- Thường trực Đảng ủy;", "action": "save"}


def _edit_minutes(w: World, target):
    session = w.session(target)
    return f"/sessions/{session.id}/minutes", _minutes_form(session)


def _start_correction(w: World, target):
    session = w.filed(target)
    minutes = db.session.scalars(db.select(Minutes).filter_by(session_id=session.id)).one()
    return f"/sessions/{session.id}/minutes/correction", {
        "reason": "Ghi sai tên người nêu ý kiến số 1", "version": str(minutes.version)}


def _filed_path(suffix: str):
    return lambda w, target: (f"/sessions/{w.filed(target).id}/{suffix}", {})


def _session_path(suffix: str):
    return lambda w, target: (f"/sessions/{w.session(target).id}/{suffix}", {})


def _verify(w: World, target):
    session = w.filed(target)
    minutes = db.session.scalars(db.select(Minutes).filter_by(session_id=session.id)).one()
    return f"/verify/{minutes.revisions[0].content_sha256}", {}


def _internal_session_calendar(w: World, target):
    session = w.session(target)
    session.is_public = False
    db.session.commit()
    return f"/sessions/{session.id}.ics", {}


def _private_feed(w: World, target):
    token = issue_feed_token(w.users["thuky.xa"])
    db.session.commit()
    return f"/feeds/private/{token.token}.ics", {}


def _official_feed(w: World, target, suffix=""):
    """An official with a public feed: chairing a public session."""
    official = w.official(target)
    w._create_session(unit=w.UNITS[target], starts_at=at(f"{w.day.isoformat()} 08:00"),
                      chair=official, title=f"Đối thoại lần {next(w._numbers)}")
    return f"/feeds/officials/{official.id}{suffix}", {}


def _unit_code(w: World, target, suffix=""):
    return f"/feeds/units/{w.unit(w.UNITS[target]).code_text}{suffix}", {}


def _report_path(w: World, target, path: str, **args):
    """A report of this year, on the target's unit (the user's own by default)."""
    if target is not None:
        args["unit_id"] = w.unit(w.UNITS[target]).id
    return f"{path}?{urlencode({'year': w.day.year, **args})}", {}


def _archive_export(w: World, target):
    if target is None:
        return "/minutes/archive", {}
    session = w.filed(target)
    return "/minutes/archive", {"year": str(session.local_date.year),
                                "unit_id": str(w.unit(w.UNITS[target]).id)}


def _job(w: World, target, suffix=""):
    """An export of the target's unit the administrator asked for: failed (to retry), or
    done with its file (to download)."""
    job = Job(kind="reports.export", params={}, label=f"Xuất báo cáo {w.UNITS[target]}",
              unit=w.unit(w.UNITS[target]), created_by=w.users["admin"], attempts=1,
              state=JobState.FAILED, error="Lỗi hệ thống", finished_at=utcnow())
    db.session.add(job)
    db.session.flush()
    if suffix == "/file":
        job.state = JobState.DONE
        job.result = save_job_file(job, "Báo cáo.csv", b"Don vi;So phien\n", "text/csv")
    db.session.commit()
    return f"/jobs/{job.id}{suffix}", {}


def _notice(w: World, target, suffix=""):
    """The invitation of a session of the target's unit to one participant: failed (to be
    sent again) when ``suffix`` is "/retry"."""
    session = w.session(target)
    session.participants.append(Participant(
        position=0, full_name="Ksor H'Bia", role=ParticipantRole.CITIZEN_REPRESENTATIVE,
        email="ksorhbia@example.vn"))
    db.session.commit()
    if suffix == "/invitations":
        return f"/sessions/{session.id}/invitations", {}
    send_invitations(session, by=w.users["admin"])
    notice = db.session.scalars(db.select(Notice).filter_by(
        session_id=session.id, kind=NoticeKind.INVITATION)).one()
    if suffix == "/retry":
        delivery = notice.deliveries[0]
        delivery.state, delivery.error = DeliveryState.FAILED, "550 5.1.1 No such user"
        db.session.commit()
        return f"/admin/outbox/{delivery.id}/retry", {}
    db.session.commit()
    return f"/admin/outbox/notices/{notice.id}{suffix}", {}


def _unsubscribe(w: World, target):
    return f"/unsubscribe/{unsubscribe_token('ksorhbia@example.vn', Topic.REMINDERS)}", {}


def _agency_email(w: World, target):
    return (f"/agencies/{w.commitment(target).agency_id}/email",
            {"email": "vanphong@snnmt.gialai.gov.vn"})


def _fixed(path, data=None):
    return lambda w, target: (path, data or {})


BUILDERS = {
    "issues.live_entry": _live_entry,
    "issues.show_issue": _issue_page,
    "issues.edit_issue": _edit_issue,
    "issues.move_issue": _move_issue,
    "issues.delete_issue": _delete_issue,
    "issues.add_commitment": _add_commitment,
    "issues.change_commitment_status": _commitment_status,
    "issues.record_citizen_informed": _citizen_informed,
    "issues.add_progress_update": _progress_update,
    "issues.download_attachment": _attachment,
    "followup.board": _fixed("/followup"),
    "followup.set_agency_email": _agency_email,
    "notices.send_invitations": lambda w, target: _notice(w, target, "/invitations"),
    "notices.show_notice": _notice,
    "notices.notice_letter": lambda w, target: _notice(w, target, "/letter.pdf"),
    "notices.notice_calendar": lambda w, target: _notice(w, target, "/calendar.ics"),
    "notices.retry_delivery": lambda w, target: _notice(w, target, "/retry"),
    "notices.outbox": _fixed("/admin/outbox"),
    "unsubscribe.unsubscribe": _unsubscribe,
    "jobs.list_jobs": _fixed("/jobs/"),
    "jobs.show_job": _job,
    "jobs.job_json": lambda w, target: _job(w, target, ".json"),
    "jobs.download": lambda w, target: _job(w, target, "/file"),
    "jobs.retry": lambda w, target: _job(w, target, "/retry"),
    "reports.dashboard": lambda w, target: _report_path(w, target, "/dashboard"),
    "reports.rows": lambda w, target: _report_path(
        w, target, "/dashboard/rows", show="commitments", bucket="overdue"),
    "reports.export": lambda w, target: _report_path(w, target, "/dashboard/report.csv"),
    "followup.show_agency": _agency,
    "followup.search": _fixed("/search?q=dat+dai"),
    "issue_admin.fields": _fixed("/admin/fields", {"name": "Nông nghiệp, nông thôn"}),
    "issue_admin.archive_field": _archive_field,
    "issue_admin.holidays": _fixed("/admin/holidays", {"day": "02/01/2026",
                                                        "name": "Nghỉ bù Tết Dương lịch"}),
    "issue_admin.delete_holiday": _delete_holiday,
    "minutes.edit_minutes": _edit_minutes,
    "minutes.preview": _session_path("minutes/preview"),
    "minutes.draft_pdf": _session_path("minutes/draft.pdf"),
    "minutes.final_pdf": _filed_path("minutes.pdf"),
    "minutes.revision_pdf": _filed_path("minutes/revisions/1.pdf"),
    "minutes.start_correction": _start_correction,
    "minutes.archive_export": _archive_export,
    "minutes.static": _fixed("/minutes/assets/document.css"),
    "verify.verify_lookup": _fixed("/verify/"),
    "verify.verify": _verify,
    "feeds.all_sessions": _fixed("/feeds/all.ics"),
    "feeds.level": _fixed("/feeds/levels/commune.ics"),
    "feeds.unit": lambda w, target: _unit_code(w, target, ".ics"),
    "feeds.official": lambda w, target: _official_feed(w, target, ".ics"),
    "feeds.private": _private_feed,
    "feeds.session": _internal_session_calendar,
    "feeds.index": _fixed("/feeds/"),
    "feeds.subscribe_all": _fixed("/feeds/all"),
    "feeds.subscribe_level": _fixed("/feeds/levels/province"),
    "feeds.subscribe_unit": _unit_code,
    "feeds.subscribe_official": _official_feed,
    "public.show_session": lambda w, target: (f"/public/sessions/{w.session(target).id}", {}),
    "my_feed.personal": _fixed("/account/calendar/"),
    "my_feed.issue_address": _fixed("/account/calendar/address"),
    "my_feed.revoke_address": _fixed("/account/calendar/address/revoke"),
    "accounts.login": _login,
    "accounts.logout": _fixed("/logout"),
    "accounts.change_password": _fixed("/account/password", {
        # The same password again: the actor must still sign in with it afterwards.
        "current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD}),
    "set_language": _fixed("/language", {"language": "vi", "next": "/public/"}),
    "accounts.list_users": _fixed("/admin/users/"),
    "accounts.new_user": _new_user,
    "accounts.edit_user": _edit_user,
    "accounts.grant_role": _grant_role,
    "accounts.revoke_role": _revoke_role,
    "accounts.reset_password": _reset_password,
    "audit.trail": _fixed("/admin/audit/"),
    "public.announcements": _fixed("/public/"),
    "units.list_units": _fixed("/units/"),
    "units.show_unit": lambda w, target: (f"/units/{w.unit(w.UNITS[target]).id}", {}),
    "units.search": _fixed("/units/search?q=Ia%20Grai"),
    "sessions.home": _fixed("/"),
    "sessions.list_sessions": _fixed("/sessions/"),
    "sessions.calendar": _fixed("/sessions/calendar"),
    "officials.list_officials": _fixed("/officials/"),
    "officials.search": _fixed("/officials/search?q=Nguy"),
    "sessions.show_session": lambda w, target: (f"/sessions/{w.session(target).id}", {}),
    "sessions.new_session": _new_session,
    "sessions.edit_session": _edit_session,
    "sessions.reschedule_session": _reschedule,
    "sessions.change_status": _postpone,
    "officials.new_official": _new_official,
    "officials.edit_official": _edit_official,
    "officials.archive_official": _archive_official,
}


# Running the table ---------------------------------------------------------------------------

#: POSTs that succeed without writing to the database (the cookie session only), or that
#: redirect an already signed-in user without doing anything.
WRITES_NOTHING = frozenset({"accounts.logout", "set_language", "accounts.login"})


def routes(app) -> set[tuple[str, str]]:
    """(rule, method) of every route but the static files."""
    return {(rule.rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def outcome(response):
    if response.status_code == 302 and response.location.split("?")[0].endswith("/login"):
        return LOGIN
    return response.status_code


def database_state() -> dict:
    """Every row of every table but the units: a refused request must leave it all alone."""
    return {table.name: db.session.execute(
        table.select().order_by(*table.primary_key.columns)).all()
        for table in db.metadata.sorted_tables if table.name not in UNIT_TABLES}


def test_every_route_has_an_expectation(app, world):
    """A route added without a row in MATRIX (or a builder that misses its rule) fails."""
    adapter = app.url_map.bind("localhost")
    covered = set()
    for case in MATRIX:
        assert case.target in TARGETS
        path, _data = BUILDERS[case.endpoint](world, case.target)
        rule, _args = adapter.match(path.split("?")[0], method=case.method, return_rule=True)
        assert rule.endpoint == case.endpoint, f"{path} is not {case.endpoint}"
        covered.add((rule.rule, case.method))
    assert routes(app) - covered == set(), "routes without an expectation in MATRIX"
    assert covered - routes(app) == set(), "rows for routes the app no longer has"


@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(actor, world):
    column = ACTORS.index(actor)
    client = world.client(actor)
    token = csrf_token_in(client.get("/public/").get_data(as_text=True))
    failures = []
    for case in MATRIX:
        expected = case.expected[column]
        path, data = BUILDERS[case.endpoint](world, case.target)
        label = f"{case.method} {path} ({case.endpoint}, {case.target or '—'})"
        if case.method == "GET":
            response = client.get(path)
        else:
            before = database_state()
            response = world.clone(client).post(path, data={**data, "csrf_token": token})
            changed = database_state() != before
            if case.endpoint == "accounts.change_password" and outcome(response) == 302:
                # A new password signs out every other browser, this client included.
                client = world.client(actor)
                token = csrf_token_in(client.get("/public/").get_data(as_text=True))
            if expected != 302 and changed:
                failures.append(f"{label}: refused with {outcome(response)} but changed data")
            if outcome(response) == 302 and case.endpoint not in WRITES_NOTHING and not changed:
                failures.append(f"{label}: answered 302 but saved nothing (form data invalid?)")
        if outcome(response) != expected:
            failures.append(f"{label}: expected {expected}, got {outcome(response)}")
    assert not failures, f"as {actor}:\n" + "\n".join(failures)


def test_a_leader_without_an_official_sees_no_session_of_others(world, create_user,
                                                                 client_for):
    """The leader's "own sessions" come from the official the account is linked to; a leader
    account not linked to any official must not match sessions without a chair."""
    unlinked = create_user("lanhdao.khac", Role.LEADER, "Xã Ia Grai", full_name="Đinh Văn Thắng")
    elsewhere = world._create_session(
        unit="Phường Pleiku", starts_at=at(f"{world.day.isoformat()} 14:00"),
        title="Đối thoại không có chủ trì trong danh sách", chair_name="Khách mời")
    client = client_for(unlinked)
    assert client.get(f"/sessions/{elsewhere.id}").status_code == 404
    assert "không có chủ trì" not in client.get("/sessions/").get_data(as_text=True)


def test_the_matrix_records_are_what_the_rows_say(world, unit):
    """The targets mean what the module docstring says: guard against fixtures drifting."""
    tinh = unit("Tỉnh Gia Lai")
    assert unit("Xã Ia Grai").province_id == unit("Phường Pleiku").province_id == tinh.id
    assert world.session("chaired").chair.account_id == world.users["lanhdao"].id
    assert world.official("tinh").unit_id == tinh.id
