"""Catalogue additions: a new pathway brings its own courses, credentials and roles.

The broken cases (clashes, ranks, replaces, two files adding one id) are in
tests/fixtures/broken/cases.yaml; these are the ones that must work.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

from authoring.checker import check_paths
from cli import cli
from pathways import SHIPPED_LIBRARY
from pathways.loader import is_catalogue_file, load_with_problems
from pathways.model.additions import ADDABLE, ORDERED
from pathways.model.catalogue import SECTIONS
from web.library import check_upload
from web.service import LibraryInUse
from workforce.impact import changed_pathways

PATHWAY = textwrap.dedent(
    """\
    pathway:
      id: firearms
      name: Firearms
      source: "illustrative: armed policing is not in the sources"
      stages:
        - id: afo
          name: Authorised firearms officer
          entry: true
          source: illustrative
          awards: {credential: afo_accreditation}
          requires:
            - reached: recruit.initial_training
              source: illustrative
            - course: afo_course
              source: illustrative
            - passed: afo_selection
              source: illustrative
    """
)
ADDITIONS = textwrap.dedent(
    """\
    catalogue:
      courses:
        - {id: afo_course, name: Authorised firearms officer course}
      credentials:
        - {id: afo_accreditation, name: AFO accreditation, validity_months: 12}
      assessments:
        - {id: afo_selection, name: AFO selection, kind: assessment}
    """
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_every_unordered_section_can_be_added() -> None:
    assert set(ADDABLE) == set(SECTIONS) - set(ORDERED)


def test_pathway_file_with_its_own_entries_checks_against_the_shipped_library(
    tmp_path: Path,
) -> None:
    afo = write(tmp_path / "firearms.yaml", PATHWAY + ADDITIONS)
    assert not is_catalogue_file(afo)
    result = CliRunner().invoke(cli, ["check", str(afo)])
    assert result.exit_code == 0, result.output
    assert "ok: 1 file(s), 11 pathways" in result.output
    assert (
        "firearms.yaml adds 3 catalogue entries: afo_course, afo_accreditation, afo_selection"
        in (result.output)
    )
    library, problems = load_with_problems([afo], SHIPPED_LIBRARY)
    assert problems == [] and library is not None
    assert library.added == {
        ("courses", "afo_course"): library.files["firearms"],
        ("credentials", "afo_accreditation"): library.files["firearms"],
        ("assessments", "afo_selection"): library.files["firearms"],
    }
    entry = library.catalogue.entry("credentials", "afo_accreditation")
    assert entry is not None and getattr(entry, "validity_months", None) == 12
    # The shipped entries are all still there, in their order, with the new ones after.
    shipped, _ = load_with_problems([SHIPPED_LIBRARY])
    assert shipped is not None
    assert library.catalogue.ids("courses")[:-1] == shipped.catalogue.ids("courses")


def test_a_fragment_file_beside_the_pathway_gives_the_same_library(tmp_path: Path) -> None:
    inline = write(tmp_path / "inline.yaml", PATHWAY + ADDITIONS)
    apart = tmp_path / "apart"
    apart.mkdir()
    write(apart / "firearms.yaml", PATHWAY)
    fragment = write(apart / "firearms_catalogue.yaml", ADDITIONS)
    assert not is_catalogue_file(fragment)
    one, p1 = load_with_problems([inline], SHIPPED_LIBRARY)
    two, p2 = load_with_problems([apart], SHIPPED_LIBRARY)
    assert p1 == p2 == [] and one is not None and two is not None
    assert one.digest == two.digest


def test_the_digest_does_not_depend_on_where_the_files_are(tmp_path: Path) -> None:
    """Checked alone on the shipped library (the CLI) or as one folder (what the web stores
    and publishes): one library, one version."""
    afo = write(tmp_path / "firearms.yaml", PATHWAY + ADDITIONS)
    whole = tmp_path / "whole"
    shutil.copytree(SHIPPED_LIBRARY, whole)
    shutil.copy(afo, whole / "firearms.yaml")
    on_base, _ = load_with_problems([afo], SHIPPED_LIBRARY)
    together, _ = load_with_problems([whole])
    assert on_base is not None and together is not None
    assert on_base.digest == together.digest


def test_replaces_changes_an_entry_in_its_place(tmp_path: Path) -> None:
    text = PATHWAY + ADDITIONS + "  replaces: [pip_level_1_training]\n"
    text = text.replace(
        "  courses:\n",
        "  courses:\n    - {id: pip_level_1_training, name: PIP level 1 training (new)}\n",
    )
    afo = write(tmp_path / "firearms.yaml", text)
    library, problems = load_with_problems([afo], SHIPPED_LIBRARY)
    assert problems == [] and library is not None
    shipped, _ = load_with_problems([SHIPPED_LIBRARY])
    assert shipped is not None
    ids = library.catalogue.ids("courses")
    assert ids.index("pip_level_1_training") == shipped.catalogue.ids("courses").index(
        "pip_level_1_training"
    )
    assert library.catalogue.names()[("courses", "pip_level_1_training")].endswith("(new)")


def test_without_the_additions_the_new_ids_are_unknown(tmp_path: Path) -> None:
    report = check_paths([write(tmp_path / "firearms.yaml", PATHWAY)], SHIPPED_LIBRARY)
    found = sorted(p.message for p in report.problems)
    assert found == [
        "unknown assessment 'afo_selection': not in the catalogue",
        "unknown course 'afo_course': not in the catalogue",
        "unknown credential 'afo_accreditation' (awards): not in the catalogue",
    ]
    first, *rest = sorted(report.problems, key=lambda p: p.line or 0)
    assert first.snippet is not None and first.snippet.startswith("catalogue:\n")
    assert all(f"- id: {i}" in first.snippet for i in ("afo_course", "afo_selection"))
    assert all(
        p.snippet is None and f"shown at firearms.yaml:{first.line}" in (p.hint or "") for p in rest
    )


def test_the_web_upload_takes_the_same_file() -> None:
    shipped, _ = load_with_problems([SHIPPED_LIBRARY])
    assert shipped is not None
    used = LibraryInUse(shipped, None, SHIPPED_LIBRARY)
    check = check_upload(used, "firearms.yaml", PATHWAY + ADDITIONS)
    assert check.findings == [] and check.digest is not None
    broken = check_upload(used, "firearms.yaml", PATHWAY)
    assert {f.problem.code for f in broken.findings} == {"unknown-reference"}
    assert all(f.file == "firearms.yaml" for f in broken.findings)


def test_entries_only_added_change_no_existing_pathway(tmp_path: Path) -> None:
    """Impact decides only the new pathway: its own catalogue entries change no rule of
    the others (a changed entry would: every pathway is decided again)."""
    shipped, _ = load_with_problems([SHIPPED_LIBRARY])
    added, _ = load_with_problems(
        [write(tmp_path / "firearms.yaml", PATHWAY + ADDITIONS)], SHIPPED_LIBRARY
    )
    assert shipped is not None and added is not None
    assert changed_pathways(shipped, added) == ["firearms"]
    text = PATHWAY + ADDITIONS.replace(
        "  courses:\n", "  courses:\n    - {id: pip_level_1_training, name: New}\n"
    )
    text += "  replaces: [pip_level_1_training]\n"
    replaced, _ = load_with_problems([write(tmp_path / "firearms.yaml", text)], SHIPPED_LIBRARY)
    assert replaced is not None
    assert changed_pathways(shipped, replaced) == sorted(replaced.pathways)
