"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from dialogue.extensions import db

from .database import downgrade, migrate


def _differences() -> list:
    configure = current_app.extensions["migrate"].configure_args
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "render_as_batch": configure.get("render_as_batch", False),
        })
        return compare_metadata(context, db.metadata)


def _head() -> str:
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def test_the_migrated_database_matches_the_models():
    assert _differences() == []


def test_the_database_is_at_the_single_head_revision():
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert current == (_head(),)


def test_the_migrations_can_be_undone_and_redone(scratch_app):
    with scratch_app.app_context():
        downgrade("base")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert tables <= {"alembic_version"}

        migrate()
        assert _differences() == []
