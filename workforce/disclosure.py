"""Small-number suppression that holds: primary and complementary (secondary) suppression
of counts published together, checked by linear algebra.

Every published count is a sum of unknown *base counts*: how many people of one
combination of characteristics (an *atom*, e.g. black / female / not disabled) fall in
one *category* (e.g. "has the stage", "does not"). A "total" row, a before-and-after
pair or an aggregate group (BME) is just another such sum, so a reader who subtracts
published counts from one another can work out exactly the hidden counts whose sums are
linear combinations of published ones, and no others. :func:`recoverable` finds them
(exact integer Gaussian elimination, no floating point); :func:`protect` hides counts
under the threshold (primary suppression), then hides further counts (complementary
suppression) until :func:`recoverable` finds nothing.

>>> def row(values):  # groups on one line and their total (hidden last, if at all)
...     cells = [Cell(("g", i), v, {i: 1}, lines=("row",)) for i, v in enumerate(values)]
...     total = Cell("total", sum(values), dict.fromkeys(range(len(values)), 1),
...                  lines=("row",), cost=(1,))
...     return [*cells, total]
>>> sorted(map(repr, protect(row([3, 4, 0]))))  # 3 + 4 = 7: neither can be worked out
["('g', 0)", "('g', 1)"]
>>> cells = row([3, 6, 8])  # hiding the 3 alone gives it away: 17 - 6 - 8 = 3
>>> recoverable(cells, {("g", 0)})
{('g', 0)}
>>> sorted(map(repr, protect(cells)))  # so the smallest other count is hidden too
["('g', 0)", "('g', 1)"]
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = [
    "ROUNDED_BELOW",
    "ROUND_TO",
    "SUPPRESS_BELOW",
    "Cell",
    "primary",
    "protect",
    "recoverable",
    "rounded",
]

#: Counts from 1 to SUPPRESS_BELOW - 1 are hidden (primary suppression); 0 is shown.
SUPPRESS_BELOW = 5

#: Counts published outside a protected table (a projection's figures) are rounded to the
#: nearest ROUND_TO, and under ROUNDED_BELOW not given at all: such a figure is not a cell
#: of any table ``protect`` sees, so it must not be exact enough to difference against one.
ROUND_TO = 5
ROUNDED_BELOW = 10


def rounded(count: int) -> int | None:
    """A count fit to publish on its own: None under :data:`ROUNDED_BELOW` ("fewer than
    10"), else the nearest multiple of :data:`ROUND_TO` (halves up).

    >>> [rounded(n) for n in (0, 4, 9, 10, 12, 13, 17, 18, 102)]
    [None, None, None, 10, 10, 15, 15, 20, 100]
    """
    if count < ROUNDED_BELOW:
        return None
    return (count + ROUND_TO // 2) // ROUND_TO * ROUND_TO


Vector = dict[int, int]


@dataclass(frozen=True)
class Cell:
    """One count: ``value`` people, the sum of the base counts ``terms`` (coordinate ->
    coefficient). ``shown``: printed in a table (else only derivable, like the
    "does not have it" count of a row whose people and "has it" counts are printed);
    ``locked``: whether it is hidden was decided elsewhere (it is never picked as a
    complement); ``lines``: the rows and columns it lies on, closest first (complements
    are looked for there, in that order); ``cost``: on a line, lower is hidden first."""

    key: Hashable
    value: int
    terms: Mapping[int, int]
    shown: bool = True
    locked: bool = False
    lines: tuple[Hashable, ...] = ()
    cost: tuple[int, ...] = field(default=())
    public: bool = False  # published elsewhere already: never hidden, whatever its value


def primary(cells: Iterable[Cell], threshold: int = SUPPRESS_BELOW) -> set[Hashable]:
    """The counts from 1 to ``threshold - 1``, shown or derivable, unless public."""
    return {c.key for c in cells if 0 < c.value < threshold and not c.public}


class _Span:
    """The span of integer vectors, kept in echelon form (each row's pivot is its lowest
    coordinate, and no other row has a pivot there)."""

    def __init__(self) -> None:
        self.rows: dict[int, Vector] = {}

    def reduce(self, vector: Mapping[int, int]) -> Vector:
        v = {k: x for k, x in vector.items() if x}
        while True:
            pivots = [k for k in v if k in self.rows]
            if not pivots:
                return v
            j = min(pivots)
            u = self.rows[j]
            g = math.gcd(u[j], v[j])
            a, b = u[j] // g, v[j] // g
            out = {k: a * x for k, x in v.items()}
            for k, x in u.items():
                y = out.get(k, 0) - b * x
                if y:
                    out[k] = y
                else:
                    out.pop(k, None)
            common = math.gcd(*out.values()) if out else 1
            v = {k: x // common for k, x in out.items()}

    def add(self, vector: Mapping[int, int]) -> None:
        rest = self.reduce(vector)
        if rest:
            self.rows[min(rest)] = rest

    def spans(self, vector: Mapping[int, int]) -> bool:
        return not self.reduce(vector)


class _Prefixes:
    """The span of the first i of ``published`` cells, for every i: a span without some of
    them is rebuilt from the prefix before the first one left out. ``protect`` hides a few
    more cells each round, mostly small counts, so it orders the cells with those last and
    most of each round's span is reused. The span does not depend on the order cells are
    added in, so every answer is the one a span built afresh would give."""

    def __init__(self, published: Sequence[Cell]):
        self.cells = list(published)
        span = _Span()
        self.prefix: list[dict[int, Vector]] = [{}]
        for cell in self.cells:
            span.add(cell.terms)
            self.prefix.append(dict(span.rows))  # rows are never changed once added

    def without(self, hidden: Collection[Hashable]) -> _Span:
        first = next((i for i, c in enumerate(self.cells) if c.key in hidden), len(self.cells))
        span = _Span()
        span.rows = dict(self.prefix[first])
        for cell in self.cells[first + 1 :]:
            if cell.key not in hidden:
                span.add(cell.terms)
        return span


def _published(cells: Sequence[Cell], hidden: Collection[Hashable]) -> list[Cell]:
    return [c for c in cells if (c.shown or c.public) and c.key not in hidden]


def recoverable(
    cells: Sequence[Cell], hidden: Collection[Hashable], prefixes: _Prefixes | None = None
) -> set[Hashable]:
    """The hidden counts a reader can work out exactly from the shown, unhidden ones:
    those whose terms are a linear combination of published counts' terms. ``prefixes``:
    spans of the cells published before some of ``hidden`` were hidden (see
    :func:`protect`)."""
    if prefixes is not None:
        span = prefixes.without(hidden)
    else:
        span = _Span()
        for cell in _published(cells, hidden):
            span.add(cell.terms)
    return {c.key for c in cells if c.key in hidden and span.spans(c.terms)}


def protect(
    cells: Sequence[Cell],
    threshold: int = SUPPRESS_BELOW,
    hidden: Collection[Hashable] = (),
) -> set[Hashable]:
    """The counts to hide: every count from 1 to ``threshold - 1`` and those in
    ``hidden``, plus complements until none of them can be worked out.

    A complement for a recoverable count is a shown, unlocked, unhidden count on one of
    its lines: the lowest ``cost``, then on the closest line, then the smallest value
    (then key order); else one that shares a base count with it; else any. In each round, one
    complement is hidden for each recoverable count that shares no line with a complement
    hidden earlier in the round; then the check runs again, so a pattern that needs
    several (a rectangle in a two-way table) is completed over a few rounds.
    """
    out = primary(cells, threshold) | set(hidden)
    by_key = {c.key: c for c in cells}
    # Those never hidden first (public, or locked and not hidden now), the smallest last:
    # the complements picked below are mostly small counts, so most of the span is kept.
    order = sorted(
        _published(cells, out),
        key=lambda c: (not (c.public or c.locked), -c.value, repr(c.key)),
    )
    prefixes = _Prefixes(order)
    while True:
        bad = recoverable(cells, out, prefixes)
        if not bad:
            return out
        added: list[Cell] = []
        for key in sorted(bad, key=repr):
            cell = by_key[key]
            if any(set(cell.lines) & set(c.lines) for c in added):
                continue  # a complement on its lines was just hidden: check again first
            choice = _complement(cell, cells, out)
            if choice is not None and choice not in out:
                out.add(choice)
                added.append(by_key[choice])
        if not added:  # nothing left to hide: hide every unlocked shown count
            rest = {c.key for c in cells if c.shown and not c.locked and not c.public}
            if rest <= out:
                return out
            out |= rest


def _complement(cell: Cell, cells: Sequence[Cell], hidden: Collection[Hashable]) -> Hashable:
    free = [c for c in cells if c.shown and not c.locked and not c.public and c.key not in hidden]
    on_line = [
        (c.cost, position, c.value, repr(c.key), c.key)
        for position, line in enumerate(cell.lines)
        for c in free
        if line in c.lines
    ]
    if on_line:  # the cheapest, then on its closest line, then the smallest
        return min(on_line)[-1]
    sharing = [
        (c.cost, c.value, repr(c.key), c.key) for c in free if set(c.terms) & set(cell.terms)
    ]
    if sharing:
        return min(sharing)[-1]
    return min(((c.cost, c.value, repr(c.key), c.key) for c in free), default=(None,))[-1]
