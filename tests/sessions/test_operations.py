"""Scheduling dialogue sessions by the rules a secretariat works by."""

from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dialogue.core.errors import StaleEdit
from dialogue.core.time import local_to_utc, local_today, utcnow
from dialogue.extensions import db
from dialogue.sessions.forms import RescheduleForm, SessionForm, StatusForm
from dialogue.sessions.listing import SessionFilter, filter_sessions, sessions_in_month
from dialogue.sessions.models import (
    DialogueSession,
    ParticipantRole,
    SessionFormat,
    SessionKind,
    SessionStatus,
)
from dialogue.sessions.operations import (
    TRANSITIONS,
    SchedulingError,
    SessionDetails,
    available_transitions,
    change_status,
    reschedule,
    schedule_session,
    scheduling_warnings,
    update_session,
)
from dialogue.units.models import Era, UnitLevel
from tests.helpers import at

S = SessionStatus


@pytest.fixture
def details(unit):
    """``details(**overrides)``: what a secretary typed, for the 2025 Tỉnh Gia Lai."""

    def build(**overrides) -> SessionDetails:
        if isinstance(overrides.get("unit", ""), str):
            overrides["unit"] = unit(overrides.get("unit") or "Tỉnh Gia Lai")
        overrides.setdefault("starts_at", at("2026-03-02 08:00"))
        overrides.setdefault("ends_at", overrides["starts_at"] + timedelta(hours=3))
        return SessionDetails(**{
            "title": "Hội nghị đối thoại định kỳ năm 2026",
            "kind": SessionKind.PERIODIC,
            "format": SessionFormat.IN_PERSON,
            "venue": "Hội trường Tỉnh ủy Gia Lai",
            **overrides,
        })

    return build


@pytest.fixture
def luong(create_official):
    return create_official(full_name="Nguyễn Ngọc Lương", position="Phó Bí thư Tỉnh ủy")


def _shown_beside(error: SchedulingError, form_class) -> str:
    """The field of the form a refusal is shown beside: it must be one the user sees."""
    assert getattr(form_class, error.field or "", None) is not None, error.field
    return error.field


def _codes(warnings) -> list[str]:
    return [w.code for w in warnings]


def _session_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(DialogueSession))


@pytest.fixture
def titles(secretary):
    """``titles(**criteria)``: the titles the provincial secretary of Gia Lai finds."""

    def find(**criteria) -> list[str]:
        return [s.title for s in db.session.scalars(
            filter_sessions(SessionFilter(**criteria), user=secretary))]

    return find


@pytest.fixture
def colleague(create_user):
    """Another secretary of the province, who edits the same sessions."""
    return create_user("danvan.tinh", full_name="Phạm Thị Tố Hải")


def _future(days: int, hour: int = 8) -> datetime:
    """``hour`` o'clock in Vietnam, ``days`` from today."""
    return local_to_utc(local_today() + timedelta(days=days), time(hour))


# Scheduling


def test_a_session_keeps_what_was_typed_and_the_units_name_of_the_day(details, unit, secretary):
    session, warnings = schedule_session(details(
        title=" Đối thoại với hộ dân về xóa nhà tạm, nhà dột nát ", unit="Xã Ia Grai",
        format=SessionFormat.HYBRID, venue=" Hội trường UBND xã Ia Grai ",
        chair_name=" Rơ Mah Tuấn ",
        connection_points=[("Điểm cầu làng Dơ Nâu", "Nhà văn hóa làng Dơ Nâu")],
        participants=[("Nguyễn Văn Bình", ParticipantRole.FATHERLAND_FRONT,
                       "Ủy ban MTTQ Việt Nam xã Ia Grai", "")],
    ), by=secretary)
    db.session.commit()

    assert warnings == []
    assert session.status is S.SCHEDULED
    assert (session.title, session.venue, session.chair_label) == (
        "Đối thoại với hộ dân về xóa nhà tạm, nhà dột nát", "Hội trường UBND xã Ia Grai",
        "Rơ Mah Tuấn")
    assert (session.unit, session.unit_name, session.level) == (
        unit("Xã Ia Grai"), "Xã Ia Grai", UnitLevel.COMMUNE)
    assert [p.name for p in session.connection_points] == ["Điểm cầu làng Dơ Nâu"]
    assert [p.role for p in session.participants] == [ParticipantRole.FATHERLAND_FRONT]
    assert (session.revision, session.created_by) == (0, secretary.display_name)
    assert len(session.uid) == 36


def test_a_session_can_be_kept_as_a_draft(details, secretary):
    session, _warnings = schedule_session(details(), by=secretary, status=S.DRAFT)
    assert session.status is S.DRAFT
    assert [t.name for t in available_transitions(session)] == ["announce", "cancel"]


