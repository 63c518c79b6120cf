"""The database tables (SQLAlchemy Core). Migrations in ``migrations/`` create them.

A person's record is stored whole, as JSON, in ``people.record`` (the history items
carry their own ids, so imports merge by item id); protected characteristics live
in a table of their own, so access to them can be granted separately.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = [
    "api_tokens",
    "audit_log",
    "goals",
    "key_post_snapshots",
    "key_posts",
    "library_versions",
    "locks",
    "metadata",
    "people",
    "population_cache",
    "protected",
    "sessions",
    "sign_in_attempts",
    "users",
]

metadata = MetaData()

people = Table(
    "people",
    metadata,
    Column("id", String(32), primary_key=True, comment="Warrant or staff number"),
    Column("kind", String(16), nullable=False),
    Column("name", String(200)),
    Column("joined", Date, nullable=False),
    Column("record", JSON, nullable=False, comment="The record, without protected fields"),
    Column("version", Integer, nullable=False, comment="Goes up by one on every change"),
    Column("digest", String(64), nullable=False, comment="sha256 of the canonical record"),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

protected = Table(
    "protected_characteristics",
    metadata,
    Column("person_id", String(32), ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("ethnicity", String(64)),
    Column("gender", String(64)),
    Column("disability", String(64)),
)

library_versions = Table(
    "library_versions",
    metadata,
    Column("digest", String(64), primary_key=True, comment="The library's content hash"),
    Column("name", String(200), nullable=False),
    Column("files", JSON, nullable=False, comment="{relative path: YAML text}"),
    Column("author", String(100), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("effective_date", Date),
    Column("note", Text),
    Column("active", Boolean, nullable=False, default=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(100), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
)

# Web sign-in (migration 0002): users with a role, and API tokens for other systems.
users = Table(
    "users",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("password_hash", String(200), nullable=False, comment="argon2id"),
    Column("role", String(16), nullable=False, comment="officer, hr, equality or admin"),
    Column("person_id", String(32), comment="For officers: their own record"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column(
        "must_change",
        Boolean,
        nullable=False,
        default=False,
        comment="Set by an admin: the user changes it at their next sign-in (migration 0005)",
    ),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True, comment="sha256 of the token"),
    Column(
        "username",
        String(100),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(100), nullable=False, comment="What the token is for"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("expires_at", DateTime(timezone=True), comment="Last moment it works (0005)"),
    Column("last_used_at", DateTime(timezone=True), comment="Within a minute (0005)"),
)

# Population runs (migration 0003): one person's statuses under one library version on one
# date, valid while the record keeps the version it had then.
population_cache = Table(
    "population_cache",
    metadata,
    Column("library_version", String(64), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("scope", String(16), primary_key=True, comment="Which stages: a hash of their keys"),
    Column("person_id", String(32), primary_key=True),
    Column("record_version", Integer, nullable=False),
    Column("result", Text, nullable=False, comment="JSON: kind, group, grade, codes, dates"),
)

# A person's goal (migration 0004): the stage they aim for ('pathway.stage'). ``version``
# goes up on every change, so a second writer working from an old page is told.
goals = Table(
    "goals",
    metadata,
    Column("person_id", String(32), ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("goal", String(200), nullable=False, comment="The goal stage, 'pathway.stage'"),
    Column("version", Integer, nullable=False, comment="Goes up by one on every change"),
    Column("set_by", String(100), nullable=False),
    Column("set_at", DateTime(timezone=True), nullable=False),
)

# Hardening (migration 0005): server-side sessions (the cookie holds a random id, the table
# its sha256), the shared sign-in limit, and a row to lock while publishing a library.
sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True, comment="sha256 of the cookie's id"),
    Column(
        "username",
        String(100),
        ForeignKey("users.username", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

sign_in_attempts = Table(
    "sign_in_attempts",
    metadata,
    Column("key", String(250), primary_key=True, comment="username (lower case) and address"),
    Column("failures", Integer, nullable=False, comment="Attempts not yet known to succeed"),
    Column("window_start", DateTime(timezone=True), nullable=False, index=True),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("serial", Integer, nullable=False, comment="Goes up by one on every change"),
)

# Key posts for succession planning (migration 0006): a post in a business group, the stage
# a successor must hold, and its holder. Retired posts are kept (``active`` false), so old
# snapshots and the audit log still name them. ``version`` goes up on every change.
key_posts = Table(
    "key_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("post", String(200), nullable=False, comment="The post, in words"),
    Column("business_group", String(64), nullable=False),
    Column("stage", String(200), nullable=False, comment="'pathway.stage' a successor holds"),
    Column("holder", String(32), comment="The holder's person id, if the post is filled"),
    Column("active", Boolean, nullable=False, default=True),
    Column("version", Integer, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The key-post report kept once a quarter (e.g. '2024-Q2'), for the Management Board to see
# the change since the last quarter.
key_post_snapshots = Table(
    "key_post_snapshots",
    metadata,
    Column("quarter", String(7), primary_key=True, comment="YYYY-Qn"),
    Column("as_of", Date, nullable=False),
    Column("library_version", String(64), nullable=False),
    Column("report", JSON, nullable=False, comment="Each post: holder and successors by id"),
    Column("taken_by", String(100), nullable=False),
    Column("taken_at", DateTime(timezone=True), nullable=False),
)
