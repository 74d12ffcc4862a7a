"""What a report covers: a period and a unit with everything under it, and who may see it."""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement

from ..accounts.models import User
from ..accounts.permissions import can_read_unit, read_scope
from ..core.time import format_date, local_day_bounds, local_today
from ..sessions.models import RECORDING, DialogueSession
from ..units.models import Era, Unit, UnitLevel
from ..units.operations import within
from .periods import Period, PeriodKind, ReportError


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: a period, a unit with everything under it (and the legacy units
    it succeeded), or the whole country; ``today`` is the day open work is judged on."""

    period: Period
    unit: Unit | None = None
    roll_up: bool = False
    today: date = field(default_factory=local_today)

    @property
    def rolls_up(self) -> bool:
        """Legacy figures are moved to their 2025 successors (a legacy unit has none)."""
        return self.roll_up and (self.unit is None or self.unit.era is Era.Y2025)

    @property
    def unit_name(self) -> str:
        return self.unit.display_name if self.unit else _("Toàn quốc")

    def query_args(self) -> dict[str, str]:
        """The report form's fields for this scope, for links that carry it."""
        period = self.period
        args = {"period": period.kind.value, "year": str(period.first.year)}
        if period.kind is PeriodKind.MONTH:
            args["month"] = str(period.first.month)
        elif period.kind is PeriodKind.QUARTER:
            args["quarter"] = str((period.first.month - 1) // 3 + 1)
        elif period.kind is PeriodKind.CUSTOM:
            args.update(date_from=format_date(period.first), date_to=format_date(period.last))
        if self.unit is not None:
            args["unit_id"] = str(self.unit.id)
        if self.roll_up:
            args["roll_up"] = "y"
        return args

    def session_clauses(self) -> list[ColumnElement[bool]]:
        start, end = local_day_bounds(self.period.first, self.period.last)
        clauses = [DialogueSession.starts_at >= start, DialogueSession.starts_at < end]
        if self.unit is not None:
            clauses.append(within(self.unit, DialogueSession.unit_id))
        return clauses

    def recorded_clauses(self) -> list[ColumnElement[bool]]:
        """The sessions whose issues and commitments the report counts: announced or held."""
        return [*self.session_clauses(), DialogueSession.status.in_(RECORDING)]


def check_report_scope(user: User, unit: Unit | None) -> None:
    """Refuse, beside the unit field, a unit the user may not see (or the whole country to
    anyone but a national administrator)."""
    allowed = read_scope(user).everything if unit is None else can_read_unit(user, unit)
    if not allowed:
        raise ReportError(_l("Bạn không có quyền xem số liệu của đơn vị này."), field="unit_id")


def default_report_unit(user: User) -> Unit | None:
    """The widest unit the user holds a role on (None: the whole country)."""
    if read_scope(user).everything:
        return None
    levels = list(UnitLevel)  # province, district, commune: widest first
    units = [a.unit for a in user.roles if a.unit is not None]
    return min(units, key=lambda unit: (levels.index(unit.level), unit.name_folded),
               default=None)