def test_a_session_cannot_be_created_already_held(details, secretary):
    with pytest.raises(ValueError):  # noqa: PT011 - a programming error, not a user's
        schedule_session(details(), by=secretary, status=S.HELD)


@pytest.mark.parametrize("ends", ["2026-03-02 08:00", "2026-03-02 07:30"])
def test_the_end_must_come_after_the_start(details, ends, secretary):
    with pytest.raises(SchedulingError, match="kết thúc phải sau") as caught:
        schedule_session(details(starts_at=at("2026-03-02 08:00"), ends_at=at(ends)),
                         by=secretary)
    assert _shown_beside(caught.value, SessionForm) == "ends_time"
    db.session.rollback()
    assert _session_count() == 0


def test_a_legacy_district_cannot_hold_a_session_after_the_reform(details, unit, secretary):
    with pytest.raises(SchedulingError, match=r"Huyện Chư Prông.*02/03/2026") as caught:
        schedule_session(details(unit=unit("Huyện Chư Prông", Era.LEGACY)), by=secretary)
    assert _shown_beside(caught.value, SessionForm) == "unit_id"


def test_a_2025_commune_cannot_hold_a_session_before_it_existed(details, secretary):
    with pytest.raises(SchedulingError, match="Xã Ia Grai") as caught:
        schedule_session(details(unit="Xã Ia Grai", starts_at=at("2024-12-04 08:00")),
                         by=secretary)
    assert _shown_beside(caught.value, SessionForm) == "unit_id"


def test_the_unit_of_the_day_is_judged_by_the_date_in_vietnam(details, unit, secretary):
    """06:00 on 01/07/2025 in Vietnam is still 30/06 in UTC: the new units already rule."""
    first_morning = at("2025-07-01 06:00")
    session, _ = schedule_session(details(unit="Xã Ia Grai", starts_at=first_morning),
                                  by=secretary)
    assert session.unit_name == "Xã Ia Grai"
    with pytest.raises(SchedulingError):
        schedule_session(details(unit=unit("Huyện Ia Grai", Era.LEGACY),
                                 starts_at=first_morning), by=secretary)


def test_legacy_units_still_hold_sessions_dated_before_the_reform(details, unit, secretary):
    session, _ = schedule_session(details(unit=unit("Huyện Chư Prông", Era.LEGACY),
                                          starts_at=at("2025-06-30 14:00")), by=secretary)
    assert session.unit_name == "Huyện Chư Prông"
    assert session.level is UnitLevel.DISTRICT


# Warnings that never block


def test_a_chair_already_busy_is_warned_about_but_the_session_is_saved(details, luong,
                                                                       create_session, secretary):
    create_session(title="Tiếp công dân định kỳ", chair=luong, venue="Trụ sở Tiếp công dân")

    session, warnings = schedule_session(details(
        chair=luong, starts_at=at("2026-03-02 10:00"), venue="Hội trường Tỉnh ủy Gia Lai",
    ), by=secretary)
    db.session.commit()

    assert _codes(warnings) == ["chair_busy"]
    assert "Tiếp công dân định kỳ" in warnings[0].message
    assert "08:00 02/03/2026" in warnings[0].message
    assert db.session.get(DialogueSession, session.id).status is S.SCHEDULED
    assert _session_count() == 2


def test_back_to_back_sessions_or_another_chair_raise_no_warning(details, luong,
                                                                 create_official,
                                                                 create_session, secretary):
    create_session(chair=luong, venue="Trụ sở Tiếp công dân")
    hai = create_official(full_name="Phạm Thị Tố Hải", position="Trưởng ban Dân vận Tỉnh ủy")

    _, after = schedule_session(details(chair=luong, starts_at=at("2026-03-02 11:00")),
                                by=secretary)
    _, other_chair = schedule_session(details(chair=hai, starts_at=at("2026-03-02 09:00"),
                                              venue="Nhà văn hóa làng Klăh"), by=secretary)
    assert after == other_chair == []


@pytest.mark.parametrize(("booked", "typed"), [
    ("Hội trường UBND xã Ia Grai", "Hội trường UBND xã Ia Grai"),
    ("Hội trường UBND xã Ia Grai", " hội trường ubnd xã ia grai "),
    ("Hội trường UBND xã Ia Grai", "HỘI TRƯỜNG UBND XÃ IA GRAI"),
    ("HỘI TRƯỜNG UBND XÃ IA GRAI", "Hội trường UBND xã Ia Grai"),
    ("Nhà văn hóa làng Đê Kôp", "nhà văn hóa làng đê kôp"),
], ids=["same", "typed-lower", "typed-upper", "booked-upper", "d-with-stroke"])
def test_a_venue_already_booked_is_warned_about_whatever_the_case(details, create_session,
                                                                  booked, typed, secretary):
    create_session(title="Đối thoại về quản lý, bảo vệ rừng", unit="Xã Ia Grai", venue=booked)

    _, warnings = schedule_session(details(unit="Xã Ia Grai", venue=typed,
                                           starts_at=at("2026-03-02 09:00")), by=secretary)

    assert _codes(warnings) == ["venue_busy"]
    assert "Đối thoại về quản lý, bảo vệ rừng" in warnings[0].message


