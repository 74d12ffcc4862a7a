"""A realistic demo installation around Gia Lai, built from the seed articles.

Names and numbers come from the articles in ``shared/seeds`` (Báo Gia Lai, 05/12/2024):
the province's leaders, the 17 district connection points, the topics people raised.
"""

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from .accounts.models import Role, User
from .accounts.operations import create_user, find_user
from .core.time import local_to_utc, local_today
from .extensions import db
from .issues.admin import active_fields, set_agency_email
from .issues.models import Agency, CommitmentStatus, IssueKind, IssueOutcome
from .issues.operations import (
    CommitmentDetails,
    IssueDetails,
    add_progress_update,
    assign_commitment,
    change_commitment_status,
    record_issue,
)
from .minutes.models import MinutesTemplate
from .minutes.operations import MinutesDetails, finalize_minutes, save_minutes
from .notices.operations import send_invitations
from .officials.models import Official
from .officials.operations import add_official, link_account
from .sessions import models as sessions_model
from .sessions import operations as sessions
from .sessions.models import DialogueSession, ParticipantRole, SessionFormat, SessionKind
from .units.models import Era, Unit, UnitLevel
from .units.operations import import_units

GIA_LAI_2025 = 52
GIA_LAI_LEGACY = 64

#: Demo only: README lists these; a real installation creates its own with
#: `flask --app dialogue users create`.
DEMO_PASSWORD = "demo-2026"
# username -> (full name, role, unit name or None for the whole country, official's name)
DEMO_ACCOUNTS = {
    "admin": ("Quản trị hệ thống", Role.ADMIN, None, None),
    "thuky.tinh": ("Trần Thị Minh Thư", Role.SECRETARY, "Tỉnh Gia Lai", None),
    "thuky.xa": ("Nguyễn Thị Hồng Nhung", Role.SECRETARY, "Xã Ia Grai", "Nguyễn Thị Hồng Nhung"),
    "lanhdao": ("Phạm Thị Tố Hải", Role.LEADER, "Tỉnh Gia Lai", "Phạm Thị Tố Hải"),
    "xem": ("Đoàn kiểm tra Ban Dân vận", Role.VIEWER, "Tỉnh Gia Lai", None),
}

# (unit name, era, level) -> officials as (name, position)
OFFICIALS = {
    ("Tỉnh Gia Lai", Era.Y2025, UnitLevel.PROVINCE): [
        ("Nguyễn Ngọc Lương", "Phó Bí thư Tỉnh ủy"),
        ("Phạm Thị Tố Hải", "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Dân vận Tỉnh ủy"),
        ("Ayun H’Bút", "Tỉnh ủy viên, Phó Chủ tịch HĐND tỉnh"),
        ("Nguyễn Thái Bình", "Phó Trưởng ban Thường trực Ban Dân vận Tỉnh ủy"),
    ],
    ("Huyện Chư Prông", Era.LEGACY, UnitLevel.DISTRICT): [
        ("Kpuih Hồ Công Thông", "Trưởng ban Dân vận Huyện ủy Chư Prông"),
    ],
    ("Huyện Đức Cơ", Era.LEGACY, UnitLevel.DISTRICT): [
        ("Siu Thil", "Phó Bí thư Thường trực Huyện ủy Đức Cơ"),
    ],
    ("Xã Ia Grai", Era.Y2025, UnitLevel.COMMUNE): [
        ("Rơ Mah Tuấn", "Bí thư Đảng ủy xã Ia Grai"),
        ("Nguyễn Thị Hồng Nhung", "Công chức Văn phòng - Thống kê xã Ia Grai"),
    ],
    ("Phường Pleiku", Era.Y2025, UnitLevel.COMMUNE): [
        ("Trần Văn Đức", "Chủ tịch UBND phường Pleiku"),
        ("Lê Thị Thu Hà", "Chánh Văn phòng HĐND và UBND phường Pleiku"),
    ],
    ("Phường An Khê", Era.Y2025, UnitLevel.COMMUNE): [
        ("Đinh Văn Hùng", "Chủ tịch UBND phường An Khê"),
    ],
    ("Xã Chư Prông", Era.Y2025, UnitLevel.COMMUNE): [
        ("Ksor H’Nga", "Phó Chủ tịch UBND xã Chư Prông"),
    ],
}

