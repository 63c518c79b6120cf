"""Unknown references: every id a pathway names must exist, with "did you mean"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import assert_never

from pathways.model.additions import ADDABLE, ORDERED
from pathways.model.catalogue import Catalogue
from pathways.model.pathway import Award, Pathway, Stage
from pathways.model.requirements import (
    AllOf,
    AnyOf,
    AtLeast,
    AttributeRequirement,
    BandRequirement,
    BaseRequirement,
    CompletedProgrammeRequirement,
    CourseRequirement,
    CredentialRequirement,
    DistinctBusinessGroupsRequirement,
    EndorsementRequirement,
    HasMentorRequirement,
    LocatedModel,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)
from pathways.suggest import did_you_mean

from .context import Reporter, stage_requirements

SECTION_WORDS = {
    "credentials": "credential",
    "courses": "course",
    "programmes": "programme",
    "assessments": "assessment",
    "endorsements": "endorsement",
    "ranks": "rank",
    "bands": "band",
    "roles": "role",
    "business_groups": "business group",
    "attributes": "attribute",
}


def check_references(rep: Reporter) -> None:
    cat = rep.library.catalogue
    for unit in cat.units:
        for period in unit.business_groups:
            known_reference(
                rep,
                cat,
                "business_groups",
                period.business_group,
                period,
                None,
                None,
                context=f"of unit '{unit.id}'",
            )
    for programme in cat.programmes:
        for course in programme.stages:
            known_reference(
                rep,
                cat,
                "courses",
                course,
                programme,
                None,
                None,
                context=f"stage of programme '{programme.id}'",
            )
    for pathway in rep.library.pathways.values():
        stage_ids = [s.id for s in pathway.stages]
        for stage in pathway.stages:
            if stage.awards is not None:
                _check_award(rep, cat, stage.awards, pathway, stage)
            for req, _negated in stage_requirements(stage):
                check_requirement(rep, cat, req, pathway, stage)
        for prog in pathway.progressions:
            for end, value in (("from", prog.from_), ("to", prog.to)):
                if value not in stage_ids:
                    rep.add(
                        prog,
                        "unknown-reference",
                        f"progression '{end}' names unknown stage '{value}' "
                        f"of pathway '{pathway.id}'",
                        pathway=pathway,
                        nodes=(f"{pathway.id}.{value}",),
                        suggestion=did_you_mean(value, stage_ids),
                        hint=f"stages of this pathway: {', '.join(stage_ids)}",
                    )
    _attach_snippets(rep)


def known_reference(
    rep: Reporter,
    cat: Catalogue,
    section: str,
    value: str | None,
    at: LocatedModel,
    pathway: Pathway | None,
    stage: Stage | None,
    context: str = "",
) -> bool:
    if value is None:
        return True
    ids = cat.ids(section)
    if value in ids:
        return True
    word = SECTION_WORDS[section]
    where = f" ({context})" if context else ""
    guess = did_you_mean(value, ids)
    if guess is not None or section in ORDERED or pathway is None:
        rep.add(
            at,
            "unknown-reference",
            f"unknown {word} '{value}'{where}",
            pathway=pathway,
            stage=stage,
            suggestion=guess,
            hint=f"correct the id, or add '{value}' to the catalogue's {section} in its place "
            "(they are listed lowest first)"
            if section in ORDERED
            else f"correct the id, or add '{value}' under 'catalogue:' in this file",
        )
        return False
    # Said once per file, after the pass: the first such problem of a file carries the
    # YAML of every new id the file uses, under one 'catalogue:' (see _attach_snippets).
    rep.add(
        at,
        "unknown-reference",
        f"unknown {word} '{value}'{where}: not in the catalogue",
        pathway=pathway,
        stage=stage,
        hint="if it is new, add it under 'catalogue:' in this file; if not, correct the id",
    )
    rep.snippets.append((len(rep.problems) - 1, section, value))
    return False


def _attach_snippets(rep: Reporter) -> None:
    """Give the first 'not in the catalogue' problem of each file the YAML that adds every
    new id the file uses (one ``catalogue:`` section to paste), the others a pointer to it."""
    by_file: dict[str | None, list[tuple[int, str, str]]] = {}
    for index, section, value in rep.snippets:
        by_file.setdefault(rep.problems[index].file, []).append((index, section, value))
    for found in by_file.values():
        first = rep.problems[found[0][0]]
        wanted = list(dict.fromkeys((section, value) for _, section, value in found))
        ids = ", ".join(value for _, value in wanted)
        rep.problems[found[0][0]] = first.model_copy(
            update={
                "hint": "if it is new, paste this at the end of this file (or merge it into "
                "its 'catalogue:' section); it adds "
                + (f"every new id the file uses ({ids})" if len(wanted) > 1 else f"'{ids}'")
                + "; if not, correct the id",
                "snippet": additions_snippet(wanted),
            }
        )
        where = f"{Path(first.file or '').name}:{first.line}"
        for index, _, _ in found[1:]:
            problem = rep.problems[index]
            rep.problems[index] = problem.model_copy(
                update={
                    "hint": "if it is new, add it under 'catalogue:' in this file (the YAML "
                    f"to paste is shown at {where}); if not, correct the id"
                }
            )


def additions_snippet(entries: list[tuple[str, str]]) -> str:
    """One ``catalogue:`` section adding each (section, id), sections in catalogue order.

    >>> print(additions_snippet([("courses", "afo_course"), ("roles", "arv"),
    ...                          ("courses", "tactics")]))
    catalogue:
      roles:
        - id: arv
          name: Arv                 # the name people read: put it in words
      courses:
        - id: afo_course
          name: Afo course          # the name people read: put it in words
        - id: tactics
          name: Tactics             # the name people read: put it in words
    """
    lines = ["catalogue:"]
    for section in ADDABLE:
        values = [v for s, v in entries if s == section]
        if values:
            lines.append(f"  {section}:")
            for value in values:
                lines += addition_snippet(section, value).splitlines()[2:]
    return "\n".join(lines)


def addition_snippet(section: str, value: str) -> str:
    """The YAML that adds ``value`` to a pathway file's ``catalogue:`` section; the
    name is made from the id, to be put in words.

    >>> print(addition_snippet("endorsements", "afo_commander"))
    catalogue:
      endorsements:
        - id: afo_commander
          name: Afo commander       # the name people read: put it in words
          by: OCU Commander         # who gives it
    """
    name = value.replace("_", " ").replace("-", " ").capitalize()
    lines = ["catalogue:", f"  {section}:", f"    - id: {value}"]
    fields = [(f"name: {name}", "the name people read: put it in words")]
    fields += _SNIPPET_EXTRA.get(section, [])
    lines += [f"      {text:<26}# {why}" for text, why in fields]
    return "\n".join(lines)


_SNIPPET_EXTRA = {
    "credentials": [("validity_months: 36", "if it lapses unless revalidated; else delete")],
    "endorsements": [("by: OCU Commander", "who gives it")],
    "attributes": [("values: [yes_value, no_value]", "the values it can take")],
    "programmes": [("stages: []", "its courses, in order, if it has any")],
    "assessments": [("kind: assessment", "or exam, assessment_centre, interview, work_based")],
}


def _check_level(
    rep: Reporter,
    cat: Catalogue,
    credential: str,
    level: int | None,
    at: LocatedModel,
    pathway: Pathway,
    stage: Stage | None,
) -> None:
    entry = cat.entry("credentials", credential)
    if level is None or entry is None:
        return
    levels = getattr(entry, "levels", None)
    if not levels:
        rep.add(
            at,
            "unknown-reference",
            f"credential '{credential}' has no levels, but level {level} is required",
            pathway=pathway,
            stage=stage,
            hint=f"remove 'level', or give '{credential}' levels in the catalogue",
        )
    elif level not in levels:
        rep.add(
            at,
            "unknown-reference",
            f"credential '{credential}' has no level {level} "
            f"(its levels are {', '.join(map(str, levels))})",
            pathway=pathway,
            stage=stage,
            hint="use one of its levels, or add the level to the catalogue",
        )


def _check_award(
    rep: Reporter, cat: Catalogue, award: Award, pathway: Pathway, stage: Stage
) -> None:
    section = {
        "credential": "credentials",
        "rank": "ranks",
        "band": "bands",
        "course": "courses",
        "completed_programme": "programmes",
        "passed": "assessments",
        "member_of": "programmes",
        "role": "roles",
    }[award.kind]
    if (
        known_reference(rep, cat, section, award.value, award, pathway, stage, context="awards")
        and award.credential
    ):
        _check_level(rep, cat, award.credential, award.level, award, pathway, stage)


def check_requirement(
    rep: Reporter, cat: Catalogue, req: Requirement, pathway: Pathway, stage: Stage | None
) -> None:
    """Every id one requirement names is in the catalogue (or the library, for stages)."""

    def known(section: str, value: str | None) -> bool:
        return known_reference(rep, cat, section, value, req, pathway, stage)

    match req:
        case CredentialRequirement():
            if known("credentials", req.credential):
                _check_level(rep, cat, req.credential, req.level, req, pathway, stage)
        case CourseRequirement():
            known("courses", req.course)
        case CompletedProgrammeRequirement():
            if known("programmes", req.completed_programme):
                _check_programme_stages(rep, cat, req, pathway, stage)
        case MembershipRequirement():
            known("programmes", req.member_of)
        case PassedRequirement():
            known("assessments", req.passed)
            target = req.assessors.target(pathway.id) if req.assessors else None
            if target is not None:
                said = f"assessors: qualified: {req.assessors.qualified}" if req.assessors else ""
                _check_stage_ref(rep, req, target, said, pathway, stage)
        case RankRequirement():
            for value in (req.rank.exactly, req.rank.at_least, req.rank.at_most):
                known("ranks", value)
        case BandRequirement():
            for value in (req.band.exactly, req.band.at_least, req.band.at_most):
                known("bands", value)
        case ServedRequirement():
            _check_served(known, req)
        case PostedRequirement():
            known("roles", req.posted.role)
            known("business_groups", req.posted.business_group)
        case DistinctBusinessGroupsRequirement():
            known("roles", req.distinct_business_groups.role)
        case EndorsementRequirement():
            known("endorsements", req.endorsement)
        case AttributeRequirement():
            if known("attributes", req.attribute):
                _check_attribute_values(rep, cat, req, pathway, stage)
        case ReachedRequirement():
            _check_stage_ref(
                rep, req, req.target(pathway.id), f"reached: {req.reached}", pathway, stage
            )
        case HasMentorRequirement():
            pass  # names no id: any mentor in the record counts
        case AllOf() | AnyOf() | AtLeast() | Not():
            pass  # their children are checked on their own (stage_requirements walks them)
        case _:
            assert_never(req)


def _check_programme_stages(
    rep: Reporter,
    cat: Catalogue,
    req: CompletedProgrammeRequirement,
    pathway: Pathway,
    stage: Stage | None,
) -> None:
    pid = req.completed_programme
    entry = cat.entry("programmes", pid)
    if entry is not None and not getattr(entry, "stages", None):
        rep.add(
            req,
            "unsatisfiable-requirement",
            f"programme '{pid}' has no stages, so it cannot be completed",
            pathway=pathway,
            stage=stage,
            hint=f"list its course stages in the catalogue, or use 'member_of: {pid}'",
        )


def _check_attribute_values(
    rep: Reporter, cat: Catalogue, req: AttributeRequirement, pathway: Pathway, stage: Stage | None
) -> None:
    entry = cat.entry("attributes", req.attribute)
    values: list[str] = list(getattr(entry, "values", []))
    for v in req.allowed():
        if v not in values:
            rep.add(
                req,
                "unknown-reference",
                f"attribute '{req.attribute}' has no value '{v}'",
                pathway=pathway,
                stage=stage,
                suggestion=did_you_mean(v, values),
                hint=f"its values are: {', '.join(values)}",
            )


def _check_served(known: Callable[[str, str | None], bool], req: ServedRequirement) -> None:
    known("roles", req.served.role)
    known("business_groups", req.served.business_group)
    known("ranks", req.served.rank)
    known("bands", req.served.band)
    since = req.served.since
    if since is not None:
        section = {"credential": "credentials", "course": "courses"}.get(since.kind, "assessments")
        known(section, since.value)


def _check_stage_ref(
    rep: Reporter,
    req: BaseRequirement,
    target: tuple[str, str],
    said: str,
    pathway: Pathway,
    stage: Stage | None,
) -> None:
    """A stage named by 'reached' or 'assessors: {qualified}' exists and awards something."""
    target_pathway, target_stage = target
    other = rep.library.pathways.get(target_pathway)
    if other is None:
        rep.add(
            req,
            "unknown-reference",
            f"unknown pathway '{target_pathway}'",
            pathway=pathway,
            stage=stage,
            suggestion=did_you_mean(target_pathway, rep.library.pathways),
            hint="write '<pathway id>.<stage id>'",
        )
    elif (found := other.stage(target_stage)) is not None and found.awards is None:
        rep.add(
            req,
            "unsatisfiable-requirement",
            f"'{said}' can never hold: stage '{target_stage}' awards "
            "nothing, so no record shows it held",
            pathway=pathway,
            stage=stage,
            hint=f"give stage '{target_stage}' an 'awards:' (the record item that shows it "
            "is held), or require that item directly",
        )
    elif other.stage(target_stage) is None:
        ids = [s.id for s in other.stages]
        guess = did_you_mean(target_stage, ids)
        rep.add(
            req,
            "unknown-reference",
            f"unknown stage '{target_stage}' in pathway '{target_pathway}'",
            pathway=pathway,
            stage=stage,
            nodes=(f"{target_pathway}.{target_stage}",),
            suggestion=(f"{target_pathway}.{guess}" if guess and other is not pathway else guess),
            hint=f"stages of '{target_pathway}': {', '.join(ids)}",
        )
