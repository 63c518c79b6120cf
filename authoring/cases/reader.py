"""Reading one case: where each value was written, and the problems found on the way.

:class:`CaseReader` is what every part of case parsing shares: the parsed file (which
knows the line and column of every value), the library the case is checked against, and
the list of problems. Parsing never stops at the first problem; it collects them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pathways.model.library import Library
from pathways.model.pathway import Stage
from pathways.problems import Location, Problem, describe_value
from pathways.suggest import did_you_mean
from pathways.yamlsource import YamlDocument

__all__ = ["DATE_HINT", "CaseReader", "display_path"]

DATE_HINT = "write dates as YYYY-MM-DD, unquoted"


class CaseReader:
    """Reads the ``index``-th case of ``doc``; collects every problem rather than stopping."""

    def __init__(self, doc: YamlDocument, library: Library, base: Path, index: int):
        self.doc = doc
        self.library = library
        self.base = base
        self.index = index
        self.problems: list[Problem] = []

    def at(self, *path: str | int, key: bool = False) -> Location:
        return self.doc.location((self.index, *path), at_key=key)

    def problem(self, where: Location, code: str, message: str, **fields: Any) -> None:
        self.problems.append(Problem.at(where, code, message, **fields))

    def date(self, value: Any, *path: str | int) -> dt.date | None:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(
            self.at(*path),
            "wrong-type",
            f"'{path[-1]}' should be a date like 2010-04-01, not {describe_value(value)}",
            hint=DATE_HINT,
        )
        return None

    def text(self, value: Any, *path: str | int) -> str | None:
        if isinstance(value, str) and value.strip():
            return value
        field = path[-1] if isinstance(path[-1], str) else f"item {path[-1] + 1} of {path[-2]}"
        if isinstance(value, str):  # quoted, but empty: refused on purpose
            step = path[0] in ("next_steps", "not_next_steps")
            self.problem(
                self.at(*path),
                "invalid-value",
                f"'{field}' is empty"
                + (": an empty phrase is part of every next step" if step else ""),
                hint="write a phrase the step's text must contain, or give 'stage' alone "
                "for any step of that stage"
                if step
                else f"write the {field}, or leave '{field}' out",
            )
            return None
        self.problem(
            self.at(*path),
            "wrong-type",
            f"'{field}' should be text, not {describe_value(value)}",
            hint="put the value in quotes (YAML reads 003 as the number 3, yes/no as "
            "true/false and 2024-01-01 as a date)",
        )
        return None

    def unknown_keys(self, data: dict[str, Any], allowed: Sequence[str], *path: str | int) -> None:
        where = "a case" if not path else f"'{path[-1]}'"
        for key in data:
            if key not in allowed:
                self.problem(
                    self.at(*path, key, key=True),
                    "unknown-field",
                    f"unknown field '{key}' in {where}",
                    suggestion=did_you_mean(str(key), allowed),
                    hint="fields allowed here: " + ", ".join(allowed),
                )

    def stage_ref(self, key: str, *path: str | int, is_key: bool = False) -> Stage | None:
        """The stage named ``pathway.stage`` at ``path``, or a problem."""
        where = self.at(*path, key=is_key)
        pid, dot, sid = key.partition(".")
        if not dot or not pid or not sid:
            self.problem(
                where,
                "invalid-value",
                f"'{key}' should name a stage as 'pathway.stage'",
                hint="for example pip.level_1",
            )
            return None
        pathway = self.library.pathways.get(pid)
        if pathway is None:
            known = list(self.library.pathways)
            self.problem(
                where,
                "unknown-reference",
                f"unknown pathway '{pid}' in '{key}'",
                suggestion=did_you_mean(pid, known),
                hint="pathways in this library: " + ", ".join(known),
            )
            return None
        stage = pathway.stage(sid)
        if stage is None:
            known = [s.id for s in pathway.stages]
            self.problem(
                where,
                "unknown-reference",
                f"unknown stage '{sid}' in pathway '{pid}'",
                suggestion=did_you_mean(sid, known),
                hint=f"stages of {pid}: " + ", ".join(known),
            )
        return stage


def display_path(path: Path) -> str:
    """``path`` relative to the working directory if it is under it (shorter messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
