"""Web users (a role each; officers linked to their own record) and API tokens.

Passwords are stored as argon2id hashes; API tokens as the sha256 of a random
token, which is shown once when it is made.

>>> from accreditation.store import Store
>>> users = Users(Store("sqlite://"))
>>> users.add("hr1", "correct horse", Role.HR).role
<Role.HR: 'hr'>
>>> users.authenticate("hr1", "correct horse").username
'hr1'
>>> users.authenticate("hr1", "wrong") is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update

from accreditation.store import Store, StoreError
from accreditation.store.schema import api_tokens, users

__all__ = [
    "ROLES",
    "Role",
    "TokenInfo",
    "User",
    "UserError",
    "Users",
    "list_tokens",
    "new_password",
    "revoke_token",
]


class Role(StrEnum):
    """What a user may do: see the web/docs (docs/web.md) for the full table."""

    OFFICER = "officer"  # their own record and decisions only
    HR = "hr"  # every record, the pathway library
    EQUALITY = "equality"  # aggregate equality reports
    ADMIN = "admin"  # users and tokens


ROLES = [r.value for r in Role]


class UserError(ValueError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    username: str
    role: Role
    person_id: str | None = None

    def may_see_person(self, person_id: str) -> bool:
        """HR sees every record; an officer only their own; nobody else any."""
        if self.role is Role.HR:
            return True
        return self.role is Role.OFFICER and self.person_id == person_id


def new_password() -> str:
    """A random password for a demo or new user (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    """Users and API tokens in the records store's database."""

    # argon2id with the library's defaults (RFC 9106 low-memory profile).
    hasher = PasswordHasher()
    # Verified against when the user does not exist, so both paths take as long.
    _dummy = hasher.hash("not a password")

    def __init__(self, store: Store):
        self.store = store

    def add(
        self, username: str, password: str, role: Role | str, person_id: str | None = None
    ) -> User:
        """Create a user.

        Raises:
            UserError: if the name is taken or malformed, the role unknown, or an officer
                has no person id (or the person is not in the store).
        """
        try:
            role = Role(role)
        except ValueError:
            raise UserError(f"unknown role '{role}': use one of {', '.join(ROLES)}") from None
        if not username or len(username) > 100 or not username.isprintable() or " " in username:
            raise UserError("a username is 1 to 100 printable characters without spaces")
        if len(password) < 8:
            raise UserError("a password needs at least 8 characters")
        if role is Role.OFFICER:
            if not person_id:
                raise UserError("an officer user needs --person: their warrant or staff number")
            if self.store.get_person(person_id) is None:
                raise UserError(f"no record with id '{person_id}' in the records store")
        elif person_id:
            raise UserError("only officer users are linked to a record")
        if self.get(username, include_disabled=True) is not None:
            raise UserError(f"user '{username}' already exists")
        with self.store.transaction() as conn:
            conn.execute(
                insert(users),
                [
                    {
                        "username": username,
                        "password_hash": self.hasher.hash(password),
                        "role": role.value,
                        "person_id": person_id,
                        "created_at": dt.datetime.now(dt.UTC),
                        "disabled": False,
                    }
                ],
            )
        return User(username, role, person_id)

    def get(self, username: str, include_disabled: bool = False) -> User | None:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        if row is None or (row.disabled and not include_disabled):
            return None
        return User(row.username, Role(row.role), row.person_id)

    def all(self) -> list[User]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [User(r.username, Role(r.role), r.person_id) for r in rows]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is theirs (and the user is not disabled)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username)).first()
        try:
            if row is None or row.disabled:
                self.hasher.verify(self._dummy, password)
                return None
            self.hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            with self.store.transaction() as conn:
                conn.execute(
                    update(users)
                    .where(users.c.username == username)
                    .values(password_hash=self.hasher.hash(password))
                )
        return User(row.username, Role(row.role), row.person_id)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < 8:
            raise UserError("a password needs at least 8 characters")
        with self.store.transaction() as conn:
            done = conn.execute(
                update(users)
                .where(users.c.username == username)
                .values(password_hash=self.hasher.hash(password))
            )
        if done.rowcount != 1:
            raise UserError(f"no user '{username}'")

    def set_disabled(self, username: str, disabled: bool) -> None:
        """Disable (or enable) a user. A disabled user cannot sign in, their sessions end
        at their next request and their API tokens stop working.

        Raises:
            UserError: if there is no such user.
        """
        with self.store.transaction() as conn:
            done = conn.execute(
                update(users).where(users.c.username == username).values(disabled=disabled)
            )
        if done.rowcount != 1:
            raise UserError(f"no user '{username}'")

    def disabled(self) -> set[str]:
        """The usernames of disabled users."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(users.c.username).where(users.c.disabled.is_(True)))
            return {r.username for r in rows}

    def new_token(self, username: str, name: str) -> str:
        """Make an API token for a user; the token itself is returned once, never stored."""
        if self.get(username) is None:
            raise UserError(f"no user '{username}'")
        if not name or len(name) > 100:
            raise UserError("a token needs a name (what it is for) of at most 100 characters")
        token = "pw_" + secrets.token_urlsafe(32)
        try:
            with self.store.transaction() as conn:
                conn.execute(
                    insert(api_tokens),
                    [
                        {
                            "token_hash": _token_hash(token),
                            "username": username,
                            "name": name,
                            "created_at": dt.datetime.now(dt.UTC),
                            "revoked": False,
                        }
                    ],
                )
        except Exception as exc:  # pragma: no cover - database failure
            raise StoreError(f"cannot store the token: {exc}") from exc
        return token

    def for_token(self, token: str) -> User | None:
        """The user an API token belongs to, if it is valid (not revoked, user enabled)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(
                select(api_tokens.c.username).where(
                    api_tokens.c.token_hash == _token_hash(token),
                    api_tokens.c.revoked.is_(False),
                )
            ).first()
        return self.get(row.username) if row is not None else None

    def revoke_tokens(self, username: str) -> int:
        with self.store.transaction() as conn:
            done = conn.execute(
                update(api_tokens).where(api_tokens.c.username == username).values(revoked=True)
            )
        return int(done.rowcount)


@dataclass(frozen=True)
class TokenInfo:
    """An API token as its owner may see it: never the token itself."""

    id: int
    username: str
    name: str
    created_at: dt.datetime
    revoked: bool


def list_tokens(store: Store, username: str | None = None) -> list[TokenInfo]:
    """The tokens of ``username`` (everyone's if None), newest first."""
    query = select(api_tokens).order_by(api_tokens.c.id.desc())
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [TokenInfo(r.id, r.username, r.name, r.created_at, bool(r.revoked)) for r in rows]


def revoke_token(store: Store, token_id: int, username: str | None = None) -> bool:
    """Revoke one token (only if it is ``username``'s, unless None). True if it was live."""
    query = update(api_tokens).where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(False))
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    with store.transaction() as conn:
        done = conn.execute(query.values(revoked=True))
    return int(done.rowcount) == 1
