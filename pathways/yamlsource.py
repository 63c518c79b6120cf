"""Reading YAML while remembering where every value came from.

PyYAML's constructed objects forget their source positions and silently keep
the last of two duplicate keys. HR files are hand-written, so we compose the
node tree ourselves, record the line and column of every key and value by its
data path, and report duplicate keys instead of hiding them.

>>> doc = read_yaml_text("pathway:\\n  id: pip\\n  name: PIP\\n", "pip.yaml")
>>> doc.data["pathway"]["id"]
'pip'
>>> doc.position(("pathway", "name"))
(3, 9)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .problems import Location, Problem, format_path

__all__ = ["YamlDocument", "read_yaml_file", "read_yaml_text"]

DataPath = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Parsed YAML data with the position of each value, keyed by data path."""

    file: str
    data: Any
    positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[DataPath, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Sequence[str | int]) -> tuple[int, int] | None:
        """Line and column (1-based) of the deepest known prefix of ``path``."""
        parts = tuple(path)
        while parts:
            if parts in self.positions:
                return self.positions[parts]
            parts = parts[:-1]
        return self.positions.get((), None)

    def location(self, path: Sequence[str | int], at_key: bool = False) -> Location:
        """A :class:`Location` for ``path``; ``at_key`` points at the key, not its value."""
        pos = self.key_positions.get(tuple(path)) if at_key else None
        pos = pos or self.position(path)
        line, column = pos if pos else (None, None)
        return Location(file=self.file, line=line, column=column, path=format_path(path))


def read_yaml_file(path: str | Path, display_name: str | None = None) -> YamlDocument:
    """Read a YAML file; problems (unreadable, bad syntax) land in ``.problems``."""
    name = display_name or str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        doc = YamlDocument(file=name, data=None)
        doc.problems.append(
            Problem(code="unreadable-file", file=name, message=f"cannot read file: {exc.strerror}")
        )
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc = YamlDocument(file=name, data=None)
        doc.problems.append(
            Problem(
                code="yaml-syntax",
                file=name,
                line=line,
                message=f"the file is not UTF-8 text (byte {exc.start})",
                hint="save the file as UTF-8",
            )
        )
        return doc
    return read_yaml_text(text, name)


def read_yaml_text(text: str, file: str) -> YamlDocument:
    """Parse YAML text; never raises for bad input, reports problems instead."""
    doc = YamlDocument(file=file, data=None)
    try:
        # The reader checks every character as it is made: a NUL byte fails here.
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        doc.problems.append(
            Problem(
                code="yaml-syntax",
                file=file,
                line=line,
                column=column,
                message=f"invalid YAML: the control character U+{_code(exc.character):04X} "
                "is not allowed in YAML",
                hint="remove control characters; save the file as plain UTF-8 text",
            )
        )
        return doc
    try:
        node = loader.get_single_node()
        if node is None:
            return doc
        doc.data = _build(node, (), loader, doc)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        opened = ""
        if exc.context and exc.context_mark and exc.context_mark is not mark:
            # e.g. "while parsing a flow mapping": say where the bracket was opened.
            opened = f" ({exc.context} opened on line {exc.context_mark.line + 1})"
        doc.problems.append(
            Problem(
                code="yaml-syntax",
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
                message=f"invalid YAML: {exc.problem or exc.context}{opened}",
                hint="check indentation, colons and quoting near this line",
            )
        )
        doc.data = None
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(code="yaml-syntax", file=file, message=f"invalid YAML: {exc}"))
        doc.data = None
    finally:
        loader.dispose()
    return doc


def _code(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character)


def _build(node: yaml.Node, path: DataPath, loader: yaml.SafeLoader, doc: YamlDocument) -> Any:
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        own = sum(k.tag != "tag:yaml.org,2002:merge" for k, _ in node.value)
        loader.flatten_mapping(node)  # merged pairs (<<: *anchor) now come first
        merged = len(node.value) - own
        out: dict[Any, Any] = {}
        written: set[str] = set()  # keys written in this mapping, not merged into it
        for index, (key_node, value_node) in enumerate(node.value):
            # Keys are names: keep the text as written, so 'off:' or 'no:' (YAML 1.1
            # booleans) and '2010:' stay the names the author typed.
            key = (
                key_node.value
                if isinstance(key_node, yaml.ScalarNode)
                else str(loader.construct_object(key_node, deep=True))
            )
            if index >= merged and key in written:
                first = doc.key_positions.get((*path, key), (None, None))
                doc.problems.append(
                    Problem(
                        code="duplicate-key",
                        file=doc.file,
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        path=format_path((*path, str(key))),
                        message=f"key '{key}' appears twice in the same mapping"
                        f" (first on line {first[0]})",
                        hint="YAML keeps only one of them: delete or merge the duplicate",
                    )
                )
            if index >= merged:
                written.add(key)
            child = (*path, key)
            doc.key_positions[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _build(value_node, child, loader, doc)
            # A block value starts on the line after its key; point at the key instead.
            if value_node.start_mark.line != key_node.start_mark.line and not isinstance(
                value_node, yaml.ScalarNode
            ):
                doc.positions[child] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), loader, doc) for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # e.g. 2010-13-01 matches the date pattern but is no date
        doc.problems.append(
            Problem(
                code="invalid-value",
                file=doc.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                path=format_path(path),
                message=f"'{node.value}' is not a valid {_tag_word(node.tag)}: {exc}",
                hint="write dates as YYYY-MM-DD with a real month and day",
            )
        )
        return node.value


def _tag_word(tag: str) -> str:
    return {"tag:yaml.org,2002:timestamp": "date"}.get(tag, "value")
