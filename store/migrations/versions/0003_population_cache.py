"""Population runs: cached statuses per (library version, date, stages, person).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "population_cache",
        sa.Column("library_version", sa.String(64), primary_key=True),
        sa.Column("as_of", sa.Date, primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("person_id", sa.String(32), primary_key=True),
        sa.Column("record_version", sa.Integer, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("population_cache")
