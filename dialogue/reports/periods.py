"""The periods a report covers: a month, a quarter, the first six or nine months, a year, or
days chosen by hand, and how the command line and the report form write them."""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core.errors import UserError
from ..core.forms import FIRST_YEAR, LAST_YEAR
from ..core.models import LabelledEnum, set_labels
from ..core.time import format_date


class ReportError(UserError):
    """A period or unit the report cannot be made for."""


class PeriodKind(LabelledEnum):
    MONTH = "month"
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    NINE_MONTHS = "nine_months"
    YEAR = "year"
    CUSTOM = "custom"


set_labels(PeriodKind, {
    PeriodKind.MONTH: _l("Tháng"),
    PeriodKind.QUARTER: _l("Quý"),
    PeriodKind.HALF_YEAR: _l("6 tháng đầu năm"),
    PeriodKind.NINE_MONTHS: _l("9 tháng đầu năm"),
    PeriodKind.YEAR: _l("Năm"),
    PeriodKind.CUSTOM: _l("Khoảng ngày tự chọn"),
})

#: Quarters as reports number them.
QUARTER_NUMERALS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Period:
    """The days a report counts, both ends included."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def year(self) -> int:
        return self.last.year

    @property
    def label(self) -> str:
        year = self.first.year
        if self.kind is PeriodKind.MONTH:
            return _("Tháng %(month)d năm %(year)d", month=self.first.month, year=year)
        if self.kind is PeriodKind.QUARTER:
            return _("Quý %(quarter)s năm %(year)d",
                     quarter=QUARTER_NUMERALS[(self.first.month - 1) // 3], year=year)
        if self.kind is PeriodKind.HALF_YEAR:
            return _("6 tháng đầu năm %(year)d", year=year)
        if self.kind is PeriodKind.NINE_MONTHS:
            return _("9 tháng đầu năm %(year)d", year=year)
        if self.kind is PeriodKind.YEAR:
            return _("Năm %(year)d", year=year)
        return _("Từ ngày %(first)s đến ngày %(last)s",
                 first=format_date(self.first), last=format_date(self.last))

    @property
    def code(self) -> str:
        """How the command line and file names write it: 2025, 2025-Q1, 2025-03…"""
        year = self.first.year
        return {
            PeriodKind.MONTH: f"{year}-{self.first.month:02d}",
            PeriodKind.QUARTER: f"{year}-Q{(self.first.month - 1) // 3 + 1}",
            PeriodKind.HALF_YEAR: f"{year}-H1",
            PeriodKind.NINE_MONTHS: f"{year}-9M",
            PeriodKind.YEAR: f"{year}",
        }.get(self.kind, f"{self.first.isoformat()}..{self.last.isoformat()}")


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ReportError(_l("Năm phải từ %(first)d đến %(last)d.",
                             first=FIRST_YEAR, last=LAST_YEAR), field="year")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_period(year: int, month: int) -> Period:
    _check_year(year)
    if not 1 <= month <= 12:
        raise ReportError(_l("Tháng phải từ 1 đến 12."), field="month")
    return Period(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))


def quarter_period(year: int, quarter: int) -> Period:
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise ReportError(_l("Quý phải từ 1 đến 4."), field="quarter")
    return Period(PeriodKind.QUARTER, date(year, quarter * 3 - 2, 1),
                  _month_end(year, quarter * 3))


def year_period(year: int, kind: PeriodKind = PeriodKind.YEAR) -> Period:
    """The year, or its first six or nine months."""
    _check_year(year)
    months = {PeriodKind.HALF_YEAR: 6, PeriodKind.NINE_MONTHS: 9, PeriodKind.YEAR: 12}[kind]
    return Period(kind, date(year, 1, 1), _month_end(year, months))


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ReportError(_l("Ngày kết thúc phải sau ngày bắt đầu."), field="date_to")
    return Period(PeriodKind.CUSTOM, first, last)


def period_from(kind: PeriodKind, year: int, *, month: int = 1, quarter: int = 1,
                first: date | None = None, last: date | None = None) -> Period:
    """The period a report form describes."""
    if kind is PeriodKind.MONTH:
        return month_period(year, month)
    if kind is PeriodKind.QUARTER:
        return quarter_period(year, quarter)
    if kind is PeriodKind.CUSTOM:
        if first is None:
            raise ReportError(_l("Hãy nhập ngày bắt đầu."), field="date_from")
        if last is None:
            raise ReportError(_l("Hãy nhập ngày kết thúc."), field="date_to")
        return custom_period(first, last)
    return year_period(year, kind)


def parse_period(text: str) -> Period:
    """Read 2025, 2025-Q1, 2025-H1, 2025-9M, 2025-03 or 2025-01-01..2025-03-31."""
    text = text.strip().upper()
    try:
        if ".." in text:
            first, last = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
            return custom_period(first, last)
        year_text, _sep, part = text.partition("-")
        year = int(year_text)
        if not part:
            return year_period(year)
        if part == "H1":
            return year_period(year, PeriodKind.HALF_YEAR)
        if part == "9M":
            return year_period(year, PeriodKind.NINE_MONTHS)
        if part.startswith("Q"):
            return quarter_period(year, int(part[1:]))
        return month_period(year, int(part))
    except ValueError:
        raise ReportError(_l("Kỳ báo cáo không hợp lệ: dùng 2025, 2025-Q1, 2025-H1, 2025-9M, "
                             "2025-03 hoặc 2025-01-01..2025-03-31."), field="period") from None
