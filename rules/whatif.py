"""What if: the record plus hypothetical items, and what that changes.

Hypothetical items are written like record items (``{"courses": [{"course":
"fsl_stage_3", "completed": "2027-03-01"}]}``) or, on the command line, as
``KIND:ID[:LEVEL]@DATE`` (see :func:`parse_addition`).

>>> parse_addition("course:fsl_stage_3@2027-03-01")
('courses', {'course': 'fsl_stage_3', 'completed': '2027-03-01', 'id': 'whatif-course-fsl_stage_3'})
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from accreditation.io import record_from_data, record_warnings
from accreditation.record import Person
from pathways.dates import out_of_range
from pathways.model.catalogue import Catalogue

from .actions import what_if_assessors
from .decision import Decision, Status
from .engine import Evaluator

__all__ = [
    "StageChange",
    "WhatIf",
    "parse_addition",
    "unknown_additions",
    "what_if",
    "what_if_with",
    "with_additions",
]


class StageChange(BaseModel):
    """A stage whose status or date differs with the hypothetical items."""

    model_config = ConfigDict(frozen=True)

    pathway: str
    stage: str
    name: str
    before: Status
    after: Status
    before_date: dt.date | None = None
    after_date: dt.date | None = None


class WhatIf(BaseModel):
    """The decision without and with the hypothetical items, as of the same date.

    ``warnings``: hypothetical items with an id the catalogue does not know (with "did
    you mean"). No rule can use such an item, so "no stage changes" says nothing about
    the item meant: every view shows these warnings with the changes.
    """

    model_config = ConfigDict(frozen=True)

    as_of: dt.date
    additions: dict[str, list[dict[str, Any]]]
    before: Decision
    after: Decision
    changes: list[StageChange]
    warnings: list[str] = Field(default_factory=list)


_KINDS: dict[str, tuple[str, str, str]] = {
    # kind -> (record section, id field, date field)
    "course": ("courses", "course", "completed"),
    "passed": ("assessments", "assessment", "date"),
    "credential": ("credentials", "credential", "awarded"),
    "rank": ("ranks", "rank", "start"),
    "band": ("bands", "band", "start"),
    "endorsement": ("endorsements", "endorsement", "date"),
    "member": ("memberships", "programme", "start"),
    "mentor": ("mentors", "mentor", "start"),
    "posting": ("postings", "role", "start"),
}


MAX_WHAT_IF_ASSESSORS = 12


def parse_addition(spec: str) -> tuple[str, dict[str, Any]]:
    """Parse ``KIND:ID[:EXTRA]@DATE`` into (record section, item).

    Kinds: course, passed (EXTRA: how many assessors; they are named "what-if assessor N",
    no one in the records, so they count unchecked), credential (EXTRA: level), rank and
    band (EXTRA: temporary), endorsement, member, mentor (ID: the mentor's warrant or staff
    number), posting (ID: ``business_group/role``).

    Raises:
        ValueError: naming what is wrong and the expected form.
    """
    form = "KIND:ID[:EXTRA]@YYYY-MM-DD, e.g. course:fsl_stage_3@2027-03-01"
    head, sep, day = spec.partition("@")
    if not sep:
        raise ValueError(f"'{spec}' has no date: write {form}")
    try:
        parsed = dt.date.fromisoformat(day)
    except ValueError:
        raise ValueError(f"'{day}' in '{spec}' is not a date like 2027-03-01") from None
    wrong = out_of_range(parsed)
    if wrong is not None:  # a date near date.min would overflow closing the item before it
        raise ValueError(f"'{spec}': {wrong}")
    kind, _, rest = head.partition(":")
    if kind not in _KINDS:
        raise ValueError(f"unknown kind '{kind}' in '{spec}': use one of {', '.join(_KINDS)}")
    if not rest:
        raise ValueError(f"'{spec}' names no id: write {form}")
    section, id_field, date_field = _KINDS[kind]
    ident, _, extra = rest.partition(":")
    item: dict[str, Any] = {id_field: ident, date_field: day, "id": f"whatif-{kind}-{ident}"}
    if kind == "credential" and extra:
        if not extra.isdigit():
            raise ValueError(f"credential level '{extra}' in '{spec}' is not a number")
        item["level"] = int(extra)
    elif kind in ("rank", "band") and extra:
        if extra not in ("temporary", "substantive"):
            raise ValueError(f"'{extra}' in '{spec}': use temporary or substantive")
        item["basis"] = extra
    elif kind == "passed" and extra:
        if not extra.isdigit() or not 0 < int(extra) <= MAX_WHAT_IF_ASSESSORS:
            raise ValueError(
                f"assessors '{extra}' in '{spec}': give how many, 1 to {MAX_WHAT_IF_ASSESSORS}"
            )
        item["assessors"] = what_if_assessors(int(extra))
    elif kind == "posting":
        group, slash, role = ident.partition("/")
        if not slash:
            raise ValueError(f"posting '{ident}' in '{spec}': write business_group/role")
        item.update(business_group=group, role=role)
    elif extra:
        raise ValueError(f"'{kind}' takes no ':{extra}' in '{spec}'")
    item["id"] = item["id"].replace("/", "-")
    return section, item


def with_additions(person: Person, additions: dict[str, list[dict[str, Any]]]) -> Person:
    """The record with hypothetical items added. A new rank, band or posting ends the
    current one the day before it starts (a promotion replaces the old rank).

    Raises:
        accreditation.io.RecordError: if the combined record is not valid.
    """
    data = person.model_dump(mode="json")
    for section, items in additions.items():
        for item in items:
            start = item.get("start")
            if section in ("ranks", "bands", "postings") and start:
                basis = item.get("basis", "substantive")
                end = (dt.date.fromisoformat(start) - dt.timedelta(days=1)).isoformat()
                for old in data[section]:
                    if old.get("end") is None and old.get("basis", "substantive") == basis:
                        old["end"] = end
            data[section].append(dict(item))
    return record_from_data(data, f"{person.id} (what if)")


def what_if(
    evaluator: Evaluator,
    person: Person,
    additions: dict[str, list[dict[str, Any]]],
    as_of: dt.date | None = None,
) -> WhatIf:
    """Decide with and without ``additions``; by default as of the latest added date
    (or today, if later), so the hypothetical items count."""
    return what_if_with(evaluator.decide, person, additions, as_of, evaluator.library.catalogue)


def what_if_with(
    decide: Callable[[Person, dt.date], Decision],
    person: Person,
    additions: dict[str, list[dict[str, Any]]],
    as_of: dt.date | None = None,
    catalogue: Catalogue | None = None,
) -> WhatIf:
    """:func:`what_if` with any way of deciding (an engine pool, say). With the
    ``catalogue`` the decisions use, added items it does not know are warned about.

    Raises:
        accreditation.io.RecordError: if the record with the additions is not valid.
    """
    changed = with_additions(person, additions)
    if as_of is None:
        dates = [
            dt.date.fromisoformat(str(v))
            for items in additions.values()
            for item in items
            for k, v in item.items()
            if k in ("completed", "date", "awarded", "start") and v
        ]
        as_of = max([dt.date.today(), *dates])
    before = decide(person, as_of)
    after = decide(changed, as_of)
    changes = []
    for old, new in zip(before.stages, after.stages, strict=True):
        old_date = old.eligible_from or old.lapsed_on
        new_date = new.eligible_from or new.lapsed_on
        if old.status is not new.status or old_date != new_date:
            changes.append(
                StageChange(
                    pathway=new.pathway,
                    stage=new.stage,
                    name=new.name,
                    before=old.status,
                    after=new.status,
                    before_date=old_date,
                    after_date=new_date,
                )
            )
    return WhatIf(
        as_of=as_of,
        additions=additions,
        before=before,
        after=after,
        changes=changes,
        warnings=unknown_additions(person, changed, catalogue, as_of) if catalogue else [],
    )


def unknown_additions(
    person: Person, changed: Person, catalogue: Catalogue, as_of: dt.date
) -> list[str]:
    """The warnings the record with the additions has and the record alone has not: added
    items whose ids the catalogue does not know, or dated after the as-of date."""
    own = set(record_warnings(person, catalogue, as_of))
    return [w for w in record_warnings(changed, catalogue, as_of) if w not in own]