def test_another_venue_at_the_same_time_raises_no_warning(details, create_session, secretary):
    create_session(venue="Hội trường UBND xã Ia Grai", unit="Xã Ia Grai")
    _, warnings = schedule_session(details(unit="Phường Pleiku",
                                           venue="Hội trường UBND phường Pleiku"), by=secretary)
    assert warnings == []


def test_cancelled_sessions_do_not_block_the_chair_or_the_venue(details, luong,
                                                                create_session, secretary):
    cancelled = create_session(chair=luong, venue="Hội trường Tỉnh ủy Gia Lai",
                               status=S.CANCELLED)

    session, warnings = schedule_session(details(chair=luong,
                                                 venue="Hội trường Tỉnh ủy Gia Lai"),
                                         by=secretary)

    assert warnings == []
    assert scheduling_warnings(cancelled) == []
    assert session.status is S.SCHEDULED


@pytest.mark.parametrize(("announced", "days"), [
    ("2026-03-01 08:00", 1),
    ("2026-02-24 08:00", 6),
    ("2026-02-24 06:00", 6),  # still 23/02 in UTC: the days are counted in Vietnam
])
def test_less_than_seven_days_notice_is_warned_about(create_session, announced, days):
    session = create_session(starts_at=at("2026-03-02 08:00"))
    session.announced_at = at(announced)

    warnings = scheduling_warnings(session)

    assert _codes(warnings) == ["short_notice"]
    assert f"Chỉ còn {days} ngày đến phiên" in warnings[0].message


def test_a_session_announced_the_same_day_says_so(create_session):
    session = create_session(starts_at=at("2026-03-02 15:00"))
    session.announced_at = at("2026-03-02 07:00")
    [warning] = scheduling_warnings(session)
    assert warning.message.startswith("Phiên diễn ra ngay hôm nay: luật yêu cầu")


@pytest.mark.parametrize("announced", ["2026-02-23 08:00", "2026-02-23 23:30", "2026-01-15 08:00"])
def test_seven_days_notice_or_more_raises_no_warning(create_session, announced):
    session = create_session(starts_at=at("2026-03-02 08:00"))
    session.announced_at = at(announced)
    assert scheduling_warnings(session) == []


def test_a_session_announced_in_time_is_not_warned_about_in_its_last_week(details, secretary):
    session, warnings = schedule_session(details(starts_at=_future(30)), by=secretary)
    assert warnings == []
    # Three weeks later the session is 9 days away: notice was given when it was announced.
    session.announced_at -= timedelta(days=21)
    session.starts_at -= timedelta(days=21)
    session.ends_at -= timedelta(days=21)
    assert scheduling_warnings(session) == []


def test_announcing_a_draft_late_is_warned_about_when_announced(details, secretary):
    draft, _ = schedule_session(details(starts_at=_future(3)), by=secretary, status=S.DRAFT)
    warnings = change_status(draft, TRANSITIONS["announce"], reason="", by=secretary)
    assert _codes(warnings) == ["short_notice"]
    assert draft.announced_at is not None


def test_notice_is_not_warned_about_once_the_session_has_started(create_session):
    session = create_session(starts_at=at("2026-03-02 08:00"))
    session.announced_at = at("2026-03-02 09:00")
    assert scheduling_warnings(session) == []


def test_a_draft_planned_too_late_is_warned_about_too(create_session):
    draft = create_session(status=S.DRAFT, starts_at=at("2026-03-02 08:00"))
    assert _codes(scheduling_warnings(draft, now=at("2026-02-27 08:00"))) == ["short_notice"]


def test_scheduling_warns_about_short_notice_against_the_real_clock(details, secretary):
    _, soon = schedule_session(details(starts_at=_future(2)), by=secretary)
    _, later = schedule_session(details(starts_at=_future(30), venue="Nhà văn hóa làng Klăh"),
                                by=secretary)
    assert _codes(soon) == ["short_notice"]
    assert later == []


# Moving a session


