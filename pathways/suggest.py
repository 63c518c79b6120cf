""" "Did you mean ...?" suggestions for unknown names.

>>> did_you_mean("fls_stage_1", ["fsl_stage_1", "fsl_stage_2", "pip"])
'fsl_stage_1'
>>> did_you_mean("zzz", ["fsl", "pip"]) is None
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean"]


def did_you_mean(name: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Return the closest of ``choices`` to ``name``, or None if none is close.

    Case and separators are ignored first, so ``Chief-Inspector`` finds
    ``chief_inspector``.
    """
    options = list(dict.fromkeys(choices))
    if not options:
        return None
    folded = {_fold(c): c for c in options}
    if _fold(name) in folded:
        return folded[_fold(name)]
    match = difflib.get_close_matches(name, options, n=1, cutoff=cutoff)
    if match:
        return match[0]
    match = difflib.get_close_matches(_fold(name), list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None


def _fold(s: str) -> str:
    return s.lower().replace("-", "_").replace(" ", "_")
