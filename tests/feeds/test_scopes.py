"""A unit's feeds keep their ETags while other units' sessions change, and change with
every session they carry: their unit's, the units' under it, and their predecessors'."""

import pytest

from dialogue.extensions import db
from dialogue.sessions.models import SessionStatus
from dialogue.units.models import Era, UnitLevel

IA_GRAI, PLEIKU = "/feeds/units/{}.ics", "/feeds/units/{}.ics?subunits=1"


@pytest.fixture
def poll(anonymous):
    """``poll(unit)`` → a function telling whether that unit's feed (``subunits``: with its
    communes) changed since the previous call."""

    def feed_of(unit, *, subunits: bool = False):
        path = (PLEIKU if subunits else IA_GRAI).format(unit.code_text)
        etag = anonymous.get(path).headers["ETag"]

        def changed() -> bool:
            nonlocal etag
            response = anonymous.get(path, headers={"If-None-Match": etag})
            assert response.status_code in (200, 304)
            etag = response.headers["ETag"]
            return response.status_code == 200

        return changed

    return feed_of


def edit(session, agenda: str) -> None:
    session.agenda = agenda
    db.session.commit()


def test_a_communes_feed_is_unchanged_by_another_communes_session(poll, unit, upcoming):
    ia_grai, other = unit("Xã Ia Grai"), unit("Xã Ia Hrung")
    ours, theirs = upcoming(unit=ia_grai), upcoming(unit=other)
    ia_grai_changed, province_changed = poll(ia_grai), poll(unit("Tỉnh Gia Lai"), subunits=True)
    edit(theirs, "Đất đai ở làng Dơr")
    assert not ia_grai_changed(), "another commune's session: Ia Grai's feed answers 304"
    assert province_changed(), "the province's feed with its communes carries it"
    edit(ours, "Nước sinh hoạt")
    assert ia_grai_changed()
    assert province_changed()


def test_a_session_moved_between_communes_changes_both_feeds(poll, unit, upcoming):
    ia_grai, other = unit("Xã Ia Grai"), unit("Xã Ia Hrung")
    session = upcoming(unit=ia_grai)
    ia_grai_changed, other_changed = poll(ia_grai), poll(other)
    session.unit = other
    db.session.commit()
    assert ia_grai_changed(), "it left Ia Grai's feed"
    assert other_changed(), "and joined Ia Hrung's"


def test_a_former_communes_session_changes_its_successors_feed(poll, unit, create_session,
                                                               at):
    ia_grai = unit("Xã Ia Grai")
    former = next(p for p in ia_grai.predecessors if p.level is UnitLevel.COMMUNE)
    assert former.era is Era.LEGACY
    session = create_session(unit=former, starts_at=at("2025-06-10 08:00"),
                             status=SessionStatus.HELD)
    ia_grai_changed = poll(ia_grai)
    edit(session, "Giải phóng mặt bằng")
    assert ia_grai_changed(), "Ia Grai's feed carries the sessions of the communes merged in"


def test_what_every_unit_feed_shows_changes_them_all(poll, unit, upcoming, create_official):
    chair = create_official(full_name="Rơ Mah Tuấn", position="Chủ tịch UBND xã",
                            unit="Xã Ia Grai")
    upcoming(unit=unit("Xã Ia Hrung"), chair=chair)
    ia_grai_changed = poll(unit("Xã Ia Grai"))
    chair.full_name = "Rơ Mah Tuấn (Chủ tịch)"
    db.session.commit()
    assert ia_grai_changed(), "an official's name is in every feed's events"


def test_the_whole_countrys_feed_still_follows_every_change(anonymous, unit, upcoming):
    session = upcoming(unit=unit("Xã Ia Hrung"))
    etag = anonymous.get("/feeds/all.ics").headers["ETag"]
    edit(session, "Chính sách cho người có công")
    assert anonymous.get("/feeds/all.ics", headers={"If-None-Match": etag}).status_code == 200