def test_rescheduling_keeps_the_old_slot_and_the_reason(create_session, secretary, titles):
    session = create_session(starts_at=at("2026-03-02 08:00"), venue="Hội trường Tỉnh ủy")

    warnings = reschedule(session, at("2026-03-03 08:00"), at("2026-03-03 10:00"),
                          venue=" Hội trường UBND phường Pleiku ",
                          reason=" Trùng lịch họp HĐND ", by=secretary)
    db.session.commit()

    assert warnings == []
    assert session.revision == 1
    assert (session.starts_at, session.ends_at, session.venue) == (
        at("2026-03-03 08:00"), at("2026-03-03 10:00"), "Hội trường UBND phường Pleiku")
    moved = session.reschedules[-1]
    assert (moved.old_starts_at, moved.old_ends_at, moved.old_venue) == (
        at("2026-03-02 08:00"), at("2026-03-02 11:00"), "Hội trường Tỉnh ủy")
    assert (moved.reason, moved.changed_by) == ("Trùng lịch họp HĐND", secretary.display_name)
    assert titles(text="phuong pleiku") == [session.title]


def test_each_move_raises_the_revision_again(create_session, secretary):
    session = create_session()
    for day in ("2026-03-03", "2026-03-04"):
        reschedule(session, at(f"{day} 08:00"), at(f"{day} 10:00"), venue=session.venue,
                   reason="Lãnh đạo tỉnh đi công tác", by=secretary)
    assert session.revision == 2
    assert len(session.reschedules) == 2


def test_rescheduling_warns_about_the_new_slot(create_session, luong, secretary):
    create_session(title="Tiếp công dân định kỳ", chair=luong,
                   starts_at=at("2026-03-05 08:00"), venue="Trụ sở Tiếp công dân")
    session = create_session(chair=luong, starts_at=at("2026-03-02 08:00"))

    warnings = reschedule(session, at("2026-03-05 09:00"), at("2026-03-05 11:00"),
                          venue=session.venue, reason="Theo đề nghị của UBMTTQ", by=secretary)

    assert _codes(warnings) == ["chair_busy"]


def test_a_postponed_session_is_scheduled_again_when_moved(create_session, secretary):
    session = create_session(status=S.POSTPONED, reason="Mưa bão")

    reschedule(session, at("2026-03-09 08:00"), at("2026-03-09 11:00"), venue=session.venue,
               reason="Bố trí lại sau mưa bão", by=secretary)

    assert session.status is S.SCHEDULED
    assert session.status_reason == "Bố trí lại sau mưa bão"
    assert [(c.old_status, c.new_status) for c in session.status_changes] == [
        (S.SCHEDULED, S.POSTPONED), (S.POSTPONED, S.SCHEDULED)]


@pytest.mark.parametrize("status", [S.HELD, S.CANCELLED])
def test_a_held_or_cancelled_session_is_not_moved(create_session, status, secretary):
    session = create_session(status=status)

    with pytest.raises(SchedulingError, match="mở lại"):
        reschedule(session, at("2026-03-09 08:00"), at("2026-03-09 11:00"),
                   venue=session.venue, reason="Bố trí lại", by=secretary)
    db.session.rollback()

    assert session.starts_at == at("2026-03-02 08:00")
    assert session.reschedules == []


@pytest.mark.parametrize("status", [S.HELD, S.CANCELLED])
def test_a_reopened_session_can_be_moved(create_session, status, secretary):
    session = create_session(status=status)
    change_status(session, TRANSITIONS["reopen"], reason="Theo đề nghị của cử tri",
                  by=secretary)

    reschedule(session, at("2026-03-09 08:00"), at("2026-03-09 11:00"), venue=session.venue,
               reason="Tổ chức lại", by=secretary)

    assert session.status is S.SCHEDULED
    assert session.starts_at == at("2026-03-09 08:00")


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_move_needs_a_reason(create_session, reason, secretary):
    session = create_session()
    with pytest.raises(SchedulingError) as caught:
        reschedule(session, at("2026-03-09 08:00"), at("2026-03-09 11:00"),
                   venue=session.venue, reason=reason, by=secretary)
    assert _shown_beside(caught.value, RescheduleForm) == "reason"


def test_a_move_to_the_same_slot_and_place_is_refused(create_session, secretary):
    session = create_session(venue="Hội trường Tỉnh ủy")
    with pytest.raises(SchedulingError, match="không thay đổi") as caught:
        reschedule(session, session.starts_at, session.ends_at, venue=" Hội trường Tỉnh ủy ",
                   reason="Nhầm", by=secretary)
    assert _shown_beside(caught.value, RescheduleForm) == "starts_on"
    assert session.revision == 0


def test_a_move_must_end_after_it_starts(create_session, secretary):
    session = create_session()
    with pytest.raises(SchedulingError) as caught:
        reschedule(session, at("2026-03-09 10:00"), at("2026-03-09 08:00"),
                   venue=session.venue, reason="Bố trí lại", by=secretary)
    assert _shown_beside(caught.value, RescheduleForm) == "ends_time"