#: Where the demo's invitations and digests would go (the reserved .example domain).
OFFICIAL_EMAILS = {"Trần Văn Đức": "tranvanduc@pleiku.gialai.example",
                   "Lê Thị Thu Hà": "lethithuha@pleiku.gialai.example",
                   "Ksor H’Nga": "ksorhnga@chuprong.example"}
AGENCY_EMAILS = {"UBND xã Ia Grai": "vanphong@iagrai.gialai.example",
                 "Phòng Kinh tế": "phongkinhte@iagrai.gialai.example"}

DISTRICT_POINTS = [
    "Thành phố Pleiku", "Thị xã An Khê", "Thị xã Ayun Pa", "Huyện KBang", "Huyện Đăk Đoa",
    "Huyện Chư Păh", "Huyện Ia Grai", "Huyện Mang Yang", "Huyện Kông Chro", "Huyện Đức Cơ",
    "Huyện Chư Prông", "Huyện Chư Sê", "Huyện Đăk Pơ", "Huyện Ia Pa", "Huyện Krông Pa",
    "Huyện Phú Thiện", "Huyện Chư Pưh",
]


def _unit(name: str, era: Era, level: UnitLevel) -> Unit:
    """The unit so named in Gia Lai: other provinces have units of the same name."""
    gia_lai = db.session.scalar(select(Unit).where(
        Unit.era == era, Unit.level == UnitLevel.PROVINCE,
        Unit.code == (GIA_LAI_2025 if era is Era.Y2025 else GIA_LAI_LEGACY)))
    unit = gia_lai if level is UnitLevel.PROVINCE else db.session.scalar(select(Unit).where(
        Unit.name == name, Unit.era == era, Unit.level == level,
        Unit.province_id == (gia_lai.id if gia_lai else None)))
    if unit is None or unit.name != name:
        raise LookupError(f"{name} ({era}) is missing from the official lists")
    return unit


def _official(name: str) -> Official:
    return db.session.scalar(select(Official).where(Official.full_name == name))


def _at(day: date, start: str, end: str) -> tuple[datetime, datetime]:
    return (local_to_utc(day, time.fromisoformat(start)),
            local_to_utc(day, time.fromisoformat(end)))


