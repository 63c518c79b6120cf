"""Suppression that holds: an attacker who knows how every published count is defined
tries to work out each hidden count (and each small count that can be derived, such as
"does not have it" = people - has it) by linear differencing across rows, columns,
totals, aggregates (BME), the tables of other groupings, before and after a change, and
the years of a trend. The attacker is written here, separately from
``workforce.disclosure``: exact rational Gaussian elimination over the base counts
(people of one atom of characteristics in one category), with every atom absent from
the pool known to be zero (a stronger attacker than a real reader).

The same property is shown failing on primary-only suppression (today's "<5"), the
faulty variant it exists to catch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import workforce.reports.tables as tables_module
from workforce import disclosure
from workforce.disclosure import SUPPRESS_BELOW, Cell, primary, protect, recoverable
from workforce.reports.groups import GROUPINGS, Atom, atom_of
from workforce.reports.tables import IMPACT, MONITOR, Column, Table, publish

ETHNICITY = ["white", "black", "asian", "not_stated", None]
GENDER = ["female", "male", None]
DISABILITY = ["yes", "no", "not_stated"]


Vector = dict[int, Fraction]


def _reduce(pivots: dict[int, Vector], vector: Vector) -> Vector:
    v = {k: x for k, x in vector.items() if x}
    for col in sorted(pivots):  # pivots[col] is zero before col and 1 at col
        if v.get(col):
            factor = v[col]
            for k, x in pivots[col].items():
                v[k] = v.get(k, Fraction(0)) - factor * x
                if not v[k]:
                    del v[k]
    return v


def echelon(vectors: list[Vector]) -> dict[int, Vector]:
    """The reduced row echelon form of ``vectors`` over the rationals, by pivot column: a
    vector is a linear combination of ``vectors`` if and only if it reduces to zero."""
    pivots: dict[int, Vector] = {}
    for vector in vectors:
        v = _reduce(pivots, vector)
        if v:
            lead = min(v)
            v = {k: x / v[lead] for k, x in v.items()}
            for row in pivots.values():  # keep the form reduced
                if row.get(lead):
                    factor = row[lead]
                    for k, x in v.items():
                        row[k] = row.get(k, Fraction(0)) - factor * x
                        if not row[k]:
                            del row[k]
            pivots[lead] = v
    return pivots


def attack(
    pools: Sequence[tuple[list[tuple[Atom, str]], dict[str, Table]]],
    columns: Sequence[Column],
    threshold: int = SUPPRESS_BELOW,
) -> list[str]:
    """Every hidden or small derivable count the attacker can work out from everything
    published in ``pools`` (each: the people (atom, category) of one pool, e.g. one year
    or one stage, and its published tables)."""
    space: list[tuple[int, Atom, str]] = []
    for n, (people, _) in enumerate(pools):
        atoms = sorted({a for a, _ in people})
        categories = sorted({c for col in columns for c in col.categories})
        space += [(n, a, c) for a in atoms for c in categories]
    index = {k: i for i, k in enumerate(space)}

    def vector(n: int, row: Any, column: Column) -> Vector:
        return {
            i: Fraction(1)
            for (m, atom, category), i in index.items()
            if m == n and category in column.categories and row.group.contains(atom)
        }

    known: list[Vector] = []
    secret: list[tuple[str, Vector]] = []
    for n, (people, tables) in enumerate(pools):
        for table in tables.values():
            for row in table.rows:
                for column in columns:
                    v = vector(n, row, column)
                    true = sum(
                        1 for a, c in people if c in column.categories and row.group.contains(a)
                    )
                    label = f"pool {n}, {table.grouping}, {row.group.words}, {column.id}={true}"
                    if column.shown and row.count(column.id) is not None:
                        assert row.count(column.id) == true, label  # published counts are right
                        known.append(v)
                    elif column.shown or 0 < true < threshold:
                        secret.append((label, v))
    span = echelon(known)
    return [label for label, v in secret if v and not _reduce(span, v)]


atoms_strategy = st.builds(
    atom_of, st.sampled_from(ETHNICITY), st.sampled_from(GENDER), st.sampled_from(DISABILITY)
)


def people(categories: Sequence[str], max_size: int = 45) -> st.SearchStrategy[Any]:
    return st.lists(st.tuples(atoms_strategy, st.sampled_from(categories)), max_size=max_size)


def _monitor(pool: list[tuple[Atom, str]], atoms: list[Atom]) -> dict[str, Table]:
    return publish(pool, atoms, GROUPINGS, MONITOR)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@pytest.mark.slow  # hypothesis: exact linear algebra on many tables
@given(people(["has", "has_not"]))
def test_no_hidden_count_of_a_stage_can_be_worked_out(pool: list[tuple[Atom, str]]) -> None:
    """Within a table, from its totals, and between the tables of every grouping."""
    atoms = sorted({a for a, _ in pool})
    assert attack([(pool, _monitor(pool, atoms))], MONITOR) == []


@SETTINGS
@pytest.mark.slow  # hypothesis: exact linear algebra on many tables
@given(people(["kept", "lost", "gained", "neither"]))
def test_no_hidden_count_of_an_impact_can_be_worked_out(pool: list[tuple[Atom, str]]) -> None:
    """Before and after, losses and gains, with the stage's total losses and gains public."""
    atoms = sorted({a for a, _ in pool})
    groupings = ("ethnicity", "gender", "disability")
    tables = publish(pool, atoms, groupings, IMPACT, public=("lost", "gained"))
    for table in tables.values():
        if not table.withheld:
            everyone = table.rows[-1]
            assert everyone.count("lost") == sum(c == "lost" for _, c in pool)  # never hidden
    assert attack([(pool, tables)], IMPACT) == []


