"""Background jobs, shared sign-in throttle, filed revisions kept

The jobs table is both the record of every background job and the embedded queue; failed
sign-ins are counted in a table every process shares; each unit's feeds get a change
counter of their own (a commune's feed keeps its ETag while other units change); on PostgreSQL a trigger refuses any
UPDATE or DELETE of a filed revision, whoever sends it (the application never does).

Revision ID: c2a316c55ec8
Revises: 77a99da42f5c
Create Date: 2026-12-03 09:35:49.318688

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2a316c55ec8'
down_revision = '77a99da42f5c'
branch_labels = None
depends_on = None

FILED_REVISIONS_KEPT = """
    CREATE OR REPLACE FUNCTION minutes_revisions_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'filed minutes revision % cannot be changed or deleted', OLD.id
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'A correction is filed as a new revision.';
    END
    $$
"""


def upgrade():
    op.create_table('feed_scope_states',
    sa.Column('scope', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_feed_scope_states'))
    )
    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_sign_in_throttles_failures_not_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate', native_enum=False, length=24), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('progress_text', sa.String(length=300), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_by', sa.String(length=128), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('attempts >= 0 AND max_attempts > 0', name=op.f('ck_jobs_attempt_counts')),
    sa.CheckConstraint('progress_done >= 0 AND progress_total >= 0', name=op.f('ck_jobs_progress_counts')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jobs_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_jobs_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index('ix_jobs_state_run_after', ['state', 'run_after'], unique=False)
        batch_op.create_index('ix_jobs_subject', ['subject_type', 'subject_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FILED_REVISIONS_KEPT)
        op.execute("""
            CREATE TRIGGER minutes_revisions_kept
            BEFORE UPDATE OR DELETE ON minutes_revisions
            FOR EACH ROW EXECUTE FUNCTION minutes_revisions_kept()
        """)



def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS minutes_revisions_kept ON minutes_revisions")
        op.execute("DROP FUNCTION IF EXISTS minutes_revisions_kept()")
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_subject')
        batch_op.drop_index('ix_jobs_state_run_after')
        batch_op.drop_index(batch_op.f('ix_jobs_created_by_id'))

    op.drop_table('jobs')
    op.drop_table('sign_in_throttles')
    op.drop_table('feed_scope_states')
