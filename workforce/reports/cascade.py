"""The Talent Cascade for HR (001 para 11, 20; 002 rec 7): each mentor and how many people
they mentor on a date; pairs that do not look right (the mentor has no record or does not
hold the mentor stage; the mentee is in none of the programmes mentees come from); and the
people an obligation says must have a mentor who have none (Equip to Achieve participants,
in the shipped library: the obligation HR acts on).

A pair is an item of the mentee's record (``mentors``), current on the date when its
``start`` is on or before it and its ``end`` (if any) on or after it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pathways.model.library import Library
from pathways.model.requirements import HasMentorRequirement, MembershipRequirement
from rules.batch import BatchEvaluator
from rules.decision import ObligationDecision, ObligationStatus, Status
from store import Store
from store.mentoring import Pair, pairs
from workforce.population import grouping

__all__ = [
    "MENTEE_PROGRAMMES",
    "MENTOR_STAGE",
    "Cascade",
    "MentorRow",
    "Unmatched",
    "cascade",
]

#: The stage a mentor holds, and the programmes mentees come from, in the shipped library.
MENTOR_STAGE = "assessors.talent_cascade_mentor"
MENTEE_PROGRAMMES = ("equip_to_achieve", "hpds", "talent_pool")


@dataclass
class MentorRow:
    mentor: str
    name: str | None
    business_group: str | None
    mentees: list[Pair]  # current on the date
    stage_status: str  # the mentor stage's status, or "no record"

    @property
    def count(self) -> int:
        return len(self.mentees)


@dataclass(frozen=True)
class Unmatched:
    """A current pair that does not look right, and why."""

    pair: Pair
    reason: str


@dataclass
class Cascade:
    as_of: dt.date
    library_version: str
    mentor_stage: str
    mentors: list[MentorRow]  # most mentees first
    unmatched: list[Unmatched]
    without_mentor: list[tuple[str, str | None, ObligationDecision]] = field(
        default_factory=list
    )  # (person, name, the obligation) not met: no mentor when one is due

    @property
    def pairs(self) -> int:
        return sum(r.count for r in self.mentors)


def cascade(
    store: Store,
    library: Library,
    as_of: dt.date,
    mentor_stage: str = MENTOR_STAGE,
    mentee_programmes: Sequence[str] = MENTEE_PROGRAMMES,
) -> Cascade:
    """The Talent Cascade on ``as_of``.

    Raises:
        KeyError: if ``mentor_stage`` is not a stage of ``library``.
    """
    pathway, _, stage = mentor_stage.partition(".")
    if library.stage(pathway, stage) is None:
        raise KeyError(mentor_stage)
    evaluator = BatchEvaluator(library)
    current: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs(store):
        if pair.covers(as_of):
            current[pair.mentor].append(pair)
    rows: list[MentorRow] = []
    unmatched: list[Unmatched] = []
    for mentor, mentees in sorted(current.items()):
        person = store.get_person(mentor)
        if person is None:
            status = "no record"
            name = group = None
        else:
            summary = evaluator.statuses(person, as_of, [pathway])
            found = [s for s in summary.stages if s.stage == stage]
            status = found[0].status.value if found else "not in force"
            name, group = person.name, grouping(person, as_of)[0]
        rows.append(MentorRow(mentor, name, group, mentees, status))
        if status != Status.HELD.value:
            why = (
                f"the mentor {mentor} has no record"
                if person is None
                else f"the mentor {mentor} does not hold {mentor_stage} ({status})"
            )
            unmatched += [Unmatched(p, why) for p in mentees]
        for p in mentees:
            mentee = store.get_person(p.mentee)
            if mentee is not None and not any(
                m.programme in mentee_programmes and m.covers(as_of) for m in mentee.memberships
            ):
                unmatched.append(
                    Unmatched(p, f"{p.mentee} is in none of: {', '.join(mentee_programmes)}")
                )
    rows.sort(key=lambda r: (-r.count, r.mentor))
    return Cascade(
        as_of,
        library.digest,
        mentor_stage,
        rows,
        unmatched,
        _without_mentor(store, library, evaluator, as_of),
    )


def _without_mentor(
    store: Store, library: Library, evaluator: BatchEvaluator, as_of: dt.date
) -> list[tuple[str, str | None, ObligationDecision]]:
    """People an obligation says must have a mentor, who have none on the date."""
    found = {
        f"{p.id}.{o.id}": o
        for p in library.pathways.values()
        for o in p.obligations
        if isinstance(o.must, HasMentorRequirement)
    }
    if not found:
        return []
    wanted = set(found)
    pathways = {key.split(".")[0] for key in wanted}
    # When every such obligation is for members of a programme (Equip to Achieve), people
    # who are members of none cannot owe one: they are skipped without evaluating.
    members_only = all(
        any(isinstance(r, MembershipRequirement) for r in o.applies_to) for o in found.values()
    )
    out = []
    for person in store.iter_people():
        if members_only and not any(m.covers(as_of) for m in person.memberships):
            continue
        for o in evaluator.obligations(person, as_of, pathways):
            if o.key in wanted and o.status is not ObligationStatus.MET:
                out.append((person.id, person.name, o))
    return sorted(out, key=lambda t: (t[2].act_by or dt.date.min, t[0]))
