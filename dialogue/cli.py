"""Command-line tasks: `flask --app dialogue units import`, `flask --app dialogue seed-demo`,
`flask --app dialogue reports export`…"""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from .accounts.models import Role
from .extensions import db
from .jobs.cli import jobs_cli
from .service.backup import backup_command, restore_command
from .service.serve import serve_command
from .units.models import Era, UnitLevel

units_cli = AppGroup("units", help="Đơn vị hành chính.")


def progress_bar(label: str):
    """Wrap an iterable in a progress bar on the terminal (hidden when output is piped)."""

    def wrap(items):
        items = list(items)
        with click.progressbar(items, label=label, show_pos=True) as bar:
            yield from bar

    return wrap


def _number(value: int) -> str:
    """10051 as Vietnamese write it: 10.051."""
    return f"{value:,}".replace(",", ".")


@units_cli.command("import")
@click.option("--era", type=click.Choice(["legacy", "2025", "all"]), default="all",
              show_default=True, help="Which official list to load.")
@click.option("--province", "province_code", type=int, default=None,
              help="Only this province (its 2025 code with --era all, with its legacy "
                   "predecessors; otherwise the code in that era's list).")
def import_units_command(era: str, province_code: int | None) -> None:
    """Load the official lists of administrative units (safe to run again)."""
    from .units.operations import import_units

    eras = [Era.LEGACY, Era.Y2025] if era == "all" else [Era(era)]
    result = import_units(eras, province_code, progress=progress_bar("Đang nạp đơn vị"))
    db.session.commit()
    click.echo(f"Tạo mới {_number(result.created)}, cập nhật {_number(result.updated)}, "
               f"liên kết kế thừa mới {_number(result.successions_created)}.")
    for loaded_era in eras:
        counts = ", ".join(f"{level.label.lower()} {_number(result.loaded[(loaded_era, level)])}"
                           for level in UnitLevel if result.loaded[(loaded_era, level)])
        click.echo(f"{loaded_era.label}: {counts}")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo even if sessions exist.")
def seed_demo_command(force: bool) -> None:
    """Build a realistic demo installation around Gia Lai."""
    from .demo import seed_demo

    seed_demo(force=force, echo=click.echo, progress=progress_bar)


users_cli = AppGroup("users", help="Tài khoản.")
minutes_cli = AppGroup("minutes", help="Biên bản.")
reports_cli = AppGroup("reports", help="Báo cáo số liệu.")

_UNIT_OPTIONS = (
    click.option("--era", type=click.Choice(["2025", "legacy"]), default="2025",
                 show_default=True),
    click.option("--level", type=click.Choice([level.value for level in UnitLevel]),
                 default=None, help="Needed only when a legacy code names units at several "
                                    "levels."),
)


def unit_options(command):
    for option in reversed(_UNIT_OPTIONS):
        command = option(command)
    return command


def _unit_by_code(code: int, era: str, level: str | None):
    from sqlalchemy import select

    from .units.models import Unit

    statement = select(Unit).where(Unit.era == Era(era), Unit.code == code)
    if level:
        statement = statement.where(Unit.level == UnitLevel(level))
    units = db.session.scalars(statement).all()
    if len(units) != 1:
        raise click.UsageError(
            f"Mã đơn vị {code} ({era}) khớp {len(units)} đơn vị; "
            "hãy nạp danh mục (units import) hoặc thêm --level.")
    return units[0]


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_code", type=int, default=None,
              help="Official code of the unit (optional for admin: the whole country).")
@unit_options
@click.option("--full-name", default=None, help="Defaults to the username.")
@click.option("--email", default="")
@click.password_option(prompt="Mật khẩu", confirmation_prompt="Nhập lại mật khẩu")
def create_user_command(username, role, unit_code, era, level, full_name, email, password):
    """Create an account with a role on a unit; the password is asked without echo."""
    from .accounts.operations import create_user
    from .core.errors import UserError

    unit = _unit_by_code(unit_code, era, level) if unit_code is not None else None
    if unit is None and role != Role.ADMIN.value:
        raise click.UsageError("Vai trò này cần --unit.")
    try:
        user = create_user(username, full_name or username, password, email=email,
                           roles=[(Role(role), unit)])
    except UserError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Đã tạo {user.username}: {Role(role).label} — "
               f"{unit.name if unit else 'toàn quốc'}.")


@minutes_cli.command("export")
@click.option("--year", type=click.IntRange(1900, 2100), required=True)
@click.option("--unit", "unit_code", type=int, default=None,
              help="Only this unit, the units under it and those it succeeded.")
@unit_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
def export_minutes_command(year, unit_code, era, level, out):
    """Write the year's final minutes (PDF/A) and index.csv for transfer to the archive."""
    from .minutes.archive import export_year

    unit = _unit_by_code(unit_code, era, level) if unit_code is not None else None
    result = export_year(year, out, unit=unit, progress=progress_bar("Đang xuất biên bản"))
    click.echo(f"{_number(result.files)} biên bản ({_number(result.written)} tệp mới hoặc "
               f"thay đổi) và index.csv trong {out}.")


@reports_cli.command("export")
@click.option("--period", required=True,
              help="2025, 2025-Q1, 2025-H1 (6 months), 2025-9M, 2025-03 or "
                   "2025-01-01..2025-03-31.")
@click.option("--unit", "unit_code", default=None,
              help="Official code as written, zero-padded: 52 (a province), 26734 (a "
                   "commune), 628 (a former district). Without it: the whole country.")
@click.option("--era", type=click.Choice(["2025", "legacy"]), default="2025",
              show_default=True, help="legacy: a province or commune code of before "
                                      "01/07/2025.")
@click.option("--roll-up", is_flag=True,
              help="Count former units' figures with their 2025 successors.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "pdf"]), required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export_report_command(period, unit_code, era, roll_up, fmt, out):
    """Write a period's report (for scheduled jobs): figures, legal duties, by unit."""
    from flask import current_app

    from .core.errors import UserError
    from .reports import exports
    from .reports.operations import build_report
    from .reports.periods import parse_period
    from .reports.scope import ReportScope
    from .units.operations import unit_for_code

    try:
        chosen = parse_period(period)
    except UserError as error:
        raise click.BadParameter(str(error.message), param_hint="--period") from None
    unit = None
    if unit_code is not None:
        unit = unit_for_code(unit_code, Era.LEGACY if era == "legacy" else None)
        if unit is None:
            raise click.BadParameter(f"không có đơn vị mã {unit_code}.", param_hint="--unit")
    # Two steps of comparable length: counting, then laying out the file (a PDF's layout
    # takes as long as the queries).
    with current_app.test_request_context(), click.progressbar(
            length=2, label="Đang lập báo cáo") as bar:
        report = build_report(ReportScope(chosen, unit, roll_up=roll_up))
        bar.update(1)
        out.write_bytes(exports.report_file(report, fmt))
        bar.update(1)
        click.echo(f"{report.scope.unit_name}, {chosen.label}: {_number(report.held())} hội "
                   f"nghị đã tổ chức, {_number(sum(report.issues.values()))} ý kiến, "
                   f"{_number(report.total_commitments().assigned)} nội dung giao xử lý "
                   f"→ {out}")


def register_commands(app: Flask) -> None:
    app.cli.add_command(jobs_cli)
    app.cli.add_command(minutes_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(units_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
