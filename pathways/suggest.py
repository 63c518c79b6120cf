""" "Did you mean ...?" suggestions for unknown names, only when one is close.

A suggestion is only made when a choice is a likely typo of the name: the same
once case and separators are ignored, the same words in another order, or a few
letters apart (see :func:`close_enough`). A new name that merely shares a word
with an old one (``sfo_course`` and ``a1_assessor_course``) gets none: an
unrelated suggestion sends the author the wrong way.

>>> did_you_mean("fls_stage_1", ["fsl_stage_1", "fsl_stage_2", "pip"])
'fsl_stage_1'
>>> did_you_mean("zzz", ["fsl", "pip"]) is None
True
>>> did_you_mean("sfo_course", ["a1_assessor_course", "fsl_stage_1"]) is None
True
>>> did_you_mean("afo_selection", ["hpds_selection"]) is None
True
>>> did_you_mean("inspector_chief", ["chief_inspector"])
'chief_inspector'
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import SequenceMatcher, get_close_matches

__all__ = ["close_enough", "did_you_mean", "distance"]


def did_you_mean(name: str, choices: Iterable[str], cutoff: float | None = None) -> str | None:
    """Return the closest of ``choices`` to ``name``, or None if none is close enough.

    Case and separators are ignored first, so ``Chief-Inspector`` finds
    ``chief_inspector``. For ids the threshold is :func:`close_enough`'s; a caller
    matching names typed in words ('Superintendant') may give difflib's similarity
    ``cutoff`` instead.
    """
    options = list(dict.fromkeys(choices))
    if not options:
        return None
    folded = {_fold(c): c for c in options}
    key = _fold(name)
    if key in folded:
        return folded[key]
    if cutoff is not None:
        match = get_close_matches(key, list(folded), n=1, cutoff=cutoff)
        return folded[match[0]] if match else None
    words = sorted(key.split("_"))
    for f, original in folded.items():
        if sorted(f.split("_")) == words:
            return original
    near = [(distance(key, f), f, original) for f, original in folded.items()]
    near = [n for n in near if close_enough(key, n[0])]
    if not near:
        return None
    # Fewest edits; then the most letters in common; then, as difflib does, the later name
    # ('004' suggests '003' rather than '002').
    best = max(near, key=lambda n: (-n[0], SequenceMatcher(None, key, n[1]).ratio(), n[1]))
    return best[2]


def close_enough(name: str, edits: int) -> bool:
    """Whether ``edits`` typing mistakes in ``name`` still make a likely typo.

    One mistake in a short name, one more for every six letters: ``fls`` for ``fsl``
    (1 of 3), ``investigaton_course`` (1 of 19), ``fsl_stage_one`` for
    ``fsl_stage_1`` (3 of 13); not ``afo_selection`` for ``hpds_selection`` (4 of 13).

    >>> close_enough("fls", 1), close_enough("dc_2", 2), close_enough("afo_selection", 4)
    (True, False, False)
    """
    return edits <= 1 + len(name) // 6


def distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) from ``a`` to ``b``.

    >>> distance("fls", "fsl"), distance("nmae", "name"), distance("dc_2", "dc")
    (1, 1, 2)
    """
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[len(b)]


def _fold(s: str) -> str:
    return s.lower().replace("-", "_").replace(" ", "_").replace(".", "_")
