"""HR's review workflow: the schedule of library versions by as-of date, and drafts.

A database with an active version gets one schedule entry for it (every date), so the
version in force on any date is the one decisions used before.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schedule = op.create_table(
        "library_schedule",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("effective_from", sa.Date),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("superseded_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "library_drafts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("base", sa.String(64)),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("cases", sa.JSON, nullable=False),
        sa.Column("digest", sa.String(64)),
        sa.Column("checked", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewer", sa.String(100)),
        sa.Column("reviewed_at", sa.DateTime(timezone=True)),
        sa.Column("review_note", sa.Text),
        sa.Column("effective_from", sa.Date),
        sa.Column("override", sa.Text),
        sa.Column("published", sa.String(64)),
    )
    op.create_index("library_drafts_status", "library_drafts", ["status"])
    active = (
        op.get_bind()
        .execute(sa.text("SELECT digest FROM library_versions WHERE active"))
        .scalar_one_or_none()
    )
    if active is not None:
        op.bulk_insert(
            schedule,
            [
                {
                    "digest": active,
                    "effective_from": None,
                    "at": dt.datetime.now(dt.UTC),
                    "actor": "migration 0007",
                    "action": "publish",
                    "reason": "in force when the schedule was introduced",
                }
            ],
        )


def downgrade() -> None:
    op.drop_index("library_drafts_status", "library_drafts")
    op.drop_table("library_drafts")
    op.drop_table("library_schedule")
