from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _

from ..core.time import parse_date
from ..core.web import get_or_404, paginate
from .models import Era, Unit, UnitLevel
from .operations import browse_units, search_units, unit_counts

bp = Blueprint("units", __name__, url_prefix="/units")


def _enum_arg(name, enum_class):
    value = request.args.get(name) or None
    try:
        return enum_class(value) if value else None
    except ValueError:
        abort(400, _("Giá trị “%(value)s” không hợp lệ.", value=value))


@bp.route("/")
def list_units():
    era = _enum_arg("era", Era) or Era.Y2025
    level = _enum_arg("level", UnitLevel)
    query = request.args.get("q", "").strip()[:100]
    return render_template("units/list.html", page=paginate(browse_units(era, level, query), 50),
                           era=era, level=level, query=query, counts=unit_counts(),
                           eras=list(Era), levels=list(UnitLevel))


@bp.route("/<int:unit_id>")
def show_unit(unit_id: int):
    unit = get_or_404(Unit, unit_id)
    return render_template("units/show.html", unit=unit)


@bp.route("/search")
def search():
    """Suggestions for the unit picker, as JSON."""
    on = request.args.get("on", "")
    try:
        valid_on = parse_date(on) if on else None
    except ValueError:
        valid_on = None
    units = search_units(
        request.args.get("q", "")[:100],
        era=_enum_arg("era", Era),
        level=_enum_arg("level", UnitLevel),
        valid_on=valid_on,
    )
    return jsonify([
        {"id": u.id, "label": u.name, "detail": u.full_name.removeprefix(u.name).lstrip(", "),
         "note": f"{u.level.label} · {u.era.label}"}
        for u in units
    ])
