"""A report as the tables every format shows: the dashboard in the reader's language, the
files sent upward in Vietnamese."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from ..core.time import format_date
from ..issues.models import InformState, IssueKind, IssueOutcome
from ..sessions.models import SessionFormat, SessionKind, SessionStatus
from .buckets import COMMITMENT_BUCKETS, CommitmentBucket
from .drill import NO_FIELD, Drill, DrillSubject
from .operations import CommitmentFigures, Report, UnitRow


@dataclass(frozen=True)
class Cell:
    """A value as printed; ``drill`` names the rows behind a count, ``session_id`` the
    session a line is about."""

    value: int | float | str | date | None
    drill: Drill | None = None
    session_id: int | None = None


@dataclass(frozen=True)
class Table:
    key: str
    #: The worksheet's name (at most 31 characters, as Excel allows).
    sheet: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    #: The last row adds up the others.
    has_total: bool = False
    #: Shown under the title: what the table counts, when not obvious.
    note: str = ""
    #: The list of every row, for a long table the dashboard shows only the start of.
    whole: Drill | None = None


def _session_tables(report: Report) -> list[Table]:
    held = Drill(DrillSubject.SESSIONS, status=SessionStatus.HELD)
    levels = [*report.levels, None]

    def level_label(level) -> str:
        return level.label if level else str(_l("Tổng cộng"))

    by_level = []
    for level in levels:
        drill = held.but(level=level)
        people = sum(report.people.values()) if level is None else report.people[level]
        by_level.append([
            Cell(level_label(level)),
            Cell(report.held(level), drill),
            *[Cell(report.held(level, kind=kind), drill.but(kind=kind)) for kind in SessionKind],
            *[Cell(report.held(level, format=fmt), drill.but(format=fmt))
              for fmt in SessionFormat],
            Cell(people),
        ])
    statuses = [SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.POSTPONED,
                SessionStatus.CANCELLED, SessionStatus.DRAFT]
    by_status = []
    for level in levels:
        counts = {status: report.count_sessions(level=level, status=status)
                  for status in statuses}
        by_status.append([
            Cell(level_label(level)),
            *[Cell(counts[status], Drill(DrillSubject.SESSIONS, level=level, status=status))
              for status in statuses],
            Cell(sum(counts.values()), Drill(DrillSubject.SESSIONS, level=level)),
        ])
    return [
        Table("sessions", str(_l("Hội nghị")), str(_l("Hội nghị đối thoại đã tổ chức")),
              [str(_l("Cấp")), str(_l("Tổng số")), *[k.label for k in SessionKind],
               *[f.label for f in SessionFormat], str(_l("Số người tham dự"))],
              by_level, has_total=True,
              note=str(_l("Số người tham dự theo biên bản các hội nghị."))),
        Table("statuses", str(_l("Tình trạng")), str(_l("Tình trạng các hội nghị trong kỳ")),
              [str(_l("Cấp")), *[s.label for s in statuses], str(_l("Tổng số"))],
              by_status, has_total=True),
    ]


def _issue_tables(report: Report) -> list[Table]:
    def counts(drill: Drill) -> list[Cell]:
        """The issues the drill names, then those answered and those followed up."""
        def count(outcome=None) -> int:
            return report.count_issues(kind=drill.issue_kind, field=drill.field,
                                       outcome=outcome)

        return [Cell(count(), drill), *[Cell(count(outcome), drill.but(outcome=outcome))
                                        for outcome in IssueOutcome]]

    issues = Drill(DrillSubject.ISSUES)
    total = [Cell(str(_l("Tổng cộng"))), *counts(issues)]
    by_kind = [[Cell(kind.label), *counts(issues.but(issue_kind=kind))] for kind in IssueKind]
    named = sorted(report.field_names.items(), key=lambda item: item[1])
    by_field = [[Cell(name), *counts(issues.but(field=field_id))] for field_id, name in named]
    if report.count_issues(field=0):
        by_field.append([Cell(str(NO_FIELD)), *counts(issues.but(field=0))])
    columns = [str(_l("Tổng số")), *[outcome.label for outcome in IssueOutcome]]
    return [
        Table("issue_kinds", str(_l("Ý kiến theo loại")),
              str(_l("Ý kiến, kiến nghị của Nhân dân theo loại")),
              [str(_l("Loại")), *columns], [*by_kind, total], has_total=True),
        Table("issue_fields", str(_l("Ý kiến theo lĩnh vực")),
              str(_l("Ý kiến, kiến nghị của Nhân dân theo lĩnh vực")),
              [str(_l("Lĩnh vực")), *columns], [*by_field, total], has_total=True),
    ]


def _follow_up_heading(bucket: CommitmentBucket) -> str:
    # The overdue commitments are among the open ones of the column before.
    return str(_l("Trong đó quá hạn")) if bucket is CommitmentBucket.OVERDUE else bucket.label


def _commitment_tables(report: Report) -> list[Table]:
    follow_up, inform = [], []
    for level in [*report.levels, None]:
        figures = (report.total_commitments() if level is None
                   else report.commitments.get(level, CommitmentFigures()))
        label = Cell(level.label if level else str(_l("Tổng cộng")))
        drill = Drill(DrillSubject.COMMITMENTS, level=level)
        follow_up.append([
            label,
            Cell(figures.assigned, drill),
            *[Cell(figures[bucket], drill.but(bucket=bucket)) for bucket in COMMITMENT_BUCKETS],
            Cell(figures.average_days_to_resolve),
        ])
        inform.append([
            label,
            Cell(figures.informed_on_time, drill.but(inform=InformState.ON_TIME)),
            Cell(figures.informed_late, drill.but(inform=InformState.LATE)),
            Cell(figures.inform_pending, drill.but(inform=InformState.PENDING)),
            Cell(figures.inform_overdue, drill.but(inform=InformState.OVERDUE)),
        ])
    return [
        Table("commitments", str(_l("Giao xử lý")),
              str(_l("Kết quả thực hiện các nội dung giao xử lý")),
              [str(_l("Cấp")), str(_l("Đã giao")),
               *[_follow_up_heading(bucket) for bucket in COMMITMENT_BUCKETS],
               str(_l("Số ngày giải quyết bình quân"))],
              follow_up, has_total=True,
              note=str(_l("Tình trạng đến ngày %(day)s; số ngày tính từ ngày hội nghị.",
                          day=format_date(report.scope.today)))),
        Table("inform", str(_l("Trả lời công dân")),
              str(_l("Trả lời bằng văn bản cho công dân trong 10 ngày làm việc")),
              [str(_l("Cấp")), *[state.label for state in InformState]],
              inform, has_total=True,
              note=str(_l("Theo Quy định 11-QĐi/TW; mỗi nội dung giao xử lý một dòng."))),
    ]


#: The commitments' columns of the table by unit, after every one assigned.
_UNIT_BUCKETS = (CommitmentBucket.RESOLVED, CommitmentBucket.OPEN, CommitmentBucket.OVERDUE)


def _unit_table(report: Report) -> Table:
    def line(row: UnitRow) -> list[Cell]:
        figures = row.commitments
        commitments = Drill(DrillSubject.COMMITMENTS, row=row.unit.id)
        return [
            Cell(row.unit.display_name), Cell(row.unit.level.label),
            Cell(row.held, Drill(DrillSubject.SESSIONS, status=SessionStatus.HELD,
                                 row=row.unit.id)),
            Cell(row.issues, Drill(DrillSubject.ISSUES, row=row.unit.id)),
            Cell(figures.assigned, commitments),
            *[Cell(figures[bucket], commitments.but(bucket=bucket)) for bucket in _UNIT_BUCKETS],
        ]

    note = (_l("Số liệu của đơn vị cũ được tính vào đơn vị kế thừa từ 01/07/2025.")
            if report.scope.rolls_up else
            _l("Số liệu của đơn vị cũ (trước 01/07/2025) giữ nguyên theo đơn vị cũ."))
    return Table("units", str(_l("Theo đơn vị")), str(_l("Số liệu theo đơn vị")),
                 [str(_l("Đơn vị")), str(_l("Cấp")), str(_l("Hội nghị đã tổ chức")),
                  str(_l("Ý kiến, kiến nghị")), str(_l("Nội dung giao xử lý")),
                  *[bucket.label for bucket in _UNIT_BUCKETS]],
                 [line(row) for row in report.units], note=str(note))


def _duty_tables(report: Report) -> list[Table]:
    communes = [[Cell(duty.commune.display_name),
                 Cell(duty.commune.parent.display_name if duty.commune.parent else ""),
                 Cell(duty.planned_on)] for duty in report.communes_without_conference]

    def session_line(duty) -> list[Cell]:
        return [Cell(duty.title, session_id=duty.session_id), Cell(duty.unit_name),
                Cell(duty.held_on), Cell(duty.on), Cell(duty.days)]

    return [
        Table("communes", str(_l("Xã chưa tổ chức")),
              str(_l("Xã, phường chưa tổ chức hội nghị đối thoại định kỳ năm %(year)d",
                     year=report.duty_year)),
              [str(_l("Xã, phường, đặc khu")), str(_l("Trực thuộc")),
               str(_l("Đã lên lịch ngày"))], communes,
              note=str(_l("Luật Thực hiện dân chủ ở cơ sở, Điều 32: ít nhất mỗi năm một lần; "
                          "hội nghị của xã cũ trước sắp xếp được tính cho xã mới.")),
              whole=Drill(DrillSubject.COMMUNES)),
        Table("short_notice", str(_l("Thông báo muộn")),
              str(_l("Hội nghị thông báo chưa đủ 7 ngày trước khi tổ chức")),
              [str(_l("Hội nghị")), str(_l("Đơn vị")), str(_l("Ngày tổ chức")),
               str(_l("Ngày thông báo")), str(_l("Số ngày"))],
              [session_line(duty) for duty in report.short_notice],
              note=str(_l("Luật Tổ chức chính quyền địa phương 2025, Điều 43.")),
              whole=Drill(DrillSubject.SHORT_NOTICE)),
        Table("late_minutes", str(_l("Công bố muộn")),
              str(_l("Hội nghị chưa công bố kết quả (hoàn thiện biên bản) trong 10 ngày")),
              [str(_l("Hội nghị")), str(_l("Đơn vị")), str(_l("Ngày tổ chức")),
               str(_l("Ngày hoàn thiện biên bản")), str(_l("Số ngày"))],
              [session_line(duty) for duty in report.late_minutes],
              note=str(_l("Luật Tổ chức chính quyền địa phương 2025, Điều 43; số ngày tính "
                          "đến ngày hoàn thiện biên bản hoặc đến hôm nay.")),
              whole=Drill(DrillSubject.LATE_MINUTES)),
    ]


def report_tables(report: Report) -> list[Table]:
    """The report as the tables every format shows, in the order they are printed."""
    return [*_session_tables(report), *_issue_tables(report), *_commitment_tables(report),
            _unit_table(report), *_duty_tables(report)]
