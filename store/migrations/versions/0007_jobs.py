"""Background jobs: whole-workforce work queued and worked by `pathways worker` processes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ACTIVE = sa.text("state IN ('queued', 'running')")
RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("library_version", sa.String(64)),
        sa.Column("as_of", sa.Date),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("worker", sa.String(200)),
        sa.Column("slot", sa.Integer),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("phase", sa.String(200)),
        sa.Column("cancel", sa.Boolean, nullable=False),
        sa.Column("records", sa.String(100)),
        sa.Column("result", sa.Text),
        sa.Column("error", sa.Text),
    )
    op.create_index("jobs_state", "jobs", ["state", "created_at"])
    op.create_index("jobs_key", "jobs", ["key", "finished_at"])
    op.create_index(
        "jobs_one_active_per_key",
        "jobs",
        ["key"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index(
        "jobs_one_per_slot",
        "jobs",
        ["slot"],
        unique=True,
        sqlite_where=RUNNING,
        postgresql_where=RUNNING,
    )


def downgrade() -> None:
    op.drop_table("jobs")
