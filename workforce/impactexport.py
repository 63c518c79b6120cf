"""An impact report for other programs: the equality rows (for CSV) and a JSON document,
the same from ``pathways impact --format csv|json`` and ``POST /api/library/impact``.

Hidden counts are ``[c]`` in CSV and ``null`` in JSON; a table withheld whole is one row that
says why.
"""

from __future__ import annotations

import io
from typing import Any

from .csvsafe import dict_writer
from .fairness import HIDDEN, SUPPRESS_BELOW, p_text
from .impact import ImpactReport

__all__ = ["impact_csv", "impact_json", "impact_rows"]

#: Example person ids listed per stage (the counts are always whole).
EXAMPLES = 5
#: Columns whose empty CSV cell (no rate, no reference) is ``null`` in JSON.
_NULL_IF_BLANK = frozenset(
    ("rate_before", "rate_after", "ratio_before", "ratio_after", "fisher_p", "reference_group")
)


def _count(value: int | None) -> str | int:
    return HIDDEN if value is None else value


def impact_rows(report: ImpactReport) -> list[dict[str, Any]]:
    """One row per changed stage, characteristic and group; hidden counts are ``[c]``."""
    rows: list[dict[str, Any]] = []
    for s in report.changed:
        for table in s.equality:
            if table.withheld:
                rows.append(
                    {
                        "stage": s.stage,
                        "stage_name": s.name,
                        "change": s.change,
                        "pool": s.pool,
                        "characteristic": table.characteristic,
                        "note": table.reference_note,
                    }
                )
            for r in table.rows:
                rows.append(
                    {
                        "stage": s.stage,
                        "stage_name": s.name,
                        "change": s.change,
                        "pool": s.pool,
                        "characteristic": table.characteristic,
                        "group": r.group.id,
                        "group_name": r.group.words,
                        "people": _count(r.people),
                        "had_before": _count(r.before),
                        "has_after": _count(r.after),
                        "lost": _count(r.lost),
                        "gained": _count(r.gained),
                        "rate_before": "" if r.rate_before is None else r.rate_before,
                        "rate_after": "" if r.rate_after is None else r.rate_after,
                        "reference_group": table.reference or "",
                        "ratio_before": "" if r.ratio_before is None else r.ratio_before,
                        "ratio_after": "" if r.ratio_after is None else r.ratio_after,
                        "under_four_fifths": r.flag,
                        "fisher_p": p_text(r.p_value) if r.p_value is not None else "",
                        "note": "",
                    }
                )
    return rows


def impact_csv(report: ImpactReport) -> str:
    """:func:`impact_rows` as CSV text, with a header of every column."""
    out = io.StringIO()
    rows = impact_rows(report)
    widest: dict[str, Any] = max(rows, key=len) if rows else dict.fromkeys(("stage", "group"))
    fields = list(widest)
    writer = dict_writer(out, fields, lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def impact_json(report: ImpactReport) -> dict[str, Any]:
    """The report as JSON-ready data: each changed stage with its counts, example people
    and business groups, and the equality rows with hidden counts as ``None``."""
    return {
        "old_version": report.old_version,
        "new_version": report.new_version,
        "as_of": report.as_of.isoformat(),
        "people": report.people,
        "added": report.added,
        "removed": report.removed,
        "stages": [
            {
                "stage": s.stage,
                "name": s.name,
                "change": s.change,
                "before": s.before,
                "after": s.after,
                "gained": len(s.gained),
                "lost": len(s.lost),
                "gained_examples": s.gained[:EXAMPLES],
                "lost_examples": s.lost[:EXAMPLES],
                "by_business_group": {
                    g: {"gained": a, "lost": b} for g, (a, b) in s.by_business_group.items()
                },
                "pool": s.pool,
                "positive_action": s.positive_action,
            }
            for s in report.changed
        ],
        "equality": [
            {
                k: (None if v == HIDDEN or (v == "" and k in _NULL_IF_BLANK) else v)
                for k, v in row.items()
            }
            for row in impact_rows(report)
        ],
        "hidden": f"null counts are hidden: under {SUPPRESS_BELOW}, or would let one be worked out",
    }
