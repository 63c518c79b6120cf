"""A changed library compiles to a new version in the same process; old and new coexist."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from accreditation.io import load_record
from pathways import SHIPPED_LIBRARY, load_library
from rules import Evaluator, Status
from rules.engine import shared_engine

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_an_edited_library_is_a_new_version_decided_side_by_side(tmp_path: Path) -> None:
    edited = tmp_path / "library"
    shutil.copytree(SHIPPED_LIBRARY, edited)
    senior = edited / "senior_leadership.yaml"
    # Move the FSL prerequisite's start date: a rule change HR might publish.
    senior.write_text(senior.read_text().replace("2010-04-01", "2011-01-01"))

    old, new = load_library([SHIPPED_LIBRARY]), load_library([edited])
    assert old.digest != new.digest
    person = load_record(EXAMPLES / "superintendent_spnac.json")
    day = dt.date(2010, 6, 1)
    before = Evaluator(old).decide(person, day)
    after = Evaluator(new).decide(person, day)
    assert before.library_version == old.digest and after.library_version == new.digest
    assert before.stage("senior_leadership", "spnac").status is Status.NOT_ELIGIBLE
    assert after.stage("senior_leadership", "spnac").status is Status.ELIGIBLE
    # Both versions stay loaded in the one engine until one is unloaded.
    engine = shared_engine()
    assert {old.digest, new.digest} <= set(engine.loaded())
    engine.unload(new.digest)
    assert new.digest not in engine.loaded()
    # The old version still works, and the new one can be loaded again.
    assert Evaluator(old).decide(person, day) == before
    assert Evaluator(new).decide(person, day) == after
