"""The population evaluator: the compiled rules turned into Python source, once per library
version, that decides statuses, eligible-from and lapse dates for many records at once.

durable-rules is the reference engine and the source of every individual, explained
decision. A population run needs only each stage's status and dates, for hundreds of
thousands of records, so here the library that :func:`rules.compile.compile_library`
compiles and :func:`rules.plan.plan_library` plans (the same leaves, the same award
rules, the same requirement trees with their effective windows) is written out as one
Python function per set of stages: it reads a stored record (JSON, dates as ISO
strings) in one pass per section, works out each leaf condition it needs (only those),
and combines them in straight-line code. ``tests/test_popcode.py`` checks with
hypothesis that it agrees with the engine on every stage, across dates, with lapses and
expiries inside pending time windows.

Dates are exact (see :mod:`rules.timeline`): each leaf keeps its truth on the as-of date
and the later days on which that truth toggles with the record otherwise unchanged (a
credential lapses, an endorsement expires, a posting, rank or membership ends, a period
completes, an ``at_most`` period runs out); a stage not met today is tried on each such
day, and on each day a rule comes into or goes out of force, in order.

>>> import datetime as dt
>>> from accreditation import Person
>>> from pathways import SHIPPED_LIBRARY, load_library
>>> from rules.engine import Evaluator
>>> library = load_library([SHIPPED_LIBRARY])
>>> p = Person.model_validate({"id": "W1", "kind": "officer", "joined": "2015-09-01",
...     "ranks": [{"rank": "constable", "start": "2015-09-01"}]})
>>> fast = PopulationEvaluator(library)
>>> fast.statuses(p, dt.date(2017, 6, 1)).stages == Evaluator(library).statuses(
...     p, dt.date(2017, 6, 1)).stages
True
>>> fast.statuses(p, dt.date(2017, 6, 1)).stage("recruit", "initial_grounding").status.value
'not_eligible'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, assert_never

from accreditation.record import Person
from pathways.model.library import Library, stage_key
from pathways.model.pathway import Award, Stage
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
    RankBasis,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
    ServiceScope,
    walk,
)

from . import timeline
from .batch import BatchEvaluator
from .compile import CompiledLibrary
from .decision import DecisionSummary, StageStatus, Status, built
from .engine import compiled_for
from .plan import Node, StagePlan, plan_library
from .wording import Words

__all__ = ["POPULATION_ENGINE", "PopulationEvaluator", "StageCodes"]

POPULATION_ENGINE = "population (rules compiled to Python per library version)"
STATUS_CODES: tuple[Status, ...] = tuple(Status)
CODE_OF = {status: code for code, status in enumerate(STATUS_CODES)}
NOT_DECIDED = 255

#: (a status code per stage, 255 where not in force; {position: (eligible_from, lapsed_on)})
StageCodes = tuple[bytes, dict[int, tuple[dt.date | None, dt.date | None]]]
Record = Mapping[str, Any]


def _ord(day: dt.date | None) -> int | None:
    return day.toordinal() if day is not None else None


@dataclass
class _Source:
    """Python source being written: the record sections and leaves it needs, and its lines."""

    consts: dict[str, Any] = field(default_factory=dict)
    sections: set[str] = field(default_factory=set)
    creds: set[str] = field(default_factory=set)  # credentials the leaves look at
    roles: set[str] = field(default_factory=set)  # roles and groups whose months count
    groups: set[str] = field(default_factory=set)

    def const(self, value: Any) -> str:
        for name, known in self.consts.items():
            if type(known) is type(value) and known == value:
                return name
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name


class _Writer:
    """Writes the Python function that decides ``keys`` for one library version."""

    def __init__(self, library: Library, compiled: CompiledLibrary, plans: dict[str, StagePlan]):
        self.library = library
        self.compiled = compiled
        self.plans = plans
        self.cat = library.catalogue
        self.ranks = self.cat.rank_order()
        self.bands = self.cat.band_order()
        self.vocab_attributes = {a.id for a in self.cat.attributes}
        self.src = _Source()
        # Leaf and held-rule variables: each is worked out where first needed (a variable
        # starts as None; a (now, toggles) pair is never empty, so never false).
        self.defs: dict[str, str] = {}
        self.varying: set[str] = set()  # those whose truth can change after the as-of date
        self.held_names: dict[str, str] = {}  # stage key -> its held-rule variable

    # --- leaves ---------------------------------------------------------------------

    def leaf(self, node: Node, pathway_id: str) -> str:
        """An expression for the (now, toggles) pair of ``node``'s leaf, written if new."""
        name = f"L{node.leaf}"
        if name not in self.defs:
            self._emit(name, node.req, pathway_id)
        return self.get(name)

    def get(self, name: str) -> str:
        return f"({name} or ({name} := {self.defs[name]}))"

    def _put(self, name: str, expr: str) -> None:
        # Leaves that cannot change with time alone are written as ``(test, ())``.
        self.defs[name] = expr
        if not expr.endswith(", ())") and expr != "NEVER":
            self.varying.add(name)

    def _emit(self, name: str, req: Requirement, pathway_id: str) -> None:
        s = self.src
        match req:
            case CredentialRequirement():
                s.sections.add("cred")
                s.creds.add(req.credential)
                awards = f"CRED.get({s.const(req.credential)})"
                level = req.level if req.level is not None else -1
                fn = "_cred_current" if req.current else "_cred_any"
                self._put(name, f"{fn}({awards}, {level}, A)")
            case CourseRequirement():
                s.sections.add("done")
                self._put(name, f"(({s.const(req.course)} in DONE), ())")
            case CompletedProgrammeRequirement():
                s.sections.add("done")
                courses = self._programme(req.completed_programme)
                test = " and ".join(f"{s.const(c)} in DONE" for c in courses) or "False"
                self._put(name, f"(({test}), ())")
            case PassedRequirement() if req.assessors is not None:
                # A record that names assessors for it is decided by the batch evaluator
                # (see _Needs); for any other, no assessor counts.
                self._put(name, "NEVER")
            case PassedRequirement():
                s.sections.add("passed")
                self._put(name, f"(({s.const(req.passed)} in PASSED), ())")
            case RankRequirement() | BandRequirement():
                is_rank = isinstance(req, RankRequirement)
                bounds = req.rank if isinstance(req, RankRequirement) else req.band
                order = self.ranks if is_rank else self.bands
                table = "RANKS" if is_rank else "BANDS"
                s.sections.add(table.lower())
                tests = []
                if bounds.exactly is not None:
                    tests.append(f"o == {order.get(bounds.exactly, -1)}")
                if bounds.at_least is not None:
                    tests.append(f"o >= {order.get(bounds.at_least, 10**6)}")
                if bounds.at_most is not None:
                    tests.append(f"o <= {order.get(bounds.at_most, -1)}")
                if bounds.basis.value != "any":
                    tests.append(f"b == {s.const(bounds.basis.value)}")
                cond = " and ".join(tests) or "True"
                self._put(name, _holding(table, tests))
            case ServedRequirement():
                self._served(name, req)
            case DistinctBusinessGroupsRequirement():
                s.sections.add("groups")
                d = req.distinct_business_groups
                role = s.const(d.role or "*")
                self._put(name, f"((len(GROUPS.get({role}, ())) >= {d.at_least}), ())")
            case PostedRequirement():
                s.sections.add("current_posts")
                tests = []
                if req.posted.role:
                    tests.append(f"r == {s.const(req.posted.role)}")
                if req.posted.business_group:
                    tests.append(f"g == {s.const(req.posted.business_group)}")
                cond = " and ".join(tests)
                self._put(
                    name, f"_until(max((e for r, g, e in NOW_POSTS if {cond}), default=''), AS, A)"
                )
            case EndorsementRequirement():
                s.sections.add("endo")
                self._put(name, f"_until(ENDO.get({s.const(req.endorsement)}, ''), AS, A)")
            case MembershipRequirement():
                s.sections.add("memb")
                self._put(name, f"_until(MEMB.get({s.const(req.member_of)}, ''), AS, A)")
            case HasMentorRequirement():
                s.sections.add("mentor")
                self._put(name, "_until(MENTOR, AS, A)")
            case ReachedRequirement():
                held = self.held_name(stage_key(*req.target(pathway_id)))
                self._put(name, self.get(held))
                if held not in self.varying:
                    self.varying.discard(name)
            case AttributeRequirement():
                if req.attribute not in self.vocab_attributes:
                    self._put(name, "NEVER")  # the engine's person fact never carries it
                    return
                s.sections.add("person")
                values = s.const(frozenset(req.allowed()))
                self._put(name, f"((ATTR.get({s.const(req.attribute)}) in {values}), ())")
            case AllOf() | AnyOf() | AtLeast() | Not():
                raise TypeError(f"'{req.kind}' is a combinator, not a leaf")
            case _:
                assert_never(req)

    def _programme(self, programme: str) -> list[str]:
        entry = self.cat.entry("programmes", programme)
        return list(getattr(entry, "stages", []) or [])

    def _served(self, name: str, req: ServedRequirement) -> None:
        s = self.src
        spec = req.served
        lo, hi = spec.at_least_months, spec.at_most_months
        bounds = f"A, {lo!r}, {hi!r}"
        if spec.since is not None:
            self._since(name, req)
            return
        match spec.in_:
            case ServiceScope.SERVICE:
                s.sections.add("service")
                self._put(name, f"_tenure(SERVICE, {bounds})")
            case ServiceScope.ROLE | ServiceScope.BUSINESS_GROUP:
                by_role = spec.in_ is ServiceScope.ROLE
                raw = spec.role if by_role else spec.business_group
                (s.roles if by_role else s.groups).add(str(raw))
                s.sections.add("in_scope")
                value = s.const(raw)
                table, every = ("BY_ROLE", "ROLES_EVER") if by_role else ("BY_GROUP", "GROUPS_EVER")
                # A scope the record never mentions has no tenure fact: nothing matches it.
                self._put(
                    name,
                    f"_tenure({table}.get({value}, ()), {bounds}) if {value} in {every} else NEVER",
                )
            case ServiceScope.CURRENT_RANK:
                self._put(name, f"_run(rec, AS, 'rank', {bounds})")
            case ServiceScope.CURRENT_ROLE:
                self._put(name, f"_run(rec, AS, 'role', {bounds})")
            case ServiceScope.CURRENT_BUSINESS_GROUP:
                self._put(name, f"_run(rec, AS, 'business_group', {bounds})")
            case ServiceScope.RANK | ServiceScope.BAND:
                # A record holding it is decided by the batch evaluator (see _Needs); any
                # other has no time in it to count.
                self._put(name, "NEVER")
            case _:
                assert_never(spec.in_)

    def _since(self, name: str, req: ServedRequirement) -> None:
        """Time in a scope counted only from the first day the record shows an item."""
        s = self.src
        spec = req.served
        assert spec.since is not None
        lo, hi = spec.at_least_months, spec.at_most_months
        first = f"_since(rec, {s.const(spec.since.kind)}, {s.const(spec.since.value)}, AS)"
        match spec.in_:
            case ServiceScope.SERVICE:
                s.sections.add("service")
                self._put(name, f"_clipped(SERVICE, {first}, A, {lo!r}, {hi!r})")
            case ServiceScope.ROLE | ServiceScope.BUSINESS_GROUP:
                by_role = spec.in_ is ServiceScope.ROLE
                raw = spec.role if by_role else spec.business_group
                (s.roles if by_role else s.groups).add(str(raw))
                s.sections.add("in_scope")
                value = s.const(raw)
                table, every = ("BY_ROLE", "ROLES_EVER") if by_role else ("BY_GROUP", "GROUPS_EVER")
                self._put(
                    name,
                    f"_clipped({table}.get({value}, ()), {first}, A, {lo!r}, {hi!r})"
                    f" if {value} in {every} else NEVER",
                )
            case (
                ServiceScope.CURRENT_RANK
                | ServiceScope.CURRENT_ROLE
                | ServiceScope.CURRENT_BUSINESS_GROUP
            ):
                key = {"current_rank": "rank", "current_role": "role"}.get(
                    spec.in_.value, "business_group"
                )
                self._put(name, f"_run(rec, AS, {key!r}, A, {lo!r}, {hi!r}, since={first})")
            case ServiceScope.RANK | ServiceScope.BAND:
                self._put(name, "NEVER")  # a record holding it goes to the batch evaluator
            case _:
                assert_never(spec.in_)

    # --- awards -----------------------------------------------------------------------

    def held_name(self, key: str) -> str:
        """The variable of stage ``key``'s held rule (its (now, toggles) pair), written if new."""
        name = self.held_names.setdefault(key, f"H{len(self.held_names)}")
        if name not in self.defs:
            award = self.plans[key].stage.awards
            self._put(name, self._award(award) if award is not None else "NEVER")
        return name

    def held(self, key: str) -> str:
        """An expression for the (now, toggles) pair of stage ``key``'s held rule."""
        return self.get(self.held_name(key))

    def _award(self, award: Award) -> str:
        s = self.src
        if award.credential is not None:
            s.sections.add("cred")
            s.creds.add(award.credential)
            level = award.level if award.level is not None else -1
            return f"_cred_current(CRED.get({s.const(award.credential)}), {level}, A)"
        if award.rank is not None or award.band is not None:
            is_rank = award.rank is not None
            order = self.ranks if is_rank else self.bands
            value = award.rank if is_rank else award.band
            table = "RANKS" if is_rank else "BANDS"
            s.sections.add(table.lower())
            tests = [f"o >= {order.get(str(value), 10**6)}"]
            if award.basis is None or award.basis.value == "substantive":
                tests.append(f"b == {s.const('substantive')}")
            return _holding(table, tests)
        if award.course is not None:
            s.sections.add("done")
            return f"(({s.const(award.course)} in DONE), ())"
        if award.completed_programme is not None:
            s.sections.add("done")
            courses = self._programme(award.completed_programme)
            test = " and ".join(f"{s.const(c)} in DONE" for c in courses) or "False"
            return f"(({test}), ())"
        if award.passed is not None:
            s.sections.add("passed")
            return f"(({s.const(award.passed)} in PASSED), ())"
        if award.member_of is not None:
            s.sections.add("memb")
            return f"_until(MEMB.get({s.const(award.member_of)}, ''), AS, A)"
        s.sections.add("roles")
        return f"(({s.const(str(award.role))} in ROLES), ())"

    # --- trees ----------------------------------------------------------------------

    def expr(self, node: Node, ref: Callable[[Node], str], day: str) -> str:
        """A Python expression for ``node``'s truth on ``day`` (its own window aside)."""
        if not node.children:
            return ref(node)
        parts = [(_window(c, day), self.expr(c, ref, day)) for c in node.children]
        return _combine(node.kind, node.need, parts)

    def stage_expr(self, plan: StagePlan, ref: Callable[[Node], str], day: str) -> str:
        parts = [(_window(n, day), self.expr(n, ref, day)) for n in plan.nodes]
        return _combine("all_of", 1, parts)


