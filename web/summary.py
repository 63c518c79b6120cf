"""What the officer pages show, worked out from a decision: what a person holds and when it
lapses, each pathway in one line, the catalogue as names to pick from for a what-if, and
which requirements a what-if meets.

Everything here is words for people: stage, pathway, course and status names, never ids.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from accreditation.record import Person
from pathways.model.catalogue import Catalogue
from pathways.model.library import Library, stage_key
from pathways.suggest import did_you_mean
from rules.decision import Decision, RequirementOutcome, StageDecision, Status
from rules.ranking import lapse_dates
from rules.targets import word_match

__all__ = [
    "Holding",
    "Met",
    "PathwayLine",
    "Pick",
    "catalogue_picks",
    "holdings",
    "newly_met",
    "pathway_lines",
    "resolve_pick",
]


@dataclass(frozen=True)
class Holding:
    """A stage held (or lapsed), with the day a credential lapses unless revalidated."""

    stage: StageDecision
    lapses_on: dt.date | None = None

    @property
    def current_until(self) -> dt.date | None:
        """The last day it is current (the day before it lapses)."""
        return self.lapses_on - dt.timedelta(days=1) if self.lapses_on else None


@dataclass
class PathwayLine:
    """One pathway in a line: the highest stages held, and what is open now."""

    id: str
    name: str
    current: list[StageDecision] = field(default_factory=list)
    open: list[StageDecision] = field(default_factory=list)


def _tops(library: Library, stages: list[StageDecision]) -> list[StageDecision]:
    """Held stages no other held stage of the same pathway follows on from."""
    held = {s.stage for s in stages if s.status is Status.HELD}
    out = []
    for s in stages:
        if s.stage not in held:
            continue
        pathway = library.pathways[s.pathway]
        after = {p.to for p in pathway.progressions if p.from_ == s.stage}
        if not after & held:
            out.append(s)
    return out


def holdings(decision: Decision, person: Person, library: Library) -> list[Holding]:
    """The highest stages held in each pathway (with lapse days for credentials), then
    every lapsed stage."""
    by_pathway: dict[str, list[StageDecision]] = {}
    for s in decision.stages:
        by_pathway.setdefault(s.pathway, []).append(s)
    out: list[Holding] = []
    for stages in by_pathway.values():
        for s in _tops(library, stages):
            award = library.pathways[s.pathway].stage(s.stage)
            lapses = None
            if award is not None and award.awards is not None and award.awards.credential:
                ends = lapse_dates(
                    person,
                    library.catalogue.credentials,
                    decision.as_of,
                    award.awards.level or 0,
                )
                lapses = ends.get(award.awards.credential)
            out.append(Holding(s, lapses))
    out += [Holding(s) for s in decision.stages if s.status is Status.LAPSED]
    return out


def pathway_lines(decision: Decision, library: Library) -> list[PathwayLine]:
    lines: dict[str, PathwayLine] = {}
    for s in decision.stages:
        line = lines.setdefault(s.pathway, PathwayLine(s.pathway, s.pathway_name))
        if s.status in (Status.ELIGIBLE, Status.ELIGIBLE_FROM, Status.LAPSED):
            line.open.append(s)
    for line in lines.values():
        line.current = _tops(library, [s for s in decision.stages if s.pathway == line.id])
    return list(lines.values())


# --- what-if by name --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """A catalogue item as a what-if offers it: its words, and what it adds."""

    label: str
    group: str
    spec: str  # KIND:ID[:EXTRA], without the date


_ASSESSMENT_WORDS = {
    "exam": "exam",
    "assessment": "assessment",
    "assessment_centre": "assessment centre",
    "interview": "interview",
    "work_based": "work-based assessment",
}


def catalogue_picks(catalogue: Catalogue, person: Person, on: dt.date) -> list[Pick]:
    """Everything a what-if can add, named as people say it, grouped by kind."""
    picks: list[Pick] = []
    for c in catalogue.courses:
        picks.append(Pick(f"{c.name} (course)", "Courses", f"course:{c.id}"))
    for a in catalogue.assessments:
        kind = _ASSESSMENT_WORDS.get(a.kind.value, "assessment")
        picks.append(Pick(f"{a.name} ({kind})", "Exams and assessments", f"passed:{a.id}"))
    for cred in catalogue.credentials:
        levels: list[int | None] = list(cred.levels or []) or [None]
        for level in levels:
            words = f", level {level}" if level is not None else ""
            extra = f":{level}" if level is not None else ""
            picks.append(
                Pick(
                    f"{cred.name}{words} (credential)",
                    "Credentials",
                    f"credential:{cred.id}{extra}",
                )
            )
    for p in catalogue.programmes:
        picks.append(Pick(f"Member of {p.name} (programme)", "Programmes", f"member:{p.id}"))
    for e in catalogue.endorsements:
        picks.append(Pick(f"{e.name} (endorsement)", "Endorsements", f"endorsement:{e.id}"))
    ladder, kind = (
        (catalogue.ranks, "rank") if person.kind.value == "officer" else (catalogue.bands, "band")
    )
    for r in ladder:
        picks.append(Pick(f"Promoted to {r.name} ({kind})", "Promotions", f"{kind}:{r.id}"))
    current = [p for p in person.postings if p.covers(on)]
    names = catalogue.names()
    if current:
        group, role = current[-1].business_group, current[-1].role
        group_name = names.get(("business_groups", group), group)
        role_name = names.get(("roles", role), role)
        for r in catalogue.roles:
            if r.id != role:
                picks.append(
                    Pick(
                        f"Posted as {r.name} in {group_name} (posting)",
                        "Postings",
                        f"posting:{group}/{r.id}",
                    )
                )
        for g in catalogue.business_groups:
            if g.id != group:
                picks.append(
                    Pick(
                        f"Posted to {g.name} as {role_name} (posting)",
                        "Postings",
                        f"posting:{g.id}/{role}",
                    )
                )
    elif catalogue.business_groups:
        first = catalogue.business_groups[0]
        for r in catalogue.roles:
            picks.append(
                Pick(
                    f"Posted as {r.name} in {first.name} (posting)",
                    "Postings",
                    f"posting:{first.id}/{r.id}",
                )
            )
    return picks


def resolve_pick(picks: list[Pick], typed: str) -> Pick:
    """The pick whose words were typed (case and spacing do not matter).

    Raises:
        ValueError: saying what was typed, and the nearest item's words if one is close.
    """
    wanted = " ".join(typed.split()).lower()
    for pick in picks:
        if pick.label.lower() == wanted:
            return pick
    # Typed in other words ('FSL stage 1'): the one that fits best, if only one does.
    scored = [(s, p) for p in picks if (s := word_match(typed, p.label)) is not None]
    best = min((s for s, _ in scored), default=None)
    starts = [p for s, p in scored if s == best]
    if len(starts) == 1:
        return starts[0]
    guess = did_you_mean(typed, [p.label for p in picks], cutoff=0.5)
    hint = f" Did you mean '{guess}'?" if guess else ""
    if len(starts) > 1:
        hint = " It could be: " + "; ".join(p.label for p in starts[:4]) + "."
    raise ValueError(f"'{typed}' is not an item in the catalogue.{hint}")


# --- what a what-if meets ------------------------------------------------------------------------


@dataclass(frozen=True)
class Met:
    """A stage a what-if changes, with its status before and after and the requirements
    it meets."""

    before: StageDecision
    after: StageDecision
    met: list[str]

    @property
    def changed(self) -> bool:
        b, a = self.before, self.after
        return (b.status, b.eligible_from, b.lapsed_on) != (a.status, a.eligible_from, a.lapsed_on)


def newly_met(before: Decision, after: Decision, hide: frozenset[str] = frozenset()) -> list[Met]:
    """Stages whose status changes or some requirement becomes met; status changes first."""
    old = {stage_key(s.pathway, s.stage): s for s in before.stages}
    out: list[Met] = []
    for a in after.stages:
        key = stage_key(a.pathway, a.stage)
        b = old.get(key)
        if b is None or key in hide:
            continue
        was = dict(_walk(b.requirements))
        met = [
            o.text
            for path, o in _walk(a.requirements)
            if o.met and o.in_force and not getattr(was.get(path), "met", True)
        ]
        found = Met(b, a, met)
        if found.changed or met:
            out.append(found)
    return sorted(out, key=lambda m: not m.changed)


def _walk(outcomes: list[RequirementOutcome]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for o in outcomes:
        out.append((o.path, o))
        out += _walk(o.children)
    return out