@pytest.mark.slow  # hypothesis: exact linear algebra on many tables
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(people(["has", "has_not"], max_size=30), min_size=2, max_size=4))
def test_no_hidden_count_can_be_worked_out_across_the_years_of_a_trend(
    years: list[list[tuple[Atom, str]]],
) -> None:
    """Every year's tables published together, with the same rows every year."""
    atoms = sorted({a for pool in years for a, _ in pool})
    assert attack([(pool, _monitor(pool, atoms)) for pool in years], MONITOR) == []


@contextmanager
def primary_only() -> Iterator[None]:
    """The faulty variant: hide counts under 5 and nothing else, and withhold nothing
    (main before issue 13)."""
    real = tables_module.protect, tables_module.recoverable

    def faulty(cells: Sequence[Cell], threshold: int = 5, hidden: Any = ()) -> set[Any]:
        return primary(cells, threshold) | set(hidden)

    tables_module.protect = faulty  # type: ignore[assignment]
    tables_module.recoverable = lambda cells, hidden: set()  # type: ignore[assignment]
    try:
        yield
    finally:
        tables_module.protect, tables_module.recoverable = real


@pytest.mark.slow  # each property run again on a faulty variant until it fails
@pytest.mark.parametrize(
    "prop",
    [
        test_no_hidden_count_of_a_stage_can_be_worked_out,
        test_no_hidden_count_of_an_impact_can_be_worked_out,
    ],
)
def test_the_property_catches_primary_only_suppression(prop: Callable[[], None]) -> None:
    with primary_only(), pytest.raises(AssertionError, match="pool 0"):
        prop()


def test_before_minus_after_gave_away_a_small_loss() -> None:
    """Issue 13: '<5' cells of 'pathways impact' were recovered by subtracting after from
    before. Twelve white men, 2 of whom lose the stage; ten black women, none of whom do."""
    w, b = atom_of("white", "male", "no"), atom_of("black", "female", "no")
    pool = [(w, "kept")] * 8 + [(w, "lost")] * 2 + [(w, "neither")] * 2 + [(b, "kept")] * 6
    pool += [(b, "neither")] * 4
    with primary_only():
        leaky = publish(pool, [w, b], ("ethnicity",), IMPACT)
    white = leaky["ethnicity"].rows[0]
    assert (white.count("before"), white.count("after"), white.count("lost")) == (10, 8, None)
    assert attack([(pool, leaky)], IMPACT)  # 10 - 8 = 2
    safe = publish(pool, [w, b], ("ethnicity",), IMPACT, public=("lost", "gained"))
    assert attack([(pool, safe)], IMPACT) == []
    white, black = safe["ethnicity"].rows[:2]
    # the 2 losses are in the published total, so the white row's loss, and its before or
    # after, and the black row's (all of whose counts would otherwise give it away) hide
    assert white.count("lost") is None and black.count("lost") is None
    assert None in (white.count("before"), white.count("after"))


