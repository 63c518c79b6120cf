"""Reproducible installs: the lock file covers pyproject.toml; PostgreSQL's driver is an extra.

`make install` installs requirements.lock with hashes (`make lock` / `make upgrade` write it);
these tests fail when pyproject.toml gains or changes a dependency the lock does not pin, so
CI never installs something other than what the lock says.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import distributions
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.markers import Marker, default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from cli import cli
from store import Store, StoreError

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"


def locked() -> list[tuple[str, Version, str]]:
    """Each pin: package, version and the environment marker it applies under.

    The lock is universal (every platform, Python 3.11+), so a package can have one pin
    per marker (networkx for Python 3.11, and for 3.12+).
    """
    pins: list[tuple[str, Version, str]] = []
    for line in LOCK.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name, version, marker = match.groups()
            pins.append((canonicalize_name(name), Version(version), marker or ""))
    return pins


def here() -> dict[str, Version]:
    """The pins that apply to this interpreter and platform."""
    environment = {**default_environment(), "extra": ""}
    found: dict[str, Version] = {}
    for name, version, marker in locked():
        if not marker or Marker(marker).evaluate(environment):
            assert name not in found, f"two pins of {name} apply here"
            found[name] = version
    return found


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    return [Requirement(r) for r in [*project["dependencies"], *extras]]


def test_the_lock_pins_every_dependency_within_its_specifier() -> None:
    pins = here()
    assert len(pins) > 50
    environment = {**default_environment(), "extra": ""}
    for requirement in declared():
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run 'make lock'"
        version = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock pins {name}=={version}, outside {requirement}: run 'make lock'"
        )
        for extra in requirement.extras:  # psycopg[binary] -> psycopg-binary
            assert f"{name}-{extra}" in pins, f"{requirement}: {name}-{extra} is not locked"


def test_every_lock_pin_has_hashes() -> None:
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9._-]+==)", text.split("\n", 2)[2])
    assert len(blocks) == len(locked())
    for block in blocks:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.splitlines()[0]


def test_the_installed_environment_is_the_locked_one() -> None:
    """What this test run uses is what the lock says (make install installed it)."""
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in distributions()}
    for name, version in here().items():
        if name == "durable-rules" and sys.version_info >= (3, 13):
            version = Version(f"{version}+py313")  # scripts/durable-rules.sh
        assert installed.get(name) == version, f"{name}: {installed.get(name)} != {version}"


def test_the_durable_rules_patch_is_the_upstream_fix() -> None:
    patch = (ROOT / "scripts" / "patches" / "durable-rules-2.0.28-py313.patch").read_text()
    removed = re.findall(r"^-\s+result = (\w+)\(callback, arglist\);$", patch, re.MULTILINE)
    added = re.findall(r"^\+\s+result = (\w+)\(callback, arglist\);$", patch, re.MULTILINE)
    assert removed == ["PyEval_CallObject"] * 5
    assert added == ["PyObject_CallObject"] * 5
    script = (ROOT / "scripts" / "durable-rules.sh").read_text()
    assert re.search(r"^sha256=[0-9a-f]{64}$", script, re.MULTILINE)
    assert "durable-rules==2.0.28" in LOCK.read_text()


# --- PostgreSQL's driver is an optional extra ----------------------------------------------


@pytest.fixture
def without_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the 'postgresql' extra were not installed: importing its driver fails."""
    for name in ("psycopg", "psycopg2"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.usefixtures("without_psycopg")
@pytest.mark.parametrize("url", ["postgresql+psycopg://hr:secret@db/pathways", "postgresql://db/p"])
def test_a_postgresql_url_without_the_driver_names_the_extra(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        Store(url)
    message = str(caught.value)
    assert "PostgreSQL's driver" in message and "career-pathways[postgresql]" in message
    assert "secret" not in message


@pytest.mark.usefixtures("without_psycopg")
def test_the_command_line_says_which_extra_to_install() -> None:
    result = CliRunner().invoke(cli, ["versions", "--db", "postgresql+psycopg://hr@db/pathways"])
    assert result.exit_code == 2
    assert "pip install 'career-pathways[postgresql]'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("without_psycopg")
def test_sqlite_needs_no_extra(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'p.db'}")
    assert store.count_people() == 0
    store.close()


def test_the_lock_file_is_what_the_makefile_installs() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "LOCK := requirements.lock" in makefile
    assert "install -q --require-hashes -r $(LOCK)" in makefile
    assert "install -q --no-deps -e ." in makefile
