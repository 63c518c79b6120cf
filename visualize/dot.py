"""A :class:`~visualize.model.Diagram` drawn as a graphviz ``Digraph`` (DOT).

Labels are graphviz HTML-like labels: the stage name in bold (wrapped), a
status badge and next steps when a decision is drawn, and the requirements in
small type. Every node carries an ``id`` (its DOT name, for the SVG), a
``tooltip`` (its requirements in full) and a ``URL`` to the stage's section of
a web page. The graphviz package is imported only when a graph is made.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from visualize.build import pathway_diagram
>>> source = to_graph(pathway_diagram(load_library([SHIPPED_LIBRARY]), "pip")).source
>>> "pip__level_1 -> pip__level_2" in source, "newrank=true" in source
(True, True)
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING

from .model import Diagram, Edge, Node
from .style import (
    FONT,
    NEXT_STEP,
    STATUS_STYLES,
    cluster_attributes,
    edge_attributes,
    node_attributes,
)

if TYPE_CHECKING:
    import graphviz

__all__ = ["to_graph", "wrap"]

NAME_WIDTH = 22  # characters per line of a stage name
DETAIL_WIDTH = 34  # ... of a requirement or a next step
STEPS_SHOWN = 3  # next steps written on a node; the tooltip has them all
LEGEND_PER_ROW = 3


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters (longer only for a longer word).

    >>> wrap("Senior Police National Assessment Centre (SPNAC)", 22)
    ['Senior Police National', 'Assessment Centre', '(SPNAC)']
    """
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def to_graph(diagram: Diagram) -> graphviz.Digraph:
    """The diagram as a graphviz ``Digraph``: ``.source`` is DOT; see :func:`render`.

    One pathway is drawn top to bottom, a level per rank; the overview left to
    right, so each pathway is a band of its own and the links run between them.
    """
    import graphviz

    g = graphviz.Digraph(name=f"diagram_{diagram.name}")
    g.attr(
        rankdir="TB" if diagram.kind == "pathway" else "LR",
        newrank="true",  # rank=same inside clusters, and ranks shared across them
        compound="true",
        fontname=FONT,
        label=_caption(diagram),
        labelloc="t",
        labeljust="l",
        nodesep="0.35" if diagram.kind == "pathway" else "0.25",
        ranksep="0.55" if diagram.kind == "pathway" else "0.7",
        pad="0.3",
        id=f"diagram-{diagram.name}",
        tooltip=diagram.title,
        bgcolor="white",
    )
    g.attr("node", fontname=FONT, fontsize="12")
    g.attr("edge", fontname=FONT, fontsize="10")
    external = {n.id for n in diagram.nodes if n.external}
    for cluster in diagram.clusters:
        members = [n for n in diagram.nodes if n.pathway == cluster.id]
        # A one-pathway diagram needs no box around its own pathway, only around others.
        boxed = diagram.kind == "overview" or cluster.external
        with g.subgraph(name=f"cluster_{cluster.id}" if boxed else None) as sub:
            if boxed:
                sub.attr(
                    label=_cluster_label(cluster.name, cluster.external),
                    labelloc=_cluster_label_side(diagram, cluster.id),
                    id=f"pathway-{cluster.id}",
                    tooltip=cluster.name,
                    margin="12",
                    **cluster_attributes(cluster.external),
                )
            for node in members:
                sub.node(node.id, label=_label(node), **_node_extras(node))
            if not cluster.external:
                _same_ranks(sub, members)
    for edge in diagram.edges:
        g.edge(
            edge.tail,
            edge.head,
            label=f"<{_small(edge.label, 9)}>" if edge.label else None,
            tooltip=_edge_tooltip(diagram, edge),
            id=f"edge-{edge.tail}-{edge.head}",
            **edge_attributes(edge, external={edge.tail, edge.head} <= external),
        )
    _legend(g, diagram)
    return g


def _node_extras(node: Node) -> dict[str, str]:
    return node_attributes(node) | {
        "id": node.id,
        "URL": node.url,
        "tooltip": _dot_text(_node_tooltip(node)),
        "target": "_top",
    }


def _same_ranks(sub: graphviz.Digraph, members: list[Node]) -> None:
    """Stages of one level side by side (a sub-subgraph per level)."""
    for level in sorted({n.level for n in members}):
        with sub.subgraph() as rank:
            rank.attr(rank="same")
            for node in members:
                if node.level == level:
                    rank.node(node.id)


