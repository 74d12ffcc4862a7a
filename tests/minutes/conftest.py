"""Held sessions of Gia Lai with their issues, and their minutes.

``held_session(**overrides)`` is the provincial dialogue of 02/03/2026 (the seed's
"Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân"), held, chaired by Nguyễn Ngọc
Lương with Phạm Thị Tố Hải as secretary, attended by Ayun H’Bút, and with two issues, one of
them committed to an agency. ``draft(session, **overrides)`` saves its minutes through
``save_minutes``; ``final(session)`` finalizes them. All commit, as a request would.
"""

from datetime import date

import pytest

from dialogue.extensions import db
from dialogue.minutes.models import MinutesTemplate
from dialogue.minutes.operations import MinutesDetails, finalize_minutes, save_minutes
from dialogue.sessions.models import Participant, ParticipantRole, SessionStatus

CONCLUSIONS = ("Đồng chí Bí thư Tỉnh ủy kết luận: giao UBND tỉnh chỉ đạo giải quyết dứt điểm "
               "các kiến nghị về đất đai trong quý II năm 2026.")


@pytest.fixture
def held_session(create_session, create_official, record, commit_to):
    def create(**overrides):
        overrides.setdefault("chair", create_official())
        overrides.setdefault("secretary", create_official(
            full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy"))
        session = create_session(status=SessionStatus.SCHEDULED, **overrides)
        session.participants.append(Participant(
            full_name="Ayun H’Bút", role=ParticipantRole.LEADER,
            organisation="Phó Chủ tịch HĐND tỉnh"))
        db.session.commit()
        first = record(session, raised_by="Bà Nguyễn Thị Tố Hải", locality="Làng Dơ Lâm")
        commit_to(first, due_on=date(2026, 4, 30))
        record(session, raised_by="Ông Rơ Châm Hyưn", locality="Thôn Ia Mơr",
               content="Phản ánh đường liên thôn Ia Mơr xuống cấp, mùa mưa xe không đi được.",
               answer="UBND xã đã đưa tuyến đường vào kế hoạch sửa chữa năm 2026.")
        from dialogue.sessions.operations import TRANSITIONS, change_status

        change_status(session, TRANSITIONS["hold"], reason="", by=overrides.get("by")
                      or _secretary(session))
        db.session.commit()
        return session

    return create


def _secretary(session):
    from dialogue.accounts.operations import find_user

    return find_user("thuky.tinh")


@pytest.fixture
def minutes_details():
    def build(**overrides) -> MinutesDetails:
        values = {
            "template": MinutesTemplate.STATE,
            "issuing_body": "ỦY BAN NHÂN DÂN TỈNH GIA LAI",
            "symbol": "BB-UBND",
            "place_name": "Gia Lai",
            "attendance": [("Lãnh đạo tỉnh", 5), ("Nhân dân", 120)],
            "attendees": "Ayun H’Bút, Phó Chủ tịch HĐND tỉnh",
            "conclusions": CONCLUSIONS,
            "copies": 2,
            "recipients": "- Thường trực Tỉnh ủy;\n- Các đại biểu dự hội nghị;",
            **overrides,
        }
        return MinutesDetails(**values)

    return build


@pytest.fixture
def draft(minutes_details, secretary):
    def save(session, *, by=None, **overrides):
        minutes = save_minutes(session, minutes_details(**overrides), by=by or secretary)
        db.session.commit()
        return minutes

    return save


@pytest.fixture
def final(draft, secretary):
    def make(session, *, by=None, **overrides):
        minutes = draft(session, by=by, **overrides)
        revision = finalize_minutes(minutes, by=by or secretary)
        db.session.commit()
        return revision

    return make


@pytest.fixture
def long_session(held_session, record, commit_to):
    """``long_session(issues=36, **overrides)``: ``held_session`` with that many issues in
    all (every third one committed to an agency), long enough for ten pages or more."""

    def create(issues: int = 36, **overrides):
        session = held_session(**overrides)
        for number in range(3, issues + 1):
            issue = record(
                session, raised_by=f"Ông Ksor Y Blŭ, người thứ {number}", locality="Plei Ring",
                content="Phản ánh việc bồi thường, hỗ trợ khi thu hồi đất làm đường cao tốc "
                        "Quy Nhơn – Pleiku chậm, giá bồi thường thấp hơn giá thị trường; đề "
                        "nghị tỉnh xem xét lại phương án bồi thường cho các hộ bị ảnh hưởng.",
                answer="Giao Sở Tài chính phối hợp với UBND xã rà soát, trả lời bằng văn bản.")
            if number % 3 == 0:
                commit_to(issue)
        return session

    return create
