"""Lịch đối thoại: leader–citizen dialogue sessions for Vietnamese secretariats."""

import os
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """The application; its runtime data (the SQLite database, attachments, job files, the
    generated secret key) in INSTANCE_PATH, DIALOGUE_INSTANCE_PATH or ./instance."""
    instance = ((config or {}).get("INSTANCE_PATH") or os.environ.get("DIALOGUE_INSTANCE_PATH")
                or str(ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(Path(instance).resolve()),
        template_folder=str(ROOT / "templates"),
    )
    from . import config as default_config

    app.config.update(default_config.load(Path(app.instance_path)))
    app.config.update(config or {})
    if proxies := app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from .core.models import render_migration_item
    from .core.web import init_web, select_locale
    from .extensions import babel, csrf, db, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_item)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from .accounts.trail_views import bp as audit_bp
    from .accounts.views import bp as accounts_bp
    from .accounts.views import init_accounts
    from .audit.display import init_display
    from .cli import register_commands
    from .feeds.views import bp as feeds_bp
    from .feeds.views import my_bp as my_feed_bp
    from .issues.admin_views import bp as issue_admin_bp
    from .issues.followup_views import bp as followup_bp
    from .issues.views import bp as issues_bp
    from .jobs.views import bp as jobs_bp
    from .minutes.views import bp as minutes_bp
    from .minutes.views import verify_bp
    from .notices.views import bp as notices_bp
    from .notices.views import unsubscribe_bp
    from .officials.views import bp as officials_bp
    from .reports.views import bp as reports_bp
    from .service import init_service
    from .sessions.public_views import bp as public_bp
    from .sessions.views import bp as sessions_bp
    from .units.views import bp as units_bp

    for blueprint in (accounts_bp, audit_bp, units_bp, officials_bp, sessions_bp, public_bp,
                      issues_bp, followup_bp, issue_admin_bp, minutes_bp, verify_bp, feeds_bp,
                      my_feed_bp, reports_bp, jobs_bp, notices_bp, unsubscribe_bp):
        app.register_blueprint(blueprint)
    init_accounts(app)
    init_display(app)
    init_web(app)
    init_service(app)
    register_commands(app)
    return app
