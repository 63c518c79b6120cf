"""Hardening (issue 14): server-side sessions, the shared sign-in limit, token expiry and
last use, forced password changes, and a lock row that serialises library publishes.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

#: Tokens made before this migration expire this many days after it (they had no expiry).
EXISTING_TOKENS_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "username",
            sa.String(100),
            sa.ForeignKey("users.username", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sessions_username", "sessions", ["username"])
    op.create_index("sessions_expires_at", "sessions", ["expires_at"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("key", sa.String(250), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("sign_in_attempts_window", "sign_in_attempts", ["window_start"])
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(
        tokens.update().values(
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=EXISTING_TOKENS_DAYS)
        )
    )
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("must_change", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "locks",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("serial", sa.Integer, nullable=False),
    )
    op.bulk_insert(
        sa.table("locks", sa.column("name"), sa.column("serial")),
        [{"name": "library", "serial": 0}],
    )


def downgrade() -> None:
    op.drop_table("locks")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("must_change")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("last_used_at")
        batch.drop_column("expires_at")
    op.drop_index("sign_in_attempts_window", "sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_index("sessions_expires_at", "sessions")
    op.drop_index("sessions_username", "sessions")
    op.drop_table("sessions")