def _holding(table: str, tests: list[str]) -> str:
    """A rank or band leaf over ``table`` (order ``o``, basis ``b``, last day ``e`` of each
    holding on the as-of date), with a shortcut for the usual single holding."""
    cond = " and ".join(tests) or "True"
    one = cond.replace("o ", "T0[0] ").replace("b ", "T0[1] ")
    single = f"(_until(T0[2], AS, A) if {one} else NEVER)".replace("T0", f"{table}0")
    many = f"_until(max((e for o, b, e in {table} if {cond}), default=''), AS, A)"
    return f"({single} if {table}0 else ({many} if {table} else NEVER))"


def _window(node: Node, day: str) -> str | None:
    tests = []
    if node.effective_from is not None:
        tests.append(f"{node.effective_from.toordinal()} <= {day}")
    if node.effective_to is not None:
        tests.append(f"{day} <= {node.effective_to.toordinal()}")
    return " and ".join(tests) if tests else None


def _combine(kind: str, need: int, parts: list[tuple[str | None, str]]) -> str:
    """Combine children (in-force test or None, expression) as :func:`rules.evaluate._combine`
    does: children out of force are left out."""
    if kind == "all_of":
        return " and ".join(
            f"({e})" if p is None else f"(not ({p}) or ({e}))" for p, e in parts
        ) or ("True")
    if kind == "not":
        p, e = parts[0]
        return f"not ({e})" if p is None else f"(not ({p}) or not ({e}))"
    windowed = all(p is not None for p, _ in parts)
    if kind == "any_of":
        body = " or ".join(f"({e})" if p is None else f"(({p}) and ({e}))" for p, e in parts)
        if windowed:  # every alternative out of force: nothing is asked
            body += " or not (" + " or ".join(f"({p})" for p, _ in parts) + ")"
        return body or "True"
    if kind == "at_least":
        if all(p is None for p, _ in parts):
            return "(" + " + ".join(f"({e})" for _, e in parts) + f") >= {min(need, len(parts))}"
        pairs = ", ".join(f"({p or 'True'}, ({e}))" for p, e in parts)
        return f"_atleast({need}, ({pairs},))"
    raise ValueError(f"unknown combinator '{kind}'")