def _plan(today: date) -> list[dict]:
    """The demo sessions: past ones held, the coming weeks scheduled."""
    soon = today + timedelta(days=10)
    return [
        dict(title="Hội nghị đối thoại trực tuyến của người đứng đầu cấp ủy tỉnh với Nhân dân "
                   "năm 2024", unit=("Tỉnh Gia Lai", Era.LEGACY, UnitLevel.PROVINCE),
             day=date(2024, 12, 4), hours=("07:30", "11:30"), format=SessionFormat.HYBRID,
             venue="Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku",
             topic="Tiếp nhận, giải quyết đơn thư khiếu nại, tố cáo, phản ánh, kiến nghị; "
                   "thực hiện quy chế dân chủ ở cơ sở năm 2024.",
             chair="Nguyễn Ngọc Lương", secretary="Nguyễn Thái Bình", held=True,
             points=[("Điểm cầu trụ sở Tỉnh ủy", "17 Trần Hưng Đạo, Pleiku")]
             + [(f"Điểm cầu {name}", f"Hội trường {name}") for name in DISTRICT_POINTS]),
        dict(title="Đối thoại với Nhân dân về hiến đất làm đường, xây dựng nông thôn mới",
             unit=("Huyện Chư Prông", Era.LEGACY, UnitLevel.DISTRICT), day=date(2024, 10, 15),
             hours=("08:00", "11:00"), venue="Hội trường Huyện ủy Chư Prông",
             topic="Hiến đất làm đường, đóng góp xây dựng cơ sở hạ tầng, bình xét hộ nghèo.",
             chair="Kpuih Hồ Công Thông", held=True),
        dict(title="Đối thoại về phong trào kết nghĩa với làng đồng bào dân tộc thiểu số",
             unit=("Huyện Đức Cơ", Era.LEGACY, UnitLevel.DISTRICT), day=date(2025, 3, 20),
             hours=("14:00", "16:30"), venue="Nhà văn hóa huyện Đức Cơ",
             topic="Kết nghĩa với làng đồng bào dân tộc thiểu số; mô hình “Dân vận khéo”.",
             chair="Siu Thil", held=True),
        dict(title="Đối thoại với hộ dân về xóa nhà tạm, nhà dột nát",
             unit=("Xã Ia Grai", Era.Y2025, UnitLevel.COMMUNE), day=date(2025, 9, 12),
             hours=("08:00", "10:30"), venue="Hội trường UBND xã Ia Grai",
             topic="Thực hiện Chỉ thị số 05/CT-UBND ngày 21-10-2024 “Chung tay xóa nhà tạm, "
                   "nhà dột nát trên địa bàn tỉnh”.",
             chair="Rơ Mah Tuấn", secretary="Nguyễn Thị Hồng Nhung", held=True),
        dict(title="Hội nghị đối thoại định kỳ năm 2026 giữa Chủ tịch UBND phường với Nhân dân",
             unit=("Phường Pleiku", Era.Y2025, UnitLevel.COMMUNE), day=soon,
             hours=("08:00", "11:00"), venue="Hội trường UBND phường Pleiku",
             topic="Cải cách hành chính, dịch vụ công trực tuyến; trật tự đô thị.",
             chair="Trần Văn Đức", secretary="Lê Thị Thu Hà",
             # Addresses under the reserved .example domain: a demo never mails anyone.
             participants=[("Lê Thị Thu Hà", ParticipantRole.AGENCY, "Văn phòng HĐND và UBND",
                            "lethithuha@pleiku.gialai.example"),
                           ("Nguyễn Văn Bình", ParticipantRole.FATHERLAND_FRONT,
                            "Ủy ban MTTQ Việt Nam phường Pleiku", "nvbinh@mttq-pleiku.example"),
                           ("Phóng viên Báo Gia Lai", ParticipantRole.PRESS, "Báo Gia Lai",
                            "toasoan@baogialai.example"),
                           ("Ông Nguyễn Văn Hòa", ParticipantRole.CITIZEN_REPRESENTATIVE,
                            "Tổ dân phố 3", "")],
             invite=True),
        dict(title="Đối thoại về bồi thường, hỗ trợ giải phóng mặt bằng tuyến tránh An Khê",
             unit=("Phường An Khê", Era.Y2025, UnitLevel.COMMUNE), day=soon + timedelta(days=9),
             hours=("14:00", "17:00"), kind=SessionKind.AD_HOC,
             venue="Hội trường UBND phường An Khê",
             topic="Bồi thường, hỗ trợ, tái định cư cho các hộ dân trong phạm vi dự án.",
             chair="Đinh Văn Hùng"),
        dict(title="Đối thoại với người có công và đối tượng bảo trợ xã hội",
             unit=("Xã Chư Prông", Era.Y2025, UnitLevel.COMMUNE), day=soon + timedelta(days=3),
             hours=("08:00", "10:00"), venue="Nhà văn hóa làng Klăh",
             topic="Chính sách người có công, bảo trợ xã hội.", chair="Ksor H’Nga",
             participants=[("Ông Kpă Y Hoa", ParticipantRole.CITIZEN_REPRESENTATIVE, "Làng Klăh",
                            "kpayhoa@chuprong.example")],
             invite=True, cancel="Trùng lịch kiểm tra của Đoàn công tác Tỉnh ủy; sẽ bố trí lại."),
        dict(title="Đối thoại về cấp giấy chứng nhận quyền sử dụng đất khu dân cư phía Đông",
             unit=("Phường An Khê", Era.Y2025, UnitLevel.COMMUNE), day=soon + timedelta(days=5),
             hours=("08:00", "10:30"), venue="Nhà văn hóa tổ dân phố 3",
             topic="Cấp giấy chứng nhận quyền sử dụng đất; đo đạc lại ranh giới thửa đất.",
             chair="Đinh Văn Hùng",
             postpone="Chờ kết quả đo đạc lại của Văn phòng Đăng ký đất đai."),
        dict(title="Đối thoại với Nhân dân các làng về quản lý, bảo vệ rừng",
             unit=("Xã Ia Grai", Era.Y2025, UnitLevel.COMMUNE), day=today + timedelta(days=30),
             hours=("08:00", "11:00"), venue="Nhà văn hóa làng Dơ Nâu",
             topic="Giao khoán bảo vệ rừng, chuyển đổi cây trồng.", chair="Rơ Mah Tuấn",
             draft=True),
        dict(title="Đối thoại của Bí thư Tỉnh ủy với Nhân dân về bồi thường, giải phóng mặt "
                   "bằng các dự án trọng điểm",
             unit=("Tỉnh Gia Lai", Era.Y2025, UnitLevel.PROVINCE), day=soon + timedelta(days=14),
             hours=("08:00", "11:30"), format=SessionFormat.HYBRID,
             venue="Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku",
             topic="Bồi thường, hỗ trợ, tái định cư; cấp giấy chứng nhận quyền sử dụng đất.",
             chair="Phạm Thị Tố Hải", secretary="Nguyễn Thái Bình",
             points=[("Điểm cầu trụ sở Tỉnh ủy", "17 Trần Hưng Đạo, Pleiku"),
                     ("Điểm cầu phường An Khê", "UBND phường An Khê"),
                     ("Điểm cầu xã Ia Grai", "UBND xã Ia Grai")]),
    ]


