"""The province-scale dataset the benchmarks share: sessions of Gia Lai's 2025 communes over
the last two years with what citizens raised and what was committed, in the words they use,
written by bulk inserts (``bench/followup.py``, ``bench/reports.py``).

Not a benchmark: imported by them (and its texts by ``bench/minutes.py`` and
``bench/feeds.py``).
"""

import random
from datetime import UTC, date, datetime, time, timedelta

from common import seed_in_chunks
from sqlalchemy import insert, select

from dialogue.core.text import fold
from dialogue.core.time import local_to_utc, local_today
from dialogue.core.workdays import Holiday, add_working_days
from dialogue.extensions import db
from dialogue.issues.models import (
    OPEN_STATUSES,
    Agency,
    Commitment,
    CommitmentStatus,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
)
from dialogue.minutes.models import AttendanceGroup, Minutes, MinutesStatus, MinutesTemplate
from dialogue.sessions.models import DialogueSession, SessionFormat, SessionKind, SessionStatus
from dialogue.units.models import Era, Unit, UnitLevel

#: The data is dated from today, as the board and the reports see it (overdue, due this
#: week, resolved this month, told in time).
TODAY = local_today()
SEED = 20261122
#: What the seeder writes, for ``common.fix_sequences``.
TABLES = ("agencies", "dialogue_sessions", "issues", "commitments", "minutes",
          "minutes_attendance")

# Content -------------------------------------------------------------------------------------

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Huỳnh",
            "Rơ Mah", "Siu", "Ksor", "Rơ Châm", "Kpă", "Nay", "Puih", "Đinh", "Rah Lan"]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Hữu", "Y", "H'", "Thanh", "Quốc"]
GIVEN = ["Hùng", "Lan", "Phương", "Blui", "Nhi", "Dũng", "Hạnh", "Tuấn", "Mai", "Thơ",
         "Đạt", "Hòa", "Yên", "Khánh", "Lực", "Thuận", "Bình", "Nguyên", "Sương", "Hiếu"]
VILLAGES = ["Làng Dơ Nâu", "Làng Ia Mơ", "Plei Ring", "Làng Klăh", "Buôn Ma Lăng",
            "Làng Bông Phun", "Làng Ia Le", "Làng Kép", "Plei Pông", "Làng Dôr"]
ANSWERERS = ["Chủ tịch UBND xã", "Phó Chủ tịch UBND xã", "Bí thư Đảng ủy xã",
             "Trưởng phòng Kinh tế", "Công chức địa chính - xây dựng",
             "Giám đốc Sở Nông nghiệp và Môi trường", "Trưởng Công an xã",
             "Phó Giám đốc Sở Xây dựng", "Trưởng phòng Văn hóa - Xã hội"]
PROJECTS = ["đường cao tốc Quy Nhơn - Pleiku", "hồ chứa nước Ia Mơr", "Quốc lộ 19",
            "khu công nghiệp Nam Pleiku", "đường liên xã", "thủy điện Ia Grai 3",
            "cụm công nghiệp Ia Phìn", "trạm biến áp 110 kV"]
