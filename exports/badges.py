"""A held stage as an Open Badges 3.0 achievement credential (unsigned JSON).

The credential follows the W3C Verifiable Credentials data model 2.0 shape
that Open Badges 3.0 uses (``validFrom``/``validUntil``, an
``AchievementSubject`` with the ``Achievement``). It carries no ``proof``:
signing it is the issuer's job, with the issuer's own keys, after export.

Privacy: the only thing about the person in the credential is their id
(warrant or staff number, optionally salted and hashed). Their name, their
protected characteristics and other attributes are never read, and
requirements that test a protected characteristic are left out of the
criteria (saying only that such a condition exists), since printing them
would tell anyone who sees the badge something about the holder.
See ``docs/exports.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

from accreditation.periods import add_months
from accreditation.record import (
    ITEM_SECTIONS,
    BandHolding,
    CourseRecord,
    CredentialAward,
    Endorsement,
    Membership,
    Person,
    Posting,
    RankHolding,
)
from pathways.model.library import Library
from pathways.model.pathway import Pathway, Stage
from pathways.model.requirements import (
    AttributeRequirement,
    BaseRequirement,
    Not,
    Requirement,
)
from pathways.model.tree import leaves
from pathways.problems import CareerPathwaysError
from rules.decision import Decision, Evidence, StageDecision, Status
from rules.wording import Words

from .ctdl import DEFAULT_BASE_URI, UnknownStageError, component_uri

__all__ = [
    "ACHIEVEMENT_TYPES",
    "OB3_CONTEXT",
    "OB3_CREDENTIAL_SCHEMA",
    "NotHeldError",
    "achievement_credential",
]

JsonDict = dict[str, Any]

OB3_CONTEXT: list[str] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]

#: ``credentialSchema``: 1EdTech's JSON Schema for the credential, as the specification's
#: own examples name it (tests/fixtures/standards/ holds a copy the tests validate against).
OB3_CREDENTIAL_SCHEMA: dict[str, str] = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
    "ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}

#: Open Badges ``achievementType`` for each kind of award (see docs/exports.md).
ACHIEVEMENT_TYPES: dict[str, str] = {
    "credential": "Certification",  # a credential that never lapses: "Certificate"
    "course": "Course",
    "completed_programme": "LearningProgram",
    "passed": "Assessment",
    "member_of": "Membership",
    "rank": "Achievement",
    "band": "Achievement",
    "role": "Achievement",
}

PROTECTED_NOTE = "A condition on protected characteristics (not shown)"

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:career-pathways:exports:open-badges")
_ONE_DAY = dt.timedelta(days=1)


class NotHeldError(CareerPathwaysError, ValueError):
    """The decision does not say the person holds the stage; ``status`` says what it says."""

    def __init__(self, pathway: str, stage: str, status: str, detail: str = ""):
        self.pathway = pathway
        self.stage = stage
        self.status = status
        message = (
            f"stage {pathway}.{stage} is not held: its status is '{status}'{detail}; "
            "a badge can only be issued for a held stage"
        )
        super().__init__(message)


def achievement_credential(
    person: Person,
    decision: Decision,
    pathway_id: str,
    stage_id: str,
    issuer: Mapping[str, Any],
    library: Library,
    *,
    base_uri: str = DEFAULT_BASE_URI,
    stable_ids: bool = False,
    identity_salt: str | None = None,
) -> JsonDict:
    """An unsigned Open Badges 3.0 ``OpenBadgeCredential`` for a stage ``decision`` says is held.

    ``issuer`` is the issuing organisation's profile: at least ``id`` (a URI)
    and ``name``; other keys (``url``, ``email`` ...) are copied as given.
    ``library`` must be the one the decision was made with (its rules word the
    criteria). The achievement's ``id`` is the stage's CTDL component id
    (:func:`exports.ctdl.component_uri` with ``base_uri`` and
    ``stable_ids``), so the badge points at the exported pathway. With
    ``identity_salt``, the person's id is sent as a salted SHA-256 hash
    instead of in plain text.

    Raises:
        NotHeldError: (a ValueError) if the stage's status is not ``held``, or it
            was not decided (not in force on the decision's date).
        UnknownStageError: (a ValueError) for an unknown pathway or stage.
        ValueError: if the decision is for someone else, the library is not the
            decision's version, or ``issuer`` lacks ``id`` or ``name``.
    """
    pathway, stage, decided = _held_stage(person, decision, pathway_id, stage_id, issuer, library)

    words = Words(library)
    valid_from, valid_until = _validity(person, decided.held_evidence, library, decision.as_of)
    issuer_profile = {"id": issuer["id"], "type": ["Profile"], "name": issuer["name"]}
    issuer_profile.update((k, v) for k, v in sorted(issuer.items()) if k not in issuer_profile)
    evidence_refs = sorted(e.item for e in decided.held_evidence)
    credential_id = uuid.uuid5(
        _NAMESPACE,
        "|".join([str(issuer["id"]), person.id, f"{pathway_id}.{stage_id}", *evidence_refs]),
    )
    achievement: JsonDict = {
        "id": component_uri(library, pathway_id, stage_id, base_uri, stable=stable_ids),
        "type": ["Achievement"],
        "name": stage.name,
        "description": _description(pathway, stage),
        "criteria": {"narrative": _narrative(words, library, pathway, stage, decision.as_of)},
        "achievementType": _achievement_type(stage, library),
        "humanCode": f"{pathway_id}.{stage_id}",
    }
    credential: JsonDict = {
        "@context": list(OB3_CONTEXT),
        "id": f"urn:uuid:{credential_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": stage.name,
        "description": (
            f"{stage.name} ({pathway.name}), held as of {decision.as_of} under pathway "
            f"library version {decision.library_version[:12]}."
        ),
        "issuer": issuer_profile,
        "validFrom": _instant(valid_from),
        **({"validUntil": _instant(valid_until)} if valid_until is not None else {}),
        "awardedDate": _instant(valid_from),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [_identity(person.id, identity_salt)],
            "achievement": achievement,
        },
        "evidence": [_evidence(e) for e in sorted(decided.held_evidence, key=lambda e: e.item)],
        "credentialSchema": [dict(OB3_CREDENTIAL_SCHEMA)],
    }
    return credential


def _held_stage(
    person: Person,
    decision: Decision,
    pathway_id: str,
    stage_id: str,
    issuer: Mapping[str, Any],
    library: Library,
) -> tuple[Pathway, Stage, StageDecision]:
    """The stage and its decision, if a badge may be issued for it (see the errors of
    :func:`achievement_credential`)."""
    pathway = library.pathways.get(pathway_id)
    stage = pathway.stage(stage_id) if pathway is not None else None
    if pathway is None or stage is None:
        known = [f"{p.id}.{st.id}" for p, st in library.stages()]
        raise UnknownStageError(f"{pathway_id}.{stage_id}", known, what="stage")
    if decision.person != person.id:
        raise ValueError(f"the decision is for '{decision.person}', not for '{person.id}'")
    if decision.library_version != library.digest:
        raise ValueError(
            f"the decision was made with library version {decision.library_version[:12]}, "
            f"not with this library ({library.digest[:12]})"
        )
    missing = [key for key in ("id", "name") if not issuer.get(key)]
    if missing:
        raise ValueError(f"the issuer needs {' and '.join(repr(k) for k in missing)}")
    try:
        decided = decision.stage(pathway_id, stage_id)
    except KeyError:
        raise NotHeldError(
            pathway_id,
            stage_id,
            "not_decided",
            f" (the stage was not in force on {decision.as_of})",
        ) from None
    if decided.status is not Status.HELD:
        detail = f" (lapsed on {decided.lapsed_on})" if decided.lapsed_on else ""
        raise NotHeldError(pathway_id, stage_id, decided.status.value, detail)
    if not decided.held_evidence:
        raise ValueError(f"the decision cites no record item for {pathway_id}.{stage_id}")
    return pathway, stage, decided


def _instant(day: dt.date) -> str:
    """The start of a day, UTC, as an XML Schema dateTime with its time zone."""
    return f"{day.isoformat()}T00:00:00Z"


def _identity(person_id: str, salt: str | None) -> JsonDict:
    if salt is None:
        return {
            "type": "IdentityObject",
            "identityHash": person_id,
            "identityType": "identifier",
            "hashed": False,
        }
    digest = hashlib.sha256((person_id + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "identifier",
        "hashed": True,
        "salt": salt,
    }


def _evidence(item: Evidence) -> JsonDict:
    return {
        "type": ["Evidence"],
        "name": item.label,
        "description": f"Record item {item.item} ({item.section})",
        "genre": "Record item",
    }


def _validity(
    person: Person, evidence: list[Evidence], library: Library, as_of: dt.date
) -> tuple[dt.date, dt.date | None]:
    """(validFrom, validUntil) from the record items that showed the stage held.

    From: the earliest award, start or completion date among them. Until: the
    first day none of them holds any more, if all of them end (a credential's
    lapse date, the day after a holding's last day); None if any goes on.
    """
    items: dict[str, Any] = {
        person.item_ref(section, i): item
        for section in ITEM_SECTIONS
        for i, item in enumerate(getattr(person, section))
    }
    validity = {c.id: c.validity_months for c in library.catalogue.credentials}
    starts: list[dt.date] = []
    ends: list[dt.date | None] = []
    for cited in evidence:
        item = items.get(cited.item)
        if item is None:
            raise ValueError(f"the decision cites record item '{cited.item}', not in the record")
        start, end = _item_window(item, validity, as_of)
        starts.append(start)
        ends.append(end)
    until = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return min(starts), until


def _item_window(
    item: Any, validity: dict[str, int | None], as_of: dt.date
) -> tuple[dt.date, dt.date | None]:
    """When one record item starts counting, and the first day it no longer does."""
    if isinstance(item, CredentialAward):
        months = validity.get(item.credential)
        lapses = add_months(item.last_validated(as_of), months) if months else None
        return item.awarded, lapses
    if isinstance(item, RankHolding | BandHolding | Posting | Membership):
        return item.start, item.end + _ONE_DAY if item.end is not None else None
    if isinstance(item, CourseRecord):
        return item.completed or item.start or as_of, None
    if isinstance(item, Endorsement):
        return item.date, item.expires + _ONE_DAY if item.expires is not None else None
    return item.date, None  # an assessment result


def _achievement_type(stage: Stage, library: Library) -> str:
    award = stage.awards
    if award is None:
        return "Achievement"
    if award.kind == "credential":
        entry = next((c for c in library.catalogue.credentials if c.id == award.value), None)
        if entry is None or entry.validity_months is None:
            return "Certificate"
    return ACHIEVEMENT_TYPES[award.kind]


def _description(pathway: Pathway, stage: Stage) -> str:
    text = " ".join((stage.text or "").split())
    where = f"A stage of the {pathway.name} pathway."
    return f"{text} {where}" if text else where


def _narrative(words: Words, library: Library, pathway: Pathway, stage: Stage, on: dt.date) -> str:
    """The stage's requirements in force on ``on``, in words, as a Markdown list."""
    protected = {a.id for a in library.catalogue.attributes if a.protected}
    lines: list[str] = []

    def is_protected(req: BaseRequirement) -> bool:
        return isinstance(req, AttributeRequirement) and req.attribute in protected

    def only_protected(req: Requirement) -> bool:
        return all(is_protected(leaf) for leaf in leaves(req))

    def visit(req: Requirement, depth: int) -> None:
        if not req.in_force(on):
            return
        indent = "  " * depth
        if only_protected(req):
            lines.append(f"{indent}- {PROTECTED_NOTE}")
            return
        text = (
            f"Must not: {words.text(req.not_, pathway.id)}"
            if isinstance(req, Not) and not req.not_.children()
            else words.text(req, pathway.id)
        )
        lines.append(f"{indent}- {' '.join(text.split())}")
        if not isinstance(req, Not) or req.not_.children():
            for child in req.children():
                visit(child, depth + 1)

    for top in stage.requires:
        visit(top, 0)
    if not lines:
        return f"Holding {stage.name}; the stage has no other requirements."
    return f"Requirements in force on {on}:\n\n" + "\n".join(lines)
