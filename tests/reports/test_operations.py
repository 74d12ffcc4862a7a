"""The report's figures against a dataset counted by hand (tests/reports/conftest.py)."""

from collections import Counter
from datetime import date

import pytest

from dialogue.core.errors import UserError
from dialogue.extensions import db
from dialogue.issues.models import InformState, IssueKind, IssueOutcome
from dialogue.reports.buckets import CommitmentBucket
from dialogue.reports.drill import Drill, DrillSubject, drill_duties, drill_statement
from dialogue.reports.operations import build_report
from dialogue.reports.periods import (
    PeriodKind,
    ReportError,
    custom_period,
    month_period,
    parse_period,
    quarter_period,
    year_period,
)
from dialogue.reports.scope import check_report_scope, default_report_unit
from dialogue.reports.tables import report_tables
from dialogue.sessions.models import SessionFormat, SessionKind, SessionStatus
from dialogue.units.models import Era, UnitLevel

PROVINCE, DISTRICT, COMMUNE = UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE


def test_the_yearly_report_counts_what_was_held_raised_and_committed(gia_lai_2025, unit):
    report = build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai")))

    # "cấp tỉnh tổ chức 1 cuộc, cấp huyện 1 cuộc, cấp xã 3 cuộc"
    assert [report.held(level) for level in (PROVINCE, DISTRICT, COMMUNE)] == [1, 1, 3]
    assert report.held() == 5
    assert report.held(kind=SessionKind.PERIODIC) == 3
    assert report.held(kind=SessionKind.AD_HOC) == 2
    assert report.held(format=SessionFormat.IN_PERSON) == 3
    assert report.held(format=SessionFormat.ONLINE) == 1
    assert report.held(format=SessionFormat.HYBRID) == 1
    assert report.people == Counter({PROVINCE: 245, COMMUNE: 123})
    statuses = {status: sum(c for key, c in report.sessions.items() if key[3] is status)
                for status in SessionStatus}
    assert statuses == {SessionStatus.HELD: 5, SessionStatus.SCHEDULED: 1,
                        SessionStatus.CANCELLED: 1, SessionStatus.POSTPONED: 0,
                        SessionStatus.DRAFT: 0}

    def issues(**match) -> int:
        keys = ("level", "kind", "field", "outcome")
        return sum(count for key, count in report.issues.items()
                   if all(dict(zip(keys, key, strict=True))[k] == v for k, v in match.items()))

    assert issues() == 7
    assert issues(outcome=IssueOutcome.ANSWERED) == 2
    assert issues(outcome=IssueOutcome.FOLLOW_UP) == 5
    assert [issues(kind=kind) for kind in IssueKind] == [1, 3, 1, 1, 1]
    fields = {report.field_names.get(key[2], None) for key in report.issues}
    assert len(fields) == 5 and None in fields
    assert issues(field=None) == 1

    total = report.total_commitments()
    assert (total.assigned, total.resolved_on_time, total.resolved_late, total.open,
            total.overdue, total.closed_otherwise) == (6, 1, 1, 3, 1, 1)
    # 12/03 → 20/04 is 39 days, 10/04 → 16/06 is 67: on average 53.
    assert total.average_days_to_resolve == 53.0
    # Told in writing within 10 working days: C1 and C4 on time, C2 late, C6 still has
    # until 05/01/2026, C3 and C5 never were.
    assert (total.informed_on_time, total.informed_late, total.inform_pending,
            total.inform_overdue) == (2, 1, 1, 2)
    assert report.commitments[DISTRICT].assigned == 2
    assert report.commitments[COMMUNE].overdue == 1


