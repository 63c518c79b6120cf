"""Reading YAML while remembering where every value came from.

PyYAML's constructed objects forget their source positions and silently keep
the last of two duplicate keys. HR files are hand-written, so we compose the
node tree ourselves, record the line and column of every key and value by its
data path, and report duplicate keys instead of hiding them.

Every file is read within limits, so a hostile or broken file costs a located problem,
never the process: at most :data:`MAX_BYTES` of text, :data:`MAX_DEPTH` levels of
nesting, and :data:`MAX_NODES` values once anchors, aliases and merge keys are expanded, of
which :data:`MAX_ALIASED` through aliases (a 250-byte "billion laughs" file would otherwise
build gigabytes).

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

__all__ = [
    "MAX_ALIASED",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "YamlDocument",
    "read_yaml_file",
    "read_yaml_text",
]

DataPath = tuple[str | int, ...]

#: The largest file read (characters of text; a pathway file is a few KB).
MAX_BYTES = 1_000_000
#: The deepest nesting of mappings and lists (the language needs about 12).
MAX_DEPTH = 100
#: The most values built from one file, aliases expanded (the shipped files build < 5,000).
MAX_NODES = 100_000
#: Of those, the most built again through aliases (example cases re-use a record or two:
#: a few hundred). An alias bomb is all re-use, so it stops here, ten times sooner.
MAX_ALIASED = 10_000
_MERGE = "tag:yaml.org,2002:merge"


class _TooLarge(Exception):
    """A limit was reached; ``mark`` is where (a yaml Mark), if known."""

    def __init__(self, message: str, mark: Any = None):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing to compose nodes nested deeper than MAX_DEPTH
    (its composer recurses once per level, so 500 levels would be a RecursionError)."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooLarge(
                    f"the file is nested more than {MAX_DEPTH} levels deep",
                    self.peek_event().start_mark,  # type: ignore[no-untyped-call]
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


@dataclass
class _Budget:
    nodes: int = 0
    aliased: int = 0
    seen: set[int] = field(default_factory=set)


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
        size = Path(path).stat().st_size
        if size > MAX_BYTES:
            doc = YamlDocument(file=name, data=None)
            doc.problems.append(_too_large(name, f"the file is {size:,} bytes", None))
            return doc
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
    if len(text) > MAX_BYTES:
        doc.problems.append(_too_large(file, f"the text is {len(text):,} characters", None))
        return doc
    try:
        # The reader checks every character as it is made: a NUL byte fails here.
        loader = _Loader(text)
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
        doc.data = _build(node, (), loader, doc, _Budget())
    except _TooLarge as exc:
        doc.problems.append(_too_large(file, exc.message, exc.mark))
        doc.data = None
        doc.positions.clear()  # what was built so far is thrown away with the data
        doc.key_positions.clear()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        tab = _tab_at(text, mark)
        if tab is not None:
            doc.problems.append(tab.model_copy(update={"file": file}))
            return doc
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


def _too_large(file: str, what: str, mark: Any) -> Problem:
    return Problem(
        code="too-large",
        file=file,
        line=mark.line + 1 if mark is not None else None,
        column=mark.column + 1 if mark is not None else None,
        message=f"{what}: a file is read only up to {MAX_BYTES:,} characters, "
        f"{MAX_DEPTH} levels of nesting and {MAX_NODES:,} values ({MAX_ALIASED:,} of them "
        "through aliases)",
        hint="write each value out instead of re-using anchors ('&name' and '*name') "
        "many times over, and split very large files",
    )


def _merged_pairs(node: yaml.MappingNode, memo: dict[int, int], depth: int = 0) -> int:
    """How many key/value pairs ``node`` has once merge keys are flattened, counted
    without flattening (flattening copies the merged pairs, so nested merges of merges
    would grow exponentially before a count after it could stop them)."""
    if id(node) in memo:
        return memo[id(node)]
    if depth > MAX_DEPTH:
        raise _TooLarge(
            f"merge keys ('<<') are chained more than {MAX_DEPTH} deep", node.start_mark
        )
    memo[id(node)] = 0  # a mapping merged into itself counts once
    total = 0
    for key, value in node.value:
        if key.tag != _MERGE:
            total += 1
            continue
        for merged in value.value if isinstance(value, yaml.SequenceNode) else [value]:
            if isinstance(merged, yaml.MappingNode):
                total += _merged_pairs(merged, memo, depth + 1)
    memo[id(node)] = total
    return total


def _tab_at(text: str, mark: yaml.Mark | None) -> Problem | None:
    """The problem for a tab where YAML allows only spaces, if that is what failed.

    >>> print(_tab_at("a:\\n\\tb: 1\\n", yaml.Mark("", 3, 1, 0, "", 0)).format())
    <library>:2:1: error[yaml-syntax]: tab at line 2, column 1: indent with spaces
        hint: YAML allows only spaces here; set your editor to insert spaces for the Tab key
    """
    if mark is None or not 0 <= mark.index < len(text) or text[mark.index] != "\t":
        return None
    line, column = mark.line + 1, mark.column + 1
    indenting = not text[text.rfind("\n", 0, mark.index) + 1 : mark.index].strip(" \t-")
    return Problem(
        code="yaml-syntax",
        line=line,
        column=column,
        message=f"tab at line {line}, column {column}: "
        + ("indent with spaces" if indenting else "use a space, not a tab"),
        hint="YAML allows only spaces here; set your editor to insert spaces for the Tab key",
    )


def _code(character: int | str) -> int:
    return character if isinstance(character, int) else ord(character)


# Long: see the comment below (one pass on purpose).
def _build(
    node: yaml.Node, path: DataPath, loader: yaml.SafeLoader, doc: YamlDocument, budget: _Budget
) -> Any:
    # Over 80 lines on purpose: one recursive walk builds the data, records every position
    # and checks the limits as it goes; split, each part would walk the tree again.
    # An alias is the node it names, so a value is built once per place it is used: count
    # them all (aliases of aliases multiply), and the depth (an alias may name its parent).
    budget.nodes += 1
    if id(node) in budget.seen:
        budget.aliased += 1
        if budget.aliased > MAX_ALIASED:
            raise _TooLarge(
                f"the file builds more than {MAX_ALIASED:,} values again through aliases "
                "('*name' re-used many times over)",
                node.start_mark,
            )
    else:
        budget.seen.add(id(node))
    if budget.nodes > MAX_NODES:
        raise _TooLarge(
            f"the file builds more than {MAX_NODES:,} values (anchors and aliases re-used "
            "many times over)",
            node.start_mark,
        )
    if len(path) > MAX_DEPTH:
        raise _TooLarge(f"the data is nested more than {MAX_DEPTH} levels deep", node.start_mark)
    doc.positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        own = sum(k.tag != _MERGE for k, _ in node.value)
        if own != len(node.value) and _merged_pairs(node, {}) > MAX_NODES:
            raise _TooLarge(
                f"merge keys ('<<') expand this mapping to more than {MAX_NODES:,} keys",
                node.start_mark,
            )
        loader.flatten_mapping(node)  # merged pairs (<<: *anchor) now come first
        merged = len(node.value) - own
        out: dict[Any, Any] = {}
        written: set[str] = set()  # keys written in this mapping, not merged into it
        for index, (key_node, value_node) in enumerate(node.value):
            # Keys are names: keep the text as written, so 'off:' or 'no:' (YAML 1.1
            # booleans) and '2010:' stay the names the author typed.
            if not isinstance(key_node, yaml.ScalarNode):
                # A list or mapping as a key is no name (and str() of an aliased one
                # could be huge): refuse it where it is.
                doc.problems.append(
                    Problem(
                        code="wrong-type",
                        file=doc.file,
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        path=format_path(path),
                        message="a key here is a list or mapping; keys are plain names",
                        hint="write the key as text, e.g. 'name:'",
                    )
                )
                continue
            key = key_node.value
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
            out[key] = _build(value_node, child, loader, doc, budget)
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
        return [_build(item, (*path, i), loader, doc, budget) for i, item in enumerate(node.value)]
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