def _nodes(nodes: Iterable[Node]) -> Iterable[Node]:
    for node in nodes:
        yield node
        yield from _nodes(node.children)


_PRELUDE = {
    "done": [
        "DONE = {c['course'] for c in rec.get('courses') or ()"
        " if (x := c.get('completed')) is not None and x <= AS}",
    ],
    "passed": [
        "PASSED = {a['assessment'] for a in rec.get('assessments') or ()"
        " if a['date'] <= AS and (a.get('outcome') or 'passed') == 'passed'}",
    ],
    "cred": [
        "CRED = {}",
        "for c in rec.get('credentials') or ():",
        "    cid = c['credential']",
        "    if cid in CREDS and c['awarded'] <= AS:",
        "        months = VALIDITY.get(cid)",
        "        if months:",
        "            last = max([c['awarded'],"
        " *(d for d in c.get('revalidated') or () if d <= AS)])",
        "            lapse = _lapse(last, months)",
        "        else:",
        "            lapse = INF",
        "        CRED.setdefault(cid, []).append((c.get('level') or 0, lapse))",
    ],
    # Ends stay ISO strings ('~': no end, after every date) until a toggle needs a day.
    "ranks": [
        "RANKS = [(RANK_ORDER[h['rank']], h.get('basis') or 'substantive', h.get('end') or '~')"
        " for h in rec.get('ranks') or ()"
        " if h['start'] <= AS and (h.get('end') or '~') >= AS and h['rank'] in RANK_ORDER]",
        "RANKS0 = RANKS[0] if len(RANKS) == 1 else None",
    ],
    "bands": [
        "BANDS = [(BAND_ORDER[h['band']], h.get('basis') or 'substantive', h.get('end') or '~')"
        " for h in rec.get('bands') or ()"
        " if h['start'] <= AS and (h.get('end') or '~') >= AS and h['band'] in BAND_ORDER]",
        "BANDS0 = BANDS[0] if len(BANDS) == 1 else None",
    ],
    "endo": [
        "ENDO = {}",
        "for x in rec.get('endorsements') or ():",
        "    last = x.get('expires') or '~'",
        "    if x['date'] <= AS <= last and last > ENDO.get(x['endorsement'], ''):",
        "        ENDO[x['endorsement']] = last",
    ],
    "memb": [
        "MEMB = {}",
        "for x in rec.get('memberships') or ():",
        "    last = x.get('end') or '~'",
        "    if x['start'] <= AS <= last and last > MEMB.get(x['programme'], ''):",
        "        MEMB[x['programme']] = last",
    ],
    "mentor": [
        "MENTOR = ''",
        "for x in rec.get('mentors') or ():",
        "    last = x.get('end') or '~'",
        "    if x['start'] <= AS <= last and last > MENTOR:",
        "        MENTOR = last",
    ],
    "current_posts": [
        "NOW_POSTS = [(p['role'], p['business_group'], p.get('end') or '~')"
        " for p in rec.get('postings') or () if p['start'] <= AS <= (p.get('end') or '~')]",
    ],
    "roles": [
        "ROLES = {p['role'] for p in rec.get('postings') or () if p['start'] <= AS}",
    ],
    "groups": [
        "GROUPS = {}",
        "for p in rec.get('postings') or ():",
        "    if p['start'] <= AS:",
        "        GROUPS.setdefault(p['role'], set()).add(p['business_group'])",
        "        GROUPS.setdefault('*', set()).add(p['business_group'])",
    ],
    "in_scope": [
        "BY_ROLE = {}",
        "BY_GROUP = {}",
        "ROLES_EVER = set()",
        "GROUPS_EVER = set()",
        "for p in rec.get('postings') or ():",
        "    r, g = p['role'], p['business_group']",
        "    ROLES_EVER.add(r)",
        "    GROUPS_EVER.add(g)",
        "    if (r in TENURE_ROLES or g in TENURE_GROUPS) and p['start'] <= AS:",
        "        span = (_ord(p['start']), _ord(p['end']) if p.get('end') else INF)",
        "        if r in TENURE_ROLES:",
        "            BY_ROLE.setdefault(r, []).append(span)",
        "        if g in TENURE_GROUPS:",
        "            BY_GROUP.setdefault(g, []).append(span)",
    ],
    "service": [
        "SERVICE = [(_ord(rec['joined']), INF)] if rec['joined'] <= AS else []",
    ],
}
_ORDER = tuple(_PRELUDE)


