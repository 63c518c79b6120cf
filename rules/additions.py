"""Record items as actions: their keys ('rank:sergeant') and what-if specs.

What holding a stage, or doing a requirement, adds to a record is an :data:`Addition`;
:func:`award_key` names it the same way whichever stage awards it, and :func:`spec` writes
it in the what-if form.
"""

from __future__ import annotations

from typing import Any

from pathways.model.catalogue import Catalogue
from pathways.model.pathway import Award

__all__ = ["Addition", "award_key", "is_temporary", "spec"]

#: (record section, item): one hypothetical record item, as :func:`rules.whatif.with_additions`
#: takes them.
Addition = tuple[str, dict[str, Any]]


# What-if kinds (rules.whatif.parse_addition) per record section, and the item's id field.
_SPEC = {
    "courses": ("course", "course"),
    "assessments": ("passed", "assessment"),
    "credentials": ("credential", "credential"),
    "ranks": ("rank", "rank"),
    "bands": ("band", "band"),
    "endorsements": ("endorsement", "endorsement"),
    "memberships": ("member", "programme"),
    "mentors": ("mentor", "mentor"),
    "postings": ("posting", "role"),
}
_DAY_FIELD = {
    "courses": "completed",
    "assessments": "date",
    "credentials": "awarded",
    "endorsements": "date",
}


def award_key(award: Award, catalogue: Catalogue) -> str:
    """What holding a stage puts in a record, as an action key: 'rank:sergeant', 'credential:pip:2'.

    A completed programme is the courses it is made of, so its key names the programme.
    """
    if award.credential is not None:
        return f"credential:{award.credential}" + (
            f":{award.level}" if award.level is not None else ""
        )
    if award.rank is not None:
        return f"rank:{award.rank}" + (":temporary" if is_temporary(award) else "")
    if award.band is not None:
        return f"band:{award.band}" + (":temporary" if is_temporary(award) else "")
    if award.course is not None:
        return f"course:{award.course}"
    if award.completed_programme is not None:
        return f"programme:{award.completed_programme}"
    if award.passed is not None:
        return f"passed:{award.passed}"
    if award.member_of is not None:
        return f"member:{award.member_of}"
    return f"role:{award.role}"


def is_temporary(award: Award) -> bool:
    """True if the award is a temporary rank or band (acting up)."""
    return award.basis is not None and award.basis.value == "temporary"


def spec(section: str, item: dict[str, Any]) -> str:
    """An item in the what-if form ``KIND:ID[:EXTRA]@DATE``.

    >>> spec("credentials", {"credential": "pip", "level": 2, "awarded": "2026-01-01"})
    'credential:pip:2@2026-01-01'
    >>> spec("postings", {"business_group": "tp", "role": "dc", "start": "2026-01-01"})
    'posting:tp/dc@2026-01-01'
    """
    kind, id_field = _SPEC[section]
    day = item.get(_DAY_FIELD.get(section, "start"))
    ident = item[id_field]
    if section == "postings":
        ident = f"{item['business_group']}/{item['role']}"
    extra = ""
    if section == "credentials" and item.get("level") is not None:
        extra = f":{item['level']}"
    elif section in ("ranks", "bands") and item.get("basis") == "temporary":
        extra = ":temporary"
    elif section == "assessments" and item.get("assessors"):
        extra = f":{len(item['assessors'])}"
    return f"{kind}:{ident}{extra}@{day}"