def test_a_legacy_district_session_cannot_be_moved_past_the_reform(create_session, unit, secretary):
    session = create_session(unit=unit("Huyện Đức Cơ", Era.LEGACY),
                             starts_at=at("2025-03-20 14:00"))
    with pytest.raises(SchedulingError) as caught:
        reschedule(session, at("2025-07-10 14:00"), at("2025-07-10 16:00"),
                   venue=session.venue, reason="Bố trí lại", by=secretary)
    assert "Huyện Đức Cơ" in caught.value.message
    assert "10/07/2025" in caught.value.message


# Editing a session


def test_changing_the_venue_raises_the_revision(create_session, details, secretary):
    session = create_session(venue="Hội trường Tỉnh ủy Gia Lai")

    update_session(session, details(venue="Hội trường UBND phường Pleiku"), by=secretary,
                   expected_version=session.version)

    assert session.revision == 1
    assert session.venue == "Hội trường UBND phường Pleiku"


def test_changing_the_title_leaves_the_revision(create_session, details, colleague, titles):
    session = create_session(title="Đối thoại định kỳ", venue="Hội trường Tỉnh ủy Gia Lai")

    update_session(session, details(title="Đối thoại về đất đai",
                                    venue="Hội trường Tỉnh ủy Gia Lai"),
                   by=colleague, expected_version=session.version)
    db.session.commit()

    assert session.revision == 0
    assert (session.title, session.updated_by) == ("Đối thoại về đất đai",
                                                   colleague.display_name)
    assert titles(text="dat dai") == ["Đối thoại về đất đai"]


def test_an_edit_can_move_the_session_to_another_unit(create_session, details, secretary):
    session = create_session()
    update_session(session, details(unit="Phường An Khê"), by=secretary,
                   expected_version=session.version)
    assert (session.unit_name, session.level) == ("Phường An Khê", UnitLevel.COMMUNE)


def test_an_edit_cannot_give_the_session_a_unit_gone_by_its_date(create_session, details,
                                                                 unit, secretary):
    session = create_session()
    with pytest.raises(SchedulingError) as caught:
        update_session(session, details(unit=unit("Huyện Đức Cơ", Era.LEGACY)), by=secretary,
                       expected_version=session.version)
    assert _shown_beside(caught.value, SessionForm) == "unit_id"
    db.session.rollback()
    assert session.unit_name == "Tỉnh Gia Lai"


def test_an_edit_does_not_move_the_session_in_time(create_session, details, secretary):
    session = create_session()
    with pytest.raises(ValueError, match="reschedule"):
        update_session(session, details(starts_at=at("2026-03-09 08:00")), by=secretary,
                       expected_version=session.version)


@pytest.mark.parametrize("status", [S.HELD, S.CANCELLED])
def test_a_held_or_cancelled_session_is_not_edited(create_session, details, status, secretary):
    session = create_session(status=status, title="Đối thoại định kỳ")
    with pytest.raises(SchedulingError, match="mở lại"):
        update_session(session, details(title="Tiêu đề mới"), by=secretary,
                       expected_version=session.version)
    assert session.title == "Đối thoại định kỳ"


# Status


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("name", list(TRANSITIONS))
def test_each_status_allows_only_its_transitions(create_session, status, name, secretary):
    transition = TRANSITIONS[name]
    session = create_session(status=status, starts_at=at("2026-03-02 08:00"))
    revision = session.revision

    if status in transition.sources:
        assert transition in available_transitions(session)
        change_status(session, transition, reason="Theo chỉ đạo của Thường trực Tỉnh ủy",
                      by=secretary)
        assert session.status is transition.target
        assert session.revision == revision + 1
        change = session.status_changes[-1]
        assert (change.old_status, change.new_status, change.changed_by) == (
            status, transition.target, secretary.display_name)
    else:
        assert transition not in available_transitions(session)
        with pytest.raises(SchedulingError, match="Không thể"):
            change_status(session, transition, reason="Theo chỉ đạo", by=secretary)
        assert (session.status, session.revision) == (status, revision)


def test_the_transitions_follow_the_life_of_a_session():
    assert {name: (sorted(t.sources), t.target) for name, t in TRANSITIONS.items()} == {
        "announce": ([S.DRAFT], S.SCHEDULED),
        "hold": ([S.SCHEDULED], S.HELD),
        "postpone": ([S.SCHEDULED], S.POSTPONED),
        "cancel": (sorted([S.DRAFT, S.SCHEDULED, S.POSTPONED]), S.CANCELLED),
        "reopen": (sorted([S.HELD, S.CANCELLED]), S.SCHEDULED),
    }