def _person_prelude(attributes: Iterable[str]) -> list[str]:
    lines = ["_PR = rec.get('protected') or {}", "_AT = rec.get('attributes') or {}", "ATTR = {}"]
    for a in sorted(attributes):
        if a == "workforce":
            lines.append("ATTR['workforce'] = rec['kind']")
        elif a in ("ethnicity", "gender", "disability"):
            lines.append(f"ATTR[{a!r}] = _PR.get({a!r})")
        else:
            lines.append(f"ATTR[{a!r}] = _AT.get({a!r})")
    return lines


def _cred_current(awards: list[tuple[int, int]] | None, level: int, as_of: int) -> timeline.Truth:
    if not awards:
        return timeline.NEVER
    last = max((lapse for lv, lapse in awards if lv >= level), default=-1)
    if last <= as_of:
        return timeline.NEVER
    return timeline.ALWAYS if last >= timeline.INF else (True, (last,))


def _cred_any(awards: list[tuple[int, int]] | None, level: int, as_of: int) -> timeline.Truth:
    if awards and any(lv >= level for lv, _ in awards):
        return timeline.ALWAYS
    return timeline.NEVER


_NOT_YET = "\uffff"  # a 'since' item the record does not show by the as-of date


def _since(rec: Record, kind: str, ident: str, as_of_iso: str) -> str:
    """The first day (ISO) the record shows the item, on or before the as-of date."""
    if kind == "credential":
        days = [c["awarded"] for c in rec.get("credentials") or () if c["credential"] == ident]
    elif kind == "course":
        days = [
            c["completed"]
            for c in rec.get("courses") or ()
            if c["course"] == ident and c.get("completed")
        ]
    else:
        days = [
            a["date"]
            for a in rec.get("assessments") or ()
            if a["assessment"] == ident and (a.get("outcome") or "passed") == "passed"
        ]
    return min((d for d in days if d <= as_of_iso), default=_NOT_YET)


