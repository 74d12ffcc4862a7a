"""How the follow-up board and search scale with a province's worth of issues.

Run: .venv/bin/python bench/followup.py [--quick] [--repeat 10] [--sessions 5000]

Builds a throwaway SQLite database (or uses DATABASE_URL), loads Gia Lai's units, then
seeds with bulk inserts 1 % of a province-scale dataset (by default 5,000 held sessions
over two years, 10 issues each, 1.2 commitments per issue: 50,000 issues and 60,000
commitments), measures, seeds the other 99 % into the same database and measures again.
It requests /followup (first page of 30, its COUNT and the counters) and /search for
"dat dai" and "boi thuong" in each tab (issues, commitments, sessions) through the Flask
test client, signed in as a provincial and as a commune secretary, each request outside
any app context as in production; ``--operations`` calls the operations those pages run
instead (templates left out, the account not counted). It counts SQL statements and takes
the median time of ``--repeat`` runs. Prints a
table with the ratios of the two sizes measured in the same run — and the 100 % once
more after ``ANALYZE``, since SQLite plans without statistics until someone runs it — and
as its last line ``result: queries_small=N queries_large=N time_ratio=X`` (statements of
the measured pages as a provincial secretary at 1 % and at 100 %, and the board's time at
100 % over its time at 1 %, before ANALYZE). Exits with status 1 if statements grew.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

from common import (
    StatementCounter,
    add_secretary,
    backend,
    check_scratch_database,
    fix_sequences,
    scratch_app,
    seed_in_chunks,
    signed_in_client,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import selectinload

from dialogue.accounts.models import RoleAssignment, User
from dialogue.core.text import fold
from dialogue.core.time import add_working_days, local_to_utc, local_today
from dialogue.extensions import db
from dialogue.issues.models import (
    OPEN_STATUSES,
    Agency,
    Commitment,
    CommitmentStatus,
    Holiday,
    Issue,
    IssueField,
    IssueKind,
    IssueOutcome,
)
from dialogue.issues.operations import (
    BoardFilter,
    board_counters,
    board_query,
    search_commitments,
    search_issues,
    search_sessions,
)
from dialogue.sessions.models import DialogueSession, SessionFormat, SessionKind, SessionStatus
from dialogue.units.models import Era, Unit, UnitLevel

#: The data is dated from today, as the board sees it (overdue, due this week, resolved
#: this month).
TODAY = local_today()
PER_PAGE = 30
SEED = 20261122

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


class Seeder:
    """Writes sessions with their issues and commitments by bulk inserts, in chunks."""

    def __init__(self, rng: random.Random):
        self.rng = rng
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
        self.next = {"session": 1, "issue": 1, "commitment": 1}
        self.issue_pattern = [8, 9, 10, 11, 12]  # 10 issues a session on average
        self.commitment_pattern = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3]  # 1.2 per issue

    def seed(self, sessions: int, label: str) -> None:
        seed_in_chunks(sessions, 250, label, self._chunk)

    def _chunk(self, count: int) -> None:
        rng = self.rng
        now = datetime.now(UTC)
        sessions, issues, commitments = [], [], []
        for _ in range(count):
            session_id = self.next["session"]
            self.next["session"] += 1
            commune = rng.choice(self.communes)
            day = TODAY - timedelta(days=rng.randint(1, 730))
            starts = local_to_utc(day, datetime.strptime("08:00", "%H:%M").time())  # noqa: DTZ007
            title = (f"Hội nghị đối thoại với Nhân dân {commune.name} năm {day.year}, "
                     f"lần {session_id}")
            topic = rng.choice(SESSION_TOPICS)
            venue = f"Hội trường UBND {commune.name}"
            sessions.append({
                "id": session_id, "uid": f"bench-{session_id}", "title": title,
                "unit_id": commune.id, "unit_name": commune.name,
                "kind": SessionKind.PERIODIC, "format": SessionFormat.IN_PERSON,
                "starts_at": starts, "ends_at": starts + timedelta(hours=3), "venue": venue,
                "topic": topic, "agenda": "", "chair_id": None,
                "chair_name": "Chủ tịch UBND xã", "secretary_id": None, "secretary_name": "",
                "is_public": True, "status": SessionStatus.HELD, "status_reason": "",
                "announced_at": starts - timedelta(days=15), "issues_locked_at": None,
                "revision": 0, "search_text": fold(" ".join([title, topic, venue, commune.name])),
                "created_by": "bench", "updated_by": "bench", "version": 1,
                "created_at": now, "updated_at": now,
            })
            for number in range(1, self.issue_pattern[session_id % 5] + 1):
                issue_id = self.next["issue"]
                self.next["issue"] += 1
                issues.append(self._issue(issue_id, session_id, number, commune, now))
                for _ in range(self.commitment_pattern[issue_id % 10]):
                    commitments.append(self._commitment(self.next["commitment"], issue_id,
                                                        day, commune, now))
                    self.next["commitment"] += 1
                if self.commitment_pattern[issue_id % 10]:
                    issues[-1]["outcome"] = IssueOutcome.FOLLOW_UP
        for table, rows in ((DialogueSession.__table__, sessions), (Issue.__table__, issues),
                            (Commitment.__table__, commitments)):
            for begin in range(0, len(rows), 2000):
                db.session.execute(insert(table), rows[begin:begin + 2000])

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


# Measuring -----------------------------------------------------------------------------------

def first_page(statement, show) -> tuple[int, int]:
    """What a list page runs: its first page (rows and their loaded relations) and a COUNT.

    Returns the rows found and whether the page had any: an empty page loads no related
    rows, so it runs fewer statements (``selectinload`` has nothing to load).
    """
    page = db.paginate(statement, page=1, per_page=PER_PAGE, error_out=False)
    for row in page.items:
        show(row)
    return page.total, int(bool(page.items))


def show_board_row(commitment: Commitment) -> tuple:
    issue = commitment.issue
    return (commitment.agency.name, issue.number, issue.field and issue.field.name,
     issue.session.title, issue.session.unit.name)


def show_session(session: DialogueSession) -> tuple:
    return (session.title, session.unit.name)


def show_issue(issue: Issue) -> tuple:
    return (issue.content, issue.session.title, issue.session.unit.name,
     issue.field and issue.field.name)


def show_commitment(commitment: Commitment) -> tuple:
    return (commitment.agency.name, commitment.issue.number, commitment.issue.session.title)


def board_page(user: User) -> tuple[int, int]:
    return first_page(board_query(user, BoardFilter()), show_board_row)


def counters(user: User) -> tuple[int, int]:
    return board_counters(user, TODAY).open, 1


def search(query: str):
    def run(user: User) -> tuple[int, int]:
        pages = [first_page(search_sessions(user, query), show_session),
                 first_page(search_issues(user, query), show_issue),
                 first_page(search_commitments(user, query), show_commitment)]
        return sum(found for found, _ in pages), sum(filled for _, filled in pages)
    return run


#: Through the operations (``--operations``): what the pages run, without templates.
OPERATIONS = {
    "board page": board_page,
    "board counters": counters,
    'search "dat dai"': search("dat dai"),
    'search "boi thuong"': search("boi thuong"),
}
OPERATIONS_EXTRA = {'search "dơ nâu"': search("dơ nâu")}


def found_by(operation):
    """How many rows a page lists in all, for the table (not timed)."""
    def count(user: User) -> int:
        statement = operation(user)
        return db.session.scalar(select(func.count()).select_from(
            statement.order_by(None).subquery()))
    return count


def searching(query: str, kind: str):
    run = {"issues": search_issues, "commitments": search_commitments,
           "sessions": search_sessions}[kind]
    return found_by(lambda user: run(user, query))


#: Through HTTP (the default): the pages themselves, board and counters in one request,
#: search one tab at a time as the page shows it.
PAGES = {
    "/followup": ("/followup",
                  found_by(lambda user: board_query(user, BoardFilter()))),
    **{f'search "{q}", {kind}': (f"/search?q={q.replace(' ', '+')}&in={kind}",
                                 searching(q, kind))
       for q in ("dat dai", "boi thuong") for kind in ("issues", "commitments", "sessions")},
}
PAGES_EXTRA = {'search "dơ nâu", issues': ("/search?q=d%C6%A1+n%C3%A2u&in=issues",
                                           searching("dơ nâu", "issues"))}


def load_user(username: str) -> User:
    """As the login's user loader does, outside the measured statements."""
    return db.session.scalar(select(User).where(User.username == username).options(
        selectinload(User.roles).selectinload(RoleAssignment.unit)))


