"""One history per change, links owned by the higher module

The audit trail becomes the one record of a session's moves and status changes (their two
tables and the created_by/updated_by strings held the same facts again); an official now
names its own account (officials.account_id) instead of the account naming an official; a
minutes' revision count is derived from its filed revisions.

Revision ID: 77a99da42f5c
Revises: 875154c05362
Create Date: 2026-12-03 07:40:03.700552

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '77a99da42f5c'
down_revision = '875154c05362'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('session_reschedules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_reschedules_session_id'))
    op.drop_table('session_reschedules')
    with op.batch_alter_table('session_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_status_changes_session_id'))
    op.drop_table('session_status_changes')
    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.drop_column('created_by')
        batch_op.drop_column('updated_by')

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_minutes_revision_not_negative'), type_='check')
        batch_op.drop_column('revision')

    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_officials_account_id'), ['account_id'])
        batch_op.create_foreign_key(batch_op.f('fk_officials_account_id_users'), 'users',
                                    ['account_id'], ['id'], ondelete='SET NULL')
    # The lowest account keeps an official that two accounts named (the new link is unique).
    op.execute("""
        UPDATE officials SET account_id = (
            SELECT MIN(users.id) FROM users WHERE users.official_id = officials.id)
    """)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_official_id_officials'), type_='foreignkey')
        batch_op.drop_column('official_id')


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('official_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_official_id_officials'), 'officials',
                                    ['official_id'], ['id'])
    op.execute("""
        UPDATE users SET official_id = (
            SELECT officials.id FROM officials WHERE officials.account_id = users.id)
    """)
    with op.batch_alter_table('officials', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_officials_account_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_officials_account_id'), type_='unique')
        batch_op.drop_column('account_id')

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.create_check_constraint(batch_op.f('ck_minutes_revision_not_negative'),
                                         'revision >= 0')
    op.execute("""
        UPDATE minutes SET revision = (
            SELECT COUNT(*) FROM minutes_revisions
            WHERE minutes_revisions.minutes_id = minutes.id)
    """)

    # The moves and status changes themselves stay in the audit trail; the old tables come
    # back empty, and the names of who created and last changed a session blank.
    with op.batch_alter_table('dialogue_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_by', sa.String(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('created_by', sa.String(length=120), nullable=False,
                                      server_default=''))
    op.create_table('session_status_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('old_status', sa.String(length=24), nullable=False),
        sa.Column('new_status', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by', sa.String(length=120), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'],
                                name=op.f('fk_session_status_changes_session_id_dialogue_sessions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_status_changes')))
    with op.batch_alter_table('session_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_status_changes_session_id'), ['session_id'],
                              unique=False)
    op.create_table('session_reschedules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('old_starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('old_ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('old_venue', sa.String(length=300), nullable=False),
        sa.Column('new_starts_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('new_ends_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('new_venue', sa.String(length=300), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('changed_by', sa.String(length=120), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['session_id'], ['dialogue_sessions.id'],
                                name=op.f('fk_session_reschedules_session_id_dialogue_sessions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_session_reschedules')))
    with op.batch_alter_table('session_reschedules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_reschedules_session_id'), ['session_id'],
                              unique=False)