def _clipped(
    periods: Iterable[tuple[int, int]], since: str, as_of: int, lo: int | None, hi: int | None
) -> timeline.Truth:
    """Time in a scope's periods counted from ``since`` (none: no time to count)."""
    if since == _NOT_YET:
        return timeline.NEVER
    first = timeline.ordinal(since)
    kept = [(max(s, first), e) for s, e in periods if e >= first]
    return timeline.tenure_truth(kept, as_of, lo, hi) if kept else timeline.NEVER


def _current_run(
    rec: Record,
    as_of_iso: str,
    key: str,
    as_of: int,
    lo: int | None,
    hi: int | None,
    since: str | None = None,
) -> timeline.Truth:
    """Months in the current run of substantive ranks or bands (``key`` 'rank'), of a
    role or of a business group, between ``lo`` and ``hi``: worked out only when a stage
    asks, from the record's holdings started by the as-of date; with ``since`` (an ISO
    day), only from that day."""
    if since == _NOT_YET:
        return timeline.NEVER
    if key == "rank":
        field_name = "rank" if rec.get("ranks") else "band"
        items = [
            h
            for h in rec.get("ranks") or rec.get("bands") or ()
            if (h.get("basis") or "substantive") == "substantive" and h["start"] <= as_of_iso
        ]
    else:
        field_name = key
        items = [h for h in rec.get("postings") or () if h["start"] <= as_of_iso]
    holdings = [
        (
            h[field_name],
            timeline.ordinal(h["start"]),
            timeline.ordinal(h["end"]) if h.get("end") else timeline.INF,
        )
        for h in items
    ]
    # The run counts from the item's day (earlier days are cut off); which run is current
    # does not depend on it.
    first = timeline.ordinal(since) if since is not None else None
    return timeline.current_run_truth(holdings, as_of, lo, hi, since=first)