@pytest.mark.parametrize(("status", "name"), [
    (S.SCHEDULED, "postpone"), (S.SCHEDULED, "cancel"), (S.DRAFT, "cancel"),
    (S.POSTPONED, "cancel"), (S.CANCELLED, "reopen"), (S.HELD, "reopen"),
])
@pytest.mark.parametrize("reason", ["", "  \n"])
def test_postponing_cancelling_and_reopening_need_a_reason(create_session, status, name,
                                                           reason, secretary):
    session = create_session(status=status)
    with pytest.raises(SchedulingError) as caught:
        change_status(session, TRANSITIONS[name], reason=reason, by=secretary)
    assert _shown_beside(caught.value, StatusForm) == "reason"
    assert session.status is status


def test_the_reason_is_kept_with_the_status(create_session, secretary):
    session = create_session()
    change_status(session, TRANSITIONS["cancel"],
                  reason=" Trùng lịch kiểm tra của Đoàn công tác Tỉnh ủy ", by=secretary)
    assert session.status_reason == "Trùng lịch kiểm tra của Đoàn công tác Tỉnh ủy"
    assert session.status_changes[-1].reason == session.status_reason


def test_announcing_and_holding_need_no_reason(create_session, secretary):
    session = create_session(status=S.DRAFT)
    change_status(session, TRANSITIONS["announce"], reason="", by=secretary)
    change_status(session, TRANSITIONS["hold"], reason="", by=secretary)
    assert session.status is S.HELD


def test_a_session_is_not_marked_held_before_it_starts(create_session, secretary):
    session = create_session(starts_at=_future(30))
    with pytest.raises(SchedulingError, match="chưa diễn ra"):
        change_status(session, TRANSITIONS["hold"], reason="", by=secretary)
    assert session.status is S.SCHEDULED


def test_a_session_under_way_can_be_marked_held(create_session, secretary):
    session = create_session(starts_at=utcnow() - timedelta(minutes=5))
    change_status(session, TRANSITIONS["hold"], reason="", by=secretary)
    assert session.status is S.HELD


# Two secretaries on the same session


def _edited_elsewhere(session: DialogueSession, by) -> int:
    """Someone else saves the session; return the version the first form was opened at."""
    opened_at = session.version
    change_status(session, TRANSITIONS["postpone"], reason="Mưa bão", by=by)
    change_status(session, TRANSITIONS["cancel"], reason="Mưa bão", by=by)
    change_status(session, TRANSITIONS["reopen"], reason="Hết mưa bão", by=by)
    db.session.commit()
    return opened_at


def _assert_unchanged(session_id: int) -> None:
    db.session.rollback()
    db.session.expire_all()
    session = db.session.get(DialogueSession, session_id)
    assert (session.title, session.venue, session.starts_at, session.status) == (
        "Hội nghị đối thoại giữa người đứng đầu cấp ủy với Nhân dân",
        "Hội trường Tỉnh ủy Gia Lai, 17 Trần Hưng Đạo, Pleiku", at("2026-03-02 08:00"),
        S.SCHEDULED)
    assert session.reschedules == []
    assert len(session.status_changes) == 3


def test_an_edit_from_a_stale_form_is_refused(create_session, details, secretary, colleague):
    session = create_session()
    stale = _edited_elsewhere(session, colleague)
    with pytest.raises(StaleEdit):
        update_session(session, details(title="Tiêu đề mới", venue="Nơi khác"), by=secretary,
                       expected_version=stale)
    _assert_unchanged(session.id)


def test_a_move_from_a_stale_form_is_refused(create_session, secretary, colleague):
    session = create_session()
    stale = _edited_elsewhere(session, colleague)
    with pytest.raises(StaleEdit):
        reschedule(session, at("2026-03-09 08:00"), at("2026-03-09 11:00"), venue="Nơi khác",
                   reason="Bố trí lại", by=secretary, expected_version=stale)
    _assert_unchanged(session.id)


def test_a_status_change_from_a_stale_form_is_refused(create_session, secretary, colleague):
    session = create_session()
    stale = _edited_elsewhere(session, colleague)
    with pytest.raises(StaleEdit):
        change_status(session, TRANSITIONS["cancel"], reason="Hủy", by=secretary,
                      expected_version=stale)
    _assert_unchanged(session.id)


def test_two_saves_racing_on_the_same_session_do_not_both_win(create_session):
    session = create_session()
    assert session.version == 1  # the form is opened
    session.title = "Đối thoại về đất đai"

    with Session(db.engine) as other:
        theirs = other.get(DialogueSession, session.id)
        theirs.title = "Đối thoại về môi trường"
        other.commit()

    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(DialogueSession, session.id).title == "Đối thoại về môi trường"


