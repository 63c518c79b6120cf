"""What the hardening tests (issue 14) share: a seeded app per module, sign-in, bearer
headers, and a real server on a loopback port for the tests that need real sockets
(chunked bodies, concurrent requests, memory of the server process).

Kept out of conftest.py on purpose: these tests build their own stores (some on
PostgreSQL too) and servers, and conftest is shared by every test module.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from web.testing import PASSWORD, Seeded

__all__ = [
    "Server",
    "bearer",
    "csrf_of",
    "free_port",
    "rss_kb",
    "serve",
    "sign_in",
]


def bearer(seeded: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(c: TestClient | httpx.Client, username: str, password: str = PASSWORD) -> Any:
    """Sign ``c`` in; the answer to the sign-in POST."""
    token = csrf_of(c.get("/login").text)
    return c.post("/login", data={"username": username, "password": password, "csrf_token": token})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kb(pid: int) -> int:
    """The resident memory of a process and its children (the server's own), in KB."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    return total


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, follow_redirects=False, **kwargs)


@contextlib.contextmanager
def serve(db_url: str, tmp: Path, processes: int = 1, memory_mb: int = 2048) -> Iterator[Server]:
    """``pathways serve`` on a free loopback port (one engine worker), until the block ends.

    The server's data segment is capped at ``memory_mb`` (so an attack that works, as on a
    build without the limits, fails the test with a MemoryError instead of taking the
    machine's memory)."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    env = {**os.environ, "PATHWAYS_WEB_SECRET": "test-secret-" + str(port), "MALLOC_ARENA_MAX": "2"}

    def limit() -> None:
        size = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (size, size))

    cmd = [
        str(Path(sys.executable).parent / "pathways"),
        "serve",
        "--db",
        db_url,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
    ]
    if processes > 1:
        cmd += ["--processes", str(processes)]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=subprocess.STDOUT, env=env, preexec_fn=limit
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180  # a loaded machine starts processes slowly
        while True:
            try:
                if httpx.get(url + "/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + log.read_text()[-3000:])
            time.sleep(0.2)
        yield Server(url, proc, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
