"""A real server for tests that need one: ``python -m cli serve`` (uvicorn) on a free
loopback port, stopped when the block ends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    db_url: str,
    workdir: Path,
    env: Mapping[str, str | None] | None = None,
    start_within: float = 30,
) -> Iterator[str]:
    """The base URL of a server on ``db_url``; its log is ``workdir/server.log``. ``env``
    changes the server's environment (a None value removes the variable); the server has
    ``start_within`` seconds to answer."""
    changed = {**os.environ, "PYTHONWARNINGS": "ignore"}
    for name, value in (env or {}).items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = value
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                *("-m", "cli", "serve", "--db", db_url),
                *("--port", str(port), "--workers", "1"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=changed,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_within
            while True:
                try:
                    with urllib.request.urlopen(base + "/login", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(log_path.read_text())
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