def _label(node: Node) -> str:
    """An HTML-like label: name, dates, status badge, next steps, requirements."""
    size = 10 if node.external else 12
    width = NAME_WIDTH - 2 if node.external else NAME_WIDTH
    rows = [f"<TR><TD>{_lines(wrap(node.name, width), size, bold=True)}</TD></TR>"]
    if node.dates:
        rows.append(f"<TR><TD>{_small(node.dates, 9, italic=True)}</TD></TR>")
    if node.marking is not None:
        style = STATUS_STYLES[node.marking.status]
        size = 8 if node.external else 10
        rows.append(_badge(node.marking.words.upper(), style.badge, style.badge_text, size))
        if node.marking.next_steps and not node.external:
            rows.append(_badge(NEXT_STEP["word"], NEXT_STEP["badge"], NEXT_STEP["badge_text"], 10))
            shown = list(node.marking.next_steps[:STEPS_SHOWN])
            if len(node.marking.next_steps) > STEPS_SHOWN:
                shown.append(f"+ {len(node.marking.next_steps) - STEPS_SHOWN} more (tooltip)")
            rows.append(_bullets(shown, mark="→"))
    if node.details:
        if not node.external:
            rows.append(f'<TR><TD ALIGN="LEFT">{_small("requires:", 9, italic=True)}</TD></TR>')
        rows.append(_bullets(node.details))
    table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
    return f"<{table}{''.join(rows)}</TABLE>>"


def _badge(text: str, background: str, colour: str, size: int) -> str:
    return (
        f'<TR><TD BGCOLOR="{background}" CELLPADDING="2">'
        f'<FONT COLOR="{colour}" POINT-SIZE="{size}"><B>{escape(text, quote=False)}</B></FONT>'
        "</TD></TR>"
    )


def _bullets(items: Iterable[str], mark: str = "•") -> str:
    lines: list[str] = []
    for item in items:
        parts = wrap(item, DETAIL_WIDTH)
        lines += [f"{mark} {parts[0]}", *("   " + p for p in parts[1:])]
    body = '<BR ALIGN="LEFT"/>'.join(escape(line, quote=False) for line in lines)
    return (
        f'<TR><TD ALIGN="LEFT" BALIGN="LEFT"><FONT POINT-SIZE="10">{body}'
        '<BR ALIGN="LEFT"/></FONT></TD></TR>'
    )


def _lines(lines: list[str], size: int, bold: bool = False) -> str:
    body = "<BR/>".join(escape(line, quote=False) for line in lines)
    if bold:
        body = f"<B>{body}</B>"
    return f'<FONT POINT-SIZE="{size}">{body}</FONT>'


def _small(text: str, size: int, italic: bool = False) -> str:
    body = escape(text, quote=False)
    return f'<FONT POINT-SIZE="{size}">{f"<I>{body}</I>" if italic else body}</FONT>'


def _cluster_label(name: str, external: bool) -> str:
    lines = wrap(name, 30 if external else 40)
    if external:
        return f"<{_small('other pathway:', 9, italic=True)}<BR/>{_lines(lines, 10)}>"
    return f"<{_lines(lines, 14, bold=True)}>"


def _cluster_label_side(diagram: Diagram, pathway_id: str) -> str:
    """Top, unless edges come into the box from outside: they would cross its label.

    (Edges run downwards: those that leave a box leave from its bottom.)
    """
    inside = {n.id for n in diagram.nodes if n.pathway == pathway_id}
    entered = any(e.head in inside and e.tail not in inside for e in diagram.edges)
    left = any(e.tail in inside and e.head not in inside for e in diagram.edges)
    return "b" if diagram.kind == "pathway" and entered and not left else "t"


def _caption(diagram: Diagram) -> str:
    caption = diagram.caption or (f"library version {diagram.library_version[:12]}",)
    body = "".join(f'<BR ALIGN="LEFT"/>{escape(line, quote=False)}' for line in caption)
    return (
        f'<<FONT POINT-SIZE="18"><B>{escape(diagram.title, quote=False)}</B></FONT>'
        f'<FONT POINT-SIZE="12">{body}</FONT><BR ALIGN="LEFT"/> >'
    )


