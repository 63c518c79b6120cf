"""Checks of exports against the official standards artefacts in tests/fixtures/standards/.

- :func:`ob3_errors`: 1EdTech's Open Badges 3.0 AchievementCredential JSON Schema, with
  format checking (a badge with a malformed date fails).
- :class:`CtdlVocabulary`: Credential Engine's CTDL term list. Every class, property and
  concept a document uses must be defined there; a property must be used on a class in
  its ``schema:domainIncludes``; values must fit its ``schema:rangeIncludes`` (language
  maps, integers, dates, concepts of the property's scheme, nodes of the right class);
  every prefix must be one the official JSON-LD context declares.
- :func:`publishing_problems`: what Credential Engine's publishing models take (their
  properties per class) and require (an owner, one destination component, a life-cycle
  status, a description of 15 characters or more, a credential type on credential
  components).

Each file's SHA-256 is checked against tests/fixtures/standards/SOURCES.md before use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

STANDARDS = Path(__file__).resolve().parent / "fixtures" / "standards"
CTDL_CONTEXT = "https://credreg.net/ctdl/schema/context/json"

#: Where the publishing models and the CTDL term list disagree (see SOURCES.md): the
#: publishing models put a component in its pathway with ceasn:isPartOf, which the term
#: list defines for competencies in frameworks.
PUBLISHING_MODEL_TERMS = {"ceasn:isPartOf"}

JsonDict = dict[str, Any]


@cache
def _recorded_hashes() -> dict[str, str]:
    rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", _sources(), re.MULTILINE)
    return dict(rows)


@cache
def _sources() -> str:
    return (STANDARDS / "SOURCES.md").read_text(encoding="utf-8")


@cache
def load(name: str) -> Any:
    """A vendored artefact, after checking its SHA-256 against SOURCES.md."""
    data = (STANDARDS / name).read_bytes()
    expected = _recorded_hashes().get(name)
    if expected is not None:
        actual = hashlib.sha256(data).hexdigest()
        assert actual == expected, f"{name} is not the recorded official copy ({actual})"
    return json.loads(data)


# --- Open Badges 3.0 --------------------------------------------------------------


@cache
def _ob3_validator() -> jsonschema.Draft201909Validator:
    checker = jsonschema.Draft201909Validator.FORMAT_CHECKER
    # Without rfc3339-validator installed, jsonschema silently accepts any date-time.
    assert "date-time" in checker.checkers, "install rfc3339-validator (a dev dependency)"
    schema = load("ob_v3p0_achievementcredential_schema.json")
    jsonschema.Draft201909Validator.check_schema(schema)
    return jsonschema.Draft201909Validator(schema, format_checker=checker)


def ob3_errors(credential: JsonDict) -> list[str]:
    """What 1EdTech's official schema finds wrong with ``credential`` (empty: valid)."""
    errors = sorted(_ob3_validator().iter_errors(credential), key=lambda e: list(e.path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]


# --- CTDL: the term list ------------------------------------------------------------


class CtdlVocabulary:
    """The official CTDL and CTDL-ASN terms, and the prefixes of the CTDL context."""

    def __init__(self) -> None:
        graph = [*load("ctdl/schema.json")["@graph"], *load("ctdlasn/schema.json")["@graph"]]
        self.terms: dict[str, JsonDict] = {}
        for term in graph:
            self.terms.setdefault(term["@id"], term)
        context = load("ctdl/context.json")["@context"]
        self.prefixes = {k for k, v in context.items() if isinstance(v, str) and ":" not in k}

    def kind(self, name: str) -> str | None:
        term = self.terms.get(name)
        return None if term is None else str(term["@type"])

    def problems(self, document: JsonDict, extension_prefix: str | None = None) -> list[str]:
        """Every use of a term in ``document`` that the official vocabulary does not allow."""
        found: list[str] = []
        context = document.get("@context")
        if extension_prefix is None:
            if context != CTDL_CONTEXT:
                found.append(f"@context is {context!r}, not the CTDL context")
        elif context != [CTDL_CONTEXT, {extension_prefix: context[1].get(extension_prefix)}]:
            found.append(f"@context {context!r} must be the CTDL context and the extension")
        graph = document.get("@graph", [])
        types = {node["@id"]: node.get("@type") for node in graph if "@id" in node}
        for where, node in _nodes(graph):
            found.extend(self._node_problems(where, node, types, extension_prefix))
        return found

    def _node_problems(
        self, where: str, node: JsonDict, types: dict[str, Any], extension: str | None
    ) -> Iterator[str]:
        cls = node.get("@type")
        if _prefix(cls) == extension:
            return  # a project node: only project terms, documented in docs/exports.md
        if self.kind(cls) != "rdfs:Class":
            yield f"{where}: @type {cls!r} is not a CTDL class"
            return
        for key, value in node.items():
            if key.startswith("@"):
                continue
            if extension is not None and _prefix(key) == extension:
                continue
            term = self.terms.get(key)
            if term is None or term["@type"] != "rdf:Property":
                yield f"{where}: {key} is not a CTDL property"
                continue
            domain = term.get("schema:domainIncludes")
            if domain and cls not in domain and key not in PUBLISHING_MODEL_TERMS:
                yield f"{where}: {key} is not a property of {cls} (its domain: {domain[:4]}...)"
            values = value if isinstance(value, list) else [value]
            for item in values:
                problem = self._range_problem(term, item, types)
                if problem:
                    yield f"{where}: {key}: {problem}"

    def _range_problem(self, term: JsonDict, value: Any, types: dict[str, Any]) -> str | None:
        ranges: list[str] = term.get("schema:rangeIncludes", [])
        if "rdf:langString" in ranges:
            ok = (
                isinstance(value, dict)
                and value
                and all(
                    isinstance(k, str) and isinstance(v, str) and v.strip()
                    for k, v in value.items()
                )
            )
            return None if ok else f"{value!r} is not a language map"
        if "xsd:integer" in ranges:
            ok = isinstance(value, int) and not isinstance(value, bool)
            return None if ok else f"{value!r} is not an integer"
        if "xsd:date" in ranges:
            try:
                dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                return f"{value!r} is not an ISO date"
            return None
        if "xsd:string" in ranges:
            return None if isinstance(value, str) and value else f"{value!r} is not a string"
        if "xsd:anyURI" in ranges:
            return None if self._is_uri(value) else f"{value!r} is not a URI"
        schemes = term.get("meta:targetScheme", [])
        if "skos:Concept" in ranges and schemes:
            concept = self.terms.get(value) if isinstance(value, str) else None
            in_scheme = concept is not None and set(concept.get("skos:inScheme", [])) & set(schemes)
            return None if in_scheme else f"{value!r} is not a concept of {schemes}"
        if isinstance(value, dict):
            cls = value.get("@type")
            if cls not in ranges:
                return f"a {cls} is not in its range {ranges[:4]}"
            return self._alignment_problem(term, value)
        if isinstance(value, str) and self.kind(value) == "rdfs:Class":
            return None if value in ranges else f"class {value} is not in its range"
        if not self._is_uri(value):
            return f"{value!r} is not a reference"
        target = types.get(value)
        if (
            target is not None
            and target not in ranges
            and term["@id"] not in PUBLISHING_MODEL_TERMS
        ):
            return f"refers to a {target}, not one of {ranges[:4]}..."
        return None

    def _alignment_problem(self, term: JsonDict, value: JsonDict) -> str | None:
        """A CredentialAlignmentObject for a property with a concept scheme names its concept."""
        schemes = term.get("meta:targetScheme")
        if not schemes or value.get("@type") != "ceterms:CredentialAlignmentObject":
            return None
        concept = self.terms.get(value.get("ceterms:targetNode", ""))
        if concept is None or not set(concept.get("skos:inScheme", [])) & set(schemes):
            return f"targetNode {value.get('ceterms:targetNode')!r} is not a concept of {schemes}"
        return None

    def _is_uri(self, value: Any) -> bool:
        if not isinstance(value, str):
            return False
        if re.match(r"^https?://\S+$", value):
            return True
        return _prefix(value) in self.prefixes


def _prefix(name: Any) -> str | None:
    return name.split(":", 1)[0] if isinstance(name, str) and ":" in name else None


def _nodes(graph: list[JsonDict]) -> Iterator[tuple[str, JsonDict]]:
    """Every node of ``graph`` (an object with @type), nested ones too, with where it is."""
    stack: list[tuple[str, Any]] = [(f"@graph[{i}]", node) for i, node in enumerate(graph)]
    while stack:
        where, value = stack.pop(0)
        if isinstance(value, list):
            stack[:0] = [(f"{where}[{i}]", item) for i, item in enumerate(value)]
        elif isinstance(value, dict):
            if "@type" in value:
                yield where, value
            stack[:0] = [(f"{where}.{k}", v) for k, v in value.items() if not k.startswith("@")]


@cache
def ctdl_vocabulary() -> CtdlVocabulary:
    return CtdlVocabulary()


# --- CTDL: the publishing models ---------------------------------------------------------


def publishing_problems(document: JsonDict) -> list[str]:
    """What Credential Engine's publishing models would not take in ``document``."""
    models = {
        k: set(v["properties"]) for k, v in load("ctdl/publishing_models.json")["models"].items()
    }
    found: list[str] = []
    graph = document["@graph"]
    pathways = [n for n in graph if n.get("@type") == "ceterms:Pathway"]
    if len(pathways) != 1:
        return [f"{len(pathways)} Pathway nodes, not 1"]
    pathway = pathways[0]
    by_id = {n["@id"]: n for n in graph}
    for where, node in _nodes(graph):
        cls = node["@type"]
        model = (
            "PathwayComponent" if cls.endswith("Component") and cls.startswith("ceterms:") else cls
        )
        allowed = models.get(model)
        if allowed is None:
            found.append(f"{where}: no publishing model for {cls}")
            continue
        extra = sorted(set(node) - allowed)
        if extra:
            found.append(f"{where}: {cls} has {extra}, not in its publishing model")
    if not (pathway.get("ceterms:ownedBy") or pathway.get("ceterms:offeredBy")):
        found.append("the Pathway has neither ceterms:ownedBy nor ceterms:offeredBy")
    if "ceterms:lifeCycleStatusType" not in pathway:
        found.append("the Pathway has no ceterms:lifeCycleStatusType")
    description = " ".join(pathway.get("ceterms:description", {}).values())
    if len(description) < 15:
        found.append("the Pathway's description is shorter than 15 characters")
    destinations = pathway.get("ceterms:hasDestinationComponent", [])
    if len(destinations) != 1:
        found.append(f"{len(destinations)} destination components, not 1")
    elif pathway["@id"] not in by_id.get(destinations[0], {}).get(
        "ceterms:isDestinationComponentOf", []
    ):
        found.append("the destination component does not say it is the Pathway's destination")
    for node in graph[1:]:
        for key in ("ceterms:ctid", "ceterms:name"):
            if key not in node:
                found.append(f"{node['@id']} has no {key}")
        if node["@type"] == "ceterms:CredentialComponent" and "ceterms:credentialType" not in node:
            found.append(f"{node['@id']} is a CredentialComponent without ceterms:credentialType")
    return found
