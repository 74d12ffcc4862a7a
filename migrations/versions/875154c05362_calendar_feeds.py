"""Calendar feeds: personal feed addresses and the feed state

Revision ID: 875154c05362
Revises: 53eaf853e90d
Create Date: 2026-11-22 04:49:48.782378

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '875154c05362'
down_revision = '53eaf853e90d'
branch_labels = None
depends_on = None


def upgrade():
    state = op.create_table('feed_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_feed_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_state'))
    )
    # The one row every change raises (see dialogue.feeds.models.FeedState).
    op.bulk_insert(state, [{"id": 1, "generation": 0, "changed_at": datetime.now(UTC)}])
    op.create_table('feed_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_feed_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_tokens')),
    sa.UniqueConstraint('token', name=op.f('uq_feed_tokens_token')),
    sa.UniqueConstraint('user_id', name=op.f('uq_feed_tokens_user_id'))
    )


def downgrade():
    op.drop_table('feed_tokens')
    op.drop_table('feed_state')
