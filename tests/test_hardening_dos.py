"""Issue 14, items 4 and 5 (and the deep-YAML 500 of item 12): no single request takes the
server down or stalls everyone else, on a real server on a loopback port.

A YAML alias bomb is refused as a located finding in well under 2 s, the server's memory
grows by less than 100 MB meanwhile, and ``GET /login`` from someone else still answers in
under 200 ms (checking runs in a worker thread, not on the event loop). Bodies are counted
as they arrive, chunked or not: past the limit the answer is 413, and a request without
credentials is refused (401) before its body is read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from hardening import Server, rss_kb, serve

from web.app import MAX_BODY
from web.testing import Seeded, seed

#: About 300 bytes that build 9**9 (387 million) values when aliases are expanded.
BOMB = "".join(
    f"{name}: &{name} [{','.join([f'*{prev}' if prev else 'x'] * 9)}]\n"
    for prev, name in zip(["", "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)
DEEP = "pathway:\n  id: " + "[" * 500 + "]" * 500 + "\n"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(f"sqlite:///{tmp_path_factory.mktemp('hardening-dos') / 'web.db'}", people=4)


@pytest.fixture(scope="module")
def server(seeded: Seeded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(seeded.url, tmp_path_factory.mktemp("server")) as running:
        yield running


def _hr(seeded: Seeded) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens['hr']}"}


def test_an_alias_bomb_is_refused_quickly_and_others_are_still_served(
    server: Server, seeded: Seeded
) -> None:
    assert len(BOMB) < 400
    latencies: list[float] = []
    peak = [0]
    done = threading.Event()

    def others() -> None:
        with server.client(timeout=10) as c:
            while not done.is_set():
                start = time.perf_counter()
                assert c.get("/login").status_code == 200
                latencies.append(time.perf_counter() - start)
                peak[0] = max(peak[0], rss_kb(server.process.pid))
                time.sleep(0.02)

    with server.client(timeout=10) as c:
        c.get("/login")
        baseline = rss_kb(server.process.pid)
        watcher = threading.Thread(target=others)
        watcher.start()
        try:
            time.sleep(0.1)
            start = time.perf_counter()
            r = c.post(
                "/api/library/check", json={"name": "bomb.yaml", "text": BOMB}, headers=_hr(seeded)
            )
            took = time.perf_counter() - start
        finally:
            done.set()
            watcher.join(15)
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert not body["ok"]
    found = [f for f in body["findings"] if f["code"] == "too-large"]
    assert found and found[0]["file"] == "bomb.yaml" and found[0]["line"]
    print(
        f"\nalias bomb ({len(BOMB)} bytes): answered in {took:.2f} s; server grew "
        f"{(max(peak[0], rss_kb(server.process.pid)) - baseline) / 1024:.0f} MB; GET /login "
        f"max {max(latencies) * 1000:.0f} ms, median "
        f"{sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms over {len(latencies)}"
    )
    assert took < 2.0, f"the check took {took:.2f} s"
    grown_mb = (max(peak[0], rss_kb(server.process.pid)) - baseline) / 1024
    assert grown_mb < 100, f"the server grew by {grown_mb:.0f} MB"
    assert latencies, "no GET /login was answered while the check ran"
    assert max(latencies) < 0.2, f"GET /login took up to {max(latencies) * 1000:.0f} ms"


def test_deeply_nested_yaml_is_a_located_finding_not_a_500(server: Server, seeded: Seeded) -> None:
    with server.client(timeout=10) as c:
        r = c.post(
            "/api/library/check", json={"name": "deep.yaml", "text": DEEP}, headers=_hr(seeded)
        )
    assert r.status_code == 200, r.text[:300]
    finding = next(f for f in r.json()["findings"] if f["code"] == "too-large")
    assert "nested more than 100 levels" in finding["message"] and finding["line"] == 2


def _chunks(total: int, size: int = 1 << 20) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


def test_a_chunked_body_without_credentials_is_refused_before_it_is_read(
    server: Server,
) -> None:
    before = rss_kb(server.process.pid)
    with server.client(timeout=30) as c:
        r = c.post(
            "/api/library/check",
            content=_chunks(300 * 1024 * 1024),  # no Content-Length: Transfer-Encoding chunked
            headers={"Content-Type": "application/json"},
        )
    assert r.status_code == 401, r.text[:300]
    assert (rss_kb(server.process.pid) - before) / 1024 < 50


def test_a_chunked_body_past_the_limit_is_a_413_while_it_arrives(
    server: Server, seeded: Seeded
) -> None:
    before = rss_kb(server.process.pid)
    with server.client(timeout=30) as c:
        for path in ("/api/library/check", f"/api/people/{seeded.officer}"):
            method = "POST" if path.endswith("check") else "PUT"
            r = c.request(
                method,
                path,
                content=_chunks(300 * 1024 * 1024),
                headers={**_hr(seeded), "Content-Type": "application/json"},
            )
            assert r.status_code == 413, (path, r.status_code, r.text[:300])
            assert f"{MAX_BODY:,}" in r.json()["detail"]
    assert (rss_kb(server.process.pid) - before) / 1024 < 50


def test_a_page_form_without_a_session_is_refused_before_its_body_is_read(
    server: Server,
) -> None:
    with server.client(timeout=30) as c:
        r = c.post(
            "/library/check",
            content=_chunks(50 * 1024 * 1024),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code in (303, 401, 403), r.status_code
        # Sign-in takes a body without a session, but a small one.
        big = c.post(
            "/login",
            content=_chunks(5 * 1024 * 1024),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert big.status_code == 413
