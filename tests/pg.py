"""A throwaway PostgreSQL server for the storage tests.

Debian's server binaries (package ``postgresql``, installed by
``scripts/system-deps.sh``) live in ``/usr/lib/postgresql/<version>/bin``. The
server gets a data directory of its own under the system temp dir, listens on
a free port on 127.0.0.1 only (trust authentication: nothing else can reach
it), keeps its socket in that directory, and is stopped and deleted by
:meth:`PostgresServer.stop`. ``initdb`` refuses to run as root, so as root the
binaries run as the ``postgres`` OS user (created by the Debian package).

If the test process dies without its teardown (killed, a CI timeout), a small
watchdog process, which waits for the test process's end of a pipe to close,
stops the server and deletes its files all the same.

Durability is switched off (``fsync``, ``full_page_writes``): the data is thrown
away at the end, and this keeps start-up and ``CREATE DATABASE`` fast.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "SKIP_ENV",
    "PostgresServer",
    "PostgresUnavailable",
    "find_bindir",
    "start_server",
]

SKIP_ENV = "PATHWAYS_SKIP_POSTGRES"
SEARCH = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"
OS_USER = "postgres"  # the Debian package's; runs the server when the tests run as root


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server can be started here (binaries missing, no OS user ...)."""


def _missing(what: str) -> PostgresUnavailable:
    return PostgresUnavailable(
        f"{what}. The storage tests run against PostgreSQL as well as SQLite: install "
        "Debian's PostgreSQL server with `scripts/system-deps.sh` (or `apt-get install "
        f"postgresql`), or set {SKIP_ENV}=1 to run the SQLite tests only (CI must not)."
    )


def find_bindir() -> Path | None:
    """The newest ``/usr/lib/postgresql/<version>/bin`` with initdb and pg_ctl, if any."""
    found = []
    for bindir in Path("/").glob(SEARCH.lstrip("/")):
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            match = re.fullmatch(r"\d+(\.\d+)?", bindir.parent.name)
            version = float(match.group()) if match else 0.0
            found.append((version, bindir))
    return max(found)[1] if found else None


# Run by a separate Python: waits for "done" from the tests; if the pipe closes
# without it (the test process died), stops the server and deletes its directory.
_WATCHDOG = """
import shutil, subprocess, sys
if sys.stdin.readline() != "done\\n":
    subprocess.run(sys.argv[2:], capture_output=True, timeout=60, check=False)
    shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running throwaway server; :meth:`stop` stops it and deletes its files."""

    bindir: Path
    root: Path  # data/, the socket and server.log live here
    port: int
    as_os_user: str | None  # run the binaries as this user (when we are root)
    running: bool = False
    watchdog: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL (psycopg 3) for a database on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _command(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bindir / tool), *args]
        if self.as_os_user is not None:
            cmd = ["runuser", "-u", self.as_os_user, "--", *cmd]
        return cmd

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        cmd = self._command(tool, *args)
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, cwd=self.root, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise PostgresUnavailable(
                f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n"
                f"{done.stdout}{done.stderr}{log}"
            )

    def initdb(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",  # ids sort as in Python (byte order), whatever the host's locale
            "--no-sync",
            "--no-instructions",
        )

    def start(self) -> None:
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.root}",
                "-c listen_addresses=127.0.0.1",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=50",
            ]
        )
        self._run(
            "pg_ctl", "-D", str(self.datadir), "-o", options, "-l", str(self.log), "-w", "start"
        )
        self.running = True
        self.watchdog = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WATCHDOG,
                str(self.root),
                *self._command("pg_ctl", *self._stop_args()),
            ],
            stdin=subprocess.PIPE,
            start_new_session=True,  # a Ctrl-C to the tests does not stop it before it works
        )

    def _stop_args(self) -> list[str]:
        return ["-D", str(self.datadir), "-m", "immediate", "-w", "stop"]

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE), as superuser."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # statements built from our own names

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server (immediately: its data is not kept) and delete its files."""
        try:
            if self.running:
                with contextlib.suppress(PostgresUnavailable, subprocess.TimeoutExpired):
                    self._run("pg_ctl", *self._stop_args())
                self.running = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
            if self.watchdog is not None:  # done: tell it so, and let it go
                with contextlib.suppress(OSError):
                    assert self.watchdog.stdin is not None
                    self.watchdog.stdin.write(b"done\n")
                    self.watchdog.stdin.close()
                self.watchdog.wait(timeout=10)
                self.watchdog = None


def _temp_parent(as_os_user: str | None) -> str:
    """The system temp dir, or /tmp if another OS user could not get into it."""
    parent = Path(tempfile.gettempdir()).resolve()
    if as_os_user is None:
        return str(parent)
    reachable = all(p.stat().st_mode & 0o001 for p in (parent, *parent.parents))
    return str(parent) if reachable else "/tmp"


def start_server() -> PostgresServer:
    """initdb + start a server on a free loopback port.

    Raises:
        PostgresUnavailable: with what to do about it (install, or opt out).
    """
    bindir = find_bindir()
    if bindir is None:
        raise _missing(f"no PostgreSQL server binaries (initdb, pg_ctl) in {SEARCH}")
    as_os_user = None
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            owner = pwd.getpwnam(OS_USER)
        except KeyError:
            raise _missing(
                f"running as root, and there is no '{OS_USER}' OS user to run the server as"
            ) from None
        as_os_user = OS_USER
    root = Path(tempfile.mkdtemp(prefix="pathways-pg-", dir=_temp_parent(as_os_user)))
    server = PostgresServer(bindir, root, _free_port(), as_os_user)
    try:
        if as_os_user is not None:
            os.chown(root, owner.pw_uid, owner.pw_gid)
        server.initdb()
        for attempt in range(3):
            try:
                server.start()
                return server
            except PostgresUnavailable as exc:
                # Another process may have taken the free port before the server did.
                if attempt == 2 or "already in use" not in str(exc):
                    raise
                server.port = _free_port()
    except BaseException:
        server.stop()
        raise
    raise AssertionError("unreachable")