def _node_tooltip(node: Node) -> str:
    if node.marking is None:
        return node.tooltip
    lines = [node.tooltip, f"Status: {node.marking.words}"]
    lines += [f"Next step: {step}" for step in node.marking.next_steps]
    return "\n".join(lines)


def _edge_tooltip(diagram: Diagram, edge: Edge) -> str:
    names = {n.id: n.name for n in diagram.nodes}
    what = edge.kind + (f", {edge.label}" if edge.label and edge.label != edge.kind else "")
    return _dot_text(f"{names[edge.tail]} -> {names[edge.head]} ({what})")


def _dot_text(text: str) -> str:
    """Plain text for an escString attribute (tooltip): backslashes kept, newlines as \\n."""
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _legend(g: graphviz.Digraph, diagram: Diagram) -> None:
    """A key: the statuses (when a decision is drawn), next steps, and the edge kinds.

    Its items are real nodes with the real attributes, so the key cannot drift
    from the drawing. Rows of ``LEGEND_PER_ROW`` sit below a one-pathway diagram;
    in the overview (left to right) a rank is a column, so the key is a column.
    """
    items: list[tuple[str, dict[str, str], str]] = []
    for status in diagram.statuses:
        style = STATUS_STYLES[status]
        label = _legend_label(style.word.upper(), style.badge, style.badge_text, style.meaning)
        items.append((f"legend__{status}", dict(style.node), label))
    if diagram.statuses:
        label = _legend_label(
            NEXT_STEP["word"], NEXT_STEP["badge"], NEXT_STEP["badge_text"], "what to do next"
        )
        items.append(("legend__next_step", {"shape": "box", "style": "rounded"}, label))
    items.append(("legend__edges", {"shape": "plaintext"}, _edge_key(diagram)))
    per_rank = LEGEND_PER_ROW if diagram.kind == "pathway" else len(items)
    with g.subgraph(name="cluster_legend") as key:
        key.attr(label="<<B>Key</B>>", style="rounded", color="#A6A6A6", id="legend", margin="10")
        ranks = [items[i : i + per_rank] for i in range(0, len(items), per_rank)]
        for row in ranks:
            with key.subgraph() as rank:
                rank.attr(rank="same")
                for name, attrs, label in row:
                    rank.node(name, label=label, margin="0.1,0.05", tooltip="key", **attrs)
        # Keep rows in order, and the key after the stages (below, or to the right).
        for before, after in itertools.pairwise(ranks):
            g.edge(before[0][0], after[0][0], style="invis")
        for row in ranks:
            # Left to right in a row; a left-to-right layout turns that into bottom to top.
            ordered = row if diagram.kind == "pathway" else row[::-1]
            for left, right in itertools.pairwise(ordered):
                g.edge(left[0], right[0], style="invis")
    last = max((n.level for n in diagram.nodes if not n.external), default=0)
    for node in diagram.nodes:
        if not node.external and node.level == last:
            g.edge(node.id, ranks[0][0][0], style="invis")


def _legend_label(word: str, background: str, colour: str, meaning: str) -> str:
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f"{_badge(word, background, colour, 10)}"
        f"<TR><TD>{_small(meaning, 10)}</TD></TR></TABLE>>"
    )


def _edge_key(diagram: Diagram) -> str:
    kinds = {e.kind for e in diagram.edges}
    rows = [("progression", "solid", "#333333", "progression: next stage")]
    if "prerequisite" in kinds:
        rows.append(("prerequisite", "dashed", "#CC79A7", "prerequisite (dated: from DATE)"))
    cells = "".join(
        f'<TR><TD WIDTH="36" HEIGHT="6" SIDES="B" BORDER="2" STYLE="{style}" COLOR="{colour}">'
        f'</TD><TD ALIGN="LEFT">{_small(text, 10)}</TD></TR>'
        for _, style, colour, text in rows
    )
    if any(n.external for n in diagram.nodes):
        cells += (
            '<TR><TD BORDER="1" STYLE="rounded" COLOR="#8C8C8C" BGCOLOR="#F4F4F4" WIDTH="36">'
            f'</TD><TD ALIGN="LEFT">{_small("stage of another pathway", 10)}</TD></TR>'
        )
    return f'<<TABLE BORDER="0" CELLSPACING="4" CELLPADDING="0">{cells}</TABLE>>'