def measure_operation(app, username: str, operation, repeat: int,
                      counter: StatementCounter) -> tuple[float, int, tuple[int, int]]:
    """Median milliseconds, statements, and (rows found, pages with rows); each run in its
    own application context, as a request."""
    timings, statements, found = [], set(), (0, 0)
    for attempt in range(repeat + 1):
        with app.app_context():
            user = load_user(username)
            counter.count = 0
            began = time.perf_counter()
            found = operation(user)
            elapsed = (time.perf_counter() - began) * 1000
            statements.add(counter.count)
            db.session.remove()
        if attempt:  # the first run warms caches
            timings.append(elapsed)
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between runs: {statements}")
    return statistics.median(timings), statements.pop(), found


def measure_page(app, client, username: str, page: tuple, repeat: int,
                 counter: StatementCounter) -> tuple[float, int, tuple[int, int]]:
    """Median milliseconds and statements of a request (each outside any app context, as
    in production), and (rows the page lists in all, whether it lists any)."""
    url, finder = page
    timings, statements = [], set()
    for attempt in range(repeat + 1):
        counter.count = 0
        began = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, (url, response.status_code)
        statements.add(counter.count)
        if attempt:  # the first request warms caches and templates
            timings.append(elapsed)
    if len(statements) != 1:
        raise RuntimeError(f"statement count varies between requests: {statements}")
    with app.app_context():
        found = finder(load_user(username))
        db.session.remove()
    return statistics.median(timings), statements.pop(), (found, int(found > 0))


