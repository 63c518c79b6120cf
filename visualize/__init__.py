"""Pathway diagrams with graphviz: each pathway, the overview, one person's position.

Build a :class:`Diagram` from a library, optionally :func:`overlay` a decision,
turn it into a graphviz graph with :func:`to_graph` and :func:`render` it to
SVG, PNG or DOT (or get :func:`svg` text to put in a web page). The graphviz
package is imported only when a graph is made.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> diagram = pathway_diagram(load_library([SHIPPED_LIBRARY]), "pip")
>>> [n.id for n in diagram.nodes if not n.external]
['pip__level_1', 'pip__level_2', 'pip__level_3', 'pip__level_4']
>>> '<g id="pip__level_1" class="node">' in svg(diagram)
True
"""

from .build import overview_diagram, pathway_diagram
from .dot import to_graph
from .layout import overlaps
from .model import Diagram, node_id
from .output import render, svg
from .overlay import overlay

__all__ = [
    "Diagram",
    "node_id",
    "overlaps",
    "overlay",
    "overview_diagram",
    "pathway_diagram",
    "render",
    "svg",
    "to_graph",
]