def seed_demo(*, force: bool = False, echo=print, progress=lambda label: (lambda x: x)) -> None:
    if not force and db.session.scalar(select(func.count()).select_from(DialogueSession)):
        echo("Cơ sở dữ liệu đã có phiên đối thoại: bỏ qua dữ liệu mẫu (dùng --force để thêm).")
        return
    if not db.session.scalar(select(func.count()).select_from(Unit)):
        import_units([Era.LEGACY, Era.Y2025], progress=progress("Nạp đơn vị hành chính"))
        db.session.commit()

    admin = find_user("admin") or create_user(
        "admin", "Quản trị hệ thống", DEMO_PASSWORD, roles=[(Role.ADMIN, None)])
    for (unit_name, era, level), people in OFFICIALS.items():
        unit = _unit(unit_name, era, level)
        for full_name, position in people:
            if _official(full_name) is None:
                add_official(full_name, position, unit, by=admin,
                             email=OFFICIAL_EMAILS.get(full_name, ""))
    for username, (full_name, role, unit_name, official_name) in DEMO_ACCOUNTS.items():
        if find_user(username) is None:
            unit = _unit(unit_name, Era.Y2025, _LEVELS[unit_name]) if unit_name else None
            create_user(username, full_name, DEMO_PASSWORD, roles=[(role, unit)], by=admin)
            if official_name:
                link_account(_official(official_name), username, by=admin)

    secretary = find_user("thuky.tinh")
    created = []
    for spec in progress("Tạo phiên đối thoại")(_plan(local_today())):
        created.append(_create(spec, by=secretary))
    db.session.flush()
    commitments = _record_issues(created, by=secretary, today=local_today())
    for agency in db.session.scalars(select(Agency).where(Agency.name.in_(AGENCY_EMAILS))):
        set_agency_email(agency, AGENCY_EMAILS[agency.name], by=admin)
    minutes = _write_minutes(created, by=secretary)
    db.session.commit()

    echo(f"Đã tạo {db.session.scalar(select(func.count()).select_from(Official))} cán bộ và "
         f"{len(created)} phiên đối thoại:")
    for session in created:
        echo(f"  {session.local_date:%d/%m/%Y}  {session.status.label:<14} "
             f"{session.unit_name}: {session.title}")
    echo(f"Ý kiến và cam kết: {commitments} cam kết, có việc đã giải quyết, đang làm và quá hạn.")
    echo(f"Biên bản: {minutes}.")
    echo(f"Tài khoản thử (chỉ dùng cho bản demo), mật khẩu {DEMO_PASSWORD}:")
    for username, (full_name, role, unit_name, _official_name) in DEMO_ACCOUNTS.items():
        echo(f"  {username:<11} {role.label} — {unit_name or 'toàn quốc'} ({full_name})")


_LEVELS = {"Tỉnh Gia Lai": UnitLevel.PROVINCE, "Xã Ia Grai": UnitLevel.COMMUNE}


def _create(spec: dict, *, by: User) -> DialogueSession:
    starts_at, ends_at = _at(spec["day"], *spec["hours"])
    chair = _official(spec["chair"])
    secretary = _official(spec["secretary"]) if spec.get("secretary") else None
    details = sessions.SessionDetails(
        title=spec["title"], unit=_unit(*spec["unit"]),
        kind=spec.get("kind", SessionKind.PERIODIC),
        format=spec.get("format", SessionFormat.IN_PERSON),
        starts_at=starts_at, ends_at=ends_at, venue=spec["venue"], topic=spec["topic"],
        chair=chair, secretary=secretary,
        connection_points=spec.get("points", []),
        participants=spec.get("participants", []),
    )
    status = (sessions.SessionStatus.DRAFT if spec.get("draft")
              else sessions.SessionStatus.SCHEDULED)
    session, _warnings = sessions.schedule_session(details, by=by, status=status)
    if spec.get("invite"):
        # Without MAIL_SERVER they wait in the outbox (/admin/outbox), with their reminders.
        send_invitations(session, by=by)
    if spec.get("held"):
        sessions.change_status(session, sessions.TRANSITIONS["hold"], reason="", by=by)
    if spec.get("postpone"):
        sessions.change_status(session, sessions.TRANSITIONS["postpone"], reason=spec["postpone"],
                               by=by)
    if spec.get("cancel"):
        sessions.change_status(session, sessions.TRANSITIONS["cancel"], reason=spec["cancel"],
                               by=by)
    return session