# Finding sessions


@pytest.fixture
def gia_lai_sessions(create_session, unit):
    """A province session at dawn, two 2025 commune sessions and an old district one."""
    return {
        "province": create_session(
            title="Đối thoại về bồi thường, giải phóng mặt bằng",
            topic="Đất đai, tái định cư", starts_at=at("2026-03-02 06:00")),
        "ia_grai": create_session(
            title="Đối thoại với hộ dân về xóa nhà tạm", unit="Xã Ia Grai",
            topic="Chung tay xóa nhà tạm, nhà dột nát", kind=SessionKind.AD_HOC,
            venue="Hội trường UBND xã Ia Grai", starts_at=at("2026-03-10 08:00"),
            status=S.DRAFT),
        "pleiku": create_session(
            title="Đối thoại về cải cách hành chính", unit="Phường Pleiku",
            topic="Dịch vụ công trực tuyến; trật tự đô thị",
            venue="Hội trường UBND phường Pleiku", starts_at=at("2026-03-20 08:00"),
            status=S.CANCELLED),
        "chu_prong": create_session(
            title="Đối thoại về hiến đất làm đường", unit=unit("Huyện Chư Prông", Era.LEGACY),
            topic="Xây dựng nông thôn mới", venue="Hội trường Huyện ủy Chư Prông",
            starts_at=at("2024-10-15 08:00"), status=S.HELD),
    }


PROVINCE = "Đối thoại về bồi thường, giải phóng mặt bằng"
IA_GRAI = "Đối thoại với hộ dân về xóa nhà tạm"
PLEIKU = "Đối thoại về cải cách hành chính"
CHU_PRONG = "Đối thoại về hiến đất làm đường"


@pytest.mark.usefixtures("gia_lai_sessions")
def test_without_criteria_every_session_is_listed_earliest_first(titles):
    assert titles() == [CHU_PRONG, PROVINCE, IA_GRAI, PLEIKU]


@pytest.mark.usefixtures("gia_lai_sessions")
@pytest.mark.parametrize(("level", "expected"), [
    (UnitLevel.PROVINCE, [PROVINCE]),
    (UnitLevel.DISTRICT, [CHU_PRONG]),
    (UnitLevel.COMMUNE, [IA_GRAI, PLEIKU]),
])
def test_sessions_are_filtered_by_level(level, expected, titles):
    assert titles(level=level) == expected


@pytest.mark.usefixtures("gia_lai_sessions")
@pytest.mark.parametrize(("name", "era", "expected"), [
    # The 2025 province also keeps the history of the units it succeeded (units.within).
    ("Tỉnh Gia Lai", Era.Y2025, [CHU_PRONG, PROVINCE, IA_GRAI, PLEIKU]),
    ("Xã Ia Grai", Era.Y2025, [IA_GRAI]),
    ("Tỉnh Gia Lai", Era.LEGACY, [CHU_PRONG]),
    ("Huyện Chư Prông", Era.LEGACY, [CHU_PRONG]),
    ("Huyện Đức Cơ", Era.LEGACY, []),
    ("Tỉnh Bình Định", Era.LEGACY, []),
])
def test_a_unit_shows_its_own_sessions_and_those_of_the_units_under_it(unit, name, era,
                                                                       expected, titles):
    assert titles(unit=unit(name, era)) == expected


def test_a_commune_of_an_old_district_shows_under_the_district(create_session, unit, titles):
    create_session(title="Đối thoại tại xã Ia Kly",
                   unit=unit("Xã Ia Kly", Era.LEGACY, parent="Huyện Chư Prông"),
                   starts_at=at("2025-05-15 08:00"))
    assert titles(unit=unit("Huyện Chư Prông", Era.LEGACY)) == ["Đối thoại tại xã Ia Kly"]
    assert titles(unit=unit("Huyện Đức Cơ", Era.LEGACY)) == []


@pytest.mark.usefixtures("gia_lai_sessions")
def test_sessions_are_filtered_by_status_and_kind(titles):
    assert titles(status=S.CANCELLED) == [PLEIKU]
    assert titles(status=S.HELD) == [CHU_PRONG]
    assert titles(kind=SessionKind.AD_HOC) == [IA_GRAI]
    assert titles(kind=SessionKind.PERIODIC, status=S.SCHEDULED) == [PROVINCE]