#: Per field (by its position in the seeded list): what citizens raise. {p} is a place,
#: {n} a number, {y} a year, {d} a project.
CONTENTS = {
    1: ["Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho {n} hộ tại {p}, hồ sơ đã nộp từ "
        "năm {y} nhưng chưa được giải quyết.",
        "Tranh chấp đất đai giữa các hộ ở {p} kéo dài, đề nghị xã tổ chức hòa giải dứt điểm.",
        "Đề nghị đo đạc lại ranh giới đất rẫy của bà con {p}, bản đồ địa chính sai lệch.",
        "Đề nghị giao đất sản xuất cho {n} hộ đồng bào dân tộc thiểu số thiếu đất ở {p}.",
        "Thủ tục chuyển mục đích sử dụng đất ở còn chậm, người dân {p} đi lại nhiều lần."],
    2: ["Đơn giá bồi thường cây cà phê, hồ tiêu khi giải phóng mặt bằng dự án {d} thấp hơn "
        "giá thị trường, đề nghị xem xét lại.",
        "Đề nghị sớm chi trả tiền bồi thường, hỗ trợ cho {n} hộ ở {p} bị thu hồi đất làm {d}.",
        "Khu tái định cư dự án {d} chưa có nước sạch và điện, bà con {p} chưa thể chuyển đến.",
        "Đề nghị hỗ trợ chuyển đổi nghề cho các hộ mất đất nông nghiệp do giải phóng mặt bằng."],
    3: ["Cơ sở chế biến mủ cao su gây ô nhiễm nguồn nước suối ở {p}, mùi hôi ảnh hưởng sinh "
        "hoạt của người dân.",
        "Trang trại chăn nuôi heo gần khu dân cư {p} xả thải ra môi trường, đề nghị kiểm tra.",
        "Rác thải chưa được thu gom thường xuyên tại {p}, gây ô nhiễm môi trường.",
        "Xe chở đá của mỏ khai thác làm bụi và hư hỏng đường ở {p}."],
    4: ["Đề nghị xem xét giải quyết chế độ cho người có công với cách mạng ở {p} còn tồn đọng "
        "hồ sơ từ năm {y}.",
        "Đề nghị hỗ trợ sửa chữa nhà cho gia đình chính sách, hộ nghèo tại {p}.",
        "Chi trả trợ cấp xã hội cho người cao tuổi ở {p} còn chậm so với quy định.",
        "Đề nghị rà soát lại danh sách hộ nghèo, hộ cận nghèo năm {y} ở {p} cho đúng đối tượng."],
    5: ["Tuyến đường từ {p} ra trung tâm xã xuống cấp nghiêm trọng, mùa mưa đi lại khó khăn.",
        "Đề nghị đầu tư kênh mương nội đồng để tưới cho {n} héc-ta lúa ở {p}.",
        "Điện sinh hoạt ở {p} chập chờn, đề nghị ngành điện nâng cấp trạm biến áp.",
        "Công trình nước sạch tập trung ở {p} hư hỏng từ năm {y}, người dân phải dùng nước giếng."],
    6: ["Trạm y tế xã thiếu thuốc và bác sĩ, người dân {p} phải lên tuyến huyện khám bệnh.",
        "Đề nghị cấp thẻ bảo hiểm y tế kịp thời cho trẻ em dưới 6 tuổi ở {p}."],
    7: ["Điểm trường ở {p} xuống cấp, phòng học dột khi trời mưa, đề nghị sửa chữa.",
        "Đề nghị bố trí thêm giáo viên tiếng Jrai cho điểm trường {p}."],
    8: ["Thủ tục chứng thực, đăng ký hộ tịch ở bộ phận một cửa còn phải chờ lâu.",
        "Đề nghị hướng dẫn người dân {p} làm thủ tục hành chính trên cổng dịch vụ công."],
    9: ["Tình trạng trộm cắp tài sản, gia súc ở {p} gia tăng, đề nghị tăng cường tuần tra.",
        "Thanh thiếu niên tụ tập, đua xe trái phép vào ban đêm trên đường qua {p}."],
    10: ["Cán bộ địa chính xã hướng dẫn hồ sơ chưa rõ ràng, người dân {p} phải bổ sung nhiều "
         "lần.",
         "Đề nghị cán bộ xã tiếp dân đúng giờ, thái độ phục vụ còn chưa niềm nở."],
}
#: How often each field comes up (land and compensation dominate, as in real dialogues).
FIELD_WEIGHTS = {1: 22, 2: 14, 3: 10, 4: 10, 5: 16, 6: 5, 7: 5, 8: 7, 9: 6, 10: 5}
ANSWERS = ["Ghi nhận ý kiến, giao cơ quan chuyên môn kiểm tra và trả lời bằng văn bản.",
           "Đã giải thích rõ quy định của pháp luật, người dân thống nhất.",
           "Giao {a} phối hợp rà soát, báo cáo kết quả trước ngày hẹn.",
           "Vướng mắc do chưa có quy hoạch chi tiết; sẽ kiến nghị cấp trên xem xét."]
ACTIONS = ["Kiểm tra thực địa, xác minh và trả lời bằng văn bản cho người dân.",
           "Rà soát hồ sơ, hướng dẫn hoàn thiện thủ tục và giải quyết theo quy định.",
           "Lập dự toán, bố trí kinh phí sửa chữa trong năm.",
           "Phối hợp với chính quyền địa phương tổ chức đối thoại, hòa giải.",
           "Xác định lại đơn giá bồi thường, trình UBND tỉnh phê duyệt phương án hỗ trợ.",
           "Kiểm tra, xử lý vi phạm về bảo vệ môi trường, báo cáo kết quả.",
           "Tổng hợp, đề xuất cấp có thẩm quyền xem xét chế độ chính sách."]
