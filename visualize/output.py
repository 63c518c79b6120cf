"""Writing a diagram to a file: SVG for the web, PNG to look at, DOT to keep or edit.

>>> render("digraph { a -> b }", "diagram.pdf")
Traceback (most recent call last):
...
ValueError: cannot write 'diagram.pdf': use a file name ending .svg, .png, .dot or .gv
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .dot import to_graph
from .model import Diagram

if TYPE_CHECKING:
    import graphviz

__all__ = ["FORMATS", "render", "svg"]

# File suffix -> graphviz output format; DOT files get the source as built (not laid out).
FORMATS = {".svg": "svg", ".png": "png", ".dot": "dot", ".gv": "dot"}


def render(graph: graphviz.Digraph | str, path: str | Path) -> Path:
    """Write ``graph`` (a ``Digraph`` or DOT text) to ``path``, in the format its suffix names.

    Parent folders are made. SVG keeps each node's ``id`` and ``tooltip``
    (``xlink:title``), so a web page can find and link them.

    Raises:
        ValueError: if the suffix is not one of :data:`FORMATS`.
        RuntimeError: if graphviz's ``dot`` program is not installed.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"cannot write '{path}': use a file name ending "
            + ", ".join(list(FORMATS)[:-1])
            + f" or {list(FORMATS)[-1]}"
        )
    source = graph if isinstance(graph, str) else graph.source
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "dot":
        path.write_text(source, encoding="utf-8")
        return path
    path.write_bytes(pipe(source, fmt))
    return path


def svg(graph: Diagram | graphviz.Digraph | str) -> str:
    """The SVG of a diagram (or a graph, or DOT text), ready to put inline in a web page.

    The XML declaration and DOCTYPE are left out: HTML has no use for them. Node
    ids, tooltips and links are kept, as :func:`render` keeps them.

    >>> svg("digraph { a [id=stage_a] }").startswith("<svg")
    True
    """
    if isinstance(graph, Diagram):
        graph = to_graph(graph)
    source = graph if isinstance(graph, str) else graph.source
    text = pipe(source, "svg").decode("utf-8")
    return text[text.index("<svg") :]


def pipe(source: str, fmt: str) -> bytes:
    """Lay out DOT text with graphviz's ``dot`` and return the output in ``fmt``.

    Raises:
        RuntimeError: if the ``dot`` program is not installed.
    """
    import graphviz

    try:
        data: bytes = graphviz.Source(source).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError(
            "graphviz's 'dot' program is not installed: run scripts/system-deps.sh "
            "(or apt-get install graphviz)"
        ) from exc
    return data
