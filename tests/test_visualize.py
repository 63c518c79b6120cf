"""Diagrams: DOT structure, decision overlays, real rendering with graphviz's dot, layout quality.

DOT is read back with ``dot -Tdot_json`` (graphviz's own parser, no layout), so
the tests see attributes exactly as graphviz will.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shipped import shipped

from accreditation.io import load_record
from accreditation.record import Person
from cli import cli
from pathways import SHIPPED_LIBRARY, load_library
from pathways.model.library import Library
from rules.decision import Decision, Status
from rules.engine import Evaluator
from visualize import (
    Diagram,
    node_id,
    overlaps,
    overlay,
    overview_diagram,
    pathway_diagram,
    render,
    to_graph,
)
from visualize.dot import NAME_WIDTH
from visualize.model import NOT_IN_FORCE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"

Attrs = dict[str, Any]


def _decide(evaluator: Evaluator, person: Person, on: str) -> Decision:
    return evaluator.decide(person, dt.date.fromisoformat(on))


@pytest.fixture(scope="module")
def decisions(evaluator: Evaluator) -> dict[str, Decision]:
    """Between them, every status: lapsed (PIP), held and eligible (SPNAC), eligible from."""
    analyst = load_record(EXAMPLES / "staff_analyst.json").model_dump(mode="json", by_alias=True)
    analyst["credentials"] = [{"id": "A1", "credential": "analyst_nos", "awarded": "2024-01-10"}]
    return {
        "pip": _decide(evaluator, load_record(EXAMPLES / "inspector_pip.json"), "2024-06-01"),
        "spnac": _decide(
            evaluator, load_record(EXAMPLES / "superintendent_spnac.json"), "2010-04-01"
        ),
        "before_fsl": _decide(
            evaluator, load_record(EXAMPLES / "superintendent_spnac.json"), "2010-03-31"
        ),
        "analyst": _decide(evaluator, Person.model_validate(analyst), "2024-06-01"),
    }


def _parsed(diagram: Diagram) -> tuple[Attrs, dict[str, Attrs], list[tuple[str, str, Attrs]]]:
    """(graph attributes, nodes by name, edges) as graphviz itself reads the DOT."""
    data = json.loads(to_graph(diagram).pipe(format="dot_json"))
    objects = data.get("objects", [])
    first_node = data.get("_subgraph_cnt", 0)
    nodes = {o["name"]: o for o in objects[first_node:]}
    edges = [
        (objects[e["tail"]]["name"], objects[e["head"]]["name"], e) for e in data.get("edges", [])
    ]
    return data, nodes, edges


def _visible(edges: list[tuple[str, str, Attrs]]) -> list[tuple[str, str, Attrs]]:
    return [e for e in edges if e[2].get("style") != "invis"]


# --- structure -------------------------------------------------------------------------------


def test_pip_has_four_stages_in_order_and_three_progressions(library: Library) -> None:
    diagram = pathway_diagram(library, "pip")
    graph, nodes, edges = _parsed(diagram)
    stages = [n for n in nodes if n.startswith("pip__")]
    assert stages == [f"pip__level_{i}" for i in (1, 2, 3, 4)]
    progressions = [
        (t, h) for t, h, a in _visible(edges) if a["style"] == "solid" and t.startswith("pip__")
    ]
    assert sorted(progressions) == [(f"pip__level_{i}", f"pip__level_{i + 1}") for i in (1, 2, 3)]
    assert graph["newrank"] == "true" and graph["rankdir"] == "TB"
    level_2 = nodes["pip__level_2"]
    assert level_2["id"] == "pip__level_2" and level_2["URL"] == "#stage-pip-level_2"
    # The tooltip: the name, the requirements in words (the exam), and nested options.
    assert level_2["tooltip"].startswith("PIP level 2 - volume and serious crime investigator")
    assert "Passed the National Investigators' Examination" in level_2["tooltip"]
    assert "At least 12 months as a detective constable" in level_2["tooltip"]
    assert "Passed the National Investigators" in level_2["label"]  # summarised on the node
    assert [n.level for n in diagram.nodes if n.pathway == "pip"] == [0, 1, 2, 3]


def test_senior_leadership_shows_fsl_as_dated_dashed_prerequisites(library: Library) -> None:
    diagram = pathway_diagram(library, "senior_leadership")
    _, nodes, edges = _parsed(diagram)
    into_spnac = {t: a for t, h, a in _visible(edges) if h == "senior_leadership__spnac"}
    for stage in ("stage_1", "stage_2", "stage_3"):
        attrs = into_spnac[node_id("fsl", stage)]
        assert attrs["style"] == "dashed"
        assert "from 2010-04-01" in attrs["label"]
        assert diagram.node("fsl", stage).external
    assert into_spnac["senior_leadership__chief_inspector"]["style"] == "solid"
    promoted = into_spnac.get("promotion__chief_inspector") or next(
        a for t, h, a in edges if t == "promotion__chief_inspector"
    )
    assert promoted["style"] == "dashed" and "prerequisite" in promoted["label"]
    # The other pathways are boxes of their own, drawn as "other pathway".
    assert {c.id for c in diagram.clusters if c.external} == {"fsl", "promotion"}
    assert "in force from 2010-04-01" in nodes["fsl__stage_1"]["label"]


def test_fsl_diagram_shows_what_it_leads_to(library: Library) -> None:
    diagram = pathway_diagram(library, "fsl")
    heads = {e.head for e in diagram.edges if e.kind == "prerequisite"}
    assert heads == {"senior_leadership__spnac"}
    assert diagram.node("senior_leadership", "spnac").external


def test_overview_has_every_pathway_as_a_cluster_with_links(library: Library) -> None:
    diagram = overview_diagram(library)
    graph, nodes, edges = _parsed(diagram)
    assert graph["compound"] == "true" and graph["newrank"] == "true"
    clusters = {o["name"] for o in graph["objects"] if o["name"].startswith("cluster_")}
    assert {f"cluster_{p}" for p in library.pathways} <= clusters
    stages = {node_id(p.id, s.id) for p, s in library.stages()}
    assert stages <= set(nodes)
    cross = {
        (t.split("__")[0], h.split("__")[0])
        for t, h, a in _visible(edges)
        if a["style"] == "dashed" and t.split("__")[0] != h.split("__")[0]
    }
    assert {("fsl", "senior_leadership"), ("pip", "detective")} <= cross


def test_stages_of_a_level_share_a_rank(library: Library) -> None:
    graph, _, _ = _parsed(pathway_diagram(library, "recruit"))
    names = {i: o["name"] for i, o in enumerate(graph["objects"])}
    ranks = [
        sorted(names[n] for n in o.get("nodes", []))
        for o in graph["objects"]
        if o.get("rank") == "same"
    ]
    streams = ["recruit__community_stream", "recruit__investigation_stream"]
    assert [*streams, "recruit__response_stream"] in ranks


def test_an_alternative_prerequisite_is_dotted(library: Library, tmp_path: Path) -> None:
    (tmp_path / "either.yaml").write_text(
        "pathway:\n  id: either\n  name: Either\n  stages:\n"
        "    - id: next\n      name: Next\n      entry: true\n      requires:\n"
        "        - any_of: [{reached: fsl.stage_1}, {reached: pip.level_1}]\n"
        "          effective_from: 2012-01-01\n"
    )
    extended = load_library([tmp_path], base=SHIPPED_LIBRARY)
    _, _, edges = _parsed(pathway_diagram(extended, "either"))
    into = {t: a for t, h, a in edges if h == "either__next"}
    assert set(into) == {"fsl__stage_1", "pip__level_1"}
    assert all(a["style"] == "dotted" and "from 2012-01-01" in a["label"] for a in into.values())


def test_long_names_are_wrapped(library: Library) -> None:
    diagram = pathway_diagram(library, "senior_leadership")
    _, nodes, _ = _parsed(diagram)
    label = nodes["senior_leadership__spnac"]["label"]
    assert "Senior Police National<BR/>Assessment Centre<BR/>(SPNAC)" in label
    for node in diagram.nodes:
        name_part = nodes[node.id]["label"].split("</B>")[0]
        lines = name_part.split(">", 5)[-1].split("<BR/>")
        assert all(len(line) <= NAME_WIDTH or " " not in line for line in lines), lines


# --- decisions drawn -------------------------------------------------------------------------


def test_every_status_differs_in_colour_and_in_line_or_shape(
    library: Library, decisions: dict[str, Decision]
) -> None:
    attrs: dict[str, Attrs] = {}
    for decision in decisions.values():
        diagram = overlay(overview_diagram(library), decision)
        _, nodes, _ = _parsed(diagram)
        for node in diagram.nodes:
            assert node.marking is not None
            attrs.setdefault(node.marking.status, nodes[node.id])
    assert set(attrs) == {*(s.value for s in Status), NOT_IN_FORCE}
    for a, b in itertools.combinations(attrs, 2):
        assert attrs[a]["color"] != attrs[b]["color"], (a, b)
        # Without colour: border style, shape, double border, width or fill tell them apart.
        look = ("style", "shape", "peripheries", "penwidth", "fillcolor")
        assert tuple(attrs[a].get(k) for k in look) != tuple(attrs[b].get(k) for k in look)
    assert attrs["held"]["peripheries"] == "2"
    assert "dashed" in attrs["eligible_from"]["style"]
    assert "diagonals" in attrs["lapsed"]["style"]
    assert "dotted" in attrs["not_eligible"]["style"]
    assert float(attrs["eligible"]["penwidth"]) > float(attrs["not_eligible"]["penwidth"])


def test_dates_are_in_the_labels(library: Library, decisions: dict[str, Decision]) -> None:
    _, nodes, _ = _parsed(overlay(pathway_diagram(library, "pip"), decisions["pip"]))
    assert "LAPSED ON 2024-04-20" in nodes["pip__level_1"]["label"]
    assert "NOT ELIGIBLE" in nodes["pip__level_3"]["label"]
    _, nodes, _ = _parsed(overlay(pathway_diagram(library, "analyst"), decisions["analyst"]))
    assert "ELIGIBLE FROM 2025-02-01" in nodes["analyst__senior_analyst"]["label"]
    assert "HELD" in nodes["analyst__researcher"]["label"]


def test_stages_not_in_force_are_not_called_not_eligible(
    library: Library, decisions: dict[str, Decision]
) -> None:
    diagram = overlay(pathway_diagram(library, "senior_leadership"), decisions["before_fsl"])
    marking = diagram.node("fsl", "stage_1").marking
    assert marking is not None and marking.status == NOT_IN_FORCE
    assert marking.words == "not in force on 2010-03-31"
    assert NOT_IN_FORCE in diagram.statuses  # and so in the key


def test_legend_caption_and_next_steps(library: Library, decisions: dict[str, Decision]) -> None:
    decision = decisions["pip"]
    graph, nodes, _ = _parsed(overlay(pathway_diagram(library, "pip"), decision, "Sam"))
    legend = {n for n in nodes if n.startswith("legend__")}
    assert {f"legend__{s.value}" for s in Status} | {"legend__next_step"} <= legend
    assert "dotted" in nodes["legend__not_eligible"]["style"]  # the key uses the real styles
    assert "cluster_legend" in {o["name"] for o in graph["objects"]}
    caption = graph["label"]
    assert "W100234 Sam - as of 2024-06-01" in caption
    assert decision.library_version[:12] in caption and decision.engine in caption
    # Next steps: a NEXT STEP badge and the step itself, on those stages only.
    assert "NEXT STEP" in nodes["pip__level_1"]["label"]
    assert "Revalidate: PIP level 1" in nodes["pip__level_1"]["label"]
    assert "Next step: Revalidate" in nodes["pip__level_1"]["tooltip"]
    assert "NEXT STEP" not in nodes["pip__level_3"]["label"]


def test_a_plain_diagram_has_no_status_key(library: Library) -> None:
    _, nodes, _ = _parsed(pathway_diagram(library, "pip"))
    assert not any(n.startswith("legend__") and n != "legend__edges" for n in nodes)


def test_overlay_refuses_a_decision_of_another_library_version(
    library: Library, decisions: dict[str, Decision]
) -> None:
    other = decisions["pip"].model_copy(update={"library_version": "0" * 64})
    with pytest.raises(ValueError, match="library version 000000000000"):
        overlay(pathway_diagram(library, "pip"), other)


# --- rendering with the real dot ---------------------------------------------------------------


def test_svg_keeps_node_ids_and_tooltips(
    library: Library, decisions: dict[str, Decision], tmp_path: Path
) -> None:
    diagram = overlay(pathway_diagram(library, "senior_leadership"), decisions["spnac"])
    path = render(to_graph(diagram), tmp_path / "senior.svg")
    root = ET.parse(path).getroot()
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}
    for node in diagram.nodes:
        group = groups[node.id]
        assert group.findtext(f"{SVG}title") == node.id
        link = group.find(f".//{SVG}a")
        assert link is not None
        assert link.get(f"{XLINK}href") == node.url
        assert link.get(f"{XLINK}title", "").startswith(node.name)


def test_png_and_dot_are_written(library: Library, tmp_path: Path) -> None:
    graph = to_graph(overview_diagram(library))
    png = render(graph, tmp_path / "sub" / "overview.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert render(graph, tmp_path / "overview.gv").read_text() == graph.source
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.dot or \.gv"):
        render(graph, tmp_path / "overview.jpg")


def _every_diagram() -> list[str]:
    return [*shipped().pathways, "overview"]


@pytest.mark.parametrize("name", _every_diagram())
def test_no_labels_overlap(name: str, library: Library, decisions: dict[str, Decision]) -> None:
    """Laid out by dot: no two node boxes (or cluster labels) overlap, no edge label sits on one.

    With and without a person on it: badges and next steps make nodes bigger.
    """
    plain = overview_diagram(library) if name == "overview" else pathway_diagram(library, name)
    for diagram in (plain, overlay(plain, decisions["pip"]), overlay(plain, decisions["spnac"])):
        assert overlaps(to_graph(diagram)) == []


def test_the_overlap_check_finds_overlaps() -> None:
    # neato with pinned positions puts two boxes on top of each other.
    crowded = 'digraph { layout=neato; a [shape=box pos="0,0!"]; b [shape=box pos="0.2,0!"] }'
    assert overlaps(crowded) == [("a", "b")]


# --- the command ----------------------------------------------------------------------------


def test_cli_renders_png_with_a_person(tmp_path: Path) -> None:
    out = tmp_path / "pip-W100234.png"
    result = CliRunner().invoke(
        cli,
        [
            "render",
            "pip",
            "--record",
            str(EXAMPLES / "inspector_pip.json"),
            "--as-of",
            "2024-06-01",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_cli_default_output_is_svg_under_var_diagrams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    record = str(EXAMPLES / "superintendent_spnac.json")
    result = CliRunner().invoke(cli, ["render", "overview", "--record", record])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "var" / "diagrams" / "overview-W204817.svg").exists()
    assert CliRunner().invoke(cli, ["render", "fsl"]).exit_code == 0
    assert (tmp_path / "var" / "diagrams" / "fsl.svg").exists()


def test_cli_unknown_pathway_suggests_and_lists() -> None:
    result = CliRunner().invoke(cli, ["render", "senior_leadershp"])
    assert result.exit_code == 2
    assert "did you mean 'senior_leadership'?" in result.output
    assert "overview, analyst, assessors" in result.output


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["pip", "--as-of", "2024-06-01"], "--as-of"),
        (["pip", "-o", "pip.pdf"], "-o/--output"),
    ],
)
def test_cli_usage_errors_name_the_flag(args: list[str], flag: str) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2
    assert flag in result.output


def test_cli_invalid_record_names_the_flag(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "W1"}')
    result = CliRunner().invoke(cli, ["render", "pip", "--record", str(bad)])
    assert result.exit_code == 2
    assert "--record" in result.output
