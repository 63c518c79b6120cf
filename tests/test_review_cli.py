"""`pathways draft`, `pathways review`, `pathways versions --diff` and `pathways audit`:
the parts of the review workflow the tutorial (tests/test_tutorial.py) does not run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import cli
from pathways import SHIPPED_LIBRARY
from store import Store

# Slow: population runs for the impact of each review (make test-fast leaves it out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PATHWAY = ROOT / "examples" / "tutorial" / "armed_officer.yaml"
CASES = ROOT / "examples" / "tutorial" / "armed_officer_cases.yaml"


def run(db: str, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", db], input=stdin, env={"NO_COLOR": "1"})


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'review.db'}"


def test_a_draft_sent_back_changed_and_approved_now(db: str, tmp_path: Path) -> None:
    saved = run(db, "draft", "save", str(PATHWAY), "--title", "AFO", "--author", "ann")
    assert saved.exit_code == 0 and "draft 1 saved (version 1)" in saved.output
    assert "example cases: none" in saved.output
    sent = run(db, "review", "request-changes", "1", "--note", "add the cases", "--reviewer", "bo")
    assert sent.exit_code == 0 and "sent back to ann" in sent.output
    refused = run(db, "review", "approve", "1", "--reviewer", "bo")
    assert refused.exit_code == 1 and "changes requested, not waiting for review" in refused.output
    stale = run(
        db,
        "draft",
        "save",
        str(PATHWAY),
        "--title",
        "AFO",
        "--author",
        "ann",
        "--draft",
        "1",
        "--version",
        "1",
        "--cases",
        str(CASES),
    )
    assert stale.exit_code == 1 and "not 1 that you saw" in stale.output
    again = run(
        db,
        "draft",
        "save",
        str(PATHWAY),
        "--title",
        "AFO with cases",
        "--author",
        "ann",
        "--draft",
        "1",
        "--version",
        "2",
        "--cases",
        str(CASES),
    )
    assert again.exit_code == 0 and "draft 1 saved (version 3)" in again.output
    assert "5 passed, 0 failed" in again.output
    shown = json.loads(run(db, "draft", "show", "1", "--format", "json").output)
    assert shown["status"] == "open" and shown["cases"] == ["armed_officer_cases.yaml"]
    assert shown["checked"]["cases"]["passed"] == 5
    approved = run(db, "review", "approve", "1", "--reviewer", "bo", "--version", "3")
    assert approved.exit_code == 0 and "in force now" in approved.output
    listed = run(db, "draft", "list")
    assert "no drafts waiting" in listed.output
    assert "published" in run(db, "draft", "list", "--all").output
    log = json.loads(run(db, "audit", "--user", "bo", "--format", "json").output)
    assert [e["action"] for e in log["entries"]][-2:] == [
        "library.publish",
        "draft.request_changes",
    ]
    approval = next(e for e in log["entries"] if e["action"] == "draft.approve")
    assert (approval["after"]["author"], approval["after"]["approver"]) == ("ann", "bo")


def test_a_draft_diffed_against_its_base_and_the_version_in_force(db: str, tmp_path: Path) -> None:
    """A draft made before another publication: its diff against its base shows only its
    change; against the version in force it also shows what was published since."""
    run(db, "draft", "save", str(PATHWAY), "--title", "AFO", "--author", "ann")
    fsl = tmp_path / "fsl.yaml"
    fsl.write_text((SHIPPED_LIBRARY / "fsl.yaml").read_text().replace("  name:", "  name: New", 1))
    run(db, "draft", "save", str(fsl), "--title", "FSL", "--author", "cy")
    assert run(db, "review", "approve", "2", "--reviewer", "bo").exit_code == 0
    own = run(db, "draft", "diff", "1")
    assert "added: pathway 'armed_officer'" in own.output and "pathway 'fsl'" not in own.output
    active = run(db, "draft", "diff", "1", "--against", "active")
    assert "added: pathway 'armed_officer'" in active.output and "pathway 'fsl'" in active.output
    late = run(db, "review", "approve", "1", "--reviewer", "bo")
    assert late.exit_code == 1 and "someone published meanwhile" in late.output
    withdrawn = run(db, "draft", "withdraw", "1", "--actor", "ann", "--note", "made on old")
    assert withdrawn.exit_code == 0 and "withdrawn" in withdrawn.output


def test_versions_diff_and_the_dates_each_decides(db: str) -> None:
    run(db, "draft", "save", str(PATHWAY), "--title", "AFO", "--author", "ann")
    start = dt.date.today() + dt.timedelta(days=30)
    assert (
        run(
            db, "review", "approve", "1", "--reviewer", "bo", "--effective-from", start.isoformat()
        ).exit_code
        == 0
    )
    data = json.loads(run(db, "versions", "--format", "json").output)
    scheduled = next(v for v in data if v["approver"] == "bo")
    base = next(v for v in data if v["approver"] is None)
    assert scheduled["decides"] == [f"{start} on (scheduled)"] and not scheduled["active"]
    assert base["decides"] == [f"dates before {start}"] and base["active"]
    diff = run(db, "versions", "--diff", base["digest"][:10], scheduled["digest"][:10])
    assert diff.exit_code == 0 and "added: pathway 'armed_officer'" in diff.output
    assert "+++ armed_officer.yaml (after)" in diff.output
    bad = run(db, "versions", "--diff", "ffff", "shipped")
    assert bad.exit_code == 2 and "no stored version start with 'ffff'" in bad.output
    store = Store(db)
    try:
        assert store.library_in_force(start - dt.timedelta(days=1)).digest == base["digest"]
        assert store.library_in_force(start).digest == scheduled["digest"]
    finally:
        store.close()


def test_audit_filters(db: str) -> None:
    run(db, "draft", "save", str(PATHWAY), "--title", "AFO", "--author", "ann")
    today = dt.date.today().isoformat()
    both = run(db, "audit", "--action", "draft", "--since", today, "--until", today)
    assert "draft.save" in both.output and "1 of 1 entry" in both.output
    assert "0 of 0 entries" in run(db, "audit", "--until", "2000-01-01").output
    assert "0 of 0 entries" in run(db, "audit", "--user", "nobody").output
    assert run(db, "audit", "--since", "yesterday").exit_code == 2