def _lapsed_on(awards: list[tuple[int, int]] | None, level: int, as_of: int) -> int | None:
    """The latest lapse day of the awards (of the level or above) lapsed by ``as_of``."""
    days = [lapse for lv, lapse in awards or () if lv >= level and lapse <= as_of]
    return max(days) if days else None


_GLOBALS: dict[str, Any] = {
    "INF": timeline.INF,
    "NEVER": timeline.NEVER,
    "_until": timeline.until_iso,
    "_tenure": timeline.tenure_truth,
    "_run": _current_run,
    "_since": _since,
    "_clipped": _clipped,
    "_atleast": timeline.atleast,
    "_first": timeline.first_day,
    "_lapse": timeline.lapse_day,
    "_ord": timeline.ordinal,
    "_cred_current": _cred_current,
    "_cred_any": _cred_any,
    "_lapsed_on": _lapsed_on,
}


@dataclass(frozen=True)
class _Needs:
    """What sends a record to the batch evaluator: items of rules the written code does not
    decide (time in a rank or band, assessors counted, postings in units whose business
    groups the catalogue dates). Records without them, nearly all, never meet those rules,
    and the written code says so."""

    grades: frozenset[tuple[str, str, str]]  # (ranks | bands, id, basis or 'any')
    assessed: frozenset[str]  # assessments whose assessors a rule counts
    units: frozenset[str]  # units the catalogue dates

    @classmethod
    def of(cls, library: Library) -> _Needs:
        grades: set[tuple[str, str, str]] = set()
        assessed: set[str] = set()
        for _, stage in library.stages():
            for top in stage.requires:
                for req, _ in walk(top):
                    if isinstance(req, PassedRequirement) and req.assessors is not None:
                        assessed.add(req.passed)
                    if not isinstance(req, ServedRequirement):
                        continue
                    spec = req.served
                    if spec.rank is not None or spec.band is not None:
                        basis = (spec.basis or RankBasis.SUBSTANTIVE).value
                        grade = ("ranks", spec.rank) if spec.rank else ("bands", spec.band)
                        grades.add((grade[0], str(grade[1]), basis))
        units = frozenset(u.id for u in library.catalogue.units)
        return cls(frozenset(grades), frozenset(assessed), units)

    def __bool__(self) -> bool:
        return bool(self.grades or self.assessed or self.units)

    def __call__(self, rec: Record) -> bool:
        for section, ident, basis in self.grades:
            key = section[:-1]
            for h in rec.get(section) or ():
                if h.get(key) == ident and basis in ("any", h.get("basis") or "substantive"):
                    return True
        if self.assessed and any(
            a.get("assessors") and a.get("assessment") in self.assessed
            for a in rec.get("assessments") or ()
        ):
            return True
        return bool(self.units) and any(
            p.get("unit") in self.units for p in rec.get("postings") or ()
        )


Decide = Callable[..., StageCodes]