# What citizens raised at the held sessions, after the seed articles (land, compensation,
# temporary housing, people with merit): (session title start, issues), each issue being
# (raised by, locality, kind, field position, content, answered by, answer, commitment),
# a commitment being (agency, action, working days, status, progress) or None.
ISSUES = {
    "Hội nghị đối thoại trực tuyến": [
        ("Ông Rơ Mah Thuyên", "Làng Ia Bang, huyện Đăk Đoa", IssueKind.RECOMMENDATION, 1,
         "Đề nghị sớm cấp giấy chứng nhận quyền sử dụng đất cho 37 hộ đã sử dụng ổn định "
         "từ trước năm 2004.", "Phó Chủ tịch UBND tỉnh",
         "Giao Sở Tài nguyên và Môi trường rà soát, hướng dẫn hồ sơ.",
         ("Sở Tài nguyên và Môi trường", "Rà soát hồ sơ, cấp giấy chứng nhận cho các hộ đủ "
          "điều kiện", 30, CommitmentStatus.RESOLVED, "Đã cấp 31/37 giấy chứng nhận.")),
        ("Bà Nguyễn Thị Lan", "Tổ dân phố 5, thành phố Pleiku", IssueKind.COMPLAINT, 2,
         "Khiếu nại mức bồi thường, hỗ trợ khi thu hồi đất làm đường Trường Chinh nối dài.",
         "Chủ tịch UBND thành phố Pleiku", "Sẽ kiểm tra lại phương án bồi thường.",
         ("UBND thành phố Pleiku", "Kiểm tra, trả lời bằng văn bản về phương án bồi thường",
          15, CommitmentStatus.IN_PROGRESS, "Đã đo đạc lại hiện trạng thửa đất.")),
    ],
    "Đối thoại với hộ dân về xóa nhà tạm": [
        ("Ông Siu Hyưk", "Làng Dơ Nâu", IssueKind.RECOMMENDATION, 4,
         "Đề nghị hỗ trợ 3 hộ nghèo làm lại nhà theo Chỉ thị 05/CT-UBND trước mùa mưa.",
         "Bí thư Đảng ủy xã", "Xã đưa 3 hộ vào danh sách hỗ trợ đợt 2.",
         ("UBND xã Ia Grai", "Lập hồ sơ hỗ trợ xây nhà cho 3 hộ", 10,
          CommitmentStatus.IN_PROGRESS, "Đã khảo sát 3 hộ, chờ kinh phí.")),
        ("Bà Rơ Châm H’Lan", "Làng Dơ Nâu", IssueKind.REPORT, 5,
         "Phản ánh tuyến đường vào làng sạt lở, xe chở nông sản không đi được.",
         "Chủ tịch UBND xã", "Xã sẽ báo cáo huyện bố trí vốn sửa chữa.",
         ("Phòng Kinh tế", "Khảo sát, lập dự toán sửa tuyến đường vào làng Dơ Nâu", 20,
          CommitmentStatus.ASSIGNED, None)),
        ("Ông Nguyễn Văn Hòa", "Thôn 3", IssueKind.OPINION, 4,
         "Đề nghị công khai danh sách hộ được hỗ trợ nhà ở tại nhà văn hóa thôn.",
         "Chủ tịch UBND xã", "Đồng ý, niêm yết trong tuần.", None),
    ],
    "Đối thoại với Nhân dân về hiến đất làm đường": [
        ("Ông Kpă Y Hoa", "Làng Klăh", IssueKind.RECOMMENDATION, 5,
         "Đề nghị hỗ trợ xi măng để bà con hiến đất, làm đường bê tông nông thôn.",
         "Trưởng ban Dân vận Huyện ủy", "Huyện sẽ xem xét hỗ trợ vật liệu.",
         ("UBND huyện Chư Prông", "Hỗ trợ xi măng làm đường bê tông", 30,
          CommitmentStatus.TRANSFERRED, "Đã chuyển Ban quản lý chương trình nông thôn mới.")),
    ],
}


