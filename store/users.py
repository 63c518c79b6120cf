"""Web users: a role each (officers linked to their own record), argon2id password hashes.

Every change an admin makes (add, disable, enable, reset a password, change a role) is
audit-logged. API tokens are in :mod:`store.tokens`; :class:`Users` keeps the calls the CLI
and the sign-in code use.

>>> from store import Store
>>> users = Users(Store("sqlite://"))
>>> users.add("hr1", "correct horse battery", Role.HR).must_change  # set by an admin
True
>>> users.authenticate("hr1", "correct horse battery").username
'hr1'
>>> users.add("hr2", "password", Role.HR)
Traceback (most recent call last):
...
store.users.UserError: a password needs at least 12 characters
>>> users.authenticate("hr1", "wrong") is None
True
>>> users.set_role("hr1", "equality", actor="test").role
<Role.EQUALITY: 'equality'>
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, insert, select, update

from pathways.problems import CareerPathwaysError

from . import tokens
from .audit import audit
from .passwords import password_problem
from .schema import users
from .sessions import end_sessions
from .store import Store

__all__ = ["ROLES", "Account", "Role", "User", "UserError", "Users", "new_password"]


class Role(StrEnum):
    """What a user may do: see the web/docs (docs/web.md) for the full table."""

    OFFICER = "officer"  # their own record and decisions only
    HR = "hr"  # every record, the pathway library
    EQUALITY = "equality"  # aggregate equality reports
    ADMIN = "admin"  # users and tokens


ROLES = [r.value for r in Role]


class UserError(CareerPathwaysError, ValueError):
    """A user cannot be created or changed as asked."""


@dataclass(frozen=True)
class User:
    """A signed-in user. ``stamp`` changes whenever the password does, so sessions made
    with the old password can be told apart (and ended)."""

    username: str
    role: Role
    person_id: str | None = None
    stamp: str = field(default="", compare=False, repr=False)
    #: The password was set by an admin: the user must choose their own before anything else.
    must_change: bool = field(default=False, compare=False)

    def may_see_person(self, person_id: str) -> bool:
        """HR sees every record; an officer only their own; nobody else any."""
        if self.role is Role.HR:
            return True
        return self.role is Role.OFFICER and self.person_id == person_id


@dataclass(frozen=True)
class Account:
    """A user as the admin page lists them."""

    username: str
    role: Role
    person_id: str | None
    disabled: bool
    created_at: dt.datetime
    live_tokens: int


def new_password() -> str:
    """A random password for a demo or new user (about 96 bits)."""
    return secrets.token_urlsafe(12)


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row: Any) -> User:
    return User(
        row.username,
        Role(row.role),
        row.person_id,
        _stamp(row.password_hash),
        bool(row.must_change),
    )


def _check_password(password: str, username: str) -> None:
    problem = password_problem(password, username)
    if problem is not None:
        raise UserError(problem)


class Users:
    """Users (and, for the CLI, their API tokens) in the records store's database."""

    # argon2id with the library's defaults (RFC 9106 low-memory profile).
    hasher = PasswordHasher()
    # Verified against when the user does not exist, so both paths take as long.
    _dummy = hasher.hash("not a password")

    def __init__(self, store: Store):
        self.store = store

    # --- reading ---------------------------------------------------------------------

    def _row(self, username: str, conn: Connection | None = None) -> Any:
        if conn is None:
            with self.store.engine.connect() as own:
                return self._row(username, own)
        return conn.execute(select(users).where(users.c.username == username)).first()

    def get(self, username: str, include_disabled: bool = False) -> User | None:
        row = self._row(username)
        if row is None or (row.disabled and not include_disabled):
            return None
        return _user(row)

    def all(self) -> list[User]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [_user(r) for r in rows]

    def disabled(self) -> set[str]:
        """The usernames of disabled users."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(users.c.username).where(users.c.disabled.is_(True)))
            return {r.username for r in rows}

    def accounts(self) -> list[Account]:
        """Every user with their state and number of live API tokens, by username."""
        counts = tokens.live_token_counts(self.store)
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).all()
        return [
            Account(
                r.username,
                Role(r.role),
                r.person_id,
                bool(r.disabled),
                r.created_at,
                counts.get(r.username, 0),
            )
            for r in rows
        ]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user, if the password is theirs (and the user is not disabled)."""
        row = self._row(username)
        try:
            if row is None or row.disabled:
                self.hasher.verify(self._dummy, password)
                return None
            self.hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            rehashed = self.hasher.hash(password)
            with self.store.transaction() as conn:
                conn.execute(
                    update(users).where(users.c.username == username).values(password_hash=rehashed)
                )
            return User(
                row.username, Role(row.role), row.person_id, _stamp(rehashed), row.must_change
            )
        return _user(row)

    # --- changing --------------------------------------------------------------------

    def _check_link(self, role: Role, person_id: str | None) -> None:
        if role is Role.OFFICER:
            if not person_id:
                raise UserError("an officer user needs --person: their warrant or staff number")
            if self.store.get_person(person_id) is None:
                raise UserError(f"no record with id '{person_id}' in the records store")
        elif person_id:
            raise UserError("only officer users are linked to a record")

    def add(
        self,
        username: str,
        password: str,
        role: Role | str,
        person_id: str | None = None,
        actor: str = "cli",
        must_change: bool = True,
    ) -> User:
        """Create a user (audit-logged as done by ``actor``). The password was chosen by
        whoever adds the user, so by default the user must change it at first sign-in.

        Raises:
            UserError: if the name is taken or malformed, the role unknown, the password
                does not meet the rule (:mod:`store.passwords`), or an officer has no
                person id (or the person is not in the store).
        """
        role = _role(role)
        if not username or len(username) > 100 or not username.isprintable() or " " in username:
            raise UserError("a username is 1 to 100 printable characters without spaces")
        _check_password(password, username)
        self._check_link(role, person_id)
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
                        "must_change": must_change,
                    }
                ],
            )
            after = {"role": role.value, "person": person_id}
            audit(conn, actor, "user.add", username, None, after)
        user = self.get(username)
        assert user is not None
        return user

    def _change(self, conn: Connection, username: str, **values: Any) -> Any:
        row = self._row(username, conn)
        if row is None:
            raise UserError(f"no user '{username}'")
        conn.execute(update(users).where(users.c.username == username).values(**values))
        return row

    def set_password(
        self,
        username: str,
        password: str,
        actor: str = "cli",
        *,
        reset: bool = False,
        revoke_tokens: bool | None = None,
        keep_session: str | None = None,
    ) -> int:
        """A new password. Every session of the user ends (but ``keep_session``, the one
        changing its own password). A ``reset`` is an admin's: the user must change the
        password at their next sign-in, and their API tokens are revoked unless
        ``revoke_tokens`` is False (they were made by whoever knew the old password).
        Returns how many tokens were revoked.

        Raises:
            UserError: if there is no such user, or the password does not meet the rule.
        """
        _check_password(password, username)
        revoke = reset if revoke_tokens is None else revoke_tokens
        with self.store.transaction() as conn:
            self._change(
                conn, username, password_hash=self.hasher.hash(password), must_change=reset
            )
            end_sessions(conn, username, keep=keep_session)
            revoked = tokens.revoke_all_in(conn, username, actor) if revoke else 0
            audit(
                conn,
                actor,
                "user.reset" if reset else "user.password",
                username,
                None,
                {"tokens_revoked": revoked} if revoked else None,
            )
        return revoked

    def set_disabled(self, username: str, disabled: bool, actor: str = "cli") -> None:
        """Disable (or enable) a user. A disabled user cannot sign in, their sessions end
        at their next request and their API tokens stop working.

        Raises:
            UserError: if there is no such user.
        """
        with self.store.transaction() as conn:
            row = self._change(conn, username, disabled=disabled)
            end_sessions(conn, username)
            action = "user.disable" if disabled else "user.enable"
            audit(conn, actor, action, username, {"disabled": bool(row.disabled)}, None)

    def set_role(
        self, username: str, role: Role | str, person_id: str | None = None, actor: str = "cli"
    ) -> User:
        """Change a user's role (and the record an officer is linked to). It applies from
        the user's next request, to their sessions and their API tokens alike.

        Raises:
            UserError: if there is no such user, the role is unknown, or the record link
                does not fit the role (officers need one that exists; others have none).
        """
        role = _role(role)
        person_id = person_id or None
        self._check_link(role, person_id)
        with self.store.transaction() as conn:
            row = self._change(conn, username, role=role.value, person_id=person_id)
            end_sessions(conn, username)  # signed in again, the user sees what the role gives
            audit(
                conn,
                actor,
                "user.role",
                username,
                {"role": row.role, "person": row.person_id},
                {"role": role.value, "person": person_id},
            )
        user = self.get(username, include_disabled=True)
        assert user is not None
        return user

    # --- API tokens (see store.tokens) ---------------------------------------------------

    def new_token(
        self, username: str, name: str, actor: str = "cli", days: int | None = None
    ) -> str:
        """Make an API token for a user; the token itself is returned once, never stored.

        Raises:
            UserError: if there is no such (enabled) user, or the name is not 1 to 100
                printable characters.
        """
        if self.get(username) is None:
            raise UserError(f"no user '{username}'")
        try:
            return tokens.create_token(self.store, username, name, actor, days=days)[1]
        except tokens.TokenError as exc:
            raise UserError(str(exc)) from None

    def for_token(self, token: str) -> User | None:
        """The user an API token belongs to, if it is valid (not revoked, user enabled)."""
        owner = tokens.token_owner(self.store, token)
        return self.get(owner) if owner is not None else None

    def revoke_tokens(self, username: str, actor: str = "cli") -> int:
        """Revoke every live token of a user; how many there were."""
        return tokens.revoke_all(self.store, username, actor)


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(f"unknown role '{role}': use one of {', '.join(ROLES)}") from None
