"""The record of a case: inline or in a file, validated, its ids checked against the catalogue.

A record in a case file is checked more strictly than the engine needs: an id that is not
in the catalogue (a course, rank, attribute value ...) would match no rule, so the case
would test nothing; it is a located problem with a did-you-mean instead.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from accreditation.io import record_problem
from accreditation.record import REFERENCES, Person
from pathways.problems import Problem, describe_value, format_path
from pathways.suggest import did_you_mean
from pathways.yamlsource import YamlDocument, read_yaml_file

from .reader import DATE_HINT, CaseReader, display_path

__all__ = ["read_person", "validate_record"]


def read_person(r: CaseReader, raw: dict[str, Any]) -> Person | None:
    """The case's person, from ``record`` (inline) or ``record_file`` (beside the case file)."""
    has_inline, has_file = "record" in raw, "record_file" in raw
    if has_inline == has_file:
        r.problem(
            r.at(),
            "missing-field" if not has_inline else "invalid-value",
            "a case needs exactly one of 'record' (inline) or 'record_file'"
            + (", not both" if has_inline else ""),
            hint="write the record under 'record:', or give its file in 'record_file:' "
            "(relative to this case file)",
        )
        return None
    if has_inline:
        return validate_record(r, raw["record"], r.doc, (r.index, "record"))
    name = r.text(raw["record_file"], "record_file")
    if name is None:
        return None
    path = r.base / name
    if not path.is_file():
        r.problem(
            r.at("record_file"),
            "unreadable-file",
            f"record file '{name}' not found (looked for {display_path(path)})",
            hint="give the path relative to the case file",
        )
        return None
    # JSON is YAML, so one reader gives positions for both.
    record_doc = read_yaml_file(path, display_path(path))
    if record_doc.problems:
        r.problems.extend(record_doc.problems)
        return None
    return validate_record(r, record_doc.data, record_doc, ())


def validate_record(
    r: CaseReader, data: Any, doc: YamlDocument, prefix: tuple[str | int, ...]
) -> Person | None:
    """``data`` as a :class:`Person` whose ids are all in the catalogue, or None."""
    if not isinstance(data, dict):
        r.problems.append(
            Problem.at(
                doc.location(prefix),
                "wrong-type",
                f"a record should be a mapping of 'key: value' lines, not {describe_value(data)}",
                hint="see examples/inspector_pip.json for a record",
            )
        )
        return None
    try:
        person = Person.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            r.problems.append(_record_problem(doc, prefix, err))
        return None
    for path, section, value in _record_references(person):
        entries = {e.id: e for e in getattr(r.library.catalogue, section)}
        if section == "attributes":
            attr, _, wanted = value.partition("=")
            entry = entries.get(attr)
            allowed = list(getattr(entry, "values", []) or []) if entry else []
            if entry is not None and wanted not in allowed:
                r.problems.append(
                    Problem.at(
                        doc.location((*prefix, *path)),
                        "invalid-value",
                        f"'{wanted}' is not a value of the attribute '{attr}'",
                        suggestion=did_you_mean(wanted, allowed),
                        hint="allowed values: " + ", ".join(allowed),
                    )
                )
            continue
        if value not in entries:
            r.problems.append(
                Problem.at(
                    doc.location((*prefix, *path)),
                    "unknown-reference",
                    f"unknown {_SINGULAR[section]} '{value}' in the record "
                    "(it is not in the catalogue, so no rule would ever match it)",
                    suggestion=did_you_mean(value, list(entries)),
                    hint=f"use an id from the catalogue's {section}",
                )
            )
    for i, award in enumerate(person.credentials):
        entry = r.library.catalogue.entry("credentials", award.credential)
        levels = getattr(entry, "levels", None)
        if entry is not None and award.level is not None and award.level not in (levels or []):
            r.problems.append(
                Problem.at(
                    doc.location((*prefix, "credentials", i, "level")),
                    "invalid-value",
                    f"level {award.level} is not a level of '{award.credential}'",
                    hint=f"levels: {', '.join(map(str, levels))}" if levels else None,
                )
            )
    return person


def _record_problem(doc: YamlDocument, prefix: tuple[str | int, ...], err: Any) -> Problem:
    """A record's pydantic error, translated once (:func:`accreditation.io.record_problem`),
    placed at its line in the case file."""
    found = record_problem(err)
    loc = found.loc
    shown = f"record.{format_path(loc)}" if loc else "record"
    inside = shown.rsplit(".", 1)[0]
    if found.code == "unknown-field":
        return Problem.at(
            doc.location((*prefix, *loc), at_key=True),
            found.code,
            f"{found.message} in {inside}",
            suggestion=found.suggestion,
            hint=found.hint,
        )
    if found.code == "missing-field":
        return Problem.at(
            doc.location((*prefix, *loc[:-1])),
            found.code,
            f"missing required field '{loc[-1]}' in {inside}",
            hint=f"add '{loc[-1]}: ...' here",
        )
    return Problem.at(
        doc.location((*prefix, *loc)),
        found.code,
        f"{shown}: {found.message}",
        suggestion=found.suggestion,
        hint=found.hint or (DATE_HINT if "date" in err["type"] else None),
    )


_SINGULAR = {
    "ranks": "rank",
    "bands": "band",
    "roles": "role",
    "business_groups": "business group",
    "courses": "course",
    "assessments": "assessment",
    "credentials": "credential",
    "endorsements": "endorsement",
    "programmes": "programme",
}


def _record_references(person: Person) -> list[tuple[tuple[str | int, ...], str, str]]:
    """(path in the record, catalogue section, id) for every id a record uses."""
    refs: list[tuple[tuple[str | int, ...], str, str]] = []
    for section, fld, target in REFERENCES:
        for i, item in enumerate(getattr(person, section)):
            refs.append(((section, i, fld), target, str(getattr(item, fld))))
    for name in ("ethnicity", "gender", "disability"):
        value = getattr(person.protected, name)
        if value is not None:
            refs.append((("protected", name), "attributes", f"{name}={value}"))
    for name, value in person.attributes.items():
        refs.append((("attributes", name), "attributes", f"{name}={value}"))
    return refs