@pytest.mark.usefixtures("gia_lai_sessions")
@pytest.mark.parametrize(("first", "last", "expected"), [
    # 06:00 on 02/03 in Vietnam is 23:00 on 01/03 in UTC: it belongs to 02/03.
    (date(2026, 3, 2), date(2026, 3, 2), [PROVINCE]),
    (date(2026, 3, 1), date(2026, 3, 1), []),
    (date(2026, 3, 3), date(2026, 3, 31), [IA_GRAI, PLEIKU]),
    (date(2026, 3, 10), None, [IA_GRAI, PLEIKU]),
    (None, date(2026, 3, 2), [CHU_PRONG, PROVINCE]),
])
def test_sessions_are_filtered_by_days_in_vietnam(first, last, expected, titles):
    assert titles(date_from=first, date_to=last) == expected


def test_a_session_spanning_several_days_is_found_on_each(create_session, titles):
    create_session(title="Đối thoại theo cụm làng", starts_at=at("2026-02-28 08:00"),
                   ends_at=at("2026-03-02 11:00"))
    assert titles(date_from=date(2026, 3, 1), date_to=date(2026, 3, 1)) == [
        "Đối thoại theo cụm làng"]
    assert titles(date_from=date(2026, 3, 3)) == []


@pytest.mark.usefixtures("gia_lai_sessions")
@pytest.mark.parametrize(("typed", "expected"), [
    ("dat dai", [PROVINCE]),
    ("ĐẤT ĐAI", [PROVINCE]),
    ("xoa nha tam", [IA_GRAI]),
    ("ia grai", [IA_GRAI]),  # the unit's name
    ("huyen uy chu prong", [CHU_PRONG]),  # the venue
    ("dat", [CHU_PRONG, PROVINCE]),
    ("100%", []),
    ("   ", [CHU_PRONG, PROVINCE, IA_GRAI, PLEIKU]),
])
def test_sessions_are_found_by_text_without_accents(typed, expected, titles):
    assert titles(text=typed) == expected


def test_the_calendar_puts_a_session_on_its_day_in_vietnam(create_session, secretary):
    create_session(title="Đối thoại đầu tháng", starts_at=at("2026-03-01 06:00"),
                   ends_at=at("2026-03-01 09:00"))
    create_session(title="Đối thoại giữa tháng", starts_at=at("2026-03-15 14:00"))
    create_session(title="Đối thoại qua đêm", starts_at=at("2026-03-31 22:00"),
                   ends_at=at("2026-04-01 01:00"))
    create_session(title="Đối thoại sáng sớm", starts_at=at("2026-04-01 00:30"))

    def month(year, m):
        return {day: [s.title for s in sessions]
                for day, sessions in sessions_in_month(SessionFilter(), year, m,
                                                                     user=secretary).items()}

    assert month(2026, 3) == {
        date(2026, 3, 1): ["Đối thoại đầu tháng"],
        date(2026, 3, 15): ["Đối thoại giữa tháng"],
        date(2026, 3, 31): ["Đối thoại qua đêm"],
    }
    assert month(2026, 2) == {}
    assert month(2026, 4) == {
        date(2026, 4, 1): ["Đối thoại qua đêm", "Đối thoại sáng sớm"],
    }


def test_a_session_ending_at_midnight_is_not_shown_on_the_next_day(create_session, secretary):
    create_session(title="Đối thoại buổi tối", starts_at=at("2026-03-14 19:00"),
                   ends_at=at("2026-03-15 00:00"))
    by_day = sessions_in_month(SessionFilter(), 2026, 3, user=secretary)
    assert list(by_day) == [date(2026, 3, 14)]


@pytest.mark.usefixtures("gia_lai_sessions")
def test_the_calendar_keeps_the_filters(unit, secretary):
    by_day = sessions_in_month(SessionFilter(unit=unit("Xã Ia Grai")), 2026, 3,
                               user=secretary)
    assert {day: [s.title for s in sessions] for day, sessions in by_day.items()} == {
        date(2026, 3, 10): [IA_GRAI]}


def test_a_stale_form_cannot_overwrite_an_edit_of_the_participants_only(
        create_session, details, secretary, colleague):
    """Participants live in their own table: saving them must still move the version."""
    same = {"title": "Hội nghị đối thoại định kỳ năm 2026", "venue": "Hội trường Tỉnh ủy Gia Lai",
            "topic": "Bồi thường, hỗ trợ, tái định cư."}
    session = create_session(**same)
    opened = session.version
    update_session(session, details(**same, participants=[
        ("Siu H’Lan", ParticipantRole.CITIZEN_REPRESENTATIVE, "Làng Dơ Nâu", "")]),
        by=secretary, expected_version=opened)
    db.session.commit()
    with pytest.raises(StaleEdit):
        update_session(session, details(**same), by=colleague, expected_version=opened)
    db.session.rollback()
    assert [p.full_name for p in db.session.get(DialogueSession, session.id).participants] == [
        "Siu H’Lan"]
