"""A year of dialogues in Gia Lai built by hand, across the 2025 reform, whose every figure
the report tests write out (see ``gia_lai_2025``)."""

from dataclasses import dataclass
from datetime import date

import pytest

from dialogue.extensions import db
from dialogue.issues.models import CommitmentStatus, IssueKind, IssueOutcome
from dialogue.issues.operations import change_commitment_status, record_citizen_informed
from dialogue.minutes.models import MinutesTemplate
from dialogue.minutes.operations import MinutesDetails, save_minutes
from dialogue.reports.periods import year_period
from dialogue.reports.scope import ReportScope
from dialogue.sessions.models import SessionFormat, SessionKind, SessionStatus
from dialogue.units.models import Era
from tests.helpers import at
from tests.issue_fixtures import COMPENSATION, ENVIRONMENT, LAND, SOCIAL_POLICY

#: The day the open work of the dataset is judged on.
TODAY = date(2026, 1, 2)


@dataclass
class Dataset:
    sessions: dict
    issues: dict
    commitments: dict

    def scope(self, unit, **overrides) -> ReportScope:
        return ReportScope(**{"period": year_period(2025), "unit": unit, "today": TODAY,
                              **overrides})


@pytest.fixture
def gia_lai_2025(create_session, unit, record, commit_to, secretary, field):
    """Seven sessions of 2025 (before and after 01/07/2025), seven issues, six commitments.

    ====  ==========================  ==========  =========  ========  =========  =========
    name  unit (era)                  day         kind       format    status     notice
    ====  ==========================  ==========  =========  ========  =========  =========
    S1    Tỉnh Gia Lai (legacy)       12/03/2025  periodic   hybrid    held       11 days
    S2    Huyện Ia Grai (legacy)      10/04/2025  ad hoc     in person held       9 days
    S3    Thị trấn Ia Kha (legacy)    20/05/2025  periodic   in person held       4 days
    S4    Xã Ia Grai                  15/09/2025  periodic   in person held       5 days
    S5    Phường Pleiku               06/10/2025  ad hoc     online    held       1 day
    S6    Tỉnh Gia Lai                20/12/2025  periodic   in person scheduled  19 days
    S7    Xã Ân Hảo                   03/11/2025  periodic   in person cancelled  —
    S8    Xã Ia Grai                  01/02/2026  (outside the period)
    ====  ==========================  ==========  =========  ========  =========  =========

    Minutes final: S1 18/03 (6 days), S3 10/06 (21), S4 20/09 (5), S5 20/10 (14); S2 never.
    Attendance in the minutes: S1 45 + 200, S4 3 + 120.
    """
    legacy_province = unit("Tỉnh Gia Lai", Era.LEGACY)
    plan = {
        "S1": (legacy_province, "2025-03-12 08:00", SessionKind.PERIODIC, SessionFormat.HYBRID,
               SessionStatus.HELD, "2025-03-01 09:00", "2025-03-18 16:00"),
        "S2": (unit("Huyện Ia Grai", Era.LEGACY), "2025-04-10 08:00", SessionKind.AD_HOC,
               SessionFormat.IN_PERSON, SessionStatus.HELD, "2025-04-01 09:00", None),
        "S3": (unit("Thị trấn Ia Kha", Era.LEGACY), "2025-05-20 14:00", SessionKind.PERIODIC,
               SessionFormat.IN_PERSON, SessionStatus.HELD, "2025-05-16 09:00",
               "2025-06-10 10:00"),
        "S4": (unit("Xã Ia Grai"), "2025-09-15 08:00", SessionKind.PERIODIC,
               SessionFormat.IN_PERSON, SessionStatus.HELD, "2025-09-10 15:00",
               "2025-09-20 10:00"),
        "S5": (unit("Phường Pleiku"), "2025-10-06 08:00", SessionKind.AD_HOC,
               SessionFormat.ONLINE, SessionStatus.HELD, "2025-10-05 07:00",
               "2025-10-20 10:00"),
        "S6": (unit("Tỉnh Gia Lai"), "2025-12-20 08:00", SessionKind.PERIODIC,
               SessionFormat.IN_PERSON, SessionStatus.SCHEDULED, "2025-12-01 09:00", None),
        "S7": (unit("Xã Ân Hảo"), "2025-11-03 08:00", SessionKind.PERIODIC,
               SessionFormat.IN_PERSON, SessionStatus.CANCELLED, "2025-10-20 09:00", None),
        "S8": (unit("Xã Ia Grai"), "2026-02-01 08:00", SessionKind.PERIODIC,
               SessionFormat.IN_PERSON, SessionStatus.HELD, "2026-01-10 09:00", None),
    }
    sessions = {}
    for name, (where, starts, kind, fmt, status, announced, _filed) in plan.items():
        sessions[name] = create_session(
            unit=where, title=f"Hội nghị đối thoại {name} với Nhân dân {where.short_name}",
            starts_at=at(starts), kind=kind, format=fmt, status=status)
        sessions[name].announced_at = at(announced)
    db.session.commit()
    attendance = {"S1": [("Đại biểu", 45), ("Nhân dân", 200)],
                  "S4": [("Lãnh đạo", 3), ("Nhân dân", 120)]}
    for name, groups in attendance.items():
        save_minutes(sessions[name], MinutesDetails(
            template=MinutesTemplate.STATE, issuing_body="ỦY BAN NHÂN DÂN", symbol="BB-UBND",
            place_name="Gia Lai", attendance=groups), by=secretary)
    for name, (*_rest, filed) in plan.items():
        if filed:
            sessions[name].minutes_filed_at = at(filed)
    db.session.commit()

    answered = {"outcome": IssueOutcome.ANSWERED}
    follow_up = {"outcome": IssueOutcome.FOLLOW_UP}
    issues = {
        "I1": record(sessions["S1"], kind=IssueKind.OPINION, field=LAND, **answered),
        "I2": record(sessions["S1"], kind=IssueKind.RECOMMENDATION, field=LAND, **follow_up),
        "I3": record(sessions["S2"], kind=IssueKind.COMPLAINT, field=COMPENSATION, **follow_up),
        "I4": record(sessions["S3"], kind=IssueKind.REPORT, field=ENVIRONMENT, **answered),
        "I5": record(sessions["S4"], kind=IssueKind.RECOMMENDATION, field=SOCIAL_POLICY,
                     **follow_up),
        "I6": record(sessions["S4"], kind=IssueKind.RECOMMENDATION, field=None, **follow_up),
        "I7": record(sessions["S6"], kind=IssueKind.DENUNCIATION, field=COMPENSATION,
                     **follow_up),
        "I8": record(sessions["S8"], kind=IssueKind.RECOMMENDATION, **follow_up),
    }
    commitments = {
        "C1": commit_to(issues["I2"], due_on=date(2025, 4, 30)),
        "C2": commit_to(issues["I3"], due_on=date(2025, 5, 30)),
        "C5": commit_to(issues["I3"], agency_name="Thanh tra tỉnh", due_on=date(2025, 5, 30)),
        "C3": commit_to(issues["I5"], due_on=date(2025, 12, 31)),
        "C4": commit_to(issues["I6"], due_on=date(2026, 3, 31)),
        "C6": commit_to(issues["I7"], due_on=date(2026, 2, 28)),
        "C8": commit_to(issues["I8"], due_on=date(2026, 3, 1)),
    }
    steps = [
        ("C1", CommitmentStatus.RESOLVED, date(2025, 4, 20), date(2025, 3, 20)),
        ("C2", CommitmentStatus.RESOLVED, date(2025, 6, 16), date(2025, 5, 5)),
        ("C5", CommitmentStatus.TRANSFERRED, date(2025, 5, 2), None),
        ("C4", CommitmentStatus.IN_PROGRESS, date(2025, 10, 1), date(2025, 9, 25)),
    ]
    for name, status, on, informed in steps:
        change_commitment_status(commitments[name], status, note="Chuyển Thanh tra tỉnh",
                                 by=secretary, today=on)
        if informed:
            record_citizen_informed(commitments[name], informed, by=secretary)
    db.session.commit()
    return Dataset(sessions, issues, commitments)