PROVINCIAL_AGENCIES = [
    "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Sở Tài chính", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Nội vụ", "Sở Tư pháp", "Sở Công Thương",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Khoa học và Công nghệ", "Công an tỉnh",
    "Ban Dân tộc và Tôn giáo", "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông",
    "Trung tâm Phát triển quỹ đất tỉnh", "Văn phòng Đăng ký đất đai tỉnh",
    "Công ty Điện lực Gia Lai", "Bảo hiểm xã hội tỉnh", "Thanh tra tỉnh",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Chi cục Kiểm lâm"]
SESSION_TOPICS = ["Đối thoại về đất đai, cấp giấy chứng nhận quyền sử dụng đất",
                  "Đối thoại về bồi thường, giải phóng mặt bằng các dự án trên địa bàn",
                  "Đối thoại định kỳ với Nhân dân", "Chuyển đổi số và thủ tục hành chính",
                  "Xây dựng nông thôn mới, hạ tầng giao thông nông thôn",
                  "Bảo vệ môi trường và nguồn nước sinh hoạt",
                  "Chính sách đối với người có công và hộ nghèo"]

#: When sessions start, local time. One in seven starts at 06:30, which is the day before in
#: UTC: a report that took the stored day instead of the local one would count it wrong.
STARTS = [time(6, 30), time(7, 0), time(7, 30), time(8, 0), time(8, 0), time(13, 30),
          time(14, 0)]
ATTENDANCE = [("Lãnh đạo cấp ủy, chính quyền và cơ quan chuyên môn", 5, 30),
              ("Nhân dân", 20, 250),
              ("Đại diện Mặt trận Tổ quốc và các đoàn thể", 2, 12)]
STATUS_REASONS = {
    SessionStatus.CANCELLED: "Nội dung đã được giải quyết tại buổi tiếp công dân định kỳ.",
    SessionStatus.POSTPONED: "Mưa lớn, đường vào thôn bị sạt lở; lùi sang tuần sau.",
}


class Seeder:
    """Writes sessions with their issues, commitments and minutes by bulk inserts, in
    chunks.

    ``seed(n)`` writes ``n`` sessions with issues (10 on average, 1.2 commitments per
    issue), about one in ten more without (cancelled, postponed, draft, or scheduled in the
    next two months), and the minutes of most held ones with their attendance.
    """

    def __init__(self, seed: int = SEED):
        self.rng = random.Random(seed)
        # Everything the reports need beyond the board and search (kind, format, status,
        # notice, minutes, sessions without issues) is drawn from a second generator, so the
        # first one draws what it drew before they were added: the same communes, days,
        # issues and commitments as followup.py's earlier runs.
        self.detail = random.Random(seed + 1)
        # (id, name): plain values, which outlive the commits between chunks.
        self.communes = list(db.session.execute(select(Unit.id, Unit.name).where(
            Unit.era == Era.Y2025, Unit.level == UnitLevel.COMMUNE).order_by(Unit.id)))
        fields = db.session.scalars(select(IssueField).order_by(IssueField.position)).all()
        self.field_ids = {position: field.id for position, field in enumerate(fields, start=1)}
        self.holidays = frozenset(db.session.scalars(select(Holiday.day)))
        # UBND xã Ia Grai: the people's committees of some communes take commitments too.
        self.local_agency = {c.id: f"UBND {c.name[0].lower()}{c.name[1:]}"
                             for c in self.communes[::9]}
        names = PROVINCIAL_AGENCIES + list(self.local_agency.values())
        self.agencies = {name: i for i, name in enumerate(names, start=1)}
        db.session.execute(insert(Agency.__table__), [
            {"id": i, "name": name, "name_folded": fold(name)}
            for name, i in self.agencies.items()])
        self.next = {"session": 1, "recorded": 1, "issue": 1, "commitment": 1, "minutes": 1,
                     "attendance": 1}
        #: (unit id, year) → the last minutes number given.
        self.numbers: dict[tuple[int, int], int] = {}
        self.issue_pattern = [8, 9, 10, 11, 12]  # 10 issues a session on average
        self.commitment_pattern = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3]  # 1.2 per issue

    def seed(self, sessions: int, label: str) -> None:
        seed_in_chunks(sessions, 250, label, self._chunk)

    def _take(self, name: str) -> int:
        value = self.next[name]
        self.next[name] += 1
        return value

    def _chunk(self, count: int) -> None:
        rng, detail = self.rng, self.detail
        now = datetime.now(UTC)
        rows = {DialogueSession: [], Issue: [], Commitment: [], Minutes: [], AttendanceGroup: []}
        for _ in range(count):
            session_id = self._take("session")
            recorded = self._take("recorded")
            commune = rng.choice(self.communes)
            day = TODAY - timedelta(days=rng.randint(1, 730))
            topic = rng.choice(SESSION_TOPICS)
            # A few are still marked scheduled: issues recorded, not yet marked held.
            status = SessionStatus.HELD if detail.random() < 0.98 else SessionStatus.SCHEDULED
            session = self._session(session_id, commune, day, topic, status, now)
            rows[DialogueSession].append(session)
            if status is SessionStatus.HELD:
                self._minutes(session, commune, day, now, rows)
            for number in range(1, self.issue_pattern[recorded % 5] + 1):
                issue_id = self._take("issue")
                rows[Issue].append(self._issue(issue_id, session_id, number, commune, now))
                for _ in range(self.commitment_pattern[issue_id % 10]):
                    rows[Commitment].append(self._commitment(
                        self._take("commitment"), issue_id, day, commune, now))
                if self.commitment_pattern[issue_id % 10]:
                    rows[Issue][-1]["outcome"] = IssueOutcome.FOLLOW_UP
            if detail.random() < 0.1:
                rows[DialogueSession].append(self._unrecorded(now))
        for model, table_rows in rows.items():
            for begin in range(0, len(table_rows), 2000):
                db.session.execute(insert(model.__table__), table_rows[begin:begin + 2000])

    def _local_moment(self, day: date) -> datetime:
        """Any minute of ``day`` in Vietnam: before 07:00 it is the day before in UTC, so
        reports must take the local day, not the stored one."""
        minute = self.detail.randrange(24 * 60)
        return local_to_utc(day, time(minute // 60, minute % 60))

    def _session(self, session_id: int, commune, day: date, topic: str,
                 status: SessionStatus, now: datetime, kind: SessionKind | None = None) -> dict:
        detail = self.detail
        starts = local_to_utc(day, detail.choice(STARTS))
        # About one in ten is periodic: the yearly conference (Luật Thực hiện dân chủ ở cơ
        # sở, Đ.32) every commune owes, so some communes miss it in a year.
        kind = kind or (SessionKind.PERIODIC if detail.random() < 0.1 else SessionKind.AD_HOC)
        fmt = detail.choices(list(SessionFormat), weights=[80, 8, 12])[0]
        roll = detail.random()
        if status is SessionStatus.DRAFT:
            announced = None
        elif roll < 0.03:  # entered after it was held: recorded, never announced in the app
            announced = starts + timedelta(hours=detail.randint(4, 72))
        else:  # about one in ten announced fewer than 7 days ahead (Đ.43)
            notice = detail.randint(1, 6) if roll < 0.12 else detail.randint(7, 25)
            announced = min(now, self._local_moment(day - timedelta(days=notice)))
        title = (f"Hội nghị đối thoại với Nhân dân {commune.name} năm {day.year}, "
                 f"lần {session_id}")
        venue = f"Hội trường UBND {commune.name}"
        return {
            "id": session_id, "uid": f"bench-{session_id}", "title": title,
            "unit_id": commune.id, "unit_name": commune.name, "kind": kind, "format": fmt,
            "starts_at": starts, "ends_at": starts + timedelta(hours=3), "venue": venue,
            "topic": topic, "agenda": "", "chair_id": None,
            "chair_name": "Chủ tịch UBND xã", "secretary_id": None, "secretary_name": "",
            "is_public": True, "status": status,
            "status_reason": STATUS_REASONS.get(status, ""),
            "announced_at": announced, "issues_locked_at": None, "minutes_filed_at": None,
            "revision": 0, "search_text": fold(" ".join([title, topic, venue, commune.name])),
            "created_by": "bench", "updated_by": "bench", "version": 1,
            "created_at": now, "updated_at": now,
        }

    def _unrecorded(self, now: datetime) -> dict:
        """A session without issues: called off, put off, still a draft, or to come (some
        of them the yearly conference a commune has planned)."""
        detail = self.detail
        status = detail.choices([SessionStatus.CANCELLED, SessionStatus.POSTPONED,
                                 SessionStatus.DRAFT, SessionStatus.SCHEDULED],
                                weights=[3, 2, 2, 3])[0]
        if status is SessionStatus.SCHEDULED:
            day, kind = TODAY + timedelta(days=detail.randint(1, 60)), SessionKind.PERIODIC
        else:
            day, kind = TODAY - timedelta(days=detail.randint(1, 730)), None
        return self._session(self._take("session"), detail.choice(self.communes), day,
                             detail.choice(SESSION_TOPICS), status, now, kind)

    def _minutes(self, session: dict, commune, day: date, now: datetime, rows: dict) -> None:
        """Most held sessions have minutes, final within the 10 days Đ.43 allows for eight in
        ten of them, later for the others; some are still drafts, a few never started. The
        filed PDFs are left out: the reports count attendance and the filing day."""
        detail = self.detail
        roll = detail.random()
        if roll >= 0.95:
            return
        filed = None
        if roll < 0.9:
            delay = detail.randint(1, 10) if detail.random() < 0.8 else detail.randint(11, 40)
            filed = self._local_moment(day + timedelta(days=delay))
            if filed > now:
                filed = None
        number = None
        if filed:
            key = (commune.id, filed.year)
            number = self.numbers[key] = self.numbers.get(key, 0) + 1
            session["minutes_filed_at"] = session["issues_locked_at"] = filed
        minutes_id = self._take("minutes")
        rows[Minutes].append({
            "id": minutes_id, "session_id": session["id"], "unit_id": commune.id,
            "template": MinutesTemplate.STATE,
            "status": MinutesStatus.FINAL if filed else MinutesStatus.DRAFT,
            "parent_body": "", "issuing_body": f"UBND {commune.name}".upper(),
            "number": number, "year": (filed or session["starts_at"]).year,
            "symbol": "BB-UBND", "place_name": commune.name.split(" ", 1)[-1],
            "attendees": "", "conclusions": "", "signing_note": "", "copies": 2,
            "recipients": "", "correction_reason": "",
            "version": 1, "created_at": now, "updated_at": now,
        })
        for position, (label, low, high) in enumerate(ATTENDANCE):
            if position == 2 and detail.random() < 0.5:
                continue
            rows[AttendanceGroup].append({
                "id": self._take("attendance"), "minutes_id": minutes_id,
                "position": position, "label": label, "count": detail.randint(low, high)})

    def _issue(self, issue_id: int, session_id: int, number: int, commune,
               now: datetime) -> dict:
        rng = self.rng
        position = rng.choices(list(FIELD_WEIGHTS), weights=list(FIELD_WEIGHTS.values()))[0]
        roll = rng.random()
        locality = (f"Thôn {rng.randint(1, 12)}" if roll < 0.5 else rng.choice(VILLAGES)
                    if roll < 0.85 else f"Tổ dân phố {rng.randint(1, 9)}")
        raised_by = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
        content = rng.choice(CONTENTS[position]).format(
            p=f"{locality}, {commune.name}", n=rng.randint(3, 60), y=rng.randint(2015, 2025),
            d=rng.choice(PROJECTS))
        answered_by = rng.choice(ANSWERERS)
        answer = rng.choice(ANSWERS).format(a=rng.choice(PROVINCIAL_AGENCIES))
        return {
            "id": issue_id, "session_id": session_id, "number": number, "raised_by": raised_by,
            "locality": locality, "locality_folded": fold(locality),
            "contact": f"09{rng.randint(10_000_000, 99_999_999)}" if roll < 0.3 else "",
            "kind": rng.choice(list(IssueKind)), "field_id": self.field_ids[position],
            "content": content, "answered_by": answered_by, "answer": answer,
            "outcome": IssueOutcome.ANSWERED,
            "search_text": fold(" ".join([raised_by, locality, content, answered_by, answer])),
            "version": 1, "created_at": now, "updated_at": now,
        }

    def _commitment(self, commitment_id: int, issue_id: int, day: date, commune,
                    now: datetime) -> dict:
        rng = self.rng
        local = self.local_agency.get(commune.id)
        agency = local if local and rng.random() < 0.5 else rng.choice(PROVINCIAL_AGENCIES)
        action = rng.choice(ACTIONS)
        working_days = rng.choice([None, 10, 15, 30])
        due_on = (add_working_days(day, working_days, self.holidays) if working_days
                  else day + timedelta(days=rng.choice([7, 20, 30, 45, 60, 90, 120])))
        if due_on < TODAY - timedelta(days=60):
            weights = [2, 4, 81, 6, 4, 3]  # old: mostly closed, a few long overdue
        elif due_on < TODAY:
            weights = [20, 30, 40, 4, 3, 3]
        else:
            weights = [45, 30, 20, 2, 2, 1]
        status = rng.choices(list(CommitmentStatus), weights=weights)[0]
        closed_on = None
        if status not in OPEN_STATUSES:
            closed_on = min(TODAY, max(day, due_on - timedelta(days=rng.randint(-10, 25))))
        informed = day + timedelta(days=rng.randint(3, 18)) if rng.random() < 0.7 else None
        return {
            "id": commitment_id, "issue_id": issue_id, "agency_id": self.agencies[agency],
            "official_id": None, "action": action, "due_on": due_on,
            "working_days": working_days, "status": status,
            "citizen_informed_on": min(informed, TODAY) if informed else None,
            "closed_on": closed_on, "search_text": fold(f"{agency} {action}"),
            "version": 1, "created_at": now, "updated_at": now,
        }

