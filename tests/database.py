"""Building test databases the way production does: by running the migrations."""

import contextlib
import logging

import flask_migrate
import sqlalchemy as sa

from dialogue.extensions import db


@contextlib.contextmanager
def _logging_kept():
    """Alembic's env.py calls logging.fileConfig(), which would mute the app's loggers."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    loggers = logging.root.manager.loggerDict
    disabled = {name: logger.disabled for name, logger in loggers.items()
                if isinstance(logger, logging.Logger)}
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for name, logger in loggers.items():
            if isinstance(logger, logging.Logger):
                logger.disabled = disabled.get(name, False)


def reset_schema() -> None:
    """Drop everything in the current app's database, alembic_version included."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        return
    existing = sa.MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


def migrate() -> None:
    """Bring the current app's database to the latest migration."""
    with _logging_kept():
        flask_migrate.upgrade()


def downgrade(revision: str = "base") -> None:
    with _logging_kept():
        flask_migrate.downgrade(revision=revision)