def test_legacy_figures_stay_with_their_units_unless_rolled_up(gia_lai_2025, unit):
    province = unit("Tỉnh Gia Lai")
    kept = build_report(gia_lai_2025.scope(province))
    rolled = build_report(gia_lai_2025.scope(province, roll_up=True))

    def lines(report):
        return {row.unit.display_name: (row.held, row.issues, row.commitments.assigned)
                for row in report.units}

    # A 2025 district total stays a district total: Ia Kha's session is Ia Grai district's.
    assert lines(kept) == {
        "Tỉnh Gia Lai": (0, 1, 1),
        "Xã Ia Grai": (1, 2, 2),
        "Phường Pleiku": (1, 0, 0),
        "Tỉnh Gia Lai (trước 01/07/2025)": (1, 2, 1),
        "Huyện Ia Grai (trước 01/07/2025)": (2, 2, 2),
    }
    assert kept.units[0].unit == province
    # Rolled up, the former province and its district go to the new province, Thị trấn
    # Ia Kha to Xã Ia Grai, which succeeded it.
    assert lines(rolled) == {
        "Tỉnh Gia Lai": (2, 4, 4),
        "Xã Ia Grai": (2, 3, 2),
        "Phường Pleiku": (1, 0, 0),
    }
    # Levels are history: a district session stays a district session either way.
    assert rolled.held(DISTRICT) == kept.held(DISTRICT) == 1


def test_the_legal_duties_list_what_was_missed(gia_lai_2025, unit):
    report = build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai")))
    s = gia_lai_2025.sessions

    # Xã Ia Grai held its conference (and so did Thị trấn Ia Kha, merged into it); Phường
    # Pleiku only an ad hoc one, Xã Ân Hảo's was cancelled.
    missing = {duty.commune.name for duty in report.communes_without_conference}
    assert report.duty_year == 2025
    assert "Xã Ia Grai" not in missing
    assert {"Phường Pleiku", "Xã Ân Hảo"} <= missing
    assert len(missing) == 134
    assert all(duty.commune.era is Era.Y2025 for duty in report.communes_without_conference)
    assert [(d.session_id, d.days) for d in report.short_notice] == [
        (s["S3"].id, 4), (s["S4"].id, 5), (s["S5"].id, 1)]
    # S2's minutes were never final: 267 days by 02/01/2026.
    assert [(d.session_id, d.on, d.days) for d in report.late_minutes] == [
        (s["S2"].id, None, 267), (s["S3"].id, date(2025, 6, 10), 21),
        (s["S5"].id, date(2025, 10, 20), 14)]


def test_a_legacy_year_is_checked_against_the_communes_of_its_time(gia_lai_2025, unit):
    report = build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai"), period=year_period(2024)))

    assert report.held() == 0
    communes = report.communes_without_conference
    assert communes and all(duty.commune.era is Era.LEGACY for duty in communes)
    assert "Thị trấn Ia Kha" in {duty.commune.name for duty in communes}


def test_a_commune_report_counts_its_predecessors(gia_lai_2025, unit):
    report = build_report(gia_lai_2025.scope(unit("Xã Ia Grai"), roll_up=True))

    assert report.held() == 2
    assert [row.unit.name for row in report.units] == ["Xã Ia Grai"]
    assert report.communes_without_conference == []


def test_every_count_lists_exactly_the_rows_it_counts(gia_lai_2025, unit):
    for roll_up in (False, True):
        scope = gia_lai_2025.scope(unit("Tỉnh Gia Lai"), roll_up=roll_up)
        report = build_report(scope)
        checked = 0
        for table in report_tables(report):
            for row in table.rows:
                for cell in row:
                    if cell.drill is None:
                        continue
                    listed = len(db.session.scalars(drill_statement(scope, cell.drill)).all())
                    assert listed == cell.value, (table.key, row[0].value, cell.drill)
                    checked += 1
        assert checked > 100


def test_the_duty_lists_are_what_the_dashboard_counts(gia_lai_2025, unit):
    scope = gia_lai_2025.scope(unit("Tỉnh Gia Lai"))
    report = build_report(scope)

    assert len(drill_duties(scope, Drill(DrillSubject.COMMUNES))) == len(
        report.communes_without_conference)
    assert drill_duties(scope, Drill(DrillSubject.SHORT_NOTICE)) == report.short_notice
    assert drill_duties(scope, Drill(DrillSubject.LATE_MINUTES)) == report.late_minutes