class PopulationEvaluator:
    """Statuses and dates for many records, equal to :meth:`rules.engine.Evaluator.statuses`,
    from Python written once per library version (and set of stages). The few records
    that rules the written code does not decide apply to (see ``_Needs``) go to the batch
    evaluator, with the records of the assessors they name if the caller gives them."""

    def __init__(self, library: Library):
        self.compiled: CompiledLibrary = compiled_for(library)
        self.library = self.compiled.library
        self.words = Words(self.library)
        self.plans = plan_library(self.compiled, self.words)
        self._made: dict[tuple[str, ...], Decide] = {}
        self.sources: dict[tuple[str, ...], str] = {}
        self.needs = _Needs.of(self.library)
        self._batch: BatchEvaluator | None = None

    def batch_compact(
        self,
        rec: Record,
        as_of_iso: str,
        keys: tuple[str, ...],
        assessors: Mapping[str, Person] | None = None,
    ) -> StageCodes:
        """What the batch evaluator gives a record the written code does not decide."""
        if self._batch is None:
            self._batch = BatchEvaluator(self.library)
        person = Person.model_validate(rec)
        return self._batch.compact(person, dt.date.fromisoformat(as_of_iso), keys, assessors)

    def stage_keys(self, pathways: Iterable[str] | None = None) -> tuple[str, ...]:
        """The ``pathway.stage`` keys of ``pathways`` (default: all), in library order.

        Raises:
            KeyError: if a pathway id is not in the library.
        """
        wanted = list(pathways) if pathways is not None else list(self.library.pathways)
        for pid in wanted:
            if pid not in self.library.pathways:
                raise KeyError(f"unknown pathway '{pid}'")
        return tuple(f"{pid}.{s.id}" for pid in wanted for s in self.library.pathways[pid].stages)

    def function(self, keys: tuple[str, ...]) -> Decide:
        """The function deciding ``keys``: ``f(record, as_of.toordinal(), as_of.isoformat(),
        assessors=None)`` -> (codes, dates), as :meth:`compact` gives them. Written and
        compiled once."""
        made = self._made.get(keys)
        if made is None:
            source, names = self._write(keys)
            namespace = {**_GLOBALS, **names}
            # The source is written above from the validated library; every value from
            # it is bound as a name (K0, K1 ...), never spliced into the text.
            exec(
                compile(source, f"<population evaluator {self.library.digest[:12]}>", "exec"),
                namespace,
            )
            made = namespace["decide"]
            if self.needs:
                made = self._with_batch(made, keys)
            self._made[keys] = made
            self.sources[keys] = source
        return made

    def _with_batch(self, written: Decide, keys: tuple[str, ...]) -> Decide:
        needs, batch = self.needs, self.batch_compact

        def decide(
            rec: Record, day: int, iso: str, assessors: Mapping[str, Person] | None = None
        ) -> StageCodes:
            if needs(rec):
                return batch(rec, iso, keys, assessors)
            result: StageCodes = written(rec, day, iso)
            return result

        return decide

    def _write(self, keys: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
        for key in keys:
            if key not in self.plans:
                raise KeyError(f"unknown stage '{key}'")
        w = _Writer(self.library, self.compiled, self.plans)
        s = w.src
        stage_lines: list[str] = []
        searchers: list[str] = []
        for i, key in enumerate(keys):
            plan = self.plans[key]
            stage_lines += self._stage(w, i, plan, searchers)
        lines = ["def decide(rec, A, AS):", "    codes = bytearray(CODES)", "    dates = {}"]
        for section in _ORDER:
            if section in s.sections:
                lines += ["    " + line for line in _PRELUDE[section]]
        if "person" in s.sections:
            lines += ["    " + line for line in _person_prelude(w.vocab_attributes)]
        if w.defs:
            lines.append("    " + " = ".join(w.defs) + " = None")
        lines += stage_lines
        lines.append("    return bytes(codes), dates")
        source = "\n".join(searchers + lines) + "\n"
        names = {
            **s.consts,
            "CODES": bytes([NOT_DECIDED]) * len(keys),
            "CREDS": frozenset(s.creds),
            "TENURE_ROLES": frozenset(s.roles),
            "TENURE_GROUPS": frozenset(s.groups),
            "VALIDITY": {c.id: c.validity_months for c in self.library.catalogue.credentials},
            "RANK_ORDER": self.library.catalogue.rank_order(),
            "BAND_ORDER": self.library.catalogue.band_order(),
            "_date": dt.date.fromordinal,
        }
        return source, names

    def _stage(self, w: _Writer, i: int, plan: StagePlan, searchers: list[str]) -> list[str]:
        """The lines deciding one stage (position ``i``) on the as-of date."""
        stage: Stage = plan.stage
        pid = plan.pathway.id
        leaves: list[Node] = []
        for node in _nodes(plan.nodes):
            if not node.children and node.leaf not in {n.leaf for n in leaves}:
                leaves.append(node)
        names = {n.leaf: w.leaf(n, pid) for n in leaves}
        held = w.held(plan.key) if stage.awards is not None else None
        now = w.stage_expr(plan, lambda n: f"{names[n.leaf]}[0]", "A")
        out: list[str] = []
        ind = "    "
        window = _window_of(stage, "A")
        if window:
            out.append(f"{ind}if {window}:")
            ind += "    "
        if held is not None:
            out.append(f"{ind}if {held}[0]:")
            out.append(f"{ind}    codes[{i}] = {CODE_OF[Status.HELD]}")
            award = stage.awards
            if award is not None and award.credential is not None:
                level = award.level if award.level is not None else -1
                cred = w.src.const(award.credential)
                out.append(
                    f"{ind}elif (x := _lapsed_on(CRED.get({cred}), {level}, A)) is not None:"
                )
                out.append(f"{ind}    codes[{i}] = {CODE_OF[Status.LAPSED]}")
                out.append(f"{ind}    dates[{i}] = (None, _date(x))")
            out.append(f"{ind}elif {now}:")
        else:
            out.append(f"{ind}if {now}:")
        out.append(f"{ind}    codes[{i}] = {CODE_OF[Status.ELIGIBLE]}")
        # Not met today: the first later day it holds, if time alone gets there.
        days = sorted(
            {
                d
                for n in _nodes(plan.nodes)
                for d in (_ord(n.effective_from), _after(n.effective_to))
                if d is not None
            }
        )
        varying = [n for n in leaves if f"L{n.leaf}" in w.varying]
        monotone = not days and not any(n.kind == "not" for n in _nodes(plan.nodes))
        if monotone:
            # With no 'not' and no rule windows, more leaves met never unmeets a stage:
            # it can only come to hold if a leaf unmet today is met later.
            tests = [f"(not {names[n.leaf]}[0] and {names[n.leaf]}[1])" for n in varying]
        else:
            tests = [f"{names[n.leaf]}[1]" for n in varying]
            tests += [f"{days[-1]} > A"] if days else []
        if not tests:
            out.append(f"{ind}else:")
            out.append(f"{ind}    codes[{i}] = {CODE_OF[Status.NOT_ELIGIBLE]}")
            return out
        position = {n.leaf: j for j, n in enumerate(leaves)}
        later = w.stage_expr(plan, lambda n: f"x[{position[n.leaf]}]", "d")
        searchers.append(f"def s{i}(x, d):\n    return {later}\n")
        first = _ord(stage.effective_from) or 0
        last = _ord(stage.effective_to) or timeline.INF
        pairs = "".join(f"{names[n.leaf]}, " for n in leaves)
        out.append(f"{ind}elif {' or '.join(tests)}:")
        out.append(f"{ind}    d = _first(s{i}, A, ({pairs}), {tuple(days)!r}, ({first}, {last}))")
        out.append(f"{ind}    if d is None:")
        out.append(f"{ind}        codes[{i}] = {CODE_OF[Status.NOT_ELIGIBLE]}")
        out.append(f"{ind}    else:")
        out.append(f"{ind}        codes[{i}] = {CODE_OF[Status.ELIGIBLE_FROM]}")
        out.append(f"{ind}        dates[{i}] = (_date(d), None)")
        out.append(f"{ind}else:")
        out.append(f"{ind}    codes[{i}] = {CODE_OF[Status.NOT_ELIGIBLE]}")
        return out

    # --- entry points -----------------------------------------------------------------

    def compact(
        self,
        record: Record | Person,
        as_of: dt.date,
        keys: tuple[str, ...],
        assessors: Mapping[str, Person] | None = None,
    ) -> StageCodes:
        """The statuses of ``keys`` as one code per stage (:data:`STATUS_CODES`; 255: not
        in force that day), and (eligible_from, lapsed_on) by position where there is one.
        ``record`` is a stored record (JSON data) or a :class:`~accreditation.Person`."""
        data = record.model_dump(mode="json") if isinstance(record, Person) else record
        decide = self.function(keys)
        if self.needs:
            result: StageCodes = decide(data, as_of.toordinal(), as_of.isoformat(), assessors)
            return result
        result = decide(data, as_of.toordinal(), as_of.isoformat())
        return result

    def statuses(
        self,
        person: Person,
        as_of: dt.date,
        pathways: Iterable[str] | None = None,
        assessors: Mapping[str, Person] | None = None,
    ) -> DecisionSummary:
        """Every in-force stage's status and dates, as the engine's ``statuses`` gives them.

        Raises:
            KeyError: if a pathway id in ``pathways`` is not in the library.
        """
        wanted = list(pathways) if pathways is not None else list(self.library.pathways)
        keys = self.stage_keys(wanted)
        codes, dates = self.compact(person, as_of, keys, assessors)
        stages = []
        for i, key in enumerate(keys):
            if codes[i] == NOT_DECIDED:
                continue
            pathway, _, stage = key.partition(".")
            eligible_from, lapsed_on = dates.get(i, (None, None))
            stages.append(
                built(
                    StageStatus,
                    pathway=pathway,
                    stage=stage,
                    status=STATUS_CODES[codes[i]],
                    eligible_from=eligible_from,
                    lapsed_on=lapsed_on,
                )
            )
        return built(
            DecisionSummary,
            person=person.id,
            as_of=as_of,
            library_version=self.library.digest,
            engine=POPULATION_ENGINE,
            stages=stages,
        )


def _after(day: dt.date | None) -> int | None:
    return day.toordinal() + 1 if day is not None else None


def _window_of(stage: Stage, day: str) -> str | None:
    tests = []
    if stage.effective_from is not None:
        tests.append(f"{stage.effective_from.toordinal()} <= {day}")
    if stage.effective_to is not None:
        tests.append(f"{day} <= {stage.effective_to.toordinal()}")
    return " and ".join(tests) if tests else None