def _record_issues(sessions: list[DialogueSession], *, by: User, today: date) -> int:
    """Issues and commitments of the held demo sessions; returns how many commitments."""
    fields = {field.position: field for field in active_fields()}
    count = 0
    for session in sessions:
        if session.status is not sessions_model.SessionStatus.HELD:
            continue
        for prefix, issues in ISSUES.items():
            if not session.title.startswith(prefix):
                continue
            for (raised_by, locality, kind, field, content, answered_by, answer,
                 commitment) in issues:
                issue = record_issue(session, IssueDetails(
                    raised_by=raised_by, locality=locality, kind=kind, field=fields.get(field),
                    content=content, answered_by=answered_by, answer=answer,
                    outcome=IssueOutcome.FOLLOW_UP if commitment else IssueOutcome.ANSWERED,
                ), by=by)
                if commitment is None:
                    continue
                agency, action, days, status, progress = commitment
                made = assign_commitment(issue, CommitmentDetails(
                    agency_name=agency, action=action, working_days=days), by=by)
                count += 1
                if progress:
                    add_progress_update(made, on=min(made.due_on, today), text=progress,
                                        upload=None, by=by)
                if status is not CommitmentStatus.ASSIGNED:
                    change_commitment_status(made, status, by=by, today=today,
                                             note="" if status.is_open or status is
                                             CommitmentStatus.RESOLVED else progress or "")
    return count


# Minutes of two held sessions: the 2024 provincial dialogue filed (Party committee, as
# the head of the provincial Party committee chaired it), the Ia Grai one still a draft.
MINUTES = {
    "Hội nghị đối thoại trực tuyến": (True, MinutesDetails(
        template=MinutesTemplate.PARTY, parent_body="ĐẢNG BỘ TỈNH GIA LAI",
        issuing_body="TỈNH ỦY", symbol="BB/TU", place_name="Gia Lai",
        attendance=[("Lãnh đạo tỉnh, thành viên Ban Chỉ đạo", 25),
                    ("Đại biểu tại 17 điểm cầu cấp huyện", 1070), ("Nhân dân", 180)],
        attendees="Ayun H’Bút, Tỉnh ủy viên, Phó Chủ tịch HĐND tỉnh\n"
                  "Phạm Thị Tố Hải, Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Dân vận Tỉnh ủy",
        conclusions="Đồng chí Phó Bí thư Tỉnh ủy kết luận: các ý kiến, kiến nghị của Nhân dân "
                    "đã được trả lời tại hội nghị hoặc giao cơ quan chuyên môn giải quyết; yêu "
                    "cầu các cơ quan được giao báo cáo kết quả trước ngày 31/01/2025.\n"
                    "Giao Ban Dân vận Tỉnh ủy theo dõi, đôn đốc việc thực hiện.",
        copies=3, recipients="- Ban Thường vụ Tỉnh ủy;\n- Các cơ quan được giao;")),
    "Đối thoại với hộ dân về xóa nhà tạm": (False, MinutesDetails(
        template=MinutesTemplate.STATE, issuing_body="ỦY BAN NHÂN DÂN XÃ IA GRAI",
        symbol="BB-UBND", place_name="Ia Grai",
        attendance=[("Lãnh đạo Đảng ủy, UBND xã", 6), ("Hộ dân", 42)],
        attendees="Rơ Mah Tuấn, Bí thư Đảng ủy xã Ia Grai",
        conclusions="Giao UBND xã hoàn thiện hồ sơ hỗ trợ nhà ở cho các hộ trước mùa mưa.",
        recipients="- Thường trực Đảng ủy xã;")),
}


def _write_minutes(sessions: list[DialogueSession], *, by: User) -> str:
    written = []
    for session in sessions:
        for prefix, (filed, details) in MINUTES.items():
            if session.title.startswith(prefix):
                minutes = save_minutes(session, details, by=by)
                if filed:
                    finalize_minutes(minutes, by=by)
                written.append(f"{session.unit_name} ({'đã hoàn thiện' if filed else 'dự thảo'})")
    return ", ".join(written)