@pytest.mark.parametrize(("text", "first", "last", "label"), [
    ("2025", date(2025, 1, 1), date(2025, 12, 31), "Năm 2025"),
    ("2025-q2", date(2025, 4, 1), date(2025, 6, 30), "Quý II năm 2025"),
    ("2025-H1", date(2025, 1, 1), date(2025, 6, 30), "6 tháng đầu năm 2025"),
    ("2025-9M", date(2025, 1, 1), date(2025, 9, 30), "9 tháng đầu năm 2025"),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "Tháng 2 năm 2024"),
    ("2025-12", date(2025, 12, 1), date(2025, 12, 31), "Tháng 12 năm 2025"),
    ("2025-03-01..2025-04-15", date(2025, 3, 1), date(2025, 4, 15),
     "Từ ngày 01/03/2025 đến ngày 15/04/2025"),
])
def test_periods_are_read_as_reports_name_them(app, text, first, last, label):
    with app.test_request_context():
        period = parse_period(text)
        assert (period.first, period.last, period.label) == (first, last, label)
        assert parse_period(period.code) == period


@pytest.mark.parametrize("text", ["", "năm 2025", "2025-Q5", "2025-13", "2025-00", "3000",
                                  "2025-04-15..2025-03-01", "2025-02-30..2025-03-01", "2025-H2"])
def test_a_period_that_means_nothing_is_refused_with_a_message(app, text):
    with app.test_request_context(), pytest.raises(ReportError) as refused:
        parse_period(text)
    assert isinstance(refused.value, UserError) and str(refused.value.message)


def test_period_builders_refuse_impossible_values(app):
    with app.test_request_context():
        for build in (lambda: month_period(2025, 13), lambda: quarter_period(2025, 0),
                      lambda: year_period(1800), lambda: custom_period(date(2025, 2, 1),
                                                                       date(2025, 1, 1))):
            with pytest.raises(ReportError):
                build()
        assert year_period(2025, PeriodKind.NINE_MONTHS).last == date(2025, 9, 30)


def test_a_user_reports_on_their_own_units_only(unit, secretary, commune_secretary, admin):
    province = unit("Tỉnh Gia Lai")
    check_report_scope(secretary, province)
    check_report_scope(secretary, unit("Huyện Ia Grai", Era.LEGACY))
    check_report_scope(admin, None)
    for user, target in ((commune_secretary, province), (secretary, None),
                         (commune_secretary, unit("Phường Pleiku"))):
        with pytest.raises(ReportError):
            check_report_scope(user, target)
    assert default_report_unit(secretary) == province
    assert default_report_unit(commune_secretary) == unit("Xã Ia Grai")
    assert default_report_unit(admin) is None


def test_the_whole_country_is_reported_province_by_province(gia_lai_2025):
    kept = build_report(gia_lai_2025.scope(None))
    rolled = build_report(gia_lai_2025.scope(None, roll_up=True))

    assert kept.held() == rolled.held() == 5
    assert {row.unit.display_name: row.held for row in kept.units} == {
        "Tỉnh Gia Lai": 2, "Tỉnh Gia Lai (trước 01/07/2025)": 3}
    assert {row.unit.display_name: row.held for row in rolled.units} == {"Tỉnh Gia Lai": 5}


def test_every_drill_of_the_tables_reads_back_from_its_link(gia_lai_2025, unit):
    report = build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai"), roll_up=True))
    drills = [cell.drill for table in report_tables(report) for row in table.rows
              for cell in row if cell.drill is not None]

    assert drills
    for drill in drills:
        assert Drill.from_args(drill.args()) == drill
    overdue = Drill.from_args({"show": "commitments", "bucket": "overdue", "level": "commune"})
    assert overdue == Drill(DrillSubject.COMMITMENTS, level=UnitLevel.COMMUNE,
                            bucket=CommitmentBucket.OVERDUE)
    assert overdue.bucket is CommitmentBucket.OVERDUE


def test_the_inform_columns_are_named_as_the_lists_behind_them(app, gia_lai_2025, unit):
    with app.test_request_context():
        inform = next(table for table in report_tables(
            build_report(gia_lai_2025.scope(unit("Tỉnh Gia Lai")))) if table.key == "inform")

        assert inform.columns[1:] == [state.label for state in InformState]
        assert [cell.drill.inform for cell in inform.rows[-1][1:]] == list(InformState)
        assert inform.columns[1] == "Trả lời công dân đúng hạn"
