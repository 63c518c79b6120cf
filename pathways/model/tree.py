"""The shape of a requirement tree: its leaves, its children's places, the stages it names.

Each helper matches every kind of :mod:`.requirements` exhaustively (``assert_never``), so
a new kind is a mypy error here until it is placed; code that walks trees uses these
rather than asking ``req.children()`` and guessing what a kind is.
"""

from __future__ import annotations

from typing import assert_never

from .requirements import (
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
    LeafRequirement,
    MembershipRequirement,
    Not,
    PassedRequirement,
    PostedRequirement,
    RankRequirement,
    ReachedRequirement,
    Requirement,
    ServedRequirement,
)

__all__ = ["leaves", "placed_children", "stage_reference"]


def leaves(requirement: Requirement) -> list[LeafRequirement]:
    """The leaves of a requirement tree, left to right (a leaf is its own only leaf).

    >>> tree = AnyOf(any_of=[CourseRequirement(course="a"),
    ...                      Not(**{"not": PassedRequirement(passed="b")})])
    >>> [leaf.kind for leaf in leaves(tree)]
    ['course', 'passed']
    """
    match requirement:
        case AllOf() | AnyOf() | AtLeast() | Not():
            return [leaf for child in requirement.children() for leaf in leaves(child)]
        case _:
            return [requirement]


def placed_children(requirement: Requirement) -> list[tuple[tuple[str | int, ...], Requirement]]:
    """Each nested requirement with its place under ``requirement``, as a data path.

    >>> from pathways.problems import format_path
    >>> tree = AtLeast(at_least=1, of=[CourseRequirement(course="a")])
    >>> [(format_path(place), child.kind) for place, child in placed_children(tree)]
    [('of[0]', 'course')]
    >>> placed_children(Not(**{"not": CourseRequirement(course="a")}))[0][0]
    ('not',)
    >>> placed_children(CourseRequirement(course="a"))
    []
    """
    match requirement:
        case AllOf():
            return [(("all_of", i), c) for i, c in enumerate(requirement.all_of)]
        case AnyOf():
            return [(("any_of", i), c) for i, c in enumerate(requirement.any_of)]
        case AtLeast():
            return [(("of", i), c) for i, c in enumerate(requirement.of)]
        case Not():
            return [(("not",), requirement.not_)]
        case (
            CredentialRequirement()
            | CourseRequirement()
            | CompletedProgrammeRequirement()
            | PassedRequirement()
            | RankRequirement()
            | BandRequirement()
            | ServedRequirement()
            | DistinctBusinessGroupsRequirement()
            | PostedRequirement()
            | EndorsementRequirement()
            | MembershipRequirement()
            | HasMentorRequirement()
            | ReachedRequirement()
            | AttributeRequirement()
        ):
            return []
        case _:
            assert_never(requirement)


def stage_reference(leaf: LeafRequirement) -> ReachedRequirement | None:
    """The leaf if it asks for a stage to be held (``reached``), else None.

    Diagrams, prerequisites and the impact of a change follow these links; a new kind
    that names a stage must be answered here.
    """
    match leaf:
        case ReachedRequirement():
            return leaf
        case (
            CredentialRequirement()
            | CourseRequirement()
            | CompletedProgrammeRequirement()
            | PassedRequirement()
            | RankRequirement()
            | BandRequirement()
            | ServedRequirement()
            | DistinctBusinessGroupsRequirement()
            | PostedRequirement()
            | EndorsementRequirement()
            | MembershipRequirement()
            | HasMentorRequirement()
            | AttributeRequirement()
        ):
            return None
        case _:
            assert_never(leaf)
