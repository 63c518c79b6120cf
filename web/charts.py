"""Server-side SVG charts: horizontal bars with their numbers written on them.

No JavaScript and no network: the SVG is part of the page. Every chart has a title and
a description for screen readers, the value is written beside each bar (the length is
never the only cue), and a table with the same numbers sits beside it on the page.

>>> svg = bar_chart("Rate by gender", [("female", 0.3, "30%"), ("male", 0.4, "40%")])
>>> svg.startswith("<svg") and "<title" in svg and "40%" in svg
True
>>> "&lt;b&gt;" in bar_chart("x", [("<b>", 1, "1")])
True
"""

from __future__ import annotations

import hashlib
from html import escape

__all__ = ["bar_chart"]

ROW = 22
LABEL = 150
BAR = 300
TEXT = 90


def bar_chart(
    title: str,
    rows: list[tuple[str, float | None, str]],
    *,
    scale: float | None = None,
    marker: float | None = None,
    marker_label: str = "",
) -> str:
    """A bar per ``(label, value, shown text)``; ``None`` values get no bar (suppressed).

    ``scale`` is the value of a full-length bar (default: the largest value); ``marker``
    draws a dashed line at that value (e.g. four fifths of the highest rate).
    """
    values = [v for _, v, _ in rows if v is not None]
    full = scale or (max(values) if values else 1.0) or 1.0
    height = ROW * len(rows) + 30
    width = LABEL + BAR + TEXT
    ident = "c" + hashlib.sha1(repr((title, rows)).encode()).hexdigest()[:10]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{ident}-t {ident}-d">',
        f'<title id="{ident}-t">{escape(title)}</title>',
        f'<desc id="{ident}-d">'
        + escape("; ".join(f"{label}: {text}" for label, _, text in rows))
        + "</desc>",
    ]
    for i, (label, value, text) in enumerate(rows):
        y = 10 + i * ROW
        parts.append(
            f'<text x="{LABEL - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(label)}</text>"
        )
        if value is not None:
            length = max(1.0, BAR * min(value / full, 1.0))
            parts.append(
                f'<rect x="{LABEL}" y="{y + 2}" width="{length:.1f}" height="{ROW - 6}" '
                f'fill="#1d5a8a"/>'
            )
            end = LABEL + length + 4
        else:
            end = LABEL + 4
        parts.append(f'<text x="{end:.1f}" y="{y + 14}" font-size="12">{escape(text)}</text>')
    if marker is not None and full:
        x = LABEL + BAR * min(marker / full, 1.0)
        parts.append(
            f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 18}" stroke="#b00020" '
            f'stroke-dasharray="4 3"/>'
            f'<text x="{x:.1f}" y="{height - 4}" font-size="11" text-anchor="middle">'
            f"{escape(marker_label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