def test_a_hand_made_table() -> None:
    """By ethnicity: white 20 people (10 have it), black 12 (3), asian 6 (6).

    Black's 3 is under 5 (primary). Published, 19 - 10 - 6 = 3 would give it away, so the
    cheapest count on its line is hidden too: asian's 6 (smaller than white's 10; BME's 9
    is an aggregate, hidden last). Then BME's 9 = black + asian and the total's 19 =
    10 + black + asian say the same thing: black + asian = 9, and neither is known."""
    w, b, a = (atom_of(e, "male", "no") for e in ("white", "black", "asian"))
    pool = [(w, "has")] * 10 + [(w, "has_not")] * 10 + [(b, "has")] * 3 + [(b, "has_not")] * 9
    pool += [(a, "has")] * 6
    table = publish(pool, [w, b, a], ("ethnicity",), MONITOR)["ethnicity"]
    got = {r.group.id: (r.count("people"), r.count("has")) for r in table.rows}
    assert got == {
        "white": (20, 10),
        "asian": (6, None),
        "black": (12, None),
        "bme": (18, 9),
        "all": (38, 19),
    }
    assert attack([(pool, {"ethnicity": table})], MONITOR) == []


def test_recoverable_and_protect_on_a_two_way_table() -> None:
    """A 2x2 table with margins: one small cell needs three complements (a rectangle)."""
    grid = {(0, 0): 2, (0, 1): 9, (1, 0): 7, (1, 1): 8}
    cells = [
        Cell(("cell", i, j), v, {2 * i + j: 1}, lines=(("r", i), ("c", j)))
        for (i, j), v in grid.items()
    ]
    cells += [
        Cell(
            ("row", i),
            grid[i, 0] + grid[i, 1],
            {2 * i: 1, 2 * i + 1: 1},
            lines=(("r", i),),
            cost=(1,),
        )
        for i in (0, 1)
    ]
    cells += [
        Cell(("col", j), grid[0, j] + grid[1, j], {j: 1, 2 + j: 1}, lines=(("c", j),), cost=(1,))
        for j in (0, 1)
    ]
    assert recoverable(cells, {("cell", 0, 0)}) == {("cell", 0, 0)}
    hidden = protect(cells)
    assert {k for k in hidden if k[0] == "cell"} == {("cell", i, j) for i in (0, 1) for j in (0, 1)}
    assert recoverable(cells, hidden) == set()
    assert disclosure.SUPPRESS_BELOW == 5


_TERMS = st.dictionaries(st.integers(0, 11), st.integers(-1, 2), min_size=1, max_size=6)


@settings(max_examples=80, deadline=None, database=None)
@given(
    st.lists(st.tuples(_TERMS, st.integers(0, 30), st.booleans()), min_size=1, max_size=30),
    st.randoms(use_true_random=False),
)
def test_spans_reused_between_rounds_give_the_answers_of_spans_built_afresh(
    drawn: list[tuple[dict[int, int], int, bool]], rng: Any
) -> None:
    """``protect`` keeps the span of each prefix of the published cells and rebuilds only
    after the first one hidden; hiding cells in any order, the answers are those of a span
    built from nothing each time."""
    cells = [Cell(i, value, terms, shown=shown) for i, (terms, value, shown) in enumerate(drawn)]
    published = [c for c in cells if c.shown]
    prefixes = disclosure._Prefixes(sorted(published, key=lambda c: (-c.value, c.key)))
    hidden: set[Any] = set()
    for cell in rng.sample(published, k=len(published)):
        hidden.add(cell.key)
        assert recoverable(cells, hidden, prefixes) == recoverable(cells, hidden)
