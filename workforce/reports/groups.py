"""The groups equality monitoring compares: by ethnicity (with a BME aggregate), gender,
disability, and two-way intersections, each named in words.

A person's *atom* is their (ethnicity, gender, disability) as recorded, with a missing
value as ``not_recorded``. A :class:`Group` is a set of atoms (a row of a table);
``stated`` groups are those whose characteristic is known: "not stated" and "not
recorded" are shown with their counts but never compared or used as the reference.

>>> rows = groups_for("ethnicity", [("white", "male", "no"), ("black", "female", "no"),
...                                 (NOT_RECORDED, "female", "yes")])
>>> [(g.id, g.words, g.stated, g.aggregate) for g in rows]  # doctest: +NORMALIZE_WHITESPACE
[('white', 'White', True, False), ('black', 'Black', True, False),
 ('bme', 'BME (black and minority ethnic groups together)', True, True),
 ('not_recorded', 'Ethnicity not recorded', False, False), ('all', 'Everyone', True, True)]
>>> [g.id for g in groups_for("ethnicity+gender", [("white", "male", "no")])]
['white+male', 'all']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "BME",
    "CHARACTERISTICS",
    "GROUPINGS",
    "NOT_RECORDED",
    "UNKNOWN",
    "Atom",
    "Group",
    "atom_of",
    "grouping_words",
    "groups_for",
    "value_words",
]

#: (ethnicity, gender, disability), as recorded.
Atom = tuple[str, str, str]
CHARACTERISTICS = ("ethnicity", "gender", "disability")
NOT_RECORDED = "not_recorded"
#: Values that say the characteristic is not known: shown, never compared.
UNKNOWN = frozenset({NOT_RECORDED, "not_stated", "prefer_not_to_say", "unknown"})
#: Black and minority ethnic groups, in the catalogue's ethnicity values.
BME = frozenset({"mixed", "asian", "black", "chinese", "other"})
#: The tables that can be asked for: one characteristic, or two crossed.
GROUPINGS = (
    "ethnicity",
    "gender",
    "disability",
    "ethnicity+gender",
    "ethnicity+disability",
    "gender+disability",
)
#: The catalogue's order of values (others follow, sorted; unknown values last).
ORDER = {
    "ethnicity": ("white", "mixed", "asian", "black", "chinese", "other"),
    "gender": ("female", "male", "other"),
    "disability": ("yes", "no"),
}
_WORDS: Mapping[str, Mapping[str, str]] = {
    "ethnicity": {"bme": "BME (black and minority ethnic groups together)"},
    "gender": {"female": "Women", "male": "Men", "other": "Other gender"},
    "disability": {"yes": "Disabled", "no": "Not disabled"},
}
_SHORT: Mapping[str, Mapping[str, str]] = {  # in intersections: "BME women"
    "ethnicity": {"bme": "BME", "known_not": "ethnicity not known"},
    "gender": {"female": "women", "male": "men", "other": "other gender"},
    "disability": {"yes": "disabled", "no": "not disabled"},
}
_NOUN = {"ethnicity": "Ethnicity", "gender": "Gender", "disability": "Disability"}


def atom_of(ethnicity: str | None, gender: str | None, disability: str | None) -> Atom:
    return (ethnicity or NOT_RECORDED, gender or NOT_RECORDED, disability or NOT_RECORDED)


def value_words(characteristic: str, value: str) -> str:
    """A value in words: ``Black``, ``Women``, ``Gender not stated``."""
    if value in UNKNOWN:
        return f"{_NOUN[characteristic]} {value.replace('_', ' ')}"
    known = _WORDS[characteristic].get(value)
    return known or value.replace("_", " ").capitalize()


def grouping_words(grouping: str) -> str:
    """``ethnicity and gender``."""
    return " and ".join(grouping.split("+"))


@dataclass(frozen=True)
class Group:
    """A row: the atoms whose values are in ``values`` (characteristic -> allowed)."""

    id: str
    words: str
    family: str  # the grouping it is a row of ("ethnicity", "ethnicity+gender"; "all")
    values: tuple[tuple[str, frozenset[str]], ...]
    stated: bool  # every characteristic known: may be compared and be the reference
    aggregate: bool  # a sum of other rows of its table (Everyone, BME)

    def contains(self, atom: Atom) -> bool:
        return all(atom[CHARACTERISTICS.index(c)] in allowed for c, allowed in self.values)


EVERYONE = Group("all", "Everyone", "all", (), True, True)


def _sorted(characteristic: str, values: Iterable[str]) -> list[str]:
    order = ORDER[characteristic]
    return sorted(
        set(values),
        key=lambda v: (v in UNKNOWN, order.index(v) if v in order else len(order), v),
    )


def _single(characteristic: str, present: Iterable[str]) -> list[Group]:
    out = []
    values = _sorted(characteristic, present)
    for value in values:
        out.append(
            Group(
                value,
                value_words(characteristic, value),
                characteristic,
                ((characteristic, frozenset({value})),),
                value not in UNKNOWN,
                False,
            )
        )
    if characteristic == "ethnicity" and BME & set(values):
        at = max(i for i, g in enumerate(out) if g.id in BME) + 1
        bme = Group(
            "bme", _WORDS["ethnicity"]["bme"], "ethnicity", (("ethnicity", BME),), True, True
        )
        out.insert(at, bme)
    return out


def _coarse(characteristic: str, present: Iterable[str]) -> list[tuple[str, frozenset[str]]]:
    """The values of a characteristic in an intersection: BME together, unknowns together."""
    values = set(present)
    out: list[tuple[str, frozenset[str]]] = []
    for value in _sorted(characteristic, values - UNKNOWN):
        if characteristic == "ethnicity" and value in BME:
            continue
        out.append((value, frozenset({value})))
    if characteristic == "ethnicity" and values & BME:
        out.insert(1 if out and out[0][0] == "white" else 0, ("bme", BME))
    if values & UNKNOWN:
        out.append(("known_not", UNKNOWN))
    return out


def _short(characteristic: str, value: str) -> str:
    if value == "known_not":
        return f"{characteristic} not known"
    return _SHORT[characteristic].get(value) or value.replace("_", " ")


def _crossed(first: str, second: str, atoms: Iterable[Atom]) -> list[Group]:
    atoms = list(atoms)
    a = _coarse(first, (x[CHARACTERISTICS.index(first)] for x in atoms))
    b = _coarse(second, (x[CHARACTERISTICS.index(second)] for x in atoms))
    out = []
    for value_a, allowed_a in a:
        for value_b, allowed_b in b:
            words = f"{_short(first, value_a)}, {_short(second, value_b)}"
            out.append(
                Group(
                    f"{value_a}+{value_b}",
                    words[0].upper() + words[1:],
                    f"{first}+{second}",
                    ((first, allowed_a), (second, allowed_b)),
                    "known_not" not in (value_a, value_b),
                    False,
                )
            )
    return out


def groups_for(grouping: str, atoms: Iterable[Atom]) -> list[Group]:
    """The rows of a table by ``grouping`` over the values present in ``atoms``, with
    Everyone last.

    Raises:
        ValueError: for a grouping not in :data:`GROUPINGS`.
    """
    if grouping not in GROUPINGS:
        raise ValueError(f"equality monitoring is by {', '.join(GROUPINGS)}; not '{grouping}'")
    atoms = list(atoms)
    parts = grouping.split("+")
    if len(parts) == 1:
        rows = _single(grouping, (a[CHARACTERISTICS.index(grouping)] for a in atoms))
    else:
        rows = _crossed(parts[0], parts[1], atoms)
    return [*rows, EVERYONE]
