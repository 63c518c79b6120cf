"""One stage's equality tables on one date, every grouping at once, with counts hidden
so that none of them can be worked out from the others.

Each person in the stage's pool falls in one *category* (for monitoring: has the stage,
or not; for an impact: kept, lost, gained, neither) and has one atom of characteristics
(:mod:`workforce.reports.groups`). A table cell is the number of people of a row's atoms
in a column's categories. Every grouping of the stage (ethnicity with BME, gender,
disability and the two-way intersections) is protected *together*, because the tables
share totals and margins: an intersection's rows add up to the rows of the single
tables. The people counts are protected first, on their own (so two stages with the same
pool hide the same people counts), then the other columns.

>>> from workforce.reports.groups import atom_of
>>> w, b = atom_of("white", "male", "no"), atom_of("black", "female", "no")
>>> people = [(w, "has")] * 10 + [(w, "has_not")] * 10 + [(b, "has")] * 3 + [(b, "has_not")] * 9
>>> tables = publish(people, [w, b], ("ethnicity",), MONITOR)
>>> [(r.group.id, r.count("people"), r.count("has")) for r in tables["ethnicity"].rows]
[('white', 20, None), ('black', 12, None), ('bme', 12, None), ('all', 32, 13)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from workforce.disclosure import SUPPRESS_BELOW, Cell, protect, recoverable

from .groups import Atom, Group, groups_for

__all__ = ["IMPACT", "MONITOR", "Column", "Row", "Table", "publish"]


@dataclass(frozen=True)
class Column:
    id: str
    words: str
    categories: tuple[str, ...]
    shown: bool = True  # printed (else derivable from printed columns, and protected)


#: Monitoring: the pool, who has the stage, and (derivable) who does not.
MONITOR = (
    Column("people", "People in the pool", ("has", "has_not")),
    Column("has", "Hold it or are eligible", ("has",)),
    Column("has_not", "Neither hold it nor are eligible", ("has_not",), shown=False),
)
#: An impact: the pool (under either version), before and after, losses and gains.
IMPACT = (
    Column("people", "People in the pool", ("kept", "lost", "gained", "neither")),
    Column("before", "Have it before", ("kept", "lost")),
    Column("after", "Have it after", ("kept", "gained")),
    Column("lost", "Lose it", ("lost",)),
    Column("gained", "Gain it", ("gained",)),
    Column("not_before", "Do not have it before", ("gained", "neither"), shown=False),
    Column("not_after", "Do not have it after", ("lost", "neither"), shown=False),
)


@dataclass(frozen=True)
class Row:
    group: Group
    counts: dict[str, int | None]  # column id -> count; None: hidden

    def count(self, column: str) -> int | None:
        return self.counts.get(column)


@dataclass(frozen=True)
class Table:
    grouping: str
    rows: list[Row]
    withheld: bool = False  # not published: it would give someone away whatever is hidden


def publish(
    people: Iterable[tuple[Atom, str]],
    atoms: Iterable[Atom],
    groupings: Sequence[str],
    columns: Sequence[Column],
    threshold: int = SUPPRESS_BELOW,
    public: Collection[str] = (),
) -> dict[str, Table]:
    """The tables by each of ``groupings`` for the pool ``people`` ((atom, category) per
    person), with rows for the values present in ``atoms`` (the whole workforce's, so
    that every stage and date has the same rows), counts under ``threshold`` hidden and
    complements hidden until :func:`workforce.disclosure.recoverable` finds nothing.
    ``public`` columns of the Everyone row are published elsewhere (an impact's total
    gains and losses): never hidden, and taken as known.
    """
    counts = Counter(people)
    present = sorted({atom for atom, _ in counts})
    categories = sorted({c for column in columns for c in column.categories})
    coordinate = {
        (atom, category): i
        for i, (atom, category) in enumerate((a, c) for a in present for c in categories)
    }
    rows: dict[str, tuple[str, Group]] = {}  # by row key: the same group in two tables is one
    for grouping in groupings:
        for group in groups_for(grouping, atoms):
            rows.setdefault(_key(group), (grouping, group))
    members = {gid: [a for a in present if g.contains(a)] for gid, (_, g) in rows.items()}
    cells: list[Cell] = []
    for gid, (_, group) in rows.items():
        empty = not members[gid]  # nobody: every count of the row is 0, knowably
        for column in columns:
            terms = {coordinate[(a, c)]: 1 for a in members[gid] for c in column.categories}
            value = sum(counts[(a, c)] for a in members[gid] for c in column.categories)
            cells.append(
                Cell(
                    (gid, column.id),
                    value,
                    terms,
                    shown=column.shown,
                    locked=empty or column.id == "people",
                    lines=(("column", group.family, column.id), ("row", gid), column.id),
                    cost=(1 if group.aggregate else 0,),
                    public=gid == "all" and column.id in public,
                )
            )
    people_cells = [c for c in cells if c.key[1] == "people"]  # type: ignore[index]
    hidden_people = protect([_unlocked(c) for c in people_cells], threshold)
    hidden = protect(cells, threshold, hidden_people)
    # What no hiding can protect (a public total all of whose people are in one group)
    # is not published: the tables that show it are withheld, and the rest checked again.
    withheld: set[str] = set()
    while leftover := recoverable([c for c in cells if _family(c, rows) not in withheld], hidden):
        withheld |= {_family(c, rows) for c in cells if c.key in leftover}
        withheld.discard("all")
        if not withheld - {"all"} or all(g in withheld for g in groupings):
            withheld = set(groupings)
            break
    values: dict[Hashable, int] = {c.key: c.value for c in cells}
    tables = {}
    for grouping in groupings:
        if grouping in withheld:
            tables[grouping] = Table(grouping, [], withheld=True)
            continue
        table_rows = [
            Row(
                group,
                {
                    column.id: None
                    if (_key(group), column.id) in hidden
                    else values[(_key(group), column.id)]
                    for column in columns
                    if column.shown
                },
            )
            for group in groups_for(grouping, atoms)
        ]
        tables[grouping] = Table(grouping, table_rows)
    return tables


def _family(cell: Cell, rows: dict[str, tuple[str, Group]]) -> str:
    return rows[cell.key[0]][1].family  # type: ignore[index]


def _key(group: Group) -> str:
    """A row's key: ``ethnicity:other`` and ``gender:other`` are different rows."""
    return group.id if group.family == "all" else f"{group.family}:{group.id}"


def _unlocked(cell: Cell) -> Cell:
    empty = not cell.terms
    return Cell(cell.key, cell.value, cell.terms, True, empty, cell.lines, cell.cost, cell.public)
