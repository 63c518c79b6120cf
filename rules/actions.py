"""What a person can *do* about an unmet requirement, as record items: the vocabulary that
routes (:mod:`rules.route`) and the ranked next steps (:mod:`rules.ranking`) share.

Every unmet leaf of a stage is one of:

- a **stage to reach** first: a ``reached`` requirement, or an item some stage awards (a rank,
  a credential level, a programme membership, a course, an assessment): "Seek promotion to
  chief inspector" is reaching a stage that awards the rank of chief inspector;
- an **action**: items the person adds to their record by doing something (pass an exam,
  attend a course, obtain an endorsement, take a posting), written as the what-if
  machinery writes them (:func:`rules.whatif.parse_addition`);
- a **wait**: only time is missing (the engine's ``met_from``);
- **closed**: nothing the person does can meet it (an attribute, a rank above a limit).

An action has a *key* naming what is done, not which stage asked for it, so the same
action asked for by three stages is one action: ``reached: promotion.chief_inspector``
and ``rank: {at_least: chief_inspector}`` are both ``rank:chief_inspector``.

>>> from pathways import SHIPPED_LIBRARY, load_library
>>> book = ActionBook.of(load_library([SHIPPED_LIBRARY]))
>>> book.requirement("promotion.inspector", "requires[2]").kind
'passed'
>>> book.key_of("promotion.chief_inspector", "requires[0]")
'rank:inspector'
>>> book.key_of("fsl.stage_1", "requires[0].any_of[0]")
'rank:chief_inspector'
>>> book.awarding_key("rank:superintendent")
['promotion.superintendent', 'work_based_assessment.substantive_superintendent']
>>> book.awarding_key("rank:chief_inspector")
['promotion.chief_inspector']
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, assert_never

from pathways.model.catalogue import Catalogue
from pathways.model.library import Library, prerequisites, stage_key
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
    ServiceScope,
    walk,
)
from pathways.model.tree import placed_children
from pathways.problems import format_path

from .additions import Addition, award_key, is_temporary, spec

__all__ = ["MENTOR", "ActionBook", "Addition", "award_key", "spec"]

#: The mentor a "has a mentor" action adds, in what-if: HR chooses the person.
MENTOR = "MENTOR"


@dataclass
class ActionBook:
    """One library's requirements by path, and which stages award which items."""

    library: Library
    _requirements: dict[tuple[str, str], tuple[Requirement, str]] = field(default_factory=dict)
    _awarding: dict[str, list[str]] = field(default_factory=dict)
    _needs: dict[str, set[str]] = field(default_factory=dict)
    #: Stages that test a protected characteristic, or must follow one that does.
    positive_action: frozenset[str] = frozenset()

    @classmethod
    def of(cls, library: Library) -> ActionBook:
        found = _BOOKS.get(library.digest)
        if found is None or found.library is not library:
            found = cls(library)
            found._index()
            _BOOKS[library.digest] = found
        return found

    def _index(self) -> None:
        for pathway, stage in self.library.stages():
            key = stage_key(pathway.id, stage.id)
            for i, req in enumerate(stage.requires):
                self._visit(key, pathway.id, req, f"requires[{i}]")
            if stage.awards is not None:
                self._awarding.setdefault(award_key(stage.awards, self.catalogue), []).append(key)
            self._needs[key] = {stage_key(*t) for t in prerequisites(pathway, stage, True)}
        # Close over chains: a stage needs what the stages it needs need.
        changed = True
        while changed:
            changed = False
            for needs in self._needs.values():
                more = set().union(*(self._needs.get(n, set()) for n in needs)) - needs
                if more:
                    needs |= more
                    changed = True
        protected = {a.id for a in self.catalogue.attributes if a.protected}
        direct = {
            stage_key(p.id, s.id)
            for p, s in self.library.stages()
            if any(
                isinstance(r, AttributeRequirement) and r.attribute in protected and not negated
                for top in s.requires
                for r, negated in walk(top)
            )
        }
        self.positive_action = frozenset(
            k for k, needs in self._needs.items() if k in direct or needs & direct
        )

    def _visit(self, key: str, pathway: str, req: Requirement, path: str) -> None:
        self._requirements[(key, path)] = (req, pathway)
        for place, child in placed_children(req):
            self._visit(key, pathway, child, f"{path}.{format_path(place)}")

    @property
    def catalogue(self) -> Catalogue:
        return self.library.catalogue

    # --- looking things up ----------------------------------------------------------

    def requirement(self, key: str, path: str) -> Requirement | None:
        """The requirement at ``path`` (as in decisions) of stage ``key`` ('pathway.stage')."""
        found = self._requirements.get((key, path))
        return found[0] if found else None

    def stage(self, key: str) -> tuple[Pathway, Stage]:
        """The pathway and stage of a stage key.

        Raises:
            KeyError: if there is no such stage.
        """
        pathway_id, _, stage_id = key.partition(".")
        pathway = self.library.pathways.get(pathway_id)
        stage = pathway.stage(stage_id) if pathway else None
        if pathway is None or stage is None:
            raise KeyError(key)
        return pathway, stage

    def needs(self, key: str, other: str) -> bool:
        """True if stage ``key`` can only be reached after stage ``other`` (a ``reached``
        requirement that must hold, directly or through a chain of them)."""
        return other in self._needs.get(key, set())

    def prerequisite_count(self, key: str) -> int:
        """How many stages must be reached before stage ``key`` (through ``reached``)."""
        return len(self._needs.get(key, set()))

    def awarding_key(self, key: str) -> list[str]:
        """Stages (keys, library order) whose award is exactly the action ``key``, without
        those that need another of them first (senior leadership's 'chief inspector' stage
        is the promotion ladder's, reached again)."""
        found = self._awarding.get(key, [])
        kept = [k for k in found if not any(self.needs(k, o) for o in found if o != k)]
        # A positive-action programme's way last: the other is the usual way (the HPDS
        # itself before the HPDS after Equip to Achieve); library order otherwise.
        return sorted(kept, key=lambda k: k in self.positive_action)

    def awarding(self, key: str, path: str) -> list[str]:
        """Stages reaching which meets the leaf at ``path`` of stage ``key``; empty if none
        does (it is then an action, or closed). A ``reached`` leaf names its one stage."""
        found = self._requirements.get((key, path))
        if found is None:
            return []
        req, pathway = found
        match req:
            case ReachedRequirement():
                return [stage_key(*req.target(pathway))]
            case RankRequirement() | BandRequirement():
                return self._ladder(req)
            case CredentialRequirement():
                return self._credential_awarding(req)
            case CourseRequirement():
                return self.awarding_key(f"course:{req.course}")
            case PassedRequirement():
                return self.awarding_key(f"passed:{req.passed}")
            case MembershipRequirement():
                return self.awarding_key(f"member:{req.member_of}")
            case CompletedProgrammeRequirement():
                return self.awarding_key(f"programme:{req.completed_programme}")
            case (
                ServedRequirement()
                | DistinctBusinessGroupsRequirement()
                | PostedRequirement()
                | EndorsementRequirement()
                | HasMentorRequirement()
                | AttributeRequirement()
                | AllOf()
                | AnyOf()
                | AtLeast()
                | Not()
            ):
                return []  # no stage awards these: an action, a wait, or closed
            case _:
                assert_never(req)

    def _credential_awarding(self, req: CredentialRequirement) -> list[str]:
        """Stages awarding the lowest level of the credential that meets ``req``."""
        levels = [
            (int(k.rsplit(":", 1)[1]), k)
            for k in self._awarding
            if k.startswith(f"credential:{req.credential}:")
        ]
        wanted = req.level or 0
        fit = sorted(lv for lv in levels if lv[0] >= wanted)
        if fit:
            return self.awarding_key(fit[0][1])
        return self.awarding_key(f"credential:{req.credential}")

    def _ladder(self, req: RankRequirement | BandRequirement) -> list[str]:
        """Stages awarding the lowest rank (band) that meets a rank (band) requirement."""
        is_rank = req.kind == "rank"
        bounds = req.bounds
        order = self.catalogue.rank_order() if is_rank else self.catalogue.band_order()
        low = bounds.exactly or bounds.at_least
        if low is None or low not in order:
            return []
        high = order.get(bounds.exactly or bounds.at_most or "", 10**6)
        kind = "rank" if is_rank else "band"
        temporary_ok = bounds.basis.value != "substantive"
        substantive_ok = bounds.basis.value != "temporary"
        ladder = list(order)
        for value in ladder[order[low] : high + 1]:
            found = self.awarding_key(f"{kind}:{value}") if substantive_ok else []
            if temporary_ok:
                found += self.awarding_key(f"{kind}:{value}:temporary")
            if found:
                return found
        return []

    # --- keys and words --------------------------------------------------------------

    def key_of(self, key: str, path: str) -> str | None:
        """The action key of the leaf at ``path`` of stage ``key``: the same for every stage
        that asks for the same thing. None if there is no requirement there."""
        found = self._requirements.get((key, path))
        if found is None:
            return None
        req, pathway = found
        match req:
            case ReachedRequirement():
                target = stage_key(*req.target(pathway))
                try:
                    _, stage = self.stage(target)
                except KeyError:
                    return f"stage:{target}"
                if stage.awards:
                    return award_key(stage.awards, self.catalogue)
                return f"stage:{target}"
            case RankRequirement() | BandRequirement():
                low = req.bounds.exactly or req.bounds.at_least
                if low is not None:
                    return f"{req.kind}:{low}"
            case CredentialRequirement():
                level = f":{req.level}" if req.level is not None else ""
                return f"credential:{req.credential}{level}"
            case CourseRequirement():
                return f"course:{req.course}"
            case CompletedProgrammeRequirement():
                return f"programme:{req.completed_programme}"
            case PassedRequirement():
                return f"passed:{req.passed}"
            case EndorsementRequirement():
                return f"endorsement:{req.endorsement}"
            case MembershipRequirement():
                return f"member:{req.member_of}"
            case HasMentorRequirement():
                return "mentor"
            case ServedRequirement():
                s = req.served
                where = s.role or s.business_group or s.in_.value
                if s.rank or s.band or s.since:  # the scope says what the time is in
                    where = s.scope_key()
                return f"served:{where}:{s.at_least_months or 0}"
            case DistinctBusinessGroupsRequirement():
                d = req.distinct_business_groups
                return f"groups:{d.role or '*'}:{d.at_least}"
            case PostedRequirement():
                return f"posted:{req.posted.role or '*'}:{req.posted.business_group or '*'}"
            case AttributeRequirement() | AllOf() | AnyOf() | AtLeast() | Not():
                pass  # not an action: a key of its own place
            case _:
                assert_never(req)
        return f"{req.kind}:{path}@{key}"

    def entry_of(self, action: str) -> tuple[str, str, str | None] | None:
        """(section, name, description) of the catalogue entry an action key names, if any."""
        found = self.about(action)
        return found[:3] if found else None

    def about(self, action: str) -> tuple[str, str, str | None, str | None, str | None] | None:
        """(section, name, description, url, contact) of the catalogue entry an action key
        names, if any."""
        kind, _, rest = action.partition(":")
        ident = rest.split(":")[0]
        section = {
            "course": "courses",
            "passed": "assessments",
            "credential": "credentials",
            "member": "programmes",
            "programme": "programmes",
            "endorsement": "endorsements",
            "rank": "ranks",
            "band": "bands",
            "role": "roles",
        }.get(kind)
        if section is None:
            return None
        entry = self.catalogue.entry(section, ident)
        if entry is None:
            return None
        return (
            section,
            getattr(entry, "name", ident),
            getattr(entry, "description", None),
            getattr(entry, "url", None),
            getattr(entry, "contact", None),
        )

    # --- doing it --------------------------------------------------------------------

    def award_items(self, key: str, person: Any, day: dt.date) -> list[Addition] | None:
        """The record items that show stage ``key`` held from ``day``; None if it awards nothing."""
        _, stage = self.stage(key)
        award = stage.awards
        if award is None:
            return None
        iso = day.isoformat()
        if award.credential is not None:
            item: dict[str, Any] = {"credential": award.credential, "awarded": iso}
            if award.level is not None:
                item["level"] = award.level
            return [("credentials", item)]
        if award.rank is not None or award.band is not None:
            section, field_name = ("ranks", "rank") if award.rank is not None else ("bands", "band")
            item = {field_name: award.rank or award.band, "start": iso}
            if is_temporary(award):
                item["basis"] = "temporary"
            return [(section, item)]
        if award.course is not None:
            return [("courses", {"course": award.course, "completed": iso})]
        if award.completed_programme is not None:
            return self._programme(award.completed_programme, iso)
        if award.passed is not None:
            return [("assessments", {"assessment": award.passed, "date": iso})]
        if award.member_of is not None:
            return [("memberships", {"programme": award.member_of, "start": iso})]
        return [("postings", self._posting(person, day, role=award.role))]

    def action_items(self, key: str, path: str, person: Any, day: dt.date) -> list[Addition] | None:
        """Record items, dated ``day``, that doing the leaf at ``path`` of stage ``key`` adds;
        None if it is not something a person does (a stage to reach, a wait, an attribute)."""
        found = self._requirements.get((key, path))
        if found is None:
            return None
        req, _ = found
        iso = day.isoformat()
        match req:
            case CourseRequirement():
                return [("courses", {"course": req.course, "completed": iso})]
            case CompletedProgrammeRequirement():
                return self._programme(req.completed_programme, iso)
            case PassedRequirement():
                passed: dict[str, Any] = {"assessment": req.passed, "date": iso}
                if req.assessors is not None:  # passed before as many assessors as it asks for
                    passed["assessors"] = what_if_assessors(req.assessors.at_least)
                return [("assessments", passed)]
            case CredentialRequirement():
                item: dict[str, Any] = {"credential": req.credential, "awarded": iso}
                if req.level is not None:
                    item["level"] = req.level
                return [("credentials", item)]
            case EndorsementRequirement():
                return [("endorsements", {"endorsement": req.endorsement, "date": iso})]
            case MembershipRequirement():
                return [("memberships", {"programme": req.member_of, "start": iso})]
            case HasMentorRequirement():
                return [("mentors", {"mentor": MENTOR, "start": iso})]
            case RankRequirement() | BandRequirement():
                low = req.bounds.exactly or req.bounds.at_least
                if low is None:
                    return None
                section = "ranks" if req.kind == "rank" else "bands"
                return [(section, {req.kind: low, "start": iso})]
            case ServedRequirement() | PostedRequirement():
                return self._post_for(req, person, day)
            case DistinctBusinessGroupsRequirement():
                return self._rotations(req, person, day)
            case ReachedRequirement() | AttributeRequirement():
                return None  # a stage to reach, or who the person is
            case AllOf() | AnyOf() | AtLeast() | Not():
                return None
            case _:
                assert_never(req)

    def _programme(self, programme: str, iso: str) -> list[Addition] | None:
        entry = self.catalogue.entry("programmes", programme)
        courses = list(getattr(entry, "stages", []) or [])
        return [("courses", {"course": c, "completed": iso}) for c in courses] or None

    def _posting(
        self, person: Any, day: dt.date, role: str | None = None, group: str | None = None
    ) -> dict[str, Any]:
        """A posting from ``day``: the role and business group given, else the current ones."""
        current = [p for p in person.postings if p.covers(day)]
        roles, groups = self.catalogue.ids("roles"), self.catalogue.ids("business_groups")
        role = role or (current[-1].role if current else (roles[0] if roles else "role"))
        group = group or (
            current[-1].business_group if current else (groups[0] if groups else "group")
        )
        return {"business_group": group, "role": role, "start": day.isoformat()}

    def _post_for(
        self, req: ServedRequirement | PostedRequirement, person: Any, day: dt.date
    ) -> list[Addition] | None:
        if isinstance(req, PostedRequirement):
            posting = self._posting(person, day, req.posted.role, req.posted.business_group)
            return [("postings", posting)]
        s = req.served
        if s.at_least_months is None:
            return None  # 'at most': waiting never helps, and it is closed when exceeded
        if s.in_ is ServiceScope.ROLE:
            return [("postings", self._posting(person, day, role=s.role))]
        if s.in_ is ServiceScope.BUSINESS_GROUP:
            return [("postings", self._posting(person, day, group=s.business_group))]
        return None  # the service, the current rank/role/group: time, or a stage, gives it

    def _rotations(
        self, req: DistinctBusinessGroupsRequirement, person: Any, day: dt.date
    ) -> list[Addition] | None:
        """Postings in business groups not yet served in, one a day from ``day``, until the
        count is reached (a rotation's length is not a rule; the count is)."""
        d = req.distinct_business_groups
        role = d.role
        served = {p.business_group for p in person.postings if role is None or p.role == role}
        fresh = [g for g in self.catalogue.ids("business_groups") if g not in served]
        missing = d.at_least - len(served)
        if missing > len(fresh):
            return None
        out: list[Addition] = []
        for i, group in enumerate(fresh[:missing]):
            posting = self._posting(person, day + dt.timedelta(days=i), role=role, group=group)
            out.append(("postings", posting))
        return out


def what_if_assessors(count: int) -> list[str]:
    """Names for the assessors of a hypothetical pass: no one in the records, so they count
    unchecked (:mod:`rules.assessors`) and the decision says so.

    >>> what_if_assessors(2)
    ['what-if assessor 1', 'what-if assessor 2']
    """
    return [f"what-if assessor {n}" for n in range(1, count + 1)]


_BOOKS: dict[str, ActionBook] = {}
