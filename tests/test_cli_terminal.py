"""The command line as a terminal user meets it: records from standard input, NO_COLOR,
progress bars only on a terminal.

Colour and progress bars depend on whether the output is a terminal, so those tests run
the real command in a pseudo-terminal (``pty``) as a user's shell would.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import cli
from cli.options import MAX_RECORD_BYTES

# Slow: each test runs the command in a pseudo-terminal or a pipe, a process of its own
# (make test-fast leaves these out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
INSPECTOR = ROOT / "examples" / "inspector_pip.json"
RECORD = INSPECTOR.read_text()
# SGR codes that set a colour: foreground 30-38, background 40-48, bright 90-97 / 100-107.
COLOUR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-8]|4[0-8]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
ANY_SGR = re.compile(rb"\x1b\[[0-9;]*m")


def run(*args: str, stdin: str | None = None) -> object:
    return CliRunner().invoke(cli, list(args), input=stdin)


# --- a record on standard input ----------------------------------------------------------


def test_eligibility_reads_the_record_from_stdin() -> None:
    args = ["--as-of", "2024-06-01", "--format", "json"]
    from_file = run("eligibility", str(INSPECTOR), *args)
    from_stdin = run("eligibility", "-", *args, stdin=RECORD)
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_a_real_pipe_into_eligibility() -> None:
    """`cat r.json | pathways eligibility -`, through an operating-system pipe."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "eligibility", "-", "--as-of", "2024-06-01"],
        input=INSPECTOR.read_bytes(),
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"W100234" in result.stdout and b"lapsed on 2024-04-20" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["whatif", "-", "--add", "credential:pip:1@2024-07-01", "--format", "json"],
        ["export-standard", "badge", "-", "pip.level_1", "--as-of", "2024-01-01"],
    ],
    ids=["whatif", "badge"],
)
def test_every_record_command_takes_stdin(args: list[str]) -> None:
    from_file = run(*[str(INSPECTOR) if a == "-" else a for a in args])
    from_stdin = run(*args, stdin=RECORD)
    assert from_stdin.exit_code == 0, from_stdin.output
    assert json.loads(from_stdin.stdout) == json.loads(from_file.stdout)


def test_render_takes_the_record_from_stdin(tmp_path: Path) -> None:
    out = tmp_path / "pip.dot"
    result = run("render", "pip", "--record", "-", "--as-of", "2024-06-01", "-o", str(out),
                 stdin=RECORD)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "W100234" in out.read_text()


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ('{"id": "W1",\n  "kind" officer}', "<stdin>:2:10: error[json-syntax]: not valid JSON"),
        ("", "<stdin>: error[json-syntax]: empty: expected one record (nothing was piped in?)"),
        (" " * (MAX_RECORD_BYTES + 1), "<stdin>: error[too-large]: larger than 5 MiB"),
        ('{"id": "W1", "kind": "officer"}', "<stdin>: "),
    ],
    ids=["not-json", "empty", "too-large", "invalid-record"],
)
def test_a_bad_record_on_stdin_is_one_clear_error(stdin: str, message: str) -> None:
    result = run("eligibility", "-", stdin=stdin)
    assert result.exit_code == 2
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output


def test_a_record_warning_names_stdin() -> None:
    record = json.loads(RECORD)
    record["courses"] = [{"id": "C9", "course": "no_such_course", "completed": "2020-01-01"}]
    result = run("eligibility", "-", "--pathway", "pip", stdin=json.dumps(record))
    assert result.exit_code == 0, result.output
    assert "warning: <stdin>:" in result.stderr


# --- NO_COLOR and progress bars, in a pseudo-terminal -----------------------------------------


def in_terminal(args: list[str], **env: str) -> bytes:
    """What a user at a terminal sees (stdout and stderr) when running ``pathways ARGS``."""
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update(TERM="xterm-256color", COLUMNS="120", LINES="40", **env)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=ROOT,
        env=environment,
    )
    os.close(terminal)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=10)
    os.close(controller)
    return output


# `check` colours its verdict with click; `eligibility` colours statuses with rich.
COLOURED = [
    ["check"],
    ["eligibility", str(INSPECTOR), "--as-of", "2024-06-01", "--pathway", "pip"],
]


@pytest.mark.parametrize("args", COLOURED, ids=["check", "eligibility"])
def test_a_terminal_gets_colour_and_no_color_takes_it_away(args: list[str]) -> None:
    coloured = in_terminal(args)
    assert COLOUR.search(coloured), coloured[:300]  # the pty really is a colour terminal
    plain = in_terminal(args, NO_COLOR="1")
    assert not COLOUR.search(plain), COLOUR.findall(plain)[:5]
    # Only the colour goes: the words and symbols are the same.
    assert ANY_SGR.sub(b"", plain) == ANY_SGR.sub(b"", coloured)


def test_an_empty_no_color_is_not_set() -> None:
    """no-color.org: NO_COLOR counts when present *and not empty*."""
    assert COLOUR.search(in_terminal(["check"], NO_COLOR=""))


def test_progress_bar_on_a_terminal_not_in_a_pipe_nor_with_quiet() -> None:
    args = ["verify", "--property", "record_json_round_trip", "--examples", "3"]
    label = b"verifying: properties"
    assert label in in_terminal(args)
    assert label not in in_terminal([*args, "--quiet"])
    piped = subprocess.run(
        [sys.executable, "-m", "cli", *args], capture_output=True, cwd=ROOT, timeout=300
    )
    assert piped.returncode == 0, piped.stderr.decode()
    assert label not in piped.stderr and b"\x1b[" not in piped.stdout + piped.stderr
