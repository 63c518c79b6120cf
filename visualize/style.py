"""How each kind of node and edge looks: one table, used by the drawing and its legend.

Statuses use the Okabe-Ito palette (safe for the common colour-vision
deficiencies) *and* differ in border, fill and shape, and say their status in
words, so a diagram printed in greyscale still reads:

=============  ==========================================  ==================
status         border / fill                               colour
=============  ==========================================  ==================
held           double border, tinted fill                  bluish green
eligible       thick solid border                          blue
eligible_from  thick dashed border, date in the label      orange
lapsed         square corners cut by diagonals, date       vermillion
not_eligible   thin dotted grey border, grey text          grey
not_in_force   thin dashed grey border, grey fill          light grey
=============  ==========================================  ==================

>>> sorted(STATUS_STYLES) == sorted([*(s.value for s in Status), NOT_IN_FORCE])
True
>>> len({(s.colour, s.node["style"]) for s in STATUS_STYLES.values()}) == len(STATUS_STYLES)
True
"""

from __future__ import annotations

from dataclasses import dataclass

from rules.decision import Status
from rules.status import STATUS_MEANINGS, STATUS_WORDS

from .model import NOT_IN_FORCE, Edge, Node

__all__ = [
    "FONT",
    "NEXT_STEP",
    "STATUS_STYLES",
    "StatusStyle",
    "cluster_attributes",
    "edge_attributes",
    "node_attributes",
]

FONT = "Helvetica,Arial,sans-serif"

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
GREY = "#8C8C8C"
TEXT = "#1A1A1A"


@dataclass(frozen=True)
class StatusStyle:
    """The look of one status: DOT node attributes and the badge in the label."""

    status: str
    word: str  # the legend's name for it
    meaning: str  # the legend's explanation
    colour: str
    badge: str  # badge background
    badge_text: str  # badge text colour, chosen for contrast on ``badge``
    node: dict[str, str]


def _style(
    status: str, word: str, meaning: str, colour: str, badge_text: str = TEXT, **node: str
) -> StatusStyle:
    attrs = {"shape": "box", "color": colour, "fillcolor": "white", "fontcolor": TEXT} | node
    return StatusStyle(status, word, meaning, colour, colour, badge_text, attrs)


STATUS_STYLES: dict[str, StatusStyle] = {
    s.status: s
    for s in (
        _style(
            Status.HELD.value,
            STATUS_WORDS[Status.HELD],
            STATUS_MEANINGS[Status.HELD],
            OKABE_ITO["bluish_green"],
            style="rounded,filled,bold",
            peripheries="2",
            penwidth="2",
            fillcolor="#D4EFE6",
        ),
        _style(
            Status.ELIGIBLE.value,
            STATUS_WORDS[Status.ELIGIBLE],
            STATUS_MEANINGS[Status.ELIGIBLE],
            OKABE_ITO["blue"],
            badge_text="white",
            style="rounded,filled",
            penwidth="4",
        ),
        _style(
            Status.ELIGIBLE_FROM.value,
            STATUS_WORDS[Status.ELIGIBLE_FROM] + " DATE",
            STATUS_MEANINGS[Status.ELIGIBLE_FROM],
            OKABE_ITO["orange"],
            style="rounded,filled,dashed",
            penwidth="3.5",
        ),
        _style(
            Status.LAPSED.value,
            STATUS_WORDS[Status.LAPSED] + " on DATE",
            STATUS_MEANINGS[Status.LAPSED],
            OKABE_ITO["vermillion"],
            style="filled,diagonals",  # square corners: 'rounded' would hide the diagonals
            penwidth="2.5",
        ),
        _style(
            Status.NOT_ELIGIBLE.value,
            STATUS_WORDS[Status.NOT_ELIGIBLE],
            STATUS_MEANINGS[Status.NOT_ELIGIBLE],
            GREY,
            style="rounded,filled,dotted",
            penwidth="1.5",
            fontcolor="#4D4D4D",
        ),
        _style(
            NOT_IN_FORCE,
            "not in force",
            "no rule for it on the as-of date",
            "#BDBDBD",
            style="rounded,filled,dashed",
            penwidth="1",
            fillcolor="#EDEDED",
            fontcolor="#6B6B6B",
        ),
    )
}

# The badge of a stage with next steps: black on white reads the same in greyscale.
NEXT_STEP = {"badge": OKABE_ITO["black"], "badge_text": "white", "word": "NEXT STEP"}

PLAIN_NODE = {
    "shape": "box",
    "style": "rounded,filled",
    "color": OKABE_ITO["blue"],
    "fillcolor": "#EAF3FA",
    "fontcolor": TEXT,
    "penwidth": "1.5",
}
EXTERNAL_NODE = {
    "shape": "box",
    "style": "rounded,filled",
    "color": GREY,
    "fillcolor": "#F4F4F4",
    "fontcolor": "#404040",
    "penwidth": "1",
}


def node_attributes(node: Node) -> dict[str, str]:
    """DOT attributes for a node's shape, border and fill (its label is drawn elsewhere)."""
    if node.marking is not None:
        attrs = dict(STATUS_STYLES[node.marking.status].node)
    else:
        attrs = dict(EXTERNAL_NODE if node.external else PLAIN_NODE)
    attrs["margin"] = "0.06,0.04" if node.external else "0.12,0.06"
    return attrs


def edge_attributes(edge: Edge, external: bool) -> dict[str, str]:
    """Progressions solid and dark; prerequisites dashed and reddish purple.

    ``external``: the edge joins two stages of another pathway, drawn faint.
    """
    if edge.kind == "progression":
        attrs = {"style": "solid", "color": "#333333", "penwidth": "1.6", "arrowsize": "0.9"}
        if external:
            attrs |= {"color": "#B0B0B0", "penwidth": "1"}
    else:
        attrs = {
            "style": "dashed",
            "color": OKABE_ITO["reddish_purple"],
            "penwidth": "1.8",
            "arrowhead": "empty",
            "fontcolor": "#6E2F5A",
        }
        if edge.conditional:
            attrs["style"] = "dotted"
    return attrs


def cluster_attributes(external: bool) -> dict[str, str]:
    """A pathway's box: solid and tinted; another pathway's (in a one-pathway diagram) dashed."""
    if external:
        return {
            "style": "rounded,dashed",
            "color": GREY,
            "fontcolor": "#404040",
            "fontsize": "11",
        }
    return {
        "style": "rounded,filled",
        "color": "#A6A6A6",
        "fillcolor": "#FAFAFA",
        "fontcolor": TEXT,
        "fontsize": "14",
    }
