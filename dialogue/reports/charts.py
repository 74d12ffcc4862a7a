"""The dashboard's charts: bars drawn as SVG by the server (no script, no CDN), each part a
link to the rows it counts."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..issues.models import IssueKind, IssueOutcome
from ..sessions.models import SessionKind, SessionStatus
from .buckets import CommitmentBucket
from .drill import Drill, DrillSubject
from .operations import Report


@dataclass(frozen=True)
class Segment:
    label: str
    value: int
    #: The colour class: seg-1, seg-2 (in order), seg-good, seg-late, seg-open, seg-overdue,
    #: seg-other.
    tone: str
    drill: Drill


@dataclass(frozen=True)
class Bar:
    label: str
    segments: list[Segment]

    @property
    def total(self) -> int:
        return sum(segment.value for segment in self.segments)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]

    @property
    def scale(self) -> int:
        return max((bar.total for bar in self.bars), default=0) or 1

    @property
    def legend(self) -> list[tuple[str, str]]:
        seen = {}
        for bar in self.bars:
            for segment in bar.segments:
                seen.setdefault(segment.label, segment.tone)
        return list(seen.items())


#: The commitments' bar, segment by segment: each part once, open ones split by deadline.
_COMMITMENT_TONES = ((CommitmentBucket.RESOLVED_ON_TIME, "seg-good"),
                     (CommitmentBucket.RESOLVED_LATE, "seg-late"),
                     (CommitmentBucket.ON_TRACK, "seg-open"),
                     (CommitmentBucket.OVERDUE, "seg-overdue"),
                     (CommitmentBucket.CLOSED_OTHERWISE, "seg-other"))


def report_charts(report: Report) -> list[Chart]:
    held = Drill(DrillSubject.SESSIONS, status=SessionStatus.HELD)
    sessions = [Bar(level.label, [
        Segment(kind.label, report.held(level, kind=kind), f"seg-{n}",
                held.but(level=level, kind=kind))
        for n, kind in enumerate(SessionKind, start=1)]) for level in report.levels]
    issues = [Bar(kind.label, [
        Segment(outcome.label, report.count_issues(kind=kind, outcome=outcome),
                f"seg-{n}", Drill(DrillSubject.ISSUES, issue_kind=kind, outcome=outcome))
        for n, outcome in enumerate(IssueOutcome, start=1)]) for kind in IssueKind]
    commitments = []
    for level in report.levels:
        figures = report.commitments.get(level)
        if figures is None:
            continue
        drill = Drill(DrillSubject.COMMITMENTS, level=level)
        commitments.append(Bar(level.label, [
            Segment(bucket.label, figures[bucket], tone, drill.but(bucket=bucket))
            for bucket, tone in _COMMITMENT_TONES]))
    return [
        Chart("sessions", str(_l("Hội nghị đã tổ chức theo cấp")), sessions),
        Chart("issues", str(_l("Ý kiến, kiến nghị theo loại")), issues),
        Chart("commitments", str(_l("Nội dung giao xử lý theo cấp")), commitments),
    ]
