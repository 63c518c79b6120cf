"""Checking a laid-out diagram: no two node boxes overlap, no edge label sits on a node.

Graphviz's ``json`` output gives each node's centre (points) and size (inches),
and each edge label's centre; this is what the test of every shipped pathway
uses, and what anyone changing the drawing can run.

>>> overlaps("digraph { a -> b; c }")
[]
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .output import pipe

if TYPE_CHECKING:
    import graphviz

__all__ = ["Box", "node_boxes", "overlaps"]

POINTS_PER_INCH = 72


@dataclass(frozen=True)
class Box:
    """A node's outline on the page, in points."""

    name: str
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: Box) -> bool:
        """True if the boxes share more than an edge.

        >>> Box("a", 0, 0, 10, 10).overlaps(Box("b", 10, 0, 20, 10))
        False
        """
        return (
            self.left < other.right
            and other.left < self.right
            and self.bottom < other.top
            and other.bottom < self.top
        )

    def contains(self, x: float, y: float) -> bool:
        return self.left < x < self.right and self.bottom < y < self.top


def _layout(graph: graphviz.Digraph | str) -> dict[str, Any]:
    source = graph if isinstance(graph, str) else graph.source
    data: dict[str, Any] = json.loads(pipe(source, "json"))
    return data


def node_boxes(graph: graphviz.Digraph | str) -> list[Box]:
    """Every node's box after layout by ``dot`` (invisible nodes included), and every
    cluster label's (named ``"label of cluster_..."``)."""
    return _boxes(_layout(graph))


def _boxes(layout: dict[str, Any]) -> list[Box]:
    boxes = []
    for obj in layout.get("objects", []):
        if "lp" in obj and "lwidth" in obj:  # a cluster's label
            x, y = (float(v) for v in obj["lp"].split(","))
            half_w = float(obj["lwidth"]) * POINTS_PER_INCH / 2
            half_h = float(obj["lheight"]) * POINTS_PER_INCH / 2
            boxes.append(
                Box(f"label of {obj['name']}", x - half_w, y - half_h, x + half_w, y + half_h)
            )
        if "pos" not in obj:  # subgraphs and clusters have a bounding box, not a position
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        half_w = float(obj["width"]) * POINTS_PER_INCH / 2
        half_h = float(obj["height"]) * POINTS_PER_INCH / 2
        boxes.append(Box(obj["name"], x - half_w, y - half_h, x + half_w, y + half_h))
    return boxes


def overlaps(graph: graphviz.Digraph | str) -> list[tuple[str, str]]:
    """Pairs that collide: two nodes, or an edge label (``"a -> b"``) and a node."""
    layout = _layout(graph)
    boxes = _boxes(layout)
    found = [(a.name, b.name) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]
    names = {i: o["name"] for i, o in enumerate(layout.get("objects", []))}
    for edge in layout.get("edges", []):
        if "lp" not in edge:
            continue
        x, y = (float(v) for v in edge["lp"].split(","))
        label = f"{names.get(edge['tail'])} -> {names.get(edge['head'])}"
        found += [(label, box.name) for box in boxes if box.contains(x, y)]
    return found