def totals() -> dict[str, int]:
    return {name: db.session.scalar(select(func.count()).select_from(model)) for name, model
            in (("sessions", DialogueSession), ("issues", Issue),
                ("commitments", Commitment))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="500 sessions as the 100 %% and 5 repeats (under a minute)")
    parser.add_argument("--sessions", type=int, help="sessions at 100 %% (default 5000)")
    parser.add_argument("--repeat", type=int, help="timed runs per measure (default 10)")
    parser.add_argument("--operations", action="store_true",
                        help="call the operations instead of requesting the pages")
    args = parser.parse_args()
    full = args.sessions or (500 if args.quick else 5000)
    repeat = args.repeat or (5 if args.quick else 10)
    small = max(1, full // 100)

    check_scratch_database(parser)
    results, sizes = {}, {}
    with tempfile.TemporaryDirectory() as tmp, scratch_app(tmp) as app:
        with app.app_context():
            add_secretary("thuky.tinh")
            seeder = Seeder(random.Random(SEED))
            seeder.seed(small, "seeding 1 %")
            # The commune secretary's commune: the busiest one at 1 %, so her pages have rows.
            commune = db.session.scalar(
                select(Unit).join(DialogueSession, DialogueSession.unit_id == Unit.id)
                .group_by(Unit.id).order_by(func.count().desc(), Unit.id).limit(1))
            add_secretary("thuky.xa", commune)
            commune_name = commune.name
            counter = StatementCounter(db.engine)
            sizes["1 %"] = totals()
            db.session.remove()

        users = {"province": "thuky.tinh", f"commune ({commune_name})": "thuky.xa"}
        if args.operations:
            measured, extra = OPERATIONS, OPERATIONS_EXTRA
        else:
            measured, extra = PAGES, PAGES_EXTRA
            clients = {username: signed_in_client(app, username) for username in users.values()}
        every = {**measured, **extra}

        def measure_all(size: str) -> None:
            print(f"measuring at {size}…", file=sys.stderr)
            for who, username in users.items():
                for label, what in every.items():
                    results[(who, label, size)] = (
                        measure_operation(app, username, what, repeat, counter)
                        if args.operations else
                        measure_page(app, clients[username], username, what, repeat, counter))

        measure_all("1 %")
        with app.app_context():
            seeder.seed(full - small, "seeding the other 99 %")
            fix_sequences("agencies", "dialogue_sessions", "issues", "commitments")
            sizes["100 %"] = totals()
            db.session.remove()
        measure_all("100 %")
        # The planner's statistics: SQLite has none until ANALYZE runs (nothing in the app
        # runs it); PostgreSQL's autovacuum gathers them on its own.
        with app.app_context():
            began = time.perf_counter()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            analyze_seconds = time.perf_counter() - began
            db.session.remove()
        measure_all("100 %, analyzed")

    how = ("through the operations, the signed-in account not counted" if args.operations
           else "through the Flask test client, signed in")
    print(f"Follow-up board and search ({backend()}, {how}; median of {repeat}, ms; "
          f"qN = SQL statements; rows listed in all; ×ratio to 1 %)")
    for size, counts in sizes.items():
        print(f"  {size:>5}: " + ", ".join(f"{n:,} {what}" for what, n in counts.items()))
    width = max(len(label) for label in every)
    wide = max(len(who) for who in users)
    print(f"| {'user':<{wide}} | {'page':<{width}} | {'1 %':>22} | {'100 %':>24} | ratio "
          f"| {'100 %, after ANALYZE':>24} |")
    print(f"|{'-' * (wide + 2)}|{'-' * (width + 2)}|{'-' * 24}|{'-' * 26}|-------|{'-' * 26}|")
    grew, empty = [], []
    for who in users:
        for label in every:
            ms_small, q_small, (n_small, filled_small) = results[(who, label, "1 %")]
            ms_large, q_large, (n_large, filled_large) = results[(who, label, "100 %")]
            if q_large != q_small:
                if filled_large != filled_small:
                    empty.append(f"{who}, {label}: q{q_small} → q{q_large}")
                else:
                    grew.append(f"{who}, {label}: q{q_small} → q{q_large}")
            ms_analyzed, q_analyzed, _ = results[(who, label, "100 %, analyzed")]
            small_cell = f"{ms_small:.1f} ms q{q_small:<3} {n_small:>7,}"
            large_cell = f"{ms_large:.1f} ms q{q_large:<3} {n_large:>8,}"
            analyzed_cell = f"{ms_analyzed:.1f} ms q{q_analyzed:<3} ×{ms_analyzed / ms_small:4.1f}"
            print(f"| {who:<{wide}} | {label:<{width}} | {small_cell:>22} | {large_cell:>24} | "
                  f"×{ms_large / ms_small:4.1f} | {analyzed_cell:>24} |")
    print(f"ANALYZE at 100 %: {analyze_seconds * 1000:.0f} ms")
    if empty:
        print("fewer statements where a page was empty at 1 % (no related rows to load): "
              + "; ".join(empty))
    if grew:
        print("statements GREW with the data: " + "; ".join(grew))
    else:
        print("statements per page do not grow with the data"
              + (" (same count at 1 % and 100 % wherever the pages had rows)" if empty
                 else ": the same at 1 % and at 100 % for every row"))
    province_user = next(iter(users))
    board = next(iter(measured))
    queries_small = sum(results[(province_user, label, "1 %")][1] for label in measured)
    queries_large = sum(results[(province_user, label, "100 %")][1] for label in measured)
    ratio = (results[(province_user, board, "100 %")][0]
             / results[(province_user, board, "1 %")][0])
    print(f"result: queries_small={queries_small} queries_large={queries_large} "
          f"time_ratio={ratio:.2f}")
    if grew:
        sys.exit(1)


if __name__ == "__main__":
    main()
