"""Key posts for succession planning, and the key-post report kept once a quarter.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "key_posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("post", sa.String(200), nullable=False),
        sa.Column("business_group", sa.String(64), nullable=False),
        sa.Column("stage", sa.String(200), nullable=False),
        sa.Column("holder", sa.String(32)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "key_post_snapshots",
        sa.Column("quarter", sa.String(7), primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("library_version", sa.String(64), nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("taken_by", sa.String(100), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("key_post_snapshots")
    op.drop_table("key_posts")
